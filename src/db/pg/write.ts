import type { ContentChange } from '../change-bus.js'
import type { KeysOf } from '../write.js'
import type { PgDb } from './client.js'
import { setInvalidationOrigin } from './notify.js'
import { invalidations } from './schema.js'
import { withPgTransaction, type PgTransactionOptions, type PgTx } from './transaction.js'

// The write path on PostgreSQL (issue 20), the counterpart of src/db/write.ts: one transaction
// per write, the changes it emits handed to listeners inside it, the surrogate keys they
// invalidate recorded as one `invalidations` row before commit (the trigger of
// migrations/pg/0007 sends them to every server at commit), then this process told after
// commit. What differs from SQLite: the transaction may be run again (withPgTransaction: a
// deadlock or a serialization failure), so everything a write produces besides its rows — the
// changes, the keys — is collected per attempt and handed on only from the attempt that
// committed; listeners inside it write through `tx` and must be safe to run again.

export type PgEmit = (change: ContentChange) => void

export interface PgWriterOptions {
  /** The keys a committed set of changes invalidates (src/modules/cache-keys.ts), as on SQLite. */
  keysOf: KeysOf
  /** This process's origin: its own notifications are skipped by its listener (src/db/pg/notify.ts). */
  origin: string
  /** Runs inside the transaction after the function, with every change it emitted (the read model's settle step). */
  settle?: (tx: PgTx, changes: readonly ContentChange[], now: number) => Promise<void>
  /** After COMMIT: the keys (applied to this process's cache at once) and the changes (webhooks, the change bus). */
  committed?: (keys: readonly string[], changes: readonly ContentChange[]) => void
  transaction?: PgTransactionOptions
}

/** Builds `write(fn)` over a pool: fn(tx, emit, now) in a retried transaction. */
export function createPgWriter (db: PgDb, opts: PgWriterOptions) {
  return async function write<T> (fn: (tx: PgTx, emit: PgEmit, now: number) => Promise<T>): Promise<T> {
    let changes: ContentChange[] = []
    let keys: string[] = []
    const result = await withPgTransaction(db, async (tx) => {
      // Afresh each attempt: an aborted attempt's changes never happened.
      changes = []
      keys = []
      const now = Date.now()
      const attemptChanges = changes
      const value = await fn(tx, (change) => { attemptChanges.push(change) }, now)
      if (opts.settle !== undefined) await opts.settle(tx, attemptChanges, now)
      keys = opts.keysOf(attemptChanges, now)
      if (keys.length > 0) {
        await setInvalidationOrigin(tx, opts.origin)
        await tx.insert(invalidations).values({ at: now, keys: keys.join(' ') })
      }
      return value
    }, opts.transaction)
    opts.committed?.(keys, changes)
    return result
  }
}
export type PgWriter = ReturnType<typeof createPgWriter>
