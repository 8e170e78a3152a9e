import { and, asc, eq, getTableColumns, ne, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { pages } from '../../db/schema.js'
import { idList } from '../../db/statements.js'

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

const p = sql.placeholder
const { contentHtml: _body, ...summaryColumns } = getTableColumns(pages)

/**
 * Reads and writes of pages. The tree is read whole (`nodes`: a few columns of every page;
 * a site has tens or hundreds of pages, not posts' hundreds of thousands) and shaped by the
 * service; the rows it then shows are read by id.
 */
export function createPagesRepository (db: Db) {
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
    .from(pages).where(eq(pages.parentId, p('id'))).prepare()

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
    children: (id: number) => children.all({ id }),

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
export type PagesRepository = ReturnType<typeof createPagesRepository>
