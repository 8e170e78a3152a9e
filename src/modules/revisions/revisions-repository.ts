import { and, count, desc, eq, getTableColumns, lte, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { settled, type EngineDb, type EngineTx } from '../../db/engine-port.js'
import type { PgDb } from '../../db/pg/client.js'
import * as pgs from '../../db/pg/schema.js'
import type { SeoColumns } from '../../lib/seo.js'
import { apiKeys, pages, postSeo, posts, revisions } from '../../db/schema.js'

export type RevisionKind = 'post' | 'page'
export type RevisionRow = typeof revisions.$inferSelect
/** A revision without its fields, as lists show it. */
export type RevisionSummaryRow = Omit<RevisionRow, 'fields'>

/** The editorial columns of a post or page as they stand, and what its ETag is made of. */
export type EditorialState = Omit<SeoColumns, 'noindex'> & {
  title: string
  excerpt: string
  contentHtml: string
  status: string
  publishedAt: number | null
  canonicalUrl: string | null
  updatedAt: number
  // null for a post without a post_seo row (a left join)
  noindex: boolean | null
}

const p = sql.placeholder
const { fields: _fields, ...summaryColumns } = getTableColumns(revisions)

/**
 * Reads and writes of the revisions table on SQLite, synchronously, for posts and pages alike
 * (one owner column each): what the engine-neutral repository (below) answers through `settled`
 * on SQLite, and what the callers not yet ported use (`.sync`): the change-bus listener that
 * records a revision inside every post or page write (posts' writes are synchronous), the
 * synchronous `edit` and `etag`, and restores.
 */
export function createRevisionsSyncRepository (db: Db) {
  function statements (owner: typeof revisions.postId | typeof revisions.pageId) {
    const mine = eq(owner, p('id'))
    return {
      latest: db.select().from(revisions).where(mine).orderBy(desc(revisions.number)).limit(1).prepare(),
      latestNumber: db.select({ number: revisions.number }).from(revisions).where(mine).orderBy(desc(revisions.number)).limit(1).prepare(),
      count: db.select({ n: count() }).from(revisions).where(mine).prepare(),
      page: db.select(summaryColumns).from(revisions).where(mine).orderBy(desc(revisions.number)).limit(p('limit')).offset(p('offset')).prepare(),
      one: db.select().from(revisions).where(and(mine, eq(revisions.number, p('number')))).prepare(),
      prune: db.delete(revisions).where(and(mine, lte(revisions.number, p('upTo')))).prepare()
    }
  }
  const of = { post: statements(revisions.postId), page: statements(revisions.pageId) }

  const seoColumns = {
    metaTitle: postSeo.metaTitle,
    metaDescription: postSeo.metaDescription,
    ogTitle: postSeo.ogTitle,
    ogDescription: postSeo.ogDescription,
    ogImage: postSeo.ogImage,
    twitterTitle: postSeo.twitterTitle,
    twitterDescription: postSeo.twitterDescription,
    twitterImage: postSeo.twitterImage,
    noindex: postSeo.noindex
  }
  const postState = db.select({
    title: posts.title,
    excerpt: posts.excerpt,
    contentHtml: posts.contentHtml,
    status: posts.status,
    publishedAt: posts.publishedAt,
    canonicalUrl: posts.canonicalUrl,
    updatedAt: posts.updatedAt,
    ...seoColumns
  }).from(posts).leftJoin(postSeo, eq(postSeo.postId, posts.id)).where(eq(posts.id, p('id'))).prepare()
  const pageState = db.select({
    title: pages.title,
    excerpt: pages.excerpt,
    contentHtml: pages.contentHtml,
    status: pages.status,
    publishedAt: pages.publishedAt,
    canonicalUrl: pages.canonicalUrl,
    updatedAt: pages.updatedAt,
    metaTitle: pages.metaTitle,
    metaDescription: pages.metaDescription,
    ogTitle: pages.ogTitle,
    ogDescription: pages.ogDescription,
    ogImage: pages.ogImage,
    twitterTitle: pages.twitterTitle,
    twitterDescription: pages.twitterDescription,
    twitterImage: pages.twitterImage,
    noindex: pages.noindex
  }).from(pages).where(eq(pages.id, p('id'))).prepare()
  // updated_at sits before the bodies, so the ETag never reads them.
  const postStamp = db.select({ updatedAt: posts.updatedAt }).from(posts).where(eq(posts.id, p('id'))).prepare()
  const pageStamp = db.select({ updatedAt: pages.updatedAt }).from(pages).where(eq(pages.id, p('id'))).prepare()
  const keyPrefix = db.select({ prefix: apiKeys.prefix }).from(apiKeys).where(eq(apiKeys.id, p('id'))).prepare()
  // Prepared once: built and prepared on every call it took 0.3 ms of each post write at
  // 100,000 posts (the placeholders still go through the JSON columns' encoders).
  const insert = db.insert(revisions).values({
    postId: p('postId'),
    pageId: p('pageId'),
    number: p('number'),
    createdAt: p('createdAt'),
    keyId: p('keyId'),
    keyPrefix: p('keyPrefix'),
    keyName: p('keyName'),
    changed: p('changed'),
    restoredFrom: p('restoredFrom'),
    fields: p('fields')
  }).prepare()

  return {
    /** The editorial fields of a post or page now (inside a write: as that write left them). */
    state (kind: RevisionKind, id: number): EditorialState | undefined {
      return kind === 'post' ? postState.get({ id }) : pageState.get({ id })
    },
    /** What the ETag of a post or page is made of: its updated_at and its newest revision's number. */
    stamp (kind: RevisionKind, id: number): { updatedAt: number, number: number } | undefined {
      const row = kind === 'post' ? postStamp.get({ id }) : pageStamp.get({ id })
      if (row === undefined) return undefined
      return { updatedAt: row.updatedAt, number: of[kind].latestNumber.get({ id })?.number ?? 0 }
    },
    latest (kind: RevisionKind, id: number): RevisionRow | undefined {
      return of[kind].latest.get({ id })
    },
    find (kind: RevisionKind, id: number, number: number): RevisionRow | undefined {
      return of[kind].one.get({ id, number })
    },
    /** One page of a post's or page's revisions, newest first, and how many it has. */
    list (kind: RevisionKind, id: number, offset: number, limit: number): { total: number, rows: RevisionSummaryRow[] } {
      const total = of[kind].count.get({ id })?.n ?? 0
      return { total, rows: total === 0 ? [] : of[kind].page.all({ id, offset, limit }) }
    },
    /** Stores a revision; call inside the write's transaction. */
    insert (kind: RevisionKind, id: number, row: Omit<RevisionRow, 'id' | 'postId' | 'pageId'>): void {
      insert.run({ ...row, postId: kind === 'post' ? id : null, pageId: kind === 'page' ? id : null })
    },
    /** Drops the revisions numbered `upTo` and below. */
    prune (kind: RevisionKind, id: number, upTo: number): void {
      of[kind].prune.run({ id, upTo })
    },
    keyPrefix (keyId: number): string | null {
      return keyPrefix.get({ id: keyId })?.prefix ?? null
    }
  }
}
export type RevisionsSyncRepository = ReturnType<typeof createRevisionsSyncRepository>

/**
 * Revisions on either engine (src/db/engine-port.ts): every method answers a Promise, settled
 * at once on SQLite. Reads take no handle, or the open write's `tx` to read as that write sees
 * it; writes take the write's `tx`.
 */
export interface RevisionsRepository {
  /** The editorial fields of a post or page now (given `tx`: as that write left them). */
  state: (kind: RevisionKind, id: number, tx?: EngineTx) => Promise<EditorialState | undefined>
  /** What the ETag of a post or page is made of: its updated_at and its newest revision's number. */
  stamp: (kind: RevisionKind, id: number, tx?: EngineTx) => Promise<{ updatedAt: number, number: number } | undefined>
  latest: (kind: RevisionKind, id: number, tx?: EngineTx) => Promise<RevisionRow | undefined>
  find: (kind: RevisionKind, id: number, number: number, tx?: EngineTx) => Promise<RevisionRow | undefined>
  /** One page of a post's or page's revisions, newest first (by number), and how many it has. */
  list: (kind: RevisionKind, id: number, offset: number, limit: number) => Promise<{ total: number, rows: RevisionSummaryRow[] }>
  /** Stores a revision, inside the write. */
  insert: (tx: EngineTx, kind: RevisionKind, id: number, row: Omit<RevisionRow, 'id' | 'postId' | 'pageId'>) => Promise<void>
  /** Drops the revisions numbered `upTo` and below. */
  prune: (tx: EngineTx, kind: RevisionKind, id: number, upTo: number) => Promise<void>
  keyPrefix: (keyId: number, tx?: EngineTx) => Promise<string | null>
}

/** On SQLite, the engine-neutral repository and its synchronous twin (`sync`) for the callers not yet ported. */
export type SqliteRevisionsRepository = RevisionsRepository & { sync: RevisionsSyncRepository }

export function createRevisionsRepository (edb: Extract<EngineDb, { engine: 'sqlite' }>): SqliteRevisionsRepository
export function createRevisionsRepository (edb: EngineDb): RevisionsRepository
export function createRevisionsRepository (edb: EngineDb): RevisionsRepository {
  if (edb.engine === 'postgres') return pgRevisionsRepository(edb.db)
  const sync = createRevisionsSyncRepository(edb.db)
  // One connection: a write's reads and statements are this connection's, `tx` or not.
  const repo: SqliteRevisionsRepository = {
    state: async (kind, id) => await settled(() => sync.state(kind, id)),
    stamp: async (kind, id) => await settled(() => sync.stamp(kind, id)),
    latest: async (kind, id) => await settled(() => sync.latest(kind, id)),
    find: async (kind, id, number) => await settled(() => sync.find(kind, id, number)),
    list: async (kind, id, offset, limit) => await settled(() => sync.list(kind, id, offset, limit)),
    insert: async (_tx, kind, id, row) => { await settled(() => { sync.insert(kind, id, row) }) },
    prune: async (_tx, kind, id, upTo) => { await settled(() => { sync.prune(kind, id, upTo) }) },
    keyPrefix: async (keyId) => await settled(() => sync.keyPrefix(keyId)),
    sync
  }
  return repo
}

/** Ids past the int columns' range name nothing (and would not compare with them as parameters). */
const INT_MAX = 2_147_483_647
const storable = (id: number) => Number.isSafeInteger(id) && id > 0 && id <= INT_MAX
const storableNumber = (n: number) => Number.isSafeInteger(n) && n >= 0 && n <= INT_MAX

function pgRevisionsRepository (db: PgDb): RevisionsRepository {
  const t = pgs.revisions
  const on = (tx: EngineTx | undefined) => {
    if (tx === undefined) return db
    if (tx.engine !== 'postgres') throw new Error('a SQLite write handle given to the PostgreSQL revisions repository')
    return tx.db
  }
  const owner = (kind: RevisionKind) => kind === 'post' ? t.postId : t.pageId
  const { fields: _f, ...pgSummaryColumns } = getTableColumns(t)
  const editorial = (table: typeof pgs.posts | typeof pgs.pages) => ({
    title: table.title,
    excerpt: table.excerpt,
    contentHtml: table.contentHtml,
    status: table.status,
    publishedAt: table.publishedAt,
    canonicalUrl: table.canonicalUrl,
    updatedAt: table.updatedAt
  })
  const s = pgs.postSeo
  const g = pgs.pages
  const pgSeo = {
    post: { metaTitle: s.metaTitle, metaDescription: s.metaDescription, ogTitle: s.ogTitle, ogDescription: s.ogDescription, ogImage: s.ogImage, twitterTitle: s.twitterTitle, twitterDescription: s.twitterDescription, twitterImage: s.twitterImage, noindex: s.noindex },
    page: { metaTitle: g.metaTitle, metaDescription: g.metaDescription, ogTitle: g.ogTitle, ogDescription: g.ogDescription, ogImage: g.ogImage, twitterTitle: g.twitterTitle, twitterDescription: g.twitterDescription, twitterImage: g.twitterImage, noindex: g.noindex }
  }

  async function latestNumber (kind: RevisionKind, id: number, tx?: EngineTx): Promise<number> {
    const [row] = await on(tx).select({ number: t.number }).from(t).where(eq(owner(kind), id)).orderBy(desc(t.number)).limit(1)
    return row?.number ?? 0
  }

  return {
    async state (kind, id, tx) {
      if (!storable(id)) return undefined
      const [row] = kind === 'post'
        ? await on(tx).select({ ...editorial(pgs.posts), ...pgSeo.post }).from(pgs.posts).leftJoin(s, eq(s.postId, pgs.posts.id)).where(eq(pgs.posts.id, id))
        : await on(tx).select({ ...editorial(g), ...pgSeo.page }).from(g).where(eq(g.id, id))
      return row as EditorialState | undefined
    },
    async stamp (kind, id, tx) {
      if (!storable(id)) return undefined
      const table = kind === 'post' ? pgs.posts : g
      const [row] = await on(tx).select({ updatedAt: table.updatedAt }).from(table).where(eq(table.id, id))
      if (row === undefined) return undefined
      return { updatedAt: row.updatedAt, number: await latestNumber(kind, id, tx) }
    },
    async latest (kind, id, tx) {
      if (!storable(id)) return undefined
      const [row] = await on(tx).select().from(t).where(eq(owner(kind), id)).orderBy(desc(t.number)).limit(1)
      return row
    },
    async find (kind, id, number, tx) {
      if (!storable(id) || !storableNumber(number)) return undefined
      const [row] = await on(tx).select().from(t).where(and(eq(owner(kind), id), eq(t.number, number)))
      return row
    },
    async list (kind, id, offset, limit) {
      if (!storable(id)) return { total: 0, rows: [] }
      const [{ n }] = await db.select({ n: count() }).from(t).where(eq(owner(kind), id))
      if (n === 0) return { total: 0, rows: [] }
      const rows = await db.select(pgSummaryColumns).from(t).where(eq(owner(kind), id)).orderBy(desc(t.number)).limit(limit).offset(offset)
      return { total: n, rows }
    },
    async insert (tx, kind, id, row) {
      await on(tx).insert(t).values({ ...row, postId: kind === 'post' ? id : null, pageId: kind === 'page' ? id : null })
    },
    async prune (tx, kind, id, upTo) {
      await on(tx).delete(t).where(and(eq(owner(kind), id), lte(t.number, upTo)))
    },
    async keyPrefix (keyId, tx) {
      if (!storable(keyId)) return null
      const [row] = await on(tx).select({ prefix: pgs.apiKeys.prefix }).from(pgs.apiKeys).where(eq(pgs.apiKeys.id, keyId))
      return row?.prefix ?? null
    }
  }
}
