import { and, count, desc, eq, gt, lt, or, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { media, postFeaturedMedia } from '../../db/schema.js'
import { placeholderOf } from '../../db/placeholders.js'
import { idList, inIdList } from '../../db/statements.js'

export type MediaRow = typeof media.$inferSelect
export type NewMedia = Omit<MediaRow, 'id' | 'createdAt' | 'updatedAt'>
export type MediaMeta = Pick<MediaRow, 'title' | 'alt' | 'caption' | 'credit'>

export interface MediaFilter {
  /** A full type (image/png) or a family (image): compared with the stored type's start. */
  type?: string
  after?: number
  before?: number
}

// Keyset position "before everything": no cursor reads from the newest.
const TOP = Number.MAX_SAFE_INTEGER

/** All database access for the media library and the featured-image links of posts. */
export function createMediaRepository (db: Db) {
  const ph = sql.placeholder
  const m = media
  const f = postFeaturedMedia
  // Optional filters as placeholders: NULL turns one off, so one prepared statement serves all.
  const filtered = and(
    or(and(sql`${ph('type')} IS NULL`, sql`${ph('family')} IS NULL`), eq(m.mimeType, ph('type')), sql`${m.mimeType} LIKE ${ph('family')}`),
    or(sql`${ph('after')} IS NULL`, gt(m.createdAt, ph('after'))),
    or(sql`${ph('before')} IS NULL`, lt(m.createdAt, ph('before')))
  )
  const s = {
    insert: db.insert(m).values({
      sha256: ph('sha256'),
      filename: ph('filename'),
      mimeType: ph('mimeType'),
      bytes: ph('bytes'),
      width: ph('width'),
      height: ph('height'),
      title: ph('title'),
      alt: ph('alt'),
      caption: ph('caption'),
      credit: ph('credit'),
      createdAt: ph('now'),
      updatedAt: ph('now')
    }).returning().prepare(),
    byId: db.select().from(m).where(eq(m.id, ph('id'))).prepare(),
    list: db.select().from(m)
      .where(and(filtered, or(lt(m.createdAt, ph('atCreated')), and(eq(m.createdAt, ph('atCreated')), lt(m.id, ph('atId'))))))
      .orderBy(desc(m.createdAt), desc(m.id)).limit(ph('limit')).prepare(),
    count: db.select({ n: count() }).from(m).where(filtered).prepare(),
    update: db.update(m).set({
      title: placeholderOf(m.title, 'title'),
      alt: placeholderOf(m.alt, 'alt'),
      caption: placeholderOf(m.caption, 'caption'),
      credit: placeholderOf(m.credit, 'credit'),
      updatedAt: placeholderOf(m.updatedAt, 'now')
    }).where(eq(m.id, ph('id'))).returning().prepare(),
    remove: db.delete(m).where(eq(m.id, ph('id'))).prepare(),
    hashUsers: db.select({ n: count() }).from(m).where(eq(m.sha256, ph('sha256'))).prepare(),
    usedBy: db.select({ postId: f.postId }).from(f).where(eq(f.mediaId, ph('id'))).orderBy(f.postId).prepare(),
    unlinkAll: db.delete(f).where(eq(f.mediaId, ph('id'))).prepare(),
    featuredOf: db.select({ mediaId: f.mediaId }).from(f).where(eq(f.postId, ph('postId'))).prepare(),
    link: db.insert(f).values({ postId: ph('postId'), mediaId: ph('mediaId') })
      .onConflictDoUpdate({ target: f.postId, set: { mediaId: sql`excluded.media_id` } }).prepare(),
    unlink: db.delete(f).where(eq(f.postId, ph('postId'))).prepare(),
    featuredFor: db.select({ postId: f.postId, m }).from(f).innerJoin(m, eq(m.id, f.mediaId)).where(inIdList(f.postId, 'ids')).prepare(),
    byIds: db.select().from(m).where(inIdList(m.id, 'ids')).prepare()
  }

  function filterParams (filter: MediaFilter) {
    const type = filter.type ?? null
    const family = type !== null && !type.includes('/') ? `${type}/%` : null
    return { type: family === null ? type : null, family, after: filter.after ?? null, before: filter.before ?? null }
  }

  return {
    insert (row: NewMedia, now: number): MediaRow {
      return s.insert.get({ ...row, now }) as MediaRow
    },
    byId (id: number): MediaRow | undefined {
      return s.byId.get({ id })
    },
    /** One page, newest first, after the keyset position `at` (none: from the newest). */
    list (filter: MediaFilter, limit: number, at?: { createdAt: number, id: number }): { rows: MediaRow[], total: number } {
      const params = filterParams(filter)
      const rows = s.list.all({ ...params, atCreated: at?.createdAt ?? TOP, atId: at?.id ?? TOP, limit })
      const total = s.count.get(params)?.n ?? 0
      return { rows, total }
    },
    update (id: number, meta: MediaMeta, now: number): MediaRow | undefined {
      return s.update.get({ id, ...meta, now })
    },
    remove (id: number): void {
      s.remove.run({ id })
    },
    /** How many records share these bytes (the same file uploaded more than once). */
    hashUsers (sha256: string): number {
      return s.hashUsers.get({ sha256 })?.n ?? 0
    },
    /** Posts whose featured image this is. */
    usedBy (id: number): number[] {
      return s.usedBy.all({ id }).map((r) => r.postId)
    },
    unlinkAll (id: number): void {
      s.unlinkAll.run({ id })
    },

    // Featured images of posts (the posts write service calls these inside its transaction).
    featuredOf (postId: number): number | undefined {
      return s.featuredOf.get({ postId })?.mediaId
    },
    setFeatured (postId: number, mediaId: number | null): void {
      if (mediaId === null) s.unlink.run({ postId })
      else s.link.run({ postId, mediaId })
    },
    /** The library images of these posts, by post id, for reads. */
    featuredFor (postIds: number[]): Map<number, MediaRow> {
      const out = new Map<number, MediaRow>()
      if (postIds.length === 0) return out
      for (const r of s.featuredFor.all({ ids: idList(postIds) })) out.set(r.postId, r.m)
      return out
    },
    /** Records by id, for images named in post bodies. */
    byIds (ids: number[]): Map<number, MediaRow> {
      if (ids.length === 0) return new Map()
      return new Map(s.byIds.all({ ids: idList(ids) }).map((r) => [r.id, r]))
    }
  }
}
export type MediaRepository = ReturnType<typeof createMediaRepository>
