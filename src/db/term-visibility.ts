import { and, asc, eq, isNotNull, ne, sql } from 'drizzle-orm'
import type { Db } from './client.js'
import type { LiveCounts } from './live-counts.js'
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
