import type { Db } from './client.js'

/**
 * The content version: a counter in the database that every write bumps inside its own
 * transaction. Readers key cached responses by it, so no reader sees stale data after a
 * write commits — also across processes sharing the file.
 */
export function createContentVersion (db: Db) {
  const read = db.$client.prepare("SELECT value FROM meta WHERE key = 'content_version'").pluck()
  const bump = db.$client.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version'")
  // The next moment a scheduled post goes live: public content changes then without a write.
  const nextGoLive = db.$client.prepare("SELECT min(published_at) FROM posts WHERE status = 'published' AND published_at > ?").pluck()
  let memo = { version: '', next: 0, stamp: '' }
  // The stored version is read at most once per event-loop turn, on the first request of the
  // turn; a busy server saves a read (a shared lock on the WAL index, ~5 µs) per request. A
  // commit by another process is seen from the next turn: a request that arrives in the same
  // turn as that commit, so is concurrent with it, may be answered from the state before it;
  // any request that starts after the turn sees it. A write of this process forgets the
  // reading at once.
  let readThisTurn = false
  const newTurn = () => { readThisTurn = false }
  return {
    /** Bumps the version; call inside the write's transaction. */
    bump (): void {
      bump.run()
      readThisTurn = false
    },
    /** A string that changes whenever public content may have changed. */
    stamp (now = Date.now()): string {
      let version = memo.version
      if (!readThisTurn) {
        version = read.get() as string
        readThisTurn = true
        setImmediate(newTurn)
      }
      if (version !== memo.version || (memo.next !== 0 && now >= memo.next)) {
        const next = (nextGoLive.get(now) as number | null) ?? 0
        memo = { version, next, stamp: `${version}.${next}` }
      }
      return memo.stamp
    }
  }
}
export type ContentVersion = ReturnType<typeof createContentVersion>
