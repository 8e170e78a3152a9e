import { and, asc, count, desc, eq, exists, getTableColumns, gt, inArray, isNotNull, isNull, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { authors, categories, postAuthors, postCategories, posts, postTags, tags } from '../../db/schema.js'
import { createShapeCache, idList, inIdList } from '../../db/statements.js'
import type { Emit } from '../../db/write.js'
import type { PostState } from '../../db/change-bus.js'
import type { CursorValue } from '../../lib/cursor.js'
import type { PostSort } from './posts-schemas.js'

const p = sql.placeholder

/** A stored post, every column. */
export type PostRecord = typeof posts.$inferSelect

/** The columns of a post in a list (no body), as toPost reads them. */
export const POST_LIST_COLUMNS = {
  id: posts.id,
  slug: posts.slug,
  title: posts.title,
  excerpt: posts.excerpt,
  status: posts.status,
  publishedAt: posts.publishedAt,
  createdAt: posts.createdAt,
  updatedAt: posts.updatedAt,
  authorId: posts.authorId,
  featuredImageUrl: posts.featuredImageUrl,
  featuredImageAlt: posts.featuredImageAlt,
  sourceUrl: posts.sourceUrl,
  sourceName: posts.sourceName,
  canonicalUrl: posts.canonicalUrl,
  commentStatus: posts.commentStatus,
  wordCount: posts.wordCount,
  readingTimeMinutes: posts.readingTimeMinutes,
  commentCount: posts.commentCount,
  featured: posts.featured
}
/** The list columns and the body. */
export const POST_COLUMNS = { ...POST_LIST_COLUMNS, contentHtml: posts.contentHtml }

/** A post as lists and single reads give it: the body only when asked for, a snippet with `q`. */
export type PostRow = Pick<PostRecord, keyof typeof POST_LIST_COLUMNS> & { contentHtml?: string, snippet?: string }

/** A category or tag of a post, in the post's order. */
export interface TermRow { postId: number, id: number, slug: string, name: string }
/** A post's category: the term and its parent (its ancestors come from categoryAncestors). */
export interface CategoryRow extends TermRow { parentId: number | null }
/** A category above some others, for their paths. */
export interface AncestorRow { id: number, slug: string, name: string, parentId: number | null }
export type AuthorRefRow = Pick<typeof authors.$inferSelect, 'id' | 'slug' | 'name' | 'avatarUrl'>
/** An author of a post, in the post's order (the primary author first). */
export interface AuthorLinkRow { postId: number, authorId: number }

/** Which posts a reader may see: live ones only, or a status for read:drafts keys. */
export type Visibility = 'public' | 'draft' | 'scheduled' | 'archived' | 'any'

export interface PostFilter {
  visibility: Visibility
  now: number
  categoryIds?: number[]
  tagIds?: number[]
  /** Posts this author wrote or co-wrote. */
  authorId?: number
  featured?: boolean
  publishedAfter?: number
  publishedBefore?: number
}

interface SortSpec { column: typeof posts.publishedAt | typeof posts.updatedAt | typeof posts.title, desc: boolean, cursorOf: (row: PostRow) => CursorValue }

/** The row property each order's cursor reads (SORT_SPECS cursorOf). */
const SORT_KEYS = { '-published_at': 'publishedAt', published_at: 'publishedAt', '-updated_at': 'updatedAt', title: 'title' } as const

export const SORT_SPECS: Record<Exclude<PostSort, 'relevance'>, SortSpec> = {
  '-published_at': { column: posts.publishedAt, desc: true, cursorOf: (r) => r.publishedAt },
  published_at: { column: posts.publishedAt, desc: false, cursorOf: (r) => r.publishedAt },
  '-updated_at': { column: posts.updatedAt, desc: true, cursorOf: (r) => r.updatedAt },
  title: { column: posts.title, desc: false, cursorOf: (r) => r.title }
}

// The live condition: published (scheduled posts are stored as published with a future
// published_at) and published_at has passed. Matches the (status, published_at, id) index.
function visibilityOf (visibility: Visibility): SQL | undefined {
  switch (visibility) {
    case 'public': return and(eq(posts.status, 'published'), lte(posts.publishedAt, p('now')))
    case 'scheduled': return and(eq(posts.status, 'published'), gt(posts.publishedAt, p('now')))
    case 'draft': return eq(posts.status, 'draft')
    case 'archived': return eq(posts.status, 'archived')
    case 'any': return undefined
  }
}

// Two ways to filter by category or tag. `exists` walks posts in the requested order and checks
// each one's links: a page of a common category is found after a few dozen posts, but a rare one
// makes it walk the whole table (70 ms at 100,000 posts). `in` reads the category's posts from
// the link index and sorts them: cheap when they are few, and always the better way to count.
// `list` picks one from the counts.
type Membership = 'exists' | 'in'
const LINKS = {
  categories: { table: postCategories, postId: postCategories.postId, termId: postCategories.categoryId, ids: 'categoryIds' },
  tags: { table: postTags, postId: postTags.postId, termId: postTags.tagId, ids: 'tagIds' }
} as const

/** A post filter in the shape of a statement: what it filters on, never the values. */
function shapeOf (f: PostFilter, how: Membership): string {
  const has = (v: unknown) => v === undefined ? '-' : '+'
  return `${f.visibility}${has(f.categoryIds)}${has(f.tagIds)}${has(f.authorId)}${has(f.featured)}${has(f.publishedAfter)}${has(f.publishedBefore)}${how}`
}

/** The values of a filter's placeholders; the id lists as one JSON parameter each. */
function valuesOf (f: PostFilter): Record<string, unknown> {
  return {
    now: f.now,
    categoryIds: f.categoryIds === undefined ? undefined : idList(f.categoryIds),
    tagIds: f.tagIds === undefined ? undefined : idList(f.tagIds),
    authorId: f.authorId,
    featured: f.featured === undefined ? undefined : f.featured ? 1 : 0,
    publishedAfter: f.publishedAfter,
    publishedBefore: f.publishedBefore
  }
}

// Keyset condition for "after this row" in the given order; NULLs (drafts without a date) sort
// last in descending and first in ascending order, as SQLite orders them.
// After a value, when no NULL can follow it (ascending order, where NULLs come first; a column
// that is never NULL; a visibility that requires a publication time), the condition is one row
// value, `(column, id) < (value, id)`: SQLite starts the index range there. The equivalent
// `column < v OR (column = v AND id < id)` is not a range, so a cursor at item 5,000 walked
// 5,000 index entries from the top (0.75 ms instead of 0.05 ms at 10,000 posts).
function afterOf (spec: SortSpec, value: 'null' | 'value', visibility: Visibility): SQL | undefined {
  const c = spec.column
  const beyond = spec.desc ? lt : gt
  if (value === 'null') {
    return spec.desc
      ? and(isNull(c), beyond(posts.id, p('afterId')))
      : or(and(isNull(c), beyond(posts.id, p('afterId'))), isNotNull(c))
  }
  const nullsFollow = spec.desc && c === posts.publishedAt && visibility !== 'public' && visibility !== 'scheduled'
  if (!nullsFollow) {
    return spec.desc
      ? sql`(${c}, ${posts.id}) < (${p('afterValue')}, ${p('afterId')})`
      : sql`(${c}, ${posts.id}) > (${p('afterValue')}, ${p('afterId')})`
  }
  return or(beyond(c, p('afterValue')), and(eq(c, p('afterValue')), beyond(posts.id, p('afterId'))), isNull(c))
}

interface ListStatement { all (values: Record<string, unknown>): PostRow[] }
interface OneStatement { get (values: Record<string, unknown>): PostRow | undefined }
interface CountStatement { get (values: Record<string, unknown>): { n: number } | undefined }

/**
 * All reads of posts and their taxonomy links. A list or count is one prepared statement per
 * shape of filter (visibility, which filters, how links are read, order, cursor), prepared the
 * first time it is asked for and kept in bounded caches: a handful in practice, and the same
 * whatever the length of an id list.
 */
export function createPostsRepository (db: Db) {
  const lists = createShapeCache<ListStatement>()
  const counts = createShapeCache<CountStatement>(100)
  const singles = createShapeCache<OneStatement>(20)

  function whereOf (f: PostFilter, how: Membership): Array<SQL | undefined> {
    const link = (l: typeof LINKS[keyof typeof LINKS]) => how === 'in'
      ? inArray(posts.id, db.select({ id: l.postId }).from(l.table).where(inIdList(l.termId, l.ids)))
      : exists(db.select({ one: sql`1` }).from(l.table).where(and(eq(l.postId, posts.id), inIdList(l.termId, l.ids))))
    return [
      visibilityOf(f.visibility),
      f.categoryIds === undefined ? undefined : link(LINKS.categories),
      f.tagIds === undefined ? undefined : link(LINKS.tags),
      // Any of its authors (post_authors holds the primary author too), read from the link's
      // primary key: one lookup per post walked, or the author's posts for `in`.
      f.authorId === undefined
        ? undefined
        : how === 'in'
          ? inArray(posts.id, db.select({ id: postAuthors.postId }).from(postAuthors).where(eq(postAuthors.authorId, p('authorId'))))
          : exists(db.select({ one: sql`1` }).from(postAuthors).where(and(eq(postAuthors.postId, posts.id), eq(postAuthors.authorId, p('authorId'))))),
      f.featured === undefined ? undefined : eq(posts.featured, p('featured')),
      f.publishedAfter === undefined ? undefined : gt(posts.publishedAt, p('publishedAfter')),
      f.publishedBefore === undefined ? undefined : lt(posts.publishedAt, p('publishedBefore'))
    ]
  }

  const categoriesOf = db.select({ postId: postCategories.postId, id: categories.id, slug: categories.slug, name: categories.name, parentId: categories.parentId })
    .from(postCategories).innerJoin(categories, eq(categories.id, postCategories.categoryId))
    .where(inIdList(postCategories.postId, 'ids')).orderBy(postCategories.postId, postCategories.position, categories.id).prepare()
  // Every category above the given ones, walking parent_id up (a recursive CTE, which the query
  // builder cannot express); the given ids are parents, so the rows are exactly the ancestors.
  const ancestorsOf = db.select({ id: categories.id, slug: categories.slug, name: categories.name, parentId: categories.parentId }).from(categories)
    .where(sql`${categories.id} IN (WITH RECURSIVE up(id) AS (
      SELECT value FROM json_each(${p('ids')}) UNION SELECT k.parent_id FROM categories k JOIN up ON k.id = up.id WHERE k.parent_id IS NOT NULL) SELECT id FROM up)`).prepare()
  const tagsOf = db.select({ postId: postTags.postId, id: tags.id, slug: tags.slug, name: tags.name })
    .from(postTags).innerJoin(tags, eq(tags.id, postTags.tagId))
    .where(inIdList(postTags.postId, 'ids')).orderBy(postTags.postId, postTags.position, tags.id).prepare()
  const authorLinksOf = db.select({ postId: postAuthors.postId, authorId: postAuthors.authorId })
    .from(postAuthors).where(inIdList(postAuthors.postId, 'ids')).orderBy(postAuthors.postId, postAuthors.position, postAuthors.authorId).prepare()
  const authorsOf = db.select({ id: authors.id, slug: authors.slug, name: authors.name, avatarUrl: authors.avatarUrl })
    .from(authors).where(inIdList(authors.id, 'ids')).prepare()
  const rowsOf = {
    list: db.select(POST_LIST_COLUMNS).from(posts).where(inIdList(posts.id, 'ids')).prepare(),
    full: db.select(POST_COLUMNS).from(posts).where(inIdList(posts.id, 'ids')).prepare()
  }

  const liveIdById = db.select({ id: posts.id }).from(posts).where(and(eq(posts.id, p('id')), visibilityOf('public'))).prepare()
  const liveIdBySlug = db.select({ id: posts.id }).from(posts).where(and(eq(posts.slug, p('slug')), visibilityOf('public'))).prepare()

  return {
    /** Counts the posts matching a filter. */
    count (f: PostFilter): number {
      const stmt = counts(shapeOf(f, 'in'), () => db.select({ n: count() }).from(posts).where(and(...whereOf(f, 'in'))).prepare())
      return stmt.get(valuesOf(f))?.n ?? 0
    },

    /**
     * One page of posts in the given order, by offset or after a keyset position. `total` (the
     * count of the filter) and `corpus` (of the same visibility without it), when known, pick
     * how a category or tag filter is read: sorting its M posts costs about 4 row reads each,
     * walking the N posts in order about (offset + limit) · N / M index steps.
     */
    list (f: PostFilter, opts: { sort: Exclude<PostSort, 'relevance'>, limit: number, offset?: number, after?: { value: CursorValue, id: number }, withContent: boolean, keysOnly?: boolean, total?: number, corpus?: number }): PostRow[] {
      const few = opts.total !== undefined && opts.corpus !== undefined && 4 * opts.total * opts.total < ((opts.offset ?? 0) + opts.limit) * opts.corpus
      const how: Membership = few ? 'in' : 'exists'
      const spec = SORT_SPECS[opts.sort]
      const after = opts.after === undefined ? undefined : opts.after.value === null ? 'null' : 'value'
      const columns = opts.keysOnly === true ? 'keys' : opts.withContent ? 'body' : '-'
      const shape = `${shapeOf(f, how)} ${opts.sort} ${after ?? '-'} ${columns}`
      const stmt = lists(shape, () => {
        const order = spec.desc ? desc : asc
        // `keysOnly`: the id and the sort key alone (for a page sent from stored cards, and its
        // cursor): for the newest-first order both come from the (status, published_at, id)
        // index, so the page reads no post row at all.
        const selected = columns === 'keys' ? { id: posts.id, [SORT_KEYS[opts.sort]]: spec.column } : columns === 'body' ? POST_COLUMNS : POST_LIST_COLUMNS
        return db.select(selected as typeof POST_LIST_COLUMNS).from(posts)
          .where(and(...whereOf(f, how), after === undefined ? undefined : afterOf(spec, after, f.visibility)))
          .orderBy(order(spec.column), order(posts.id))
          .limit(p('limit')).offset(p('offset')).prepare()
      })
      return stmt.all({ ...valuesOf(f), afterValue: opts.after?.value, afterId: opts.after?.id, limit: opts.limit, offset: opts.offset ?? 0 })
    },

    /** A post by id or slug, with its body, if the visibility allows it. */
    findByRef (ref: { id?: number, slug?: string }, visibility: Visibility, now: number): PostRow | undefined {
      const byId = ref.id !== undefined
      const stmt = singles(`${byId ? 'id' : 'slug'} ${visibility}`, () => db.select(POST_COLUMNS).from(posts)
        .where(and(byId ? eq(posts.id, p('id')) : eq(posts.slug, p('slug')), visibilityOf(visibility))).prepare())
      return stmt.get({ id: ref.id, slug: ref.slug, now })
    },

    /** The id of a live post by id or slug: one index lookup that never reads the row's body. */
    liveId (ref: { id?: number, slug?: string }, now: number): number | undefined {
      return ref.id !== undefined ? liveIdById.get({ id: ref.id, now })?.id : liveIdBySlug.get({ slug: ref.slug, now })?.id
    },

    /** Rows of the given posts (with the body when asked), whatever their status, in no particular order. */
    rowsOf (ids: readonly number[], withContent: boolean): PostRow[] {
      if (ids.length === 0) return []
      return (withContent ? rowsOf.full : rowsOf.list).all({ ids: idList(ids) })
    },

    /** Primary-first categories of the given posts, with their parents. */
    categoriesOf (postIds: readonly number[]): CategoryRow[] {
      return postIds.length === 0 ? [] : categoriesOf.all({ ids: idList(postIds) })
    },

    /** The given categories and every one above them (for the `path` of category references). */
    categoryAncestors (ids: readonly number[]): AncestorRow[] {
      return ids.length === 0 ? [] : ancestorsOf.all({ ids: idList(ids) })
    },

    tagsOf (postIds: readonly number[]): TermRow[] {
      return postIds.length === 0 ? [] : tagsOf.all({ ids: idList(postIds) })
    },

    /** Every author of the given posts, primary first. */
    authorLinksOf (postIds: readonly number[]): AuthorLinkRow[] {
      return postIds.length === 0 ? [] : authorLinksOf.all({ ids: idList(postIds) })
    },

    authorsOf (authorIds: readonly number[]): AuthorRefRow[] {
      return authorIds.length === 0 ? [] : authorsOf.all({ ids: idList(authorIds) })
    },

    /** How many prepared statements the repository keeps for lists, counts and single reads (bounded; for tests). */
    get statementCount (): number {
      return lists.size + counts.size + singles.size
    }
  }
}

export type PostsRepository = ReturnType<typeof createPostsRepository>

/** The columns a post write sets (everything but the id and created_at, which an insert adds). */
export type PostValues = Omit<typeof posts.$inferInsert, 'id' | 'createdAt'>

/**
 * Writes to posts and their links, and the reads a write makes first; callers run them inside
 * the writer's transaction.
 */
export function createPostsWriter (db: Db) {
  const byId = db.select().from(posts).where(eq(posts.id, p('id'))).prepare()
  const byImportKey = db.select().from(posts).where(eq(posts.importKey, p('key'))).prepare()
  const slugTaken = db.select({ id: posts.id }).from(posts).where(and(eq(posts.slug, p('slug')), ne(posts.id, p('except')))).prepare()
  const stateOf = db.select({ slug: posts.slug, status: posts.status, publishedAt: posts.publishedAt }).from(posts).where(eq(posts.id, p('id'))).prepare()
  // posts ids are AUTOINCREMENT: never reused, so the next one is past both the sequence and the
  // largest id (the sequence has no row before the first insert).
  const nextId = db.select({ next: sql<number>`max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'posts'), 0), coalesce(max(${posts.id}), 0)) + 1` }).from(posts).prepare()
  const remove = db.delete(posts).where(eq(posts.id, p('id'))).prepare()
  // Every column a write sets (comment_count is the comments service's), prepared once: built
  // per call, the insert and the update spent about 0.4 ms each turning the query into SQL.
  const written = Object.keys(getTableColumns(posts)).filter((k) => k !== 'id' && k !== 'createdAt' && k !== 'commentCount') as Array<keyof PostValues>
  const placeholders = Object.fromEntries(written.map((k) => [k, p(k)]))
  const insertRow = db.insert(posts).values({ ...placeholders, id: p('id'), createdAt: p('createdAt') } as unknown as typeof posts.$inferInsert).prepare()
  const updateRow = db.update(posts).set(placeholders).where(eq(posts.id, p('id'))).prepare()
  const complete = (values: PostValues) => written.every((k) => values[k] !== undefined)
  // A body names an author, category or tag by id or by slug: either way, the id or nothing.
  function refStatements (table: typeof authors | typeof categories | typeof tags) {
    return {
      id: db.select({ id: table.id }).from(table).where(eq(table.id, p('id'))).prepare(),
      slug: db.select({ id: table.id }).from(table).where(eq(table.slug, p('slug'))).prepare()
    }
  }
  const refs = { author: refStatements(authors), category: refStatements(categories), tag: refStatements(tags) }
  function idOf (kind: keyof typeof refs, ref: number | string): number | undefined {
    return (typeof ref === 'number' ? refs[kind].id.get({ id: ref }) : refs[kind].slug.get({ slug: ref }))?.id
  }

  // Links are changed one by one, only where they differ: each added or removed link makes the
  // search triggers index the post again (its facets changed), a moved position does not.
  function linkStatements (l: typeof LINKS[keyof typeof LINKS]) {
    const values = { postId: p('postId'), termId: p('termId'), position: p('position') }
    return {
      ids: db.select({ id: l.termId }).from(l.table).where(eq(l.postId, p('postId'))).orderBy(l.table.position).prepare(),
      upsert: l.table === postCategories
        ? db.insert(postCategories).values({ postId: values.postId, categoryId: values.termId, position: values.position })
          .onConflictDoUpdate({ target: [postCategories.postId, postCategories.categoryId], set: { position: sql`excluded.position` } }).prepare()
        : db.insert(postTags).values({ postId: values.postId, tagId: values.termId, position: values.position })
          .onConflictDoUpdate({ target: [postTags.postId, postTags.tagId], set: { position: sql`excluded.position` } }).prepare(),
      drop: db.delete(l.table).where(and(eq(l.postId, p('postId')), eq(l.termId, p('termId')))).prepare()
    }
  }
  const links = { categories: linkStatements(LINKS.categories), tags: linkStatements(LINKS.tags) }
  // The authors of a post: position 0 (the primary author) is written by the posts triggers
  // (0014) from posts.author_id; the writer sets the co-authors after it.
  const authorLinks = {
    ids: db.select({ id: postAuthors.authorId }).from(postAuthors).where(eq(postAuthors.postId, p('postId'))).orderBy(postAuthors.position, postAuthors.authorId).prepare(),
    upsert: db.insert(postAuthors).values({ postId: p('postId'), authorId: p('authorId'), position: p('position') })
      .onConflictDoUpdate({ target: [postAuthors.postId, postAuthors.authorId], set: { position: sql`excluded.position` } }).prepare(),
    drop: db.delete(postAuthors).where(and(eq(postAuthors.postId, p('postId')), eq(postAuthors.authorId, p('authorId')))).prepare()
  }
  function authorIdsOf (postId: number): number[] {
    return authorLinks.ids.all({ postId }).map((row) => row.id)
  }
  /** Sets the co-authors (positions 1…) of a post whose primary author is already written. */
  function setCoAuthors (postId: number, ids: number[]): void {
    const current = authorIdsOf(postId).slice(1)
    if (current.length === ids.length && current.every((id, i) => id === ids[i])) return
    for (const id of current) if (!ids.includes(id)) authorLinks.drop.run({ postId, authorId: id })
    ids.forEach((id, i) => { if (current[i] !== id) authorLinks.upsert.run({ postId, authorId: id, position: i + 1 }) })
  }
  function idsOf (kind: keyof typeof links, postId: number): number[] {
    return links[kind].ids.all({ postId }).map((row) => row.id)
  }
  function setLinks (kind: keyof typeof links, postId: number, ids: number[]): void {
    const current = idsOf(kind, postId)
    if (current.length === ids.length && current.every((id, i) => id === ids[i])) return
    const s = links[kind]
    for (const id of current) if (!ids.includes(id)) s.drop.run({ postId, termId: id })
    ids.forEach((id, i) => { if (current[i] !== id) s.upsert.run({ postId, termId: id, position: i }) })
  }

  return {
    load: (id: number): PostRecord | undefined => byId.get({ id }),
    byImportKey: (key: string): PostRecord | undefined => byImportKey.get({ key }),
    /** Whether another post (not `exceptId`; 0 for none) has the slug. */
    slugTaken: (slug: string, exceptId = 0) => slugTaken.get({ slug, except: exceptId }) !== undefined,
    /** The id of the author, category or tag an id or slug names, if it exists (any visibility: writers see every term). */
    idOf,
    nextId: (): number => nextId.get()?.next ?? 1,
    /**
     * Links may be written before their post: foreign keys are then checked at commit (the
     * pragma ends with the transaction).
     */
    deferForeignKeys (): void {
      db.run(sql`PRAGMA defer_foreign_keys = ON`)
    },
    insert (id: number, values: PostValues & { createdAt: number }): void {
      // A value left out takes the column's default: only the built statement can do that.
      if (complete(values)) insertRow.run({ ...values, id })
      else db.insert(posts).values({ ...values, id }).run()
    },
    update (id: number, values: PostValues): void {
      if (complete(values)) updateRow.run({ ...values, id })
      else db.update(posts).set(values).where(eq(posts.id, id)).run()
    },
    remove (id: number): void {
      remove.run({ id })
    },
    /** How a post stands for the change bus, if it exists. */
    stateOf (id: number): PostState | undefined {
      return stateOf.get({ id })
    },
    categoryIdsOf: (postId: number) => idsOf('categories', postId),
    tagIdsOf: (postId: number) => idsOf('tags', postId),
    /** Every author of the post, primary first. */
    authorIdsOf,
    setCoAuthors,
    setCategories: (postId: number, ids: number[]) => setLinks('categories', postId, ids),
    setTags: (postId: number, ids: number[]) => setLinks('tags', postId, ids)
  }
}
export type PostsWriter = ReturnType<typeof createPostsWriter>

const writers = new WeakMap<Db, PostsWriter>()

/**
 * Tells the change bus that posts changed without their own row changing (a category they
 * embed was renamed, say), so the change log and webhooks report them as updated.
 */
export function touchPosts (db: Db, emit: Emit, ids: number[]): void {
  let w = writers.get(db)
  if (w === undefined) {
    w = createPostsWriter(db)
    writers.set(db, w)
  }
  for (const id of ids) {
    const state = w.stateOf(id)
    if (state !== undefined) emit({ kind: 'post', id, before: state, after: state })
  }
}
