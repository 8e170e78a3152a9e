import { and, count, desc, eq, gt, like, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { settled, type EngineDb, type EngineTx } from '../../db/engine-port.js'
import type { PgDb } from '../../db/pg/client.js'
import * as pgs from '../../db/pg/schema.js'
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
const ph = sql.placeholder

/**
 * The media library and the featured-image links of posts on SQLite, synchronously: what the
 * engine-neutral repository (below) answers through `settled` on SQLite, and what the callers
 * not yet ported use (post reads and the read model's builder through media-embed.ts, the posts
 * write service's links inside its synchronous write).
 */
export function createMediaSyncRepository (db: Db) {
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
export type MediaSyncRepository = ReturnType<typeof createMediaSyncRepository>

/**
 * The media library on either engine (src/db/engine-port.ts): every method answers a Promise,
 * settled at once on SQLite. Reads take no handle, or the open write's `tx` to read as that
 * write sees; writes take the write's `tx` (on PostgreSQL every statement of a write goes
 * through its client).
 */
export interface MediaRepository {
  byId: (id: number, tx?: EngineTx) => Promise<MediaRow | undefined>
  /** One page, newest first, after the keyset position `at` (none: from the newest). */
  list: (filter: MediaFilter, limit: number, at?: { createdAt: number, id: number }) => Promise<{ rows: MediaRow[], total: number }>
  /** How many records share these bytes (the same file uploaded more than once). */
  hashUsers: (sha256: string) => Promise<number>
  insert: (tx: EngineTx, row: NewMedia, now: number) => Promise<MediaRow>
  update: (tx: EngineTx, id: number, meta: MediaMeta, now: number) => Promise<MediaRow | undefined>
  /** Deletes the record and its links as a featured image. */
  remove: (tx: EngineTx, id: number) => Promise<void>
  /** Posts whose featured image this is. */
  usedBy: (tx: EngineTx, id: number) => Promise<number[]>
}

/**
 * On SQLite, the engine-neutral repository and its synchronous twin (`sync`) for the callers not
 * yet ported: featured and body images of post reads and the read model's builder
 * (media-embed.ts), and the posts write service's featured-image links.
 */
export type SqliteMediaRepository = MediaRepository & { sync: MediaSyncRepository }

export function createMediaRepository (edb: Extract<EngineDb, { engine: 'sqlite' }>): SqliteMediaRepository
export function createMediaRepository (edb: EngineDb): MediaRepository
export function createMediaRepository (edb: EngineDb): MediaRepository {
  if (edb.engine === 'postgres') return pgMediaRepository(edb.db)
  const { db } = edb
  const sync = createMediaSyncRepository(db)
  // One connection: a write's reads and statements are this connection's, `tx` or not.
  const repo: SqliteMediaRepository = {
    byId: async (id) => await settled(() => sync.byId(id)),
    list: async (filter, limit, at) => await settled(() => sync.list(filter, limit, at)),
    hashUsers: async (sha256) => await settled(() => sync.hashUsers(sha256)),
    insert: async (_tx, row, now) => await settled(() => sync.insert(row, now)),
    update: async (_tx, id, meta, now) => await settled(() => sync.update(id, meta, now)),
    remove: async (_tx, id) => {
      await settled(() => {
        sync.unlinkAll(id)
        sync.remove(id)
      })
    },
    usedBy: async (_tx, id) => await settled(() => sync.usedBy(id)),
    sync
  }
  return repo
}

/** PostgreSQL text holds no NUL: no record has such a value, and asking would fail (engine-port.ts §4). */
const hasNul = (text: string) => text.includes('\u0000')

function pgMediaRepository (db: PgDb): MediaRepository {
  const { media: m, postFeaturedMedia: f } = pgs
  const on = (tx: EngineTx) => {
    if (tx.engine !== 'postgres') throw new Error('a SQLite write handle given to the PostgreSQL media repository')
    return tx.db
  }
  // Named: each pooled connection parses them once.
  const byId = db.select().from(m).where(eq(m.id, ph('id'))).prepare('media_by_id')
  const hashUsers = db.select({ n: count() }).from(m).where(eq(m.sha256, ph('sha256'))).prepare('media_hash_users')
  // The optional filters are left out rather than turned off by NULL parameters (one plain
  // query per shape); keyset values are cast to bigint, so a cursor's id past the int column's
  // range compares instead of failing.
  function conditions (filter: MediaFilter): SQL[] {
    const type = filter.type
    const out: SQL[] = []
    if (type !== undefined) out.push(type.includes('/') ? eq(m.mimeType, type) : like(m.mimeType, `${type}/%`))
    if (filter.after !== undefined) out.push(gt(m.createdAt, filter.after))
    if (filter.before !== undefined) out.push(lt(m.createdAt, filter.before))
    return out
  }
  return {
    async byId (id, tx) {
      const [row] = tx === undefined ? await byId.execute({ id }) : await on(tx).select().from(m).where(eq(m.id, id))
      return row
    },
    async list (filter, limit, at) {
      if (filter.type !== undefined && hasNul(filter.type)) return { rows: [], total: 0 }
      const where = conditions(filter)
      const keyset = at === undefined
        ? []
        : [or(lt(m.createdAt, sql`${at.createdAt}::bigint`), and(eq(m.createdAt, sql`${at.createdAt}::bigint`), lt(m.id, sql`${at.id}::bigint`)))!]
      const rows = await db.select().from(m).where(and(...where, ...keyset)).orderBy(desc(m.createdAt), desc(m.id)).limit(limit)
      const [counted] = await db.select({ n: count() }).from(m).where(and(...where))
      return { rows, total: counted?.n ?? 0 }
    },
    async hashUsers (sha256) {
      if (hasNul(sha256)) return 0
      return (await hashUsers.execute({ sha256 }))[0]?.n ?? 0
    },
    async insert (tx, row, now) {
      const { sha256, filename, mimeType, bytes, width, height, title, alt, caption, credit } = row
      const [inserted] = await on(tx).insert(m).values({ sha256, filename, mimeType, bytes, width, height, title, alt, caption, credit, createdAt: now, updatedAt: now }).returning()
      return inserted
    },
    async update (tx, id, meta, now) {
      const { title, alt, caption, credit } = meta
      const [row] = await on(tx).update(m).set({ title, alt, caption, credit, updatedAt: now }).where(eq(m.id, id)).returning()
      return row
    },
    async remove (tx, id) {
      const client = on(tx)
      await client.delete(f).where(eq(f.mediaId, id))
      await client.delete(m).where(eq(m.id, id))
    },
    async usedBy (tx, id) {
      return (await on(tx).select({ postId: f.postId }).from(f).where(eq(f.mediaId, id)).orderBy(f.postId)).map((r) => r.postId)
    }
  }
}
