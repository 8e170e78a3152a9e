import type { Db } from '../../db/client.js'
import { isLive, isScheduled, type ContentChange } from '../../db/change-bus.js'

export interface ChangeRow {
  id: number
  resource: 'post' | 'category' | 'tag' | 'author' | 'comment' | 'site'
  resource_id: number
  slug: string | null
  action: 'upsert' | 'delete'
  changed_at: number
}

/** The change log: records public changes and reads them in order. */
export function createChangesRepository (db: Db) {
  const client = db.$client
  const insert = client.prepare('INSERT INTO changes (resource, resource_id, slug, action, changed_at) VALUES (?, ?, ?, ?, ?)')
  // Entries not yet visible (a scheduled post's future go-live) are replaced on every write.
  const dropFuture = client.prepare("DELETE FROM changes WHERE resource = 'post' AND resource_id = ? AND changed_at > ?")
  const pageStmt = client.prepare(`SELECT id, resource, resource_id, slug, action, changed_at FROM changes
    WHERE changed_at <= @now AND (changed_at > @at OR (changed_at = @at AND id > @id))
    ORDER BY changed_at, id LIMIT @limit`)
  const lastStmt = client.prepare('SELECT max(changed_at) FROM changes WHERE changed_at <= ?').pluck()

  function record (resource: ChangeRow['resource'], id: number, slug: string | null, action: ChangeRow['action'], at: number): void {
    insert.run(resource, id, slug, action, at)
  }

  return {
    record,

    /** Turns a content change into log entries; runs inside the write's transaction. */
    listener (change: ContentChange, now: number): void {
      switch (change.kind) {
        case 'post': {
          dropFuture.run(change.id, now)
          const { before, after } = change
          const slug = after?.slug ?? before?.slug ?? null
          if (isLive(after, now)) {
            record('post', change.id, slug, 'upsert', now)
          } else if (isLive(before, now)) {
            record('post', change.id, slug, 'delete', now)
          }
          if (isScheduled(after, now)) record('post', change.id, slug, 'upsert', after!.publishedAt!)
          break
        }
        case 'comment': {
          const wasPublic = change.before === 'approved'
          const isPublic = change.after === 'approved'
          if (isPublic) record('comment', change.id, null, 'upsert', now)
          else if (wasPublic) record('comment', change.id, null, 'delete', now)
          break
        }
        case 'site':
          record('site', 1, null, 'upsert', now)
          break
        default:
          record(change.kind, change.id, change.slug, change.action, now)
      }
    },

    /** When public content last changed (the newest visible entry), or null before any change. */
    lastChangedAt (now: number): number | null {
      return lastStmt.get(now) as number | null
    },

    /**
     * Entries after a position, oldest first; never entries whose time has not come. Read under
     * the write lock with the time taken inside it: a scheduled entry may become visible while
     * a write that took an earlier time is still in flight, and a reader who saw the scheduled
     * entry first would skip the write's entry for good.
     */
    after (position: { at: number, id: number }, limit: number, now?: number): ChangeRow[] {
      return client.transaction(() => pageStmt.all({ ...position, limit, now: now ?? Date.now() }) as ChangeRow[]).immediate()
    }
  }
}
export type ChangesRepository = ReturnType<typeof createChangesRepository>
