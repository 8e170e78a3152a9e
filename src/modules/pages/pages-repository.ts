import { and, asc, eq, getTableColumns, ne, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { settled, type EngineDb, type EngineTx } from '../../db/engine-port.js'
import type { PgDb } from '../../db/pg/client.js'
import { pgErrorCode } from '../../db/pg/transaction.js'
import * as pgs from '../../db/pg/schema.js'
import { pages } from '../../db/schema.js'
import { idList } from '../../db/statements.js'
import { SlugConflict } from '../../errors.js'

export type PageRow = typeof pages.$inferSelect
export type PageValues = Omit<typeof pages.$inferInsert, 'id'>
/** A page without its body, as lists show it. */
export type PageSummaryRow = Omit<PageRow, 'contentHtml'>
/** What the tree is built from: every page's place and state, no text. */
export interface PageNode {
  id: number
  slug: string
  title: string
  parentId: number | null
  menuOrder: number
  status: PageRow['status']
  publishedAt: number | null
  updatedAt: number
  noindex: boolean
}
/** A page's place and state, as a write re-announces the pages below one it changed. */
export interface PageChild { id: number, slug: string, status: PageRow['status'], publishedAt: number | null }

const p = sql.placeholder
const { contentHtml: _body, ...summaryColumns } = getTableColumns(pages)

/**
 * Reads and writes of pages on SQLite, synchronously: what the engine-neutral repository
 * (below) answers through `settled` on SQLite, and what the callers not yet ported use through
 * the synchronous service (createPagesSyncService: menus, sitemaps, webhook payloads, the WXR
 * import's items, restores of revisions). The tree is read whole (`nodes`: a few columns of
 * every page; a site has tens or hundreds of pages, not posts' hundreds of thousands) and shaped
 * by the service; the rows it then shows are read by id.
 */
export function createPagesSyncRepository (db: Db) {
  const nodes = db.select({
    id: pages.id,
    slug: pages.slug,
    title: pages.title,
    parentId: pages.parentId,
    menuOrder: pages.menuOrder,
    status: pages.status,
    publishedAt: pages.publishedAt,
    updatedAt: pages.updatedAt,
    noindex: pages.noindex
  }).from(pages).orderBy(asc(pages.menuOrder), asc(pages.title), asc(pages.id)).prepare()
  const byId = db.select().from(pages).where(eq(pages.id, p('id'))).prepare()
  const summaries = db.select(summaryColumns).from(pages).where(sql`${pages.id} IN (SELECT value FROM json_each(${p('ids')}))`).prepare()
  const slugTaken = db.select({ id: pages.id }).from(pages).where(and(eq(pages.slug, p('slug')), ne(pages.id, p('except')))).prepare()
  const byImportKey = db.select({ id: pages.id }).from(pages).where(eq(pages.importKey, p('key'))).prepare()
  const children = db.select({ id: pages.id, slug: pages.slug, status: pages.status, publishedAt: pages.publishedAt })
    .from(pages).where(eq(pages.parentId, p('id'))).orderBy(asc(pages.menuOrder), asc(pages.id)).prepare()

  return {
    /** Every page's place in the tree and its state, in sibling order (menu_order, title, id). */
    nodes: (): PageNode[] => nodes.all(),
    findById: (id: number): PageRow | undefined => byId.get({ id }),
    /** The rows of these ids (any order), without bodies. */
    summaries: (ids: number[]): PageSummaryRow[] => ids.length === 0 ? [] : summaries.all({ ids: idList(ids) }),
    /** Whether another page (not `exceptId`; 0 for none) has the slug. */
    slugTaken: (slug: string, exceptId = 0): boolean => slugTaken.get({ slug, except: exceptId }) !== undefined,
    idByImportKey: (key: string): number | undefined => byImportKey.get({ key })?.id,
    /** The direct children of a page. */
    children: (id: number): PageChild[] => children.all({ id }),

    // Writes: called by the service inside a write's transaction.
    insert (values: PageValues): number {
      return db.insert(pages).values(values).returning({ id: pages.id }).get().id
    },
    update (id: number, values: Partial<PageValues>): void {
      db.update(pages).set(values).where(eq(pages.id, id)).run()
    },
    /** Moves the children of `from` under `to` (null: the top). */
    moveChildren (from: number, to: number | null, now: number): void {
      db.update(pages).set({ parentId: to, updatedAt: now }).where(eq(pages.parentId, from)).run()
    },
    remove (id: number): void {
      db.delete(pages).where(eq(pages.id, id)).run()
    }
  }
}
export type PagesSyncRepository = ReturnType<typeof createPagesSyncRepository>

/**
 * Pages on either engine (src/db/engine-port.ts): every method answers a Promise, settled at
 * once on SQLite. Reads take no handle, or the open write's `tx` to read as that write sees;
 * writes take the write's `tx` (on PostgreSQL every statement of a write goes through its
 * client).
 */
export interface PagesRepository {
  /** Every page's place in the tree and its state, in sibling order (menu_order, title byte-wise, id). */
  nodes: (tx?: EngineTx) => Promise<PageNode[]>
  findById: (id: number, tx?: EngineTx) => Promise<PageRow | undefined>
  /** The rows of these ids (any order), without bodies. */
  summaries: (ids: number[]) => Promise<PageSummaryRow[]>
  /** Whether another page (not `exceptId`; 0 for none) has the slug. */
  slugTaken: (tx: EngineTx, slug: string, exceptId?: number) => Promise<boolean>
  idByImportKey: (key: string, tx?: EngineTx) => Promise<number | undefined>
  /** The direct children of a page, by menu_order and id (the parent index's order, on both engines). */
  children: (tx: EngineTx, id: number) => Promise<PageChild[]>
  /** Inserts a page; its id. A slug another write took meanwhile is a 409. */
  insert: (tx: EngineTx, values: PageValues) => Promise<number>
  /** Changes a page's columns. A slug another write took meanwhile is a 409. */
  update: (tx: EngineTx, id: number, values: Partial<PageValues>) => Promise<void>
  /** Moves the children of `from` under `to` (null: the top). */
  moveChildren: (tx: EngineTx, from: number, to: number | null, now: number) => Promise<void>
  remove: (tx: EngineTx, id: number) => Promise<void>
}

/**
 * On SQLite, the engine-neutral repository and its synchronous twin (`sync`) for the callers
 * not yet ported (createPagesSyncService: menus, sitemaps, webhook payloads, the WXR import's
 * items, restores of revisions).
 */
export type SqlitePagesRepository = PagesRepository & { sync: PagesSyncRepository }

export function createPagesRepository (edb: Extract<EngineDb, { engine: 'sqlite' }>): SqlitePagesRepository
export function createPagesRepository (edb: EngineDb): PagesRepository
export function createPagesRepository (edb: EngineDb): PagesRepository {
  if (edb.engine === 'postgres') return pgPagesRepository(edb.db)
  const sync = createPagesSyncRepository(edb.db)
  // One connection: a write's reads and statements are this connection's, `tx` or not.
  const repo: SqlitePagesRepository = {
    nodes: async () => await settled(() => sync.nodes()),
    findById: async (id) => await settled(() => sync.findById(id)),
    summaries: async (ids) => await settled(() => sync.summaries(ids)),
    slugTaken: async (_tx, slug, exceptId) => await settled(() => sync.slugTaken(slug, exceptId)),
    idByImportKey: async (key) => await settled(() => sync.idByImportKey(key)),
    children: async (_tx, id) => await settled(() => sync.children(id)),
    insert: async (_tx, values) => await settled(() => sync.insert(values)),
    update: async (_tx, id, values) => { await settled(() => { sync.update(id, values) }) },
    moveChildren: async (_tx, from, to, now) => { await settled(() => { sync.moveChildren(from, to, now) }) },
    remove: async (_tx, id) => { await settled(() => { sync.remove(id) }) },
    sync
  }
  return repo
}

/** PostgreSQL text holds no NUL: no page has such a value, and asking would fail (engine-port.ts §4). */
const hasNul = (text: string) => text.includes('\u0000')
/** Ids past the int column's range name no page (and would not compare with it as a parameter). */
const INT_MAX = 2_147_483_647
const storable = (id: number) => Number.isSafeInteger(id) && id > 0 && id <= INT_MAX

function pgPagesRepository (db: PgDb): PagesRepository {
  const { pages: t } = pgs
  const on = (tx: EngineTx) => {
    if (tx.engine !== 'postgres') throw new Error('a SQLite write handle given to the PostgreSQL pages repository')
    return tx.db
  }
  const nodeColumns = {
    id: t.id,
    slug: t.slug,
    title: t.title,
    parentId: t.parentId,
    menuOrder: t.menuOrder,
    status: t.status,
    publishedAt: t.publishedAt,
    updatedAt: t.updatedAt,
    noindex: t.noindex
  }
  const { contentHtml: _text, ...pgSummaryColumns } = getTableColumns(t)
  // Titles byte-wise (`COLLATE "C"`), as SQLite's BINARY orders them: the same sibling order.
  const siblingOrder = [asc(t.menuOrder), sql`${t.title} collate "C"`, asc(t.id)] as const
  // Named: each pooled connection parses them once.
  const nodes = db.select(nodeColumns).from(t).orderBy(...siblingOrder).prepare('pages_nodes')
  const byId = db.select().from(t).where(eq(t.id, p('id'))).prepare('pages_by_id')
  const summaries = db.select(pgSummaryColumns).from(t).where(sql`${t.id} = any(${p('ids')}::int[])`).prepare('pages_summaries')
  const byImportKey = db.select({ id: t.id }).from(t).where(eq(t.importKey, p('key'))).prepare('pages_by_import_key')

  /** A unique slug another transaction committed meanwhile (READ COMMITTED): the 409 SQLite's single writer gives. */
  async function slugSafe<T> (slug: string | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      if (slug !== undefined && pgErrorCode(error) === '23505' && constraintOf(error) === 'pages_slug_unique') throw new SlugConflict('page', slug)
      throw error
    }
  }

  return {
    async nodes (tx) {
      return tx === undefined ? await nodes.execute() : await on(tx).select(nodeColumns).from(t).orderBy(...siblingOrder)
    },
    async findById (id, tx) {
      if (!storable(id)) return undefined
      const [row] = tx === undefined ? await byId.execute({ id }) : await on(tx).select().from(t).where(eq(t.id, id))
      return row
    },
    async summaries (ids) {
      const wanted = ids.filter(storable)
      return wanted.length === 0 ? [] : await summaries.execute({ ids: wanted })
    },
    async slugTaken (tx, slug, exceptId = 0) {
      if (hasNul(slug)) return false
      const [row] = await on(tx).select({ id: t.id }).from(t).where(and(eq(t.slug, slug), ne(t.id, exceptId))).limit(1)
      return row !== undefined
    },
    async idByImportKey (key, tx) {
      if (hasNul(key)) return undefined
      const [row] = tx === undefined ? await byImportKey.execute({ key }) : await on(tx).select({ id: t.id }).from(t).where(eq(t.importKey, key))
      return row?.id
    },
    async children (tx, id) {
      return await on(tx).select({ id: t.id, slug: t.slug, status: t.status, publishedAt: t.publishedAt }).from(t).where(eq(t.parentId, id)).orderBy(asc(t.menuOrder), asc(t.id))
    },
    async insert (tx, values) {
      const [row] = await slugSafe(values.slug, async () => await on(tx).insert(t).values(values).returning({ id: t.id }))
      return row.id
    },
    async update (tx, id, values) {
      await slugSafe(values.slug, async () => await on(tx).update(t).set(values).where(eq(t.id, id)))
    },
    async moveChildren (tx, from, to, now) {
      await on(tx).update(t).set({ parentId: to, updatedAt: now }).where(eq(t.parentId, from))
    },
    async remove (tx, id) {
      await on(tx).delete(t).where(eq(t.id, id))
    }
  }
}

/** The constraint a PostgreSQL error names, looked for through `cause` (Drizzle wraps the driver's error). */
function constraintOf (error: unknown): string | undefined {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const constraint = (e as { constraint?: unknown }).constraint
    if (typeof constraint === 'string') return constraint
  }
  return undefined
}
