import type { Db } from './client.js'
import type { ChangeBus, ContentChange } from './change-bus.js'
import type { Invalidations } from './invalidations.js'

export type Emit = (change: ContentChange) => void

/** The surrogate keys a committed set of changes invalidates, at the write's time. */
export type KeysOf = (changes: readonly ContentChange[], now: number) => string[]

/**
 * How a synchronous write meets the async writer of the same connection (src/db/engine-write.ts)
 * while modules are ported one by one: both write through one connection and must never
 * interleave.
 */
export interface SyncWriteGate {
  /**
   * The async write this synchronous one was called inside (its function, a listener of it),
   * which it joins as a savepoint: its changes become that write's; undefined when none.
   */
  joining: () => { changes: ContentChange[], now: number } | undefined
  /** Runs a top-level synchronous write alone: an async transaction open in another context is rolled back first (and run again after). */
  exclusive: <T>(run: () => T) => T
}

/**
 * Runs a write as one IMMEDIATE transaction (the write lock is taken up front, so
 * concurrent writers in other processes wait instead of failing half-way). Changes emitted
 * inside reach the bus listeners in the same transaction, then the settle listeners (the read
 * model) run once, and the surrogate keys they
 * invalidate are recorded before commit, so every process drops exactly the affected cached
 * responses once the write lands; this process drops them before the write returns.
 */
export function createWriter (db: Db, bus: ChangeBus, invalidations: Invalidations, keysOf: KeysOf, gate?: SyncWriteGate) {
  // The write running now: one inside it (an import item creating a post through the posts
  // service) is a savepoint of the same transaction, whose changes join the outer write's.
  let outer: { changes: ContentChange[], now: number } | null = null
  return function write<T> (fn: (emit: Emit, now: number) => T): T {
    const parent = outer ?? gate?.joining()
    if (parent !== undefined && parent !== null) {
      const changes: ContentChange[] = []
      const result = db.transaction(() => fn((change) => {
        changes.push(change)
        bus.emit(change, parent.now)
      }, parent.now))
      parent.changes.push(...changes)
      return result
    }
    return gate === undefined ? alone(fn) : gate.exclusive(() => alone(fn))
  }

  function alone<T> (fn: (emit: Emit, now: number) => T): T {
    const changes: ContentChange[] = []
    let keys: string[] = []
    const result = db.transaction(() => {
      // Taken under the write lock, so times in the change log follow commit order.
      const now = Date.now()
      outer = { changes, now }
      try {
        const result = fn((change) => {
          changes.push(change)
          bus.emit(change, now)
        }, now)
        bus.settle(changes, now)
        keys = keysOf(changes, now)
        invalidations.record(keys, now)
        return result
      } finally {
        outer = null
      }
    }, { behavior: 'immediate' })
    invalidations.committed(keys)
    bus.committed(changes)
    return result
  }
}
export type Writer = ReturnType<typeof createWriter>
