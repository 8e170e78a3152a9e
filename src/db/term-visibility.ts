import { and, asc, eq, inArray, isNotNull, lte, ne, sql } from 'drizzle-orm'
import type { Db } from './client.js'
import { settled, type EngineDb, type EngineTx } from './engine-port.js'
import { createLiveCounts, createPgLiveCounts, type EngineLiveCounts, type LiveCounts } from './live-counts.js'
import type { PgDb } from './pg/client.js'
import * as pgs from './pg/schema.js'
import type { PgTx } from './pg/transaction.js'
import { authors, categories, postAuthors, postCategories, posts, postTags, tags } from './schema.js'

const p = sql.placeholder

// Which categories, tags and authors the public may see. The rule, in one sentence: a term is
// public once it has a live post — a category counts the posts of its sub-categories too, as
// its post filter and page do. A term with no posts yet, or with only drafts, scheduled and
// archived ones, is hidden from public reads (lists, single reads, post and feed filters, the
// change log): an embargoed story's tag would otherwise announce its subject. Keys that may
// write or read drafts see every term.

export type TermKind = 'category' | 'tag' | 'author'

/** Who is reading terms: the public (only terms with a live post) or a key that sees them all. */
export type TermScope = 'public' | 'all'

/**
 * The public terms for reads: which ids are visible and, for lists, the visible ids in list
 * order (name, id). Computed from the live counts (one grouped query per kind) and one
 * ordered id read, once per content stamp, like the counts themselves.
 */
export function createPublicTerms (db: Db, stamp: () => string, counts: LiveCounts) {
  const order = {
    category: db.select({ id: categories.id, parentId: categories.parentId }).from(categories).orderBy(asc(categories.name), asc(categories.id)).prepare(),
    tag: db.select({ id: tags.id, parentId: sql<null>`NULL` }).from(tags).orderBy(asc(tags.name), asc(tags.id)).prepare(),
    author: db.select({ id: authors.id, parentId: sql<null>`NULL` }).from(authors).orderBy(asc(authors.name), asc(authors.id)).prepare()
  }
  const parents = db.select({ id: categories.id, parentId: categories.parentId }).from(categories).where(isNotNull(categories.parentId)).prepare()
  const countKind = { category: 'categories', tag: 'tags', author: 'authors' } as const
  // `ordered` (every public id in list order) only when a list asks: a filter or a single read
  // needs the set alone.
  interface View { stamp: string, visible: Set<number>, ordered?: Array<{ id: number, parentId: number | null }> }
  const memo = new Map<TermKind, View>()

  function view (kind: TermKind): View {
    const current = stamp()
    const hit = memo.get(kind)
    if (hit !== undefined && hit.stamp === current) return hit
    const live = counts(countKind[kind])
    const visible = new Set<number>()
    if (kind === 'category') {
      // A category with a live post makes its ancestors public too.
      const parentOf = new Map(parents.all().map((r) => [r.id, r.parentId as number]))
      for (const id of live.keys()) {
        for (let at: number | undefined = id; at !== undefined && !visible.has(at); at = parentOf.get(at)) visible.add(at)
      }
    } else {
      for (const id of live.keys()) visible.add(id)
    }
    const next: View = { stamp: current, visible }
    memo.set(kind, next)
    return next
  }

  return {
    isPublic: (kind: TermKind, id: number): boolean => view(kind).visible.has(id),
    /** One page of public ids in list order; `parentId` (categories) narrows to one level of the tree. */
    page (kind: TermKind, offset: number, limit: number, parentId?: number | null): { ids: number[], total: number } {
      const v = view(kind)
      v.ordered ??= order[kind].all().filter((row) => v.visible.has(row.id))
      let rows = v.ordered
      if (parentId !== undefined) rows = rows.filter((row) => row.parentId === parentId)
      return { ids: rows.slice(offset, offset + limit).map((row) => row.id), total: rows.length }
    }
  }
}
export type PublicTerms = ReturnType<typeof createPublicTerms>

/**
 * The write side: whether one term is public, asked inside a write's transaction, so the
 * change log records a term only while the public may see it and announces the moment it
 * becomes visible or hidden. Each question is one indexed lookup that stops at the first
 * live post found.
 */
export function createTermVisibility (db: Db) {
  const one = { one: sql`1` }
  // Each question starts from the term's links (CROSS JOIN fixes the order in SQLite) and reads
  // each linked post by its key until it finds a live one, so its cost is bounded by the term's
  // own posts. Left to itself the planner walked every live post in date order looking for one
  // with the link (all of them for a new tag, on every post write that adds one) or, with
  // ANALYZE statistics, walked the live range of the date index for every link; the unary `+`
  // keeps the status and date tests off that index.
  const liveByKey = and(sql`+${posts.status} = 'published'`, sql`+${posts.publishedAt} <= ${p('now')}`)
  const otherLive = {
    tag: db.select(one).from(postTags).crossJoin(posts)
      .where(and(eq(postTags.tagId, p('id')), eq(posts.id, postTags.postId), ne(postTags.postId, p('except')), liveByKey)).limit(1).prepare(),
    // Any post crediting the author, co-authored ones included.
    author: db.select(one).from(postAuthors).crossJoin(posts)
      .where(and(eq(postAuthors.authorId, p('id')), eq(posts.id, postAuthors.postId), ne(postAuthors.postId, p('except')), liveByKey)).limit(1).prepare(),
    category: db.select(one).from(postCategories).crossJoin(posts)
      .where(and(eq(postCategories.categoryId, p('id')), eq(posts.id, postCategories.postId), ne(postCategories.postId, p('except')), liveByKey)).limit(1).prepare()
  }
  // A category is public through its sub-categories too: the category and every one below it
  // (a recursive CTE, which the query builder cannot express), each asked on its own.
  const subtree = db.select({ id: sql<number>`id` }).from(sql`(WITH RECURSIVE tree(id) AS (SELECT ${p('id')} UNION SELECT k.id FROM ${categories} k JOIN tree ON k.parent_id = tree.id) SELECT id FROM tree)`).prepare()
  // From the category up to the top, in that order.
  const ancestors = db.select({ id: sql<number>`id` }).from(sql`(WITH RECURSIVE up(id, parent_id) AS (SELECT ${categories.id}, ${categories.parentId} FROM ${categories} WHERE ${categories.id} = ${p('id')}
    UNION SELECT k.id, k.parent_id FROM ${categories} k JOIN up ON k.id = up.parent_id) SELECT id FROM up)`).prepare()
  const slugOf = {
    category: db.select({ slug: categories.slug }).from(categories).where(eq(categories.id, p('id'))).prepare(),
    tag: db.select({ slug: tags.slug }).from(tags).where(eq(tags.id, p('id'))).prepare(),
    author: db.select({ slug: authors.slug }).from(authors).where(eq(authors.id, p('id'))).prepare()
  }

  return {
    /** Whether a live post other than `exceptPostId` makes the term public (0 excepts none). */
    hasLivePost (kind: TermKind, id: number, now: number, exceptPostId = 0): boolean {
      const ids = kind === 'category' ? subtree.all({ id }).map((r) => r.id) : [id]
      return ids.some((at) => otherLive[kind].get({ id: at, except: exceptPostId, now }) !== undefined)
    },
    /** The categories and every one above them (each once). */
    withAncestors (categoryIds: readonly number[]): number[] {
      const out = new Set<number>()
      for (const id of categoryIds) {
        if (out.has(id)) continue
        for (const up of ancestors.all({ id })) out.add(up.id)
      }
      return [...out]
    },
    slugOf: (kind: TermKind, id: number): string | undefined => slugOf[kind].get({ id })?.slug
  }
}
export type TermVisibility = ReturnType<typeof createTermVisibility>

/** Which terms the public may see, for reads, on either engine (src/db/engine-port.ts): Promises. */
export interface EnginePublicTerms {
  isPublic: (kind: TermKind, id: number) => Promise<boolean>
  /** One page of public ids in list order; `parentId` (categories) narrows to one level of the tree. */
  page: (kind: TermKind, offset: number, limit: number, parentId?: number | null) => Promise<{ ids: number[], total: number }>
}

/** The read side of the terms' visibility on either engine: live counts and public ids. */
export interface TermReads { counts: EngineLiveCounts, publicTerms: EnginePublicTerms }

/**
 * On SQLite the synchronous counts and public ids, and the same answered as settled Promises:
 * the callers not yet ported (post and feed filters, menus) keep the synchronous ones.
 */
export type SqliteTermReads = TermReads & { sync: { counts: LiveCounts, publicTerms: PublicTerms } }

/**
 * The live counts and public terms of an engine, remembered until `stamp` changes. On SQLite
 * the synchronous code above behind `settled` (same statements, same memo, one microtask); on
 * PostgreSQL the same queries over the twin tables, names ordered byte-wise (`COLLATE "C"`) as
 * SQLite's BINARY collation orders them, whatever the database's collation.
 */
export function createTermReads (edb: Extract<EngineDb, { engine: 'sqlite' }>, stamp: () => string): SqliteTermReads
export function createTermReads (edb: EngineDb, stamp: () => string): TermReads
export function createTermReads (edb: EngineDb, stamp: () => string): TermReads {
  if (edb.engine === 'postgres') {
    const counts = createPgLiveCounts(edb.db, stamp)
    return { counts, publicTerms: createPgPublicTerms(edb.db, stamp, counts) }
  }
  const counts = createLiveCounts(edb.db, stamp)
  const publicTerms = createPublicTerms(edb.db, stamp, counts)
  const reads: SqliteTermReads = {
    counts: async (kind) => await settled(() => counts(kind)),
    publicTerms: {
      isPublic: async (kind, id) => await settled(() => publicTerms.isPublic(kind, id)),
      page: async (kind, offset, limit, parentId) => await settled(() => publicTerms.page(kind, offset, limit, parentId))
    },
    sync: { counts, publicTerms }
  }
  return reads
}

function createPgPublicTerms (db: PgDb, stamp: () => string, counts: EngineLiveCounts): EnginePublicTerms {
  const { categories, tags, authors } = pgs
  const order = {
    category: db.select({ id: categories.id, parentId: categories.parentId }).from(categories).orderBy(sql`${categories.name} collate "C"`, asc(categories.id)).prepare('terms_public_order_category'),
    tag: db.select({ id: tags.id, parentId: sql<null>`NULL::int` }).from(tags).orderBy(sql`${tags.name} collate "C"`, asc(tags.id)).prepare('terms_public_order_tag'),
    author: db.select({ id: authors.id, parentId: sql<null>`NULL::int` }).from(authors).orderBy(sql`${authors.name} collate "C"`, asc(authors.id)).prepare('terms_public_order_author')
  }
  const parents = db.select({ id: categories.id, parentId: categories.parentId }).from(categories).where(isNotNull(categories.parentId)).prepare('terms_public_parents')
  const countKind = { category: 'categories', tag: 'tags', author: 'authors' } as const
  interface View { visible: Set<number>, ordered?: Promise<Array<{ id: number, parentId: number | null }>> }
  // Promises, so requests arriving together share one computation; a failed one is forgotten.
  const memo = new Map<TermKind, { stamp: string, view: Promise<View> }>()

  async function build (kind: TermKind): Promise<View> {
    const live = await counts(countKind[kind])
    const visible = new Set<number>()
    if (kind === 'category') {
      const parentOf = new Map((await parents.execute()).map((r) => [r.id, r.parentId as number]))
      for (const id of live.keys()) {
        for (let at: number | undefined = id; at !== undefined && !visible.has(at); at = parentOf.get(at)) visible.add(at)
      }
    } else {
      for (const id of live.keys()) visible.add(id)
    }
    return { visible }
  }
  async function view (kind: TermKind): Promise<View> {
    const current = stamp()
    const hit = memo.get(kind)
    if (hit !== undefined && hit.stamp === current) return await hit.view
    const next = build(kind)
    memo.set(kind, { stamp: current, view: next })
    next.catch(() => { if (memo.get(kind)?.view === next) memo.delete(kind) })
    return await next
  }

  return {
    isPublic: async (kind, id) => (await view(kind)).visible.has(id),
    async page (kind, offset, limit, parentId) {
      const v = await view(kind)
      v.ordered ??= order[kind].execute().then((rows) => rows.filter((row) => v.visible.has(row.id)))
      let rows = await v.ordered
      if (parentId !== undefined) rows = rows.filter((row) => row.parentId === parentId)
      return { ids: rows.slice(offset, offset + limit).map((row) => row.id), total: rows.length }
    }
  }
}

/**
 * The write side on either engine: TermVisibility's questions as Promises, asked through the
 * write's `tx` when given (on PostgreSQL the pool's other connections are outside the write).
 */
export interface EngineTermVisibility {
  hasLivePost: (kind: TermKind, id: number, now: number, exceptPostId?: number, tx?: EngineTx) => Promise<boolean>
  withAncestors: (categoryIds: readonly number[], tx?: EngineTx) => Promise<number[]>
  slugOf: (kind: TermKind, id: number, tx?: EngineTx) => Promise<string | undefined>
}

/** The write side's questions on an engine: SQLite's statements above behind `settled`; PostgreSQL's twins. */
export function createEngineTermVisibility (edb: EngineDb): EngineTermVisibility {
  if (edb.engine === 'sqlite') {
    const sync = createTermVisibility(edb.db)
    return {
      hasLivePost: async (kind, id, now, exceptPostId = 0) => await settled(() => sync.hasLivePost(kind, id, now, exceptPostId)),
      withAncestors: async (ids) => await settled(() => sync.withAncestors(ids)),
      slugOf: async (kind, id) => await settled(() => sync.slugOf(kind, id))
    }
  }
  const pool = edb.db
  const { categories, tags, authors, posts, postTags, postAuthors, postCategories } = pgs
  const on = (tx?: EngineTx): PgDb | PgTx => {
    if (tx === undefined) return pool
    if (tx.engine !== 'postgres') throw new Error('a SQLite write handle given to the PostgreSQL term visibility')
    return tx.db
  }
  const links = {
    tag: { table: postTags, termId: postTags.tagId, postId: postTags.postId },
    author: { table: postAuthors, termId: postAuthors.authorId, postId: postAuthors.postId },
    category: { table: postCategories, termId: postCategories.categoryId, postId: postCategories.postId }
  }
  const termTables = { category: categories, tag: tags, author: authors }
  return {
    async hasLivePost (kind, id, now, exceptPostId = 0, tx) {
      const db = on(tx)
      const link = links[kind]
      // A category is public through its sub-categories too: the category and every one below it.
      const ids = kind === 'category'
        ? (await db.execute<{ id: number }>(sql`with recursive tree(id) as (select ${id}::int union select k.id from ${categories} k join tree on k.parent_id = tree.id) select id from tree`)).rows.map((r) => Number(r.id))
        : [id]
      const found = await db.select({ one: sql`1` }).from(link.table).innerJoin(posts, eq(posts.id, link.postId))
        .where(and(inArray(link.termId, ids), ne(link.postId, exceptPostId), eq(posts.status, 'published'), lte(posts.publishedAt, now))).limit(1)
      return found.length > 0
    },
    async withAncestors (categoryIds, tx) {
      if (categoryIds.length === 0) return []
      // Every category above those given, in one query; then walked up in JS for SQLite's order
      // (each given category, then its parent, up to the top).
      const nodes = (await on(tx).execute<{ id: number, parent_id: number | null }>(sql`with recursive up(id, parent_id) as (
        select ${categories.id}, ${categories.parentId} from ${categories} where ${categories.id} = any(${sql.param([...categoryIds])}::int[])
        union select k.id, k.parent_id from ${categories} k join up on k.id = up.parent_id) select id, parent_id from up`)).rows
      const parentOf = new Map(nodes.map((n) => [Number(n.id), n.parent_id === null ? null : Number(n.parent_id)]))
      const out = new Set<number>()
      for (const id of categoryIds) {
        for (let at: number | null | undefined = id; at != null && parentOf.has(at) && !out.has(at); at = parentOf.get(at)) out.add(at)
      }
      return [...out]
    },
    async slugOf (kind, id, tx) {
      const table = termTables[kind]
      const [row] = await on(tx).select({ slug: table.slug }).from(table).where(eq(table.id, id))
      return row?.slug
    }
  }
}
