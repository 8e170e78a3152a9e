import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import * as schema from './schema.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

/** How a commit reaches the disk (DATABASE_SYNCHRONOUS): SQLite's synchronous pragma in WAL mode. */
export type Synchronous = 'normal' | 'full'

/**
 * Opens the SQLite file (creating its folder), sets the pragmas Broadsheet relies on and wraps
 * it in Drizzle. WAL lets readers run beside the one writer, even across processes.
 * synchronous=NORMAL (the default): a commit is written to the WAL, which the OS holds, so it
 * survives the process being killed (SIGKILL, a crash); the WAL is synced at each checkpoint,
 * and the database is never corrupted, but a power cut or OS crash may lose the last commits.
 * FULL also syncs the WAL at every commit, so those survive too; on the bench machine that
 * sync alone took 3.5 ms (p50) of every write, more than the rest of a post write.
 */
export function openDatabase (path: string, synchronous: Synchronous = 'normal'): Db {
  if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma(synchronous === 'full' ? 'synchronous = FULL' : 'synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('cache_size = -16000')
  sqlite.pragma('temp_store = MEMORY')
  return drizzle(sqlite, { schema }) as Db
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
