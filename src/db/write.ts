import type { Db } from './client.js'
import type { ChangeBus, ContentChange } from './change-bus.js'
import type { Invalidations } from './invalidations.js'

export type Emit = (change: ContentChange) => void

/** The surrogate keys a committed set of changes invalidates, at the write's time. */
export type KeysOf = (changes: readonly ContentChange[], now: number) => string[]

/**
 * Runs a write as one IMMEDIATE transaction (the write lock is taken up front, so
 * concurrent writers in other processes wait instead of failing half-way). Changes emitted
 * inside reach the bus listeners in the same transaction, then the settle listeners (the read
 * model) run once, and the surrogate keys they
 * invalidate are recorded before commit, so every process drops exactly the affected cached
 * responses once the write lands; this process drops them before the write returns.
 */
export function createWriter (db: Db, bus: ChangeBus, invalidations: Invalidations, keysOf: KeysOf) {
  // The write running now: one inside it (an import item creating a post through the posts
  // service) is a savepoint of the same transaction, whose changes join the outer write's.
  let outer: { changes: ContentChange[], now: number } | null = null
  return function write<T> (fn: (emit: Emit, now: number) => T): T {
    if (outer !== null) {
      const parent = outer
      const changes: ContentChange[] = []
      const result = db.transaction(() => fn((change) => {
        changes.push(change)
        bus.emit(change, parent.now)
      }, parent.now))
      parent.changes.push(...changes)
      return result
    }
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
