import Database from 'better-sqlite3'
import type { Cache } from 'drizzle-orm/cache/core'
import type { Logger } from 'drizzle-orm/logger'
import type { Query, QueryWithTypings, SQL } from 'drizzle-orm/sql'
import { drizzle, PreparedQuery, type BetterSQLite3Database, type BetterSQLiteSession } from 'drizzle-orm/better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import * as schema from './schema.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

/** How a commit reaches the disk (DATABASE_SYNCHRONOUS): SQLite's synchronous pragma in WAL mode. */
export type Synchronous = 'normal' | 'full'

/** How the statements of a connection are prepared (see `lazyStatements`). */
export interface OpenOptions {
  /**
   * false: each Drizzle `.prepare()` builds its SQL and has SQLite compile it at once, so a
   * wrong statement throws where it is built (a test builds the whole app this way). Default
   * true: both happen at the statement's first run.
   */
  lazyStatements?: boolean
}

/**
 * Opens the SQLite file (creating its folder), sets the pragmas Broadsheet relies on and wraps
 * it in Drizzle. WAL lets readers run beside the one writer, even across processes.
 * synchronous=NORMAL (the default): a commit is written to the WAL, which the OS holds, so it
 * survives the process being killed (SIGKILL, a crash); the WAL is synced at each checkpoint,
 * and the database is never corrupted, but a power cut or OS crash may lose the last commits.
 * FULL also syncs the WAL at every commit, so those survive too; on the bench machine that
 * sync alone took 3.5 ms (p50) of every write, more than the rest of a post write.
 */
export function openDatabase (path: string, synchronous: Synchronous = 'normal', options: OpenOptions = {}): Db {
  if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma(synchronous === 'full' ? 'synchronous = FULL' : 'synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('cache_size = -16000')
  sqlite.pragma('temp_store = MEMORY')
  const db = drizzle(sqlite, { schema }) as Db
  if (options.lazyStatements !== false) lazyStatements(db)
  return db
}

/**
 * The SQL text of a Drizzle query, built from its SQL tree when first read (the tree is then
 * let go). Own enumerable getters, so a spread (`toSQL()` does one) copies the built values.
 */
function lazyQuery (sql: SQL, build: (sql: SQL) => QueryWithTypings): QueryWithTypings {
  let tree: SQL | undefined = sql
  let built: QueryWithTypings | undefined
  const query = (): QueryWithTypings => {
    if (built === undefined) {
      built = build(tree as SQL)
      tree = undefined
    }
    return built
  }
  return {
    get sql () { return query().sql },
    get params () { return query().params },
    get typings () { return query().typings }
  }
}

/**
 * What Drizzle's prepared query calls on its better-sqlite3 statement (run, get, all, raw),
 * the statement compiled by SQLite at the first of those calls.
 */
class LazyStatement {
  #statement: Database.Statement | undefined
  readonly #client: Database.Database
  readonly #query: Query

  constructor (client: Database.Database, query: Query) {
    this.#client = client
    this.#query = query
  }

  #prepared (): Database.Statement {
    return (this.#statement ??= this.#client.prepare(this.#query.sql))
  }

  run (...params: unknown[]): Database.RunResult { return this.#prepared().run(...params) }
  get (...params: unknown[]): unknown { return this.#prepared().get(...params) }
  all (...params: unknown[]): unknown[] { return this.#prepared().all(...params) }
  // Arguments passed on as given: better-sqlite3 tells raw() from raw(undefined).
  raw (...toggle: [boolean?]): Database.Statement { return this.#prepared().raw(...toggle) }
}

type PrepareQuery = BetterSQLiteSession<typeof schema, never>['prepareQuery']
/** The parts of Drizzle's database object this needs (internal in its types). */
interface DrizzleInternals {
  dialect: { sqlToQuery (sql: SQL, invokeSource?: 'indexes'): QueryWithTypings }
  session: { logger: Logger, cache: Cache, prepareQuery: PrepareQuery, prepareOneTimeQuery: PrepareQuery }
}

/**
 * Start-up (issue 15): the repositories prepare some 340 statements when the core is built,
 * most of them for requests a given process may never serve, and building their SQL text
 * (Drizzle's sqlToQuery) and compiling it (SQLite's prepare) was about 100 ms of the server's
 * CPU to ready. On this connection a statement's `.prepare()` keeps the query's SQL tree and
 * does both at its first run, once; later runs reuse the compiled statement as before (the
 * cost of a getter and one call). One-shot queries (`.all()` on a builder, `db.run(sql…)`)
 * are prepared and run at once, as Drizzle does. A statement with a wrong SQL text now throws
 * at its first run instead of at build: test/db/lazy-statements.test.ts builds the app with
 * `lazyStatements: false` so every statement the core prepares is still compiled by a test.
 * The transaction a statement first runs in changes nothing: SQLite compiles a statement
 * outside of transactions, and a statement compiled inside one stays valid after it.
 */
function lazyStatements (db: Db): void {
  const { dialect, session } = db as unknown as DrizzleInternals
  const client = db.$client
  const sqlToQuery = dialect.sqlToQuery.bind(dialect)
  dialect.sqlToQuery = (sql, invokeSource) => lazyQuery(sql, (tree) => sqlToQuery(tree, invokeSource))
  const eager = session.prepareQuery.bind(session)
  session.prepareOneTimeQuery = eager
  session.prepareQuery = ((...[query, fields, executeMethod, isResponseInArrayMode, customResultMapper, queryMetadata, cacheConfig]: Parameters<PrepareQuery>) =>
    new PreparedQuery(new LazyStatement(client, query) as unknown as Database.Statement, query, session.logger, session.cache, queryMetadata, cacheConfig,
      fields, executeMethod, isResponseInArrayMode, customResultMapper)) as PrepareQuery
}

/** Whether the connection is still open: work that outlives a request (a webhook send) checks before it writes. */
export function isOpen (db: Db): boolean {
  return db.$client.open
}

/**
 * Runs `fn` with busy_timeout 0 on this connection: a statement that needs a lock another
 * connection holds fails at once with SQLITE_BUSY instead of blocking the event loop (for
 * background steps that can simply be tried again).
 */
export function withoutWaiting<T> (db: Db, fn: () => T): T {
  const previous = db.$client.pragma('busy_timeout', { simple: true }) as number
  db.$client.pragma('busy_timeout = 0')
  try {
    return fn()
  } finally {
    db.$client.pragma(`busy_timeout = ${previous}`)
  }
}

/**
 * Runs a background step of the read model: busy_timeout 0 as `withoutWaiting`, and
 * synchronous=NORMAL, so its commit does not wait for an fsync. The read model is derived
 * data, each step its own transaction: a power cut can lose only the newest commits of the
 * WAL, so a lost step's queue rows come back with the documents it had built, and they are
 * built again; with DATABASE_SYNCHRONOUS=full, every commit of a write still syncs all frames
 * before it (with the default, NORMAL, this changes nothing). At 100,000 posts the fsync of each few-millisecond step was about a fifth of the worker's time, on
 * the event loop.
 */
export function inBackground<T> (db: Db, fn: () => T): T {
  const previous = db.$client.pragma('synchronous', { simple: true }) as number
  db.$client.pragma('synchronous = NORMAL')
  try {
    return withoutWaiting(db, fn)
  } finally {
    db.$client.pragma(`synchronous = ${previous}`)
  }
}
