import { and, count, eq, inArray, isNull, ne, sql } from 'drizzle-orm'
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client.js'
import { categories, postCategories } from '../../db/schema.js'
import { idList } from '../../db/statements.js'
import type { LiveCounts } from '../../db/live-counts.js'
import type { PublicTerms, TermScope } from '../../db/term-visibility.js'
import type { Ref } from '../../lib/refs.js'
import type { AnyTermKind, TermRowOf, TermTable } from './terms-kind.js'
import { pathOf, type PathStep } from '../../lib/tree-path.js'

const p = sql.placeholder

/**
 * Reads of one kind of term. The public sees only terms with a live post (db/term-visibility.ts:
 * lists, single reads and the ref lookups of post and feed filters all go through here); post
 * counts are the live counts, remembered until the content changes (db/live-counts.ts).
 */
export function createTermsRepository<K extends AnyTermKind> (db: Db, kind: K, counts: LiveCounts, publicTerms: PublicTerms) {
  type Row = K['table']['$inferSelect']
  const { table } = kind
  const byId = db.select().from(table).where(eq(table.id, p('id'))).prepare()
  const bySlug = db.select().from(table).where(eq(table.slug, p('slug'))).prepare()
  const byIds = db.select().from(table).where(sql`${table.id} IN (SELECT value FROM json_each(${p('ids')}))`).prepare()
  const page = db.select().from(table).orderBy(table.name, table.id).limit(p('limit')).offset(p('offset')).prepare()
  const total = db.select({ n: count() }).from(table).prepare()
  const tree = kind.tree ? createCategoryTree(db) : undefined
  // Drizzle knows a select's row type once the table is known; here it is the kind's table.
  const rows = (found: unknown[]) => found as Row[]
  const withCount = (row: Row): TermRowOf<K> => ({ ...row, postCount: counts(kind.plural).get(row.id) ?? 0 })
  // A tree's terms carry their ancestors: one query for a whole page.
  const withPaths = (found: Array<TermRowOf<K>>): Array<TermRowOf<K>> => tree === undefined ? found : tree.withPaths(found)

  return {
    /** A page by name, id; `parentId` (trees) takes one level, null the top. */
    list (opts: { limit: number, offset: number, parentId?: number | null, scope: TermScope }): Array<TermRowOf<K>> {
      const { limit, offset, parentId, scope } = opts
      if (scope === 'public') {
        const { ids } = publicTerms.page(kind.name, offset, limit, parentId)
        const found = new Map(rows(byIds.all({ ids: idList(ids) })).map((row) => [row.id, row]))
        return withPaths(ids.flatMap((id) => {
          const row = found.get(id)
          return row === undefined ? [] : [withCount(row)]
        }))
      }
      const listed = parentId !== undefined && tree !== undefined ? tree.page(parentId, limit, offset) : page.all({ limit, offset })
      return withPaths(rows(listed).map(withCount))
    },
    count (scope: TermScope, parentId?: number | null): number {
      if (scope === 'public') return publicTerms.page(kind.name, 0, 0, parentId).total
      return parentId !== undefined && tree !== undefined ? tree.count(parentId) : total.get()?.n ?? 0
    },
    /** By id or slug; a term the scope may not see is as unknown as one that does not exist. */
    findByRef (ref: Ref, scope: TermScope): TermRowOf<K> | undefined {
      const row = rows([ref.id !== undefined ? byId.get({ id: ref.id }) : bySlug.get({ slug: ref.slug })])[0]
      if (row === undefined || (scope === 'public' && !publicTerms.isPublic(kind.name, row.id))) return undefined
      return withPaths([withCount(row)])[0]
    },
    /** The term and every one below it (trees; a flat kind has only the term), for post filters. */
    withDescendants (id: number): number[] {
      return tree === undefined ? [id] : tree.subtree(id)
    }
  }
}
export type TermsRepository<K extends AnyTermKind> = ReturnType<typeof createTermsRepository<K>>

/**
 * Writes of one kind of term, run by the service inside a write's transaction. Statements read
 * there are prepared once; the writes themselves are rare and built per call.
 */
export function createTermsWriter<K extends AnyTermKind> (db: Db, kind: K) {
  type Row = K['table']['$inferSelect']
  const { table, link } = kind
  const byId = db.select().from(table).where(eq(table.id, p('id'))).prepare()
  const idBySlug = db.select({ id: table.id }).from(table).where(eq(table.slug, p('slug'))).prepare()
  const slugTaken = db.select({ id: table.id }).from(table).where(and(eq(table.slug, p('slug')), ne(table.id, p('except')))).prepare()
  const usage = db.select({ n: count() }).from(link.table).where(eq(link.termId, p('id'))).prepare()
  const shown = link.shownBy ?? link
  const postsOf = db.select({ id: shown.postId }).from(shown.table).where(eq(shown.termId, p('id'))).prepare()
  const tree = kind.tree ? createCategoryTree(db) : undefined

  return {
    /** The term's columns (and in a tree its `path`, as webhook payloads show it). */
    load (id: number): (Row & { path?: PathStep[] }) | undefined {
      const row = byId.get({ id }) as Row | undefined
      return row === undefined || tree === undefined ? row : tree.withPaths([row])[0]
    },
    /** The id of the term with this slug, if any. */
    idBySlug: (slug: string): number | undefined => idBySlug.get({ slug })?.id,
    /** Whether another term (not `exceptId`; 0 for none) has the slug. */
    slugTaken: (slug: string, exceptId = 0) => slugTaken.get({ slug, except: exceptId }) !== undefined,
    insert (values: K['table']['$inferInsert']): number {
      return db.insert(table).values(values).returning({ id: table.id }).get().id
    },
    update (id: number, values: Partial<TermTable['$inferInsert']>): void {
      // The kind's table fixes which columns exist; Drizzle checks a set only against a known table.
      db.update(table).set(values as SQLiteUpdateSetSource<TermTable>).where(eq(table.id, id)).run()
    },
    remove (id: number): void {
      db.delete(table).where(eq(table.id, id)).run()
    },
    /** How many posts are filed under the term (whatever their status). */
    usage: (id: number) => usage.get({ id })?.n ?? 0,
    /** The posts that show the term (an author's co-authored posts too). */
    postsOf: (id: number) => postsOf.all({ id }).map((row) => row.id),
    /** The posts filed under the term or, in a tree, under any term below it (whose paths show it). */
    postsUnder: (id: number): number[] => tree === undefined ? postsOf.all({ id }).map((row) => row.id) : tree.postsUnder(id),
    /**
     * Files every post of term `from` under `to`. A post that already has `to` just loses `from`
     * (keeping its place under `to`), so nothing is left under `from`.
     */
    movePosts (from: number, to: number): void {
      if (link.many) {
        const alreadyUnderTo = db.select({ id: link.postId }).from(link.table).where(eq(link.termId, to))
        db.delete(link.table).where(and(eq(link.termId, from), inArray(link.postId, alreadyUnderTo))).run()
      }
      db.update(link.table).set(link.fileUnder(to)).where(eq(link.termId, from)).run()
    },
    /** The direct children of a tree term (none in a flat kind). */
    children: (id: number) => tree?.children(id) ?? [],
    /** Every term below a tree term, at any depth (none in a flat kind). */
    descendants: (id: number): Array<{ id: number, slug: string }> => tree?.descendants(id) ?? [],
    /** Moves the children of tree term `from` under `to` (null: the top). */
    moveChildren: (from: number, to: number | null, now: number): void => tree?.moveChildren(from, to, now)
  }
}
export type TermsWriter<K extends AnyTermKind> = ReturnType<typeof createTermsWriter<K>>

/** The category tree: one level of it, a subtree, moving children. */
function createCategoryTree (db: Db) {
  const byName = [categories.name, categories.id] as const
  const top = db.select().from(categories).where(isNull(categories.parentId)).orderBy(...byName).limit(p('limit')).offset(p('offset')).prepare()
  const under = db.select().from(categories).where(eq(categories.parentId, p('parent'))).orderBy(...byName).limit(p('limit')).offset(p('offset')).prepare()
  const countTop = db.select({ n: count() }).from(categories).where(isNull(categories.parentId)).prepare()
  const countUnder = db.select({ n: count() }).from(categories).where(eq(categories.parentId, p('parent'))).prepare()
  // A recursive CTE, which the query builder cannot express.
  const subtree = db.select({ id: categories.id }).from(categories).where(sql`${categories.id} IN (WITH RECURSIVE tree(id) AS (
    SELECT ${p('id')} UNION SELECT k.id FROM categories k JOIN tree ON k.parent_id = tree.id) SELECT id FROM tree)`).prepare()
  const children = db.select({ id: categories.id, slug: categories.slug }).from(categories).where(eq(categories.parentId, p('parent'))).prepare()
  const descendants = db.select({ id: categories.id, slug: categories.slug }).from(categories).where(sql`${categories.id} IN (WITH RECURSIVE tree(id) AS (
    SELECT id FROM categories WHERE parent_id = ${p('id')} UNION SELECT k.id FROM categories k JOIN tree ON k.parent_id = tree.id) SELECT id FROM tree)`).orderBy(categories.id).prepare()
  // The given categories and every one above them, walking parent_id up.
  const ancestors = db.select({ id: categories.id, slug: categories.slug, name: categories.name, parentId: categories.parentId }).from(categories)
    .where(sql`${categories.id} IN (WITH RECURSIVE up(id) AS (
      SELECT value FROM json_each(${p('ids')}) UNION SELECT k.parent_id FROM categories k JOIN up ON k.id = up.id WHERE k.parent_id IS NOT NULL) SELECT id FROM up)`).prepare()
  const postsUnder = db.selectDistinct({ id: postCategories.postId }).from(postCategories).where(sql`${postCategories.categoryId} IN (WITH RECURSIVE tree(id) AS (
    SELECT ${p('id')} UNION SELECT k.id FROM categories k JOIN tree ON k.parent_id = tree.id) SELECT id FROM tree)`).orderBy(postCategories.postId).prepare()
  return {
    page: (parentId: number | null, limit: number, offset: number) => parentId === null ? top.all({ limit, offset }) : under.all({ parent: parentId, limit, offset }),
    count: (parentId: number | null) => (parentId === null ? countTop.get() : countUnder.get({ parent: parentId }))?.n ?? 0,
    subtree: (id: number) => subtree.all({ id }).map((row) => row.id),
    children: (id: number) => children.all({ parent: id }),
    descendants: (id: number) => descendants.all({ id }),
    postsUnder: (id: number) => postsUnder.all({ id }).map((row) => row.id),
    /** The rows with their `path` (ancestors from the root, themselves excluded), in one query. */
    withPaths<R extends object> (found: R[]): Array<R & { path: PathStep[] }> {
      const parentOf = (r: R) => 'parentId' in r && typeof r.parentId === 'number' ? r.parentId : null
      const parents = [...new Set(found.flatMap((r) => parentOf(r) ?? []))]
      const nodes = new Map(parents.length === 0 ? [] : ancestors.all({ ids: idList(parents) }).map((n) => [n.id, n]))
      return found.map((r) => ({ ...r, path: pathOf(parentOf(r), nodes) }))
    },
    moveChildren (from: number, to: number | null, now: number): void {
      db.update(categories).set({ parentId: to, updatedAt: now }).where(eq(categories.parentId, from)).run()
    }
  }
}
