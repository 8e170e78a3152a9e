import { and, count, eq, inArray, isNull, ne, sql } from 'drizzle-orm'
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client.js'
import { categories, postCategories } from '../../db/schema.js'
import { idList } from '../../db/statements.js'
import type { LiveCounts } from '../../db/live-counts.js'
import { settled, type EngineDb, type EngineTx } from '../../db/engine-port.js'
import type { PgDb } from '../../db/pg/client.js'
import type { PgTx } from '../../db/pg/transaction.js'
import * as pgs from '../../db/pg/schema.js'
import type { PublicTerms, SqliteTermReads, TermReads, TermScope } from '../../db/term-visibility.js'
import type { Ref } from '../../lib/refs.js'
import type { AnyTermKind, TermRowOf, TermTable } from './terms-kind.js'
import { pathOf, type PathStep } from '../../lib/tree-path.js'

const p = sql.placeholder

/**
 * Reads of one kind of term on SQLite, synchronously: what the callers not yet ported use (post
 * and feed filters, menus, sitemaps), and what the engine-neutral repository answers through
 * `settled` on SQLite. The public sees only terms with a live post (db/term-visibility.ts:
 * lists, single reads and the ref lookups of post and feed filters all go through here); post
 * counts are the live counts, remembered until the content changes (db/live-counts.ts).
 */
export function createTermsSyncRepository<K extends AnyTermKind> (db: Db, kind: K, counts: LiveCounts, publicTerms: PublicTerms) {
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
export type TermsSyncRepository<K extends AnyTermKind> = ReturnType<typeof createTermsSyncRepository<K>>

/**
 * Writes of one kind of term on SQLite, synchronously, run inside a write's transaction: the
 * synchronous service of the WXR import (terms-service.ts createTermsSyncService), webhook
 * payloads, and the engine-neutral writer on SQLite (through `settled`). Statements read there
 * are prepared once; the writes themselves are rare and built per call.
 */
export function createTermsSyncWriter<K extends AnyTermKind> (db: Db, kind: K): TermsSyncWriter<K> {
  // One per connection and kind: the service, its synchronous twin and webhook payloads share
  // its prepared statements (they hold no state of their own).
  let ofDb = syncWriters.get(db)
  if (ofDb === undefined) syncWriters.set(db, ofDb = new Map())
  let writer = ofDb.get(kind)
  if (writer === undefined) ofDb.set(kind, writer = buildTermsSyncWriter(db, kind))
  return writer as TermsSyncWriter<K>
}
const syncWriters = new WeakMap<Db, Map<AnyTermKind, unknown>>()

function buildTermsSyncWriter<K extends AnyTermKind> (db: Db, kind: K) {
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
export type TermsSyncWriter<K extends AnyTermKind> = ReturnType<typeof buildTermsSyncWriter<K>>

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

/**
 * Reads of one kind of term on either engine (src/db/engine-port.ts): every method answers a
 * Promise. The same rules as the synchronous repository above (public scope, live counts,
 * paths of a tree's terms).
 */
export interface TermsRepository<K extends AnyTermKind> {
  /** A page by name, id; `parentId` (trees) takes one level, null the top. */
  list: (opts: { limit: number, offset: number, parentId?: number | null, scope: TermScope }) => Promise<Array<TermRowOf<K>>>
  count: (scope: TermScope, parentId?: number | null) => Promise<number>
  /** By id or slug; a term the scope may not see is as unknown as one that does not exist. */
  findByRef: (ref: Ref, scope: TermScope) => Promise<TermRowOf<K> | undefined>
  /** The term and every one below it (trees; a flat kind has only the term), for post filters. */
  withDescendants: (id: number) => Promise<number[]>
}

/** On SQLite, the engine-neutral reads and their synchronous twin (`sync`) for the callers not yet ported. */
export type SqliteTermsRepository<K extends AnyTermKind> = TermsRepository<K> & { sync: TermsSyncRepository<K> }

export function createTermsRepository<K extends AnyTermKind> (edb: Extract<EngineDb, { engine: 'sqlite' }>, kind: K, reads: SqliteTermReads): SqliteTermsRepository<K>
export function createTermsRepository<K extends AnyTermKind> (edb: EngineDb, kind: K, reads: TermReads): TermsRepository<K>
export function createTermsRepository<K extends AnyTermKind> (edb: EngineDb, kind: K, reads: TermReads): TermsRepository<K> {
  if (edb.engine === 'postgres') return pgTermsRepository(edb.db, kind, reads)
  const { sync: s } = reads as SqliteTermReads
  const sync = createTermsSyncRepository(edb.db, kind, s.counts, s.publicTerms)
  const repo: SqliteTermsRepository<K> = {
    list: async (opts) => await settled(() => sync.list(opts)),
    count: async (scope, parentId) => await settled(() => sync.count(scope, parentId)),
    findByRef: async (ref, scope) => await settled(() => sync.findByRef(ref, scope)),
    withDescendants: async (id) => await settled(() => sync.withDescendants(id)),
    sync
  }
  return repo
}

// The twin tables of each kind on PostgreSQL (src/db/pg/schema.ts), with the same column keys.
const pgKinds = {
  category: { table: pgs.categories, link: { table: pgs.postCategories, termId: pgs.postCategories.categoryId, postId: pgs.postCategories.postId }, shownBy: undefined },
  tag: { table: pgs.tags, link: { table: pgs.postTags, termId: pgs.postTags.tagId, postId: pgs.postTags.postId }, shownBy: undefined },
  author: { table: pgs.authors, link: { table: pgs.posts, termId: pgs.posts.authorId, postId: pgs.posts.id }, shownBy: { table: pgs.postAuthors, termId: pgs.postAuthors.authorId, postId: pgs.postAuthors.postId } }
} as const
// The columns every term table has, as the query builder is given them (a union of tables it cannot select from).
type PgTermTable = typeof pgs.tags
const pgTableOf = (kind: AnyTermKind) => pgKinds[kind.name].table as unknown as PgTermTable
/** PostgreSQL text holds no NUL: no term has such a slug, and asking would fail (engine-port.ts §4). */
const hasNul = (text: string) => text.includes('\u0000')
/** Names byte-wise, as SQLite's BINARY collation orders them, whatever the database's collation. */
const byNameC = (table: PgTermTable | typeof pgs.categories) => [sql`${table.name} collate "C"`, table.id] as const

function pgTermsRepository<K extends AnyTermKind> (db: PgDb, kind: K, reads: TermReads): TermsRepository<K> {
  type Row = K['table']['$inferSelect']
  const table = pgTableOf(kind)
  const name = `terms_${kind.plural}`
  const byId = db.select().from(table).where(eq(table.id, p('id'))).prepare(`${name}_by_id`)
  const bySlug = db.select().from(table).where(eq(table.slug, p('slug'))).prepare(`${name}_by_slug`)
  const byIds = db.select().from(table).where(sql`${table.id} = any(${p('ids')}::int[])`).prepare(`${name}_by_ids`)
  const page = db.select().from(table).orderBy(...byNameC(table)).limit(p('limit')).offset(p('offset')).prepare(`${name}_page`)
  const total = db.select({ n: count() }).from(table).prepare(`${name}_total`)
  const tree = kind.tree ? createPgCategoryTree(db) : undefined
  const { counts, publicTerms } = reads
  // The twin table's row has the SQLite row's keys and value types.
  const rows = (found: unknown[]) => found as Row[]
  const withCounts = async (found: Row[]): Promise<Array<TermRowOf<K>>> => {
    const live = await counts(kind.plural)
    const counted = found.map((row) => ({ ...row, postCount: live.get(row.id) ?? 0 }) as TermRowOf<K>)
    return tree === undefined ? counted : await tree.withPaths(counted)
  }

  return {
    async list ({ limit, offset, parentId, scope }) {
      if (scope === 'public') {
        const { ids } = await publicTerms.page(kind.name, offset, limit, parentId)
        if (ids.length === 0) return []
        const found = new Map(rows(await byIds.execute({ ids })).map((row) => [row.id, row]))
        return await withCounts(ids.flatMap((id) => found.get(id) ?? []))
      }
      const listed = parentId !== undefined && tree !== undefined ? await tree.page(parentId, limit, offset) : await page.execute({ limit, offset })
      return await withCounts(rows(listed))
    },
    async count (scope, parentId) {
      if (scope === 'public') return (await publicTerms.page(kind.name, 0, 0, parentId)).total
      return parentId !== undefined && tree !== undefined ? await tree.count(parentId) : (await total.execute())[0]?.n ?? 0
    },
    async findByRef (ref, scope) {
      if (ref.slug !== undefined && hasNul(ref.slug)) return undefined
      const [row] = rows(ref.id !== undefined ? await byId.execute({ id: ref.id }) : await bySlug.execute({ slug: ref.slug }))
      if (row === undefined || (scope === 'public' && !await publicTerms.isPublic(kind.name, row.id))) return undefined
      return (await withCounts([row]))[0]
    },
    async withDescendants (id) {
      return tree === undefined ? [id] : await tree.subtree(id)
    }
  }
}

/** The category tree on PostgreSQL: the recursive CTEs of createCategoryTree, id arrays as `= any(int[])`. */
function createPgCategoryTree (db: PgDb) {
  const c = pgs.categories
  const top = db.select().from(c).where(isNull(c.parentId)).orderBy(...byNameC(c)).limit(p('limit')).offset(p('offset')).prepare('terms_categories_top')
  const under = db.select().from(c).where(eq(c.parentId, p('parent'))).orderBy(...byNameC(c)).limit(p('limit')).offset(p('offset')).prepare('terms_categories_under')
  const countTop = db.select({ n: count() }).from(c).where(isNull(c.parentId)).prepare('terms_categories_count_top')
  const countUnder = db.select({ n: count() }).from(c).where(eq(c.parentId, p('parent'))).prepare('terms_categories_count_under')
  const subtree = db.select({ id: c.id }).from(c).where(sql`${c.id} in (with recursive tree(id) as (
    select ${p('id')}::int union select k.id from ${c} k join tree on k.parent_id = tree.id) select id from tree)`).orderBy(c.id).prepare('terms_categories_subtree')
  const ancestors = db.select({ id: c.id, slug: c.slug, name: c.name, parentId: c.parentId }).from(c)
    .where(sql`${c.id} in (with recursive up(id) as (
      select unnest(${p('ids')}::int[]) union select k.parent_id from ${c} k join up on k.id = up.id where k.parent_id is not null) select id from up)`).prepare('terms_categories_ancestors')
  return {
    page: async (parentId: number | null, limit: number, offset: number) => parentId === null ? await top.execute({ limit, offset }) : await under.execute({ parent: parentId, limit, offset }),
    count: async (parentId: number | null) => (parentId === null ? await countTop.execute() : await countUnder.execute({ parent: parentId }))[0]?.n ?? 0,
    subtree: async (id: number) => (await subtree.execute({ id })).map((row) => row.id),
    /** The rows with their `path` (ancestors from the root, themselves excluded), in one query. */
    async withPaths<R extends object> (found: R[]): Promise<Array<R & { path: PathStep[] }>> {
      const parentOf = (r: R) => 'parentId' in r && typeof r.parentId === 'number' ? r.parentId : null
      const parents = [...new Set(found.flatMap((r) => parentOf(r) ?? []))]
      const nodes = new Map(parents.length === 0 ? [] : (await ancestors.execute({ ids: parents })).map((n) => [n.id, n]))
      return found.map((r) => ({ ...r, path: pathOf(parentOf(r), nodes) }))
    }
  }
}

/**
 * Writes of one kind of term on either engine, each given the open write's `tx` (on PostgreSQL
 * every statement of a write goes through its client). On SQLite the synchronous writer above
 * through `settled`.
 */
export interface TermsWriter<K extends AnyTermKind> {
  /** The term's columns (and in a tree its `path`, as webhook payloads show it). */
  load: (tx: EngineTx, id: number) => Promise<(K['table']['$inferSelect'] & { path?: PathStep[] }) | undefined>
  idBySlug: (tx: EngineTx, slug: string) => Promise<number | undefined>
  /** Whether another term (not `exceptId`; 0 for none) has the slug. */
  slugTaken: (tx: EngineTx, slug: string, exceptId?: number) => Promise<boolean>
  insert: (tx: EngineTx, values: K['table']['$inferInsert']) => Promise<number>
  update: (tx: EngineTx, id: number, values: Partial<TermTable['$inferInsert']>) => Promise<void>
  remove: (tx: EngineTx, id: number) => Promise<void>
  /** How many posts are filed under the term (whatever their status). */
  usage: (tx: EngineTx, id: number) => Promise<number>
  /** The posts filed under the term or, in a tree, under any term below it (whose paths show it). */
  postsUnder: (tx: EngineTx, id: number) => Promise<number[]>
  /** Files every post of term `from` under `to` (a post that already has `to` just loses `from`). */
  movePosts: (tx: EngineTx, from: number, to: number) => Promise<void>
  /** Every term below a tree term, at any depth, by id (none in a flat kind). */
  descendants: (tx: EngineTx, id: number) => Promise<Array<{ id: number, slug: string }>>
  /** Moves the children of tree term `from` under `to` (null: the top). */
  moveChildren: (tx: EngineTx, from: number, to: number | null, now: number) => Promise<void>
}

export function createTermsWriter<K extends AnyTermKind> (edb: EngineDb, kind: K): TermsWriter<K> {
  if (edb.engine === 'postgres') return pgTermsWriter(kind)
  const { db } = edb
  const w = createTermsSyncWriter(db, kind)
  return {
    load: async (_tx, id) => await settled(() => w.load(id)),
    idBySlug: async (_tx, slug) => await settled(() => w.idBySlug(slug)),
    slugTaken: async (_tx, slug, exceptId) => await settled(() => w.slugTaken(slug, exceptId)),
    insert: async (_tx, values) => await settled(() => w.insert(values)),
    update: async (_tx, id, values) => { await settled(() => { w.update(id, values) }) },
    remove: async (_tx, id) => { await settled(() => { w.remove(id) }) },
    usage: async (_tx, id) => await settled(() => w.usage(id)),
    postsUnder: async (_tx, id) => await settled(() => w.postsUnder(id)),
    movePosts: async (_tx, from, to) => { await settled(() => { w.movePosts(from, to) }) },
    descendants: async (_tx, id) => await settled(() => w.descendants(id)),
    moveChildren: async (_tx, from, to, now) => { await settled(() => { w.moveChildren(from, to, now) }) }
  }
}

function pgTermsWriter<K extends AnyTermKind> (kind: K): TermsWriter<K> {
  type Row = K['table']['$inferSelect']
  const table = pgTableOf(kind)
  const { link, shownBy } = pgKinds[kind.name]
  const shown = shownBy ?? link
  const c = pgs.categories
  const on = (tx: EngineTx) => {
    if (tx.engine !== 'postgres') throw new Error('a SQLite write handle given to the PostgreSQL terms writer')
    return tx.db
  }
  const ids = (found: Array<{ id: number }>) => found.map((row) => row.id)
  // The tree's recursive CTEs, on the write's client (a prepared statement is the pool's).
  const below = (id: number) => sql`(with recursive tree(id) as (select id from ${c} where parent_id = ${id} union select k.id from ${c} k join tree on k.parent_id = tree.id) select id from tree)`
  const subtree = (id: number) => sql`(with recursive tree(id) as (select ${id}::int union select k.id from ${c} k join tree on k.parent_id = tree.id) select id from tree)`
  async function withPath (db: PgTx, row: Row): Promise<Row & { path?: PathStep[] }> {
    const parentId = 'parentId' in row && typeof row.parentId === 'number' ? row.parentId : null
    if (!kind.tree) return row
    if (parentId === null) return { ...row, path: [] }
    const nodes = await db.select({ id: c.id, slug: c.slug, name: c.name, parentId: c.parentId }).from(c)
      .where(sql`${c.id} in (with recursive up(id) as (select ${parentId}::int union select k.parent_id from ${c} k join up on k.id = up.id where k.parent_id is not null) select id from up)`)
    return { ...row, path: pathOf(parentId, new Map(nodes.map((n) => [n.id, n]))) }
  }
  return {
    async load (tx, id) {
      const db = on(tx)
      const [row] = await db.select().from(table).where(eq(table.id, id)) as Row[]
      return row === undefined ? undefined : await withPath(db, row)
    },
    async idBySlug (tx, slug) {
      if (hasNul(slug)) return undefined
      const [row] = await on(tx).select({ id: table.id }).from(table).where(eq(table.slug, slug))
      return row?.id
    },
    async slugTaken (tx, slug, exceptId = 0) {
      if (hasNul(slug)) return false
      return (await on(tx).select({ id: table.id }).from(table).where(and(eq(table.slug, slug), ne(table.id, exceptId))).limit(1)).length > 0
    },
    async insert (tx, values) {
      const [row] = await on(tx).insert(table).values(values as PgTermTable['$inferInsert']).returning({ id: table.id })
      return row.id
    },
    async update (tx, id, values) {
      await on(tx).update(table).set(values as Partial<PgTermTable['$inferInsert']>).where(eq(table.id, id))
    },
    async remove (tx, id) {
      await on(tx).delete(table).where(eq(table.id, id))
    },
    async usage (tx, id) {
      return (await on(tx).select({ n: count() }).from(link.table).where(eq(link.termId, id)))[0]?.n ?? 0
    },
    async postsUnder (tx, id) {
      const db = on(tx)
      if (!kind.tree) return ids(await db.select({ id: shown.postId }).from(shown.table).where(eq(shown.termId, id)))
      const pc = pgs.postCategories
      return ids(await db.selectDistinct({ id: pc.postId }).from(pc).where(sql`${pc.categoryId} in ${subtree(id)}`).orderBy(pc.postId))
    },
    async movePosts (tx, from, to) {
      const db = on(tx)
      if (kind.link.many) {
        const alreadyUnderTo = db.select({ id: link.postId }).from(link.table).where(eq(link.termId, to))
        await db.delete(link.table).where(and(eq(link.termId, from), inArray(link.postId, alreadyUnderTo)))
      }
      // The kind's columns (same keys on both engines' tables).
      await db.update(link.table).set(kind.link.fileUnder(to) as Partial<typeof pgs.postTags.$inferInsert>).where(eq(link.termId, from))
    },
    async descendants (tx, id) {
      if (!kind.tree) return []
      return await on(tx).select({ id: c.id, slug: c.slug }).from(c).where(sql`${c.id} in ${below(id)}`).orderBy(c.id)
    },
    async moveChildren (tx, from, to, now) {
      if (!kind.tree) return
      await on(tx).update(c).set({ parentId: to, updatedAt: now }).where(eq(c.parentId, from))
    }
  }
}
