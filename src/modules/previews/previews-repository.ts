import { and, eq, gt, lte, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { postPreviews } from '../../db/schema.js'

export type PreviewRow = typeof postPreviews.$inferSelect

/**
 * All database access for preview links. They are private and change no public content, so
 * they are written here directly, not through the content writer: no invalidation,
 * no change log entry, no webhook.
 */
export function createPreviewsRepository (db: Db) {
  const p = sql.placeholder
  const insert = db.insert(postPreviews)
    .values({ postId: p('postId'), tokenHash: p('hash'), createdAt: p('now'), expiresAt: p('expiresAt') })
    .returning().prepare()
  // One lookup on the unique index of the hash, with the expiry in the same condition: an
  // unknown, an expired and a revoked (deleted) token take the same path and the same work.
  const live = db.select({ postId: postPreviews.postId, expiresAt: postPreviews.expiresAt }).from(postPreviews)
    .where(and(eq(postPreviews.tokenHash, p('hash')), gt(postPreviews.expiresAt, p('now')))).prepare()
  const revoke = db.delete(postPreviews).where(eq(postPreviews.postId, p('postId'))).prepare()
  const purge = db.delete(postPreviews).where(lte(postPreviews.expiresAt, p('now'))).prepare()
  return {
    /** Stores a new link's hash; its expired predecessors (of any post) are dropped on the way. */
    create (postId: number, hash: string, expiresAt: number, now = Date.now()): PreviewRow {
      return db.transaction(() => {
        purge.run({ now })
        return insert.get({ postId, hash, now, expiresAt })!
      })
    },
    /** The post an unexpired link's hash opens. */
    findLive (hash: string, now = Date.now()): { postId: number, expiresAt: number } | undefined {
      return live.get({ hash, now })
    },
    /** Revokes every link of a post; returns how many there were. */
    revokeAll (postId: number): number {
      return revoke.run({ postId }).changes
    }
  }
}
export type PreviewsRepository = ReturnType<typeof createPreviewsRepository>
