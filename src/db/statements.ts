import type Database from 'better-sqlite3'

/**
 * A cache of prepared statements keyed by their SQL text. Repositories build list queries
 * from a few fixed fragments, so the set of distinct texts is small and each is prepared once.
 */
export function createStatementCache (client: Database.Database) {
  const cache = new Map<string, Database.Statement>()
  return function prepare (sqlText: string): Database.Statement {
    let stmt = cache.get(sqlText)
    if (stmt === undefined) {
      stmt = client.prepare(sqlText)
      cache.set(sqlText, stmt)
    }
    return stmt
  }
}
