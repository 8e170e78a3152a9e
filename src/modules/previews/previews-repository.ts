import { and, eq, gt, lte, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { settled, type EngineDb, type EngineTx } from '../../db/engine-port.js'
import type { PgDb } from '../../db/pg/client.js'
import * as pgs from '../../db/pg/schema.js'
import { postPreviews, posts } from '../../db/schema.js'

export type PreviewRow = typeof postPreviews.$inferSelect

/**
 * All database access for preview links, on either engine; every method answers a Promise (on
 * SQLite an already-settled one: the prepared statement runs at once). Links are private and
 * change no public content, so a write emits no change: no invalidation, no change log entry,
 * no webhook. Writes take the open write's `tx` (src/db/engine-write.ts).
 *
 * A token is stored only as its SHA-256 (the service hashes it); the lookup is one query on the
 * unique index of the hash with the expiry in the same condition, so an unknown, an expired and
 * a revoked (deleted) token take the same path and the same work on both engines.
 */
export interface PreviewsRepository {
  /**
   * Stores a new link's hash for a post; its expired predecessors (of any post) are dropped on
   * the way. Undefined when the post does not exist (deleted since it was looked up, or an id
   * no row can have): nothing is stored.
   */
  create: (tx: EngineTx, postId: number, hash: string, expiresAt: number, now: number) => Promise<PreviewRow | undefined>
  /** The post an unexpired link's hash opens. */
  findLive: (hash: string, now: number) => Promise<{ postId: number, expiresAt: number } | undefined>
  /** Revokes every link of a post; answers how many there were. */
  revokeAll: (tx: EngineTx, postId: number) => Promise<number>
}

export function createPreviewsRepository (edb: EngineDb): PreviewsRepository {
  return edb.engine === 'postgres' ? pgPreviewsRepository(edb.db) : sqlitePreviewsRepository(edb.db)
}

function sqlitePreviewsRepository (db: Db): PreviewsRepository {
  const p = sql.placeholder
  const postExists = db.select({ id: posts.id }).from(posts).where(eq(posts.id, p('postId'))).prepare()
  const insert = db.insert(postPreviews)
    .values({ postId: p('postId'), tokenHash: p('hash'), createdAt: p('now'), expiresAt: p('expiresAt') })
    .returning().prepare()
  const live = db.select({ postId: postPreviews.postId, expiresAt: postPreviews.expiresAt }).from(postPreviews)
    .where(and(eq(postPreviews.tokenHash, p('hash')), gt(postPreviews.expiresAt, p('now')))).prepare()
  const revoke = db.delete(postPreviews).where(eq(postPreviews.postId, p('postId'))).prepare()
  const purge = db.delete(postPreviews).where(lte(postPreviews.expiresAt, p('now'))).prepare()
  // One connection: the write's statements are this connection's, inside its transaction.
  return {
    create: async (_tx, postId, hash, expiresAt, now) => await settled(() => {
      purge.run({ now })
      if (postExists.get({ postId }) === undefined) return undefined
      return insert.get({ postId, hash, now, expiresAt })
    }),
    findLive: async (hash, now) => await settled(() => live.get({ hash, now })),
    revokeAll: async (_tx, postId) => await settled(() => revoke.run({ postId }).changes)
  }
}

/**
 * Whether an id can name a row on PostgreSQL: ids are `integer` there, and a parameter past its
 * range fails the query (a 500 for a client's large id) instead of matching nothing.
 */
const isRowId = (id: number) => Number.isSafeInteger(id) && id >= -2_147_483_648 && id <= 2_147_483_647

function pgPreviewsRepository (db: PgDb): PreviewsRepository {
  const pp = pgs.postPreviews
  const p = sql.placeholder
  const on = (tx: EngineTx) => {
    if (tx.engine !== 'postgres') throw new Error('a SQLite write handle given to the PostgreSQL previews repository')
    return tx.db
  }
  // Named: each pooled connection parses it once. The hash is always 64 hex digits (the
  // service's SHA-256), so no NUL can reach it and every token costs this one query.
  const live = db.select({ postId: pp.postId, expiresAt: pp.expiresAt }).from(pp)
    .where(and(eq(pp.tokenHash, p('hash')), gt(pp.expiresAt, p('now')))).prepare('previews_find_live')
  return {
    async create (tx, postId, hash, expiresAt, now) {
      const client = on(tx)
      await client.delete(pp).where(lte(pp.expiresAt, now))
      if (!isRowId(postId)) return undefined
      // Stored only while the post exists: its row is held (FOR KEY SHARE) until the write
      // commits, so a post deleted since it was looked up stores nothing instead of failing the
      // foreign key, and a delete waits for this write.
      const post = await client.select({ id: pgs.posts.id }).from(pgs.posts).where(eq(pgs.posts.id, postId)).for('key share')
      if (post.length === 0) return undefined
      const [row] = await client.insert(pp).values({ postId, tokenHash: hash, createdAt: now, expiresAt }).returning()
      return row
    },
    async findLive (hash, now) {
      return (await live.execute({ hash, now }))[0]
    },
    async revokeAll (tx, postId) {
      if (!isRowId(postId)) return 0
      return (await on(tx).delete(pp).where(eq(pp.postId, postId)).returning({ id: pp.id })).length
    }
  }
}
