import type pg from 'pg'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import type { PgDb } from './client.js'
import * as schema from './schema.js'

// Write transactions on PostgreSQL (issue 20; the design is in src/db/engine-port.ts). SQLite's
// single writer never meets a deadlock or a serialization failure; PostgreSQL, with writers in
// several processes at once, does: two writes that lock the same rows (a post's link, search
// and counter rows) in opposite orders deadlock, and PostgreSQL aborts one of them (40P01); at
// REPEATABLE READ or SERIALIZABLE, a write that lost a race is aborted too (40001). Both are
// PostgreSQL saying "run it again": the transaction did nothing, and the same function run
// again from the start sees the winner's rows. Every other error is the function's own (a
// constraint, a bug) and running it again would only repeat it, so it is thrown at once.

/** A transaction's handle: Drizzle over the pooled client that runs it. */
export type PgTx = NodePgDatabase<typeof schema> & { $client: pg.PoolClient }

export interface PgTransactionOptions {
  /** READ COMMITTED (PostgreSQL's default) unless told. */
  isolation?: 'read committed' | 'repeatable read' | 'serializable'
  /** Attempts in all, the first included (5). */
  maxAttempts?: number
  /** The backoff before attempt n + 1 is a random time up to min(maxDelayMs, baseDelayMs · 2^(n-1)) (10 ms, 500 ms). */
  baseDelayMs?: number
  maxDelayMs?: number
  /** Told each retry: the error that aborted attempt `attempt`, and the wait before the next. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void
}

/** SQLSTATEs after which the whole transaction is run again: serialization_failure, deadlock_detected. */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(['40001', '40P01'])

/**
 * The SQLSTATE of a PostgreSQL error, looked for through `cause` (Drizzle wraps the driver's
 * error in a DrizzleQueryError whose cause it is); undefined for any other error.
 */
export function pgErrorCode (error: unknown): string | undefined {
  let e: unknown = error
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/** Whether an error means "run the transaction again" (serialization failure or deadlock). */
export function isRetryablePgError (error: unknown): boolean {
  const code = pgErrorCode(error)
  return code !== undefined && RETRYABLE_SQLSTATES.has(code)
}

/**
 * The function caught an error of one of its statements and returned normally: PostgreSQL had
 * aborted the transaction at that error, so nothing it did could be committed: PostgreSQL
 * answered the COMMIT with ROLLBACK. Thrown rather than reported as success.
 */
export class PgTransactionAbortedError extends Error {
  constructor () {
    super('the transaction was aborted by an error its function caught; it was rolled back, nothing was written')
    this.name = 'PgTransactionAbortedError'
  }
}

// One Drizzle instance per pooled connection, made on its first transaction. Drizzle's
// node-postgres (and with it the driver) is loaded by the first transaction: a SQLite server
// imports this module (ported repositories name both engines) but never loads `pg`
// (test/reliability/startup-loads.test.ts).
const handles = new WeakMap<pg.PoolClient, PgTx>()
let nodePg: Promise<typeof import('drizzle-orm/node-postgres')> | undefined
async function handleOf (client: pg.PoolClient): Promise<PgTx> {
  let tx = handles.get(client)
  if (tx === undefined) {
    nodePg ??= import('drizzle-orm/node-postgres')
    const { drizzle } = await nodePg
    tx = drizzle(client, { schema }) as PgTx
    handles.set(client, tx)
  }
  return tx
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/**
 * Runs `fn` in a transaction on a client of the pool, committing when it resolves and rolling
 * back when it throws. A deadlock or serialization failure (of a statement or of the COMMIT)
 * rolls back and runs `fn` again from the start on a fresh transaction, after a jittered
 * exponential backoff, up to `maxAttempts` in all; then that error is thrown. Any other error
 * is thrown at once, without another attempt. `fn` must therefore touch the database only
 * through `tx` and keep whatever else it produces per attempt (`attempt` counts from 1).
 */
export async function withPgTransaction<T> (db: PgDb, fn: (tx: PgTx, attempt: number) => Promise<T>, options: PgTransactionOptions = {}): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5)
  const base = options.baseDelayMs ?? 10
  const cap = options.maxDelayMs ?? 500
  const begin = options.isolation === undefined ? 'begin' : `begin isolation level ${options.isolation}`
  for (let attempt = 1; ; attempt++) {
    const client = await db.$client.connect()
    // A connection whose ROLLBACK failed is in an unknown state: destroyed, not pooled again.
    let broken: Error | undefined
    let delay = 0
    try {
      await client.query(begin)
      const result = await fn(await handleOf(client), attempt)
      // PostgreSQL answers the COMMIT of an aborted transaction with ROLLBACK, not an error.
      const commit = await client.query('commit')
      if (commit.command === 'ROLLBACK') throw new PgTransactionAbortedError()
      return result
    } catch (error) {
      try {
        await client.query('rollback')
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))
      }
      if (attempt >= maxAttempts || !isRetryablePgError(error)) throw error
      delay = Math.round(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)))
      options.onRetry?.(error, attempt, delay)
    } finally {
      client.release(broken)
    }
    // Waits with the connection back in the pool.
    if (delay > 0) await sleep(delay)
  }
}
