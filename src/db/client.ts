import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import * as schema from './schema.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

/**
 * Opens the SQLite file (creating its folder), sets the pragmas Broadsheet relies on and wraps
 * it in Drizzle. WAL lets readers run beside the one writer, even across processes;
 * synchronous=FULL makes every acknowledged commit survive a power cut or SIGKILL
 * (NORMAL could lose the last transactions on power loss), at a small write cost.
 */
export function openDatabase (path: string): Db {
  if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = FULL')
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
 * built again; every commit of a write (FULL) still syncs all frames before it. At 100,000
 * posts the fsync of each few-millisecond step was about a fifth of the worker's time, on
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
