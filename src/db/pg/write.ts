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

/** A listener of a PostgreSQL write: inside its transaction, through `tx`; it may write, and a throw rolls all back. */
export type PgChangeListener = (change: ContentChange, now: number, tx: PgTx) => Promise<void> | void
/** Runs once inside every PostgreSQL write's transaction, after its listeners (the read model's settle step). */
export type PgSettleListener = (changes: readonly ContentChange[], now: number, tx: PgTx) => Promise<void> | void

/**
 * The change bus of the PostgreSQL writer, the counterpart of src/db/change-bus.ts. Listeners
 * there run synchronously at `emit`; here they need the transaction's handle and answer
 * Promises, so the writer collects the changes and runs the listeners once the write's function
 * has resolved, in the order the changes were emitted, one at a time on `tx`, then the settle
 * listeners. An attempt that is run again (a deadlock) runs them again with its own changes.
 */
export function createPgChangeBus () {
  const listeners: PgChangeListener[] = []
  const settling: PgSettleListener[] = []
  const afterCommit: Array<(changes: readonly ContentChange[]) => void> = []
  return {
    on (listener: PgChangeListener): void { listeners.push(listener) },
    onSettle (listener: PgSettleListener): void { settling.push(listener) },
    onCommitted (listener: (changes: readonly ContentChange[]) => void): void { afterCommit.push(listener) },
    /** Called by the writer inside the transaction, after the write's own function. */
    async run (tx: PgTx, changes: readonly ContentChange[], now: number): Promise<void> {
      for (const change of changes) {
        for (const l of listeners) await l(change, now, tx)
      }
      for (const l of settling) await l(changes, now, tx)
    },
    committed (changes: readonly ContentChange[]): void {
      if (changes.length === 0) return
      for (const l of afterCommit) {
        try { l(changes) } catch { /* a purge failure must not fail a committed write */ }
      }
    }
  }
}
export type PgChangeBus = ReturnType<typeof createPgChangeBus>
