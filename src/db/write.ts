import type { Db } from './client.js'
import type { ChangeBus, ContentChange } from './change-bus.js'
import type { ContentVersion } from './content-version.js'

export type Emit = (change: ContentChange) => void

/**
 * Runs a write as one IMMEDIATE transaction (the write lock is taken up front, so
 * concurrent writers in other processes wait instead of failing half-way). Changes emitted
 * inside reach the bus listeners in the same transaction, then the settle listeners (the read
 * model) run once, and the content version is bumped before commit, so cached public reads are
 * invalidated exactly when the write lands.
 */
export function createWriter (db: Db, bus: ChangeBus, version: ContentVersion) {
  return function write<T> (fn: (emit: Emit, now: number) => T): T {
    const changes: ContentChange[] = []
    let now = 0
    const result = db.transaction(() => {
      // Taken under the write lock, so times in the change log follow commit order.
      now = Date.now()
      const result = fn((change) => {
        changes.push(change)
        bus.emit(change, now)
      }, now)
      bus.settle(changes, now)
      version.bump()
      return result
    }, { behavior: 'immediate' })
    bus.committed(changes)
    return result
  }
}
export type Writer = ReturnType<typeof createWriter>
