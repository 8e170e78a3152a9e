import type Database from 'better-sqlite3'

/** Prepared statements kept by one cache at most; the least recently used is dropped first. */
export const STATEMENT_CACHE_SIZE = 200

export interface StatementCache {
  (sqlText: string): Database.Statement
  /** How many statements are kept now (for tests and diagnostics). */
  readonly size: number
}

/**
 * A cache of prepared statements keyed by their SQL text. Repositories build list queries
 * from a few fixed fragments and bind id lists as one JSON parameter (`json_each(?)`), so the
 * set of distinct texts is small; the bound keeps memory flat even if a new query shape ever
 * slips in per request (each statement holds SQLite's compiled program, some kilobytes).
 */
export function createStatementCache (client: Database.Database, max = STATEMENT_CACHE_SIZE): StatementCache {
  const cache = new Map<string, Database.Statement>()
  const prepare = function prepare (sqlText: string): Database.Statement {
    let stmt = cache.get(sqlText)
    if (stmt === undefined) {
      stmt = client.prepare(sqlText)
      if (cache.size >= max) cache.delete(cache.keys().next().value as string)
    } else {
      // Refresh its place in the LRU order (a Map iterates in insertion order).
      cache.delete(sqlText)
    }
    cache.set(sqlText, stmt)
    return stmt
  }
  Object.defineProperty(prepare, 'size', { get: () => cache.size })
  return prepare as StatementCache
}

/**
 * A list of ids as one bound parameter: `IN (SELECT value FROM json_each(?))` with this text
 * keeps the SQL the same whatever the list's length. Duplicates are dropped (they change
 * nothing in an IN list but would make the text, and the work, grow).
 */
export function idList (ids: readonly number[]): string {
  return JSON.stringify([...new Set(ids)])
}

/** The SQL that matches a column against an `idList` parameter. */
export const IN_ID_LIST = 'IN (SELECT value FROM json_each(?))'
