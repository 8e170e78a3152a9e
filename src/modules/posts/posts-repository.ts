import type { Db } from '../../db/client.js'
import { createStatementCache, idList, IN_ID_LIST } from '../../db/statements.js'
import type { PostSort } from './posts-schemas.js'
import type { CursorValue } from '../../lib/cursor.js'

export interface PostRow {
  id: number
  slug: string
  title: string
  excerpt: string
  content_html?: string
  status: 'draft' | 'scheduled' | 'published' | 'archived'
  published_at: number | null
  created_at: number
  updated_at: number
  author_id: number
  featured_image_url: string | null
  featured_image_alt: string | null
  source_url: string | null
  source_name: string | null
  canonical_url: string | null
  comment_status: 'open' | 'closed'
  word_count: number
  reading_time_minutes: number
  comment_count: number
  snippet?: string
}

export interface TermRow { post_id: number, id: number, slug: string, name: string }
export interface AuthorRefRow { id: number, slug: string, name: string, avatar_url: string | null }

/** Which posts a reader may see: live ones only, or a status for read:drafts keys. */
export type Visibility = 'public' | 'draft' | 'scheduled' | 'archived' | 'any'

export interface PostFilter {
  visibility: Visibility
  now: number
  categoryIds?: number[]
  tagIds?: number[]
  authorId?: number
  publishedAfter?: number
  publishedBefore?: number
}

interface SortSpec { column: string, desc: boolean, cursorOf: (row: PostRow) => CursorValue }

export const SORT_SPECS: Record<Exclude<PostSort, 'relevance'>, SortSpec> = {
  '-published_at': { column: 'p.published_at', desc: true, cursorOf: (r) => r.published_at },
  published_at: { column: 'p.published_at', desc: false, cursorOf: (r) => r.published_at },
  '-updated_at': { column: 'p.updated_at', desc: true, cursorOf: (r) => r.updated_at },
  title: { column: 'p.title', desc: false, cursorOf: (r) => r.title }
}

/** The columns of a post in a list (no body), as toPost reads them. */
export const LIST_COLUMNS = `p.id, p.slug, p.title, p.excerpt, p.status, p.published_at, p.created_at, p.updated_at, p.author_id,
  p.featured_image_url, p.featured_image_alt, p.source_url, p.source_name, p.canonical_url, p.comment_status,
  p.word_count, p.reading_time_minutes, p.comment_count`

// The live condition: published (scheduled posts are stored as published with a future
// published_at) and published_at has passed. Matches the (status, published_at, id) index.
const LIVE = "p.status = 'published' AND p.published_at <= ?"

function visibilityClause (f: PostFilter): { sql: string, params: unknown[] } {
  switch (f.visibility) {
    case 'public': return { sql: LIVE, params: [f.now] }
    case 'scheduled': return { sql: "p.status = 'published' AND p.published_at > ?", params: [f.now] }
    case 'draft': return { sql: "p.status = 'draft'", params: [] }
    case 'archived': return { sql: "p.status = 'archived'", params: [] }
    case 'any': return { sql: '1 = 1', params: [] }
  }
}

/** All database access for posts and their taxonomy links. */
export function createPostsRepository (db: Db) {
  const client = db.$client
  const prepare = createStatementCache(client)

  // Two ways to filter by category or tag. `exists` walks posts in the requested order and
  // checks each one's links: a page of a common category is found after a few dozen posts,
  // but a rare one makes it walk the whole table (70 ms at 100,000 posts). `in` reads the
  // category's posts from the link index and sorts them: cheap when they are few, and always
  // the better way to count. `list` picks one from the counts.
  type Membership = 'exists' | 'in'
  // The ids are one JSON parameter, so the SQL text (and the cached statement) is the same
  // whatever the list's length.
  function linkClause (table: 'post_categories' | 'post_tags', column: string, how: Membership): string {
    return how === 'in'
      ? `p.id IN (SELECT post_id FROM ${table} WHERE ${column} ${IN_ID_LIST})`
      : `EXISTS (SELECT 1 FROM ${table} l WHERE l.post_id = p.id AND l.${column} ${IN_ID_LIST})`
  }

  function whereOf (f: PostFilter, how: Membership): { sql: string, params: unknown[] } {
    const parts: string[] = []
    const params: unknown[] = []
    const vis = visibilityClause(f)
    parts.push(vis.sql)
    params.push(...vis.params)
    if (f.categoryIds !== undefined) {
      parts.push(linkClause('post_categories', 'category_id', how))
      params.push(idList(f.categoryIds))
    }
    if (f.tagIds !== undefined) {
      parts.push(linkClause('post_tags', 'tag_id', how))
      params.push(idList(f.tagIds))
    }
    if (f.authorId !== undefined) {
      parts.push('p.author_id = ?')
      params.push(f.authorId)
    }
    if (f.publishedAfter !== undefined) {
      parts.push('p.published_at > ?')
      params.push(f.publishedAfter)
    }
    if (f.publishedBefore !== undefined) {
      parts.push('p.published_at < ?')
      params.push(f.publishedBefore)
    }
    return { sql: parts.join(' AND '), params }
  }

  // Keyset condition for "after this row" in the given order; NULLs (drafts without a
  // date) sort last in descending and first in ascending order, as SQLite orders them.
  function afterClause (spec: SortSpec, value: CursorValue, id: number): { sql: string, params: unknown[] } {
    const c = spec.column
    const cmp = spec.desc ? '<' : '>'
    if (value === null) {
      return spec.desc
        ? { sql: `(${c} IS NULL AND p.id ${cmp} ?)`, params: [id] }
        : { sql: `((${c} IS NULL AND p.id ${cmp} ?) OR ${c} IS NOT NULL)`, params: [id] }
    }
    const nulls = spec.desc ? ` OR ${c} IS NULL` : ''
    return { sql: `(${c} ${cmp} ? OR (${c} = ? AND p.id ${cmp} ?)${nulls})`, params: [value, value, id] }
  }

  return {
    /** Counts the posts matching a filter. */
    count (f: PostFilter): number {
      const w = whereOf(f, 'in')
      return prepare(`SELECT count(*) FROM posts p WHERE ${w.sql}`).pluck().get(...w.params) as number
    },

    /**
     * One page of posts in the given order, by offset or after a keyset position. `total` (the
     * count of the filter) and `corpus` (of the same visibility without it), when known, pick
     * how a category or tag filter is read: sorting its M posts costs about 4 row reads each,
     * walking the N posts in order about (offset + limit) · N / M index steps.
     */
    list (f: PostFilter, opts: { sort: Exclude<PostSort, 'relevance'>, limit: number, offset?: number, after?: { value: CursorValue, id: number }, withContent: boolean, total?: number, corpus?: number }): PostRow[] {
      const few = opts.total !== undefined && opts.corpus !== undefined && 4 * opts.total * opts.total < ((opts.offset ?? 0) + opts.limit) * opts.corpus
      const w = whereOf(f, few ? 'in' : 'exists')
      const params = [...w.params]
      let where = w.sql
      const columns = LIST_COLUMNS + (opts.withContent ? ', p.content_html' : '')
      const spec = SORT_SPECS[opts.sort]
      const dir = spec.desc ? 'DESC' : 'ASC'
      const order = `${spec.column} ${dir}, p.id ${dir}`
      if (opts.after !== undefined) {
        const a = afterClause(spec, opts.after.value, opts.after.id)
        where += ` AND ${a.sql}`
        params.push(...a.params)
      }
      const sqlText = `SELECT ${columns} FROM posts p WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`
      return prepare(sqlText).all(...params, opts.limit, opts.offset ?? 0) as PostRow[]
    },

    /** A post by id or slug, with its body, if the visibility allows it. */
    findByRef (ref: { id?: number, slug?: string }, visibility: Visibility, now: number): PostRow | undefined {
      const vis = visibilityClause({ visibility, now })
      const key = ref.id !== undefined ? 'p.id = ?' : 'p.slug = ?'
      return prepare(`SELECT ${LIST_COLUMNS}, p.content_html FROM posts p WHERE ${key} AND ${vis.sql}`)
        .get(ref.id ?? ref.slug, ...vis.params) as PostRow | undefined
    },

    /** Primary-first categories of the given posts. */
    categoriesOf (postIds: number[]): TermRow[] {
      if (postIds.length === 0) return []
      return prepare(`SELECT pc.post_id, c.id, c.slug, c.name FROM post_categories pc JOIN categories c ON c.id = pc.category_id
        WHERE pc.post_id ${IN_ID_LIST} ORDER BY pc.post_id, pc.position, c.id`).all(idList(postIds)) as TermRow[]
    },

    tagsOf (postIds: number[]): TermRow[] {
      if (postIds.length === 0) return []
      return prepare(`SELECT pt.post_id, t.id, t.slug, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
        WHERE pt.post_id ${IN_ID_LIST} ORDER BY pt.post_id, pt.position, t.id`).all(idList(postIds)) as TermRow[]
    },

    authorsOf (authorIds: number[]): AuthorRefRow[] {
      if (authorIds.length === 0) return []
      return prepare(`SELECT id, slug, name, avatar_url FROM authors WHERE id ${IN_ID_LIST}`).all(idList(authorIds)) as AuthorRefRow[]
    },

    /** How many prepared statements the repository keeps (bounded; for tests). */
    get statementCount (): number {
      return prepare.size
    }
  }
}

export type PostsRepository = ReturnType<typeof createPostsRepository>

export interface PostWriteRow {
  slug: string
  title: string
  excerpt: string
  content_html: string
  content_text: string
  status: 'draft' | 'published' | 'archived'
  published_at: number | null
  author_id: number
  featured_image_url: string | null
  featured_image_alt: string | null
  source_url: string | null
  source_name: string | null
  canonical_url: string | null
  comment_status: 'open' | 'closed'
  sticky: number
  word_count: number
  reading_time_minutes: number
  import_key: string | null
}

/** Writes to posts and their links; callers run them inside a transaction. */
export function createPostsWriter (db: Db) {
  const client = db.$client
  // Links are changed one by one, only where they differ: each added or removed link makes the
  // search triggers index the post again (its facets changed), a moved position does not.
  const upsertCat = client.prepare('INSERT INTO post_categories (post_id, category_id, position) VALUES (?, ?, ?) ON CONFLICT (post_id, category_id) DO UPDATE SET position = excluded.position')
  const upsertTag = client.prepare('INSERT INTO post_tags (post_id, tag_id, position) VALUES (?, ?, ?) ON CONFLICT (post_id, tag_id) DO UPDATE SET position = excluded.position')
  const dropCat = client.prepare('DELETE FROM post_categories WHERE post_id = ? AND category_id = ?')
  const dropTag = client.prepare('DELETE FROM post_tags WHERE post_id = ? AND tag_id = ?')
  const categoryIdsOf = client.prepare('SELECT category_id FROM post_categories WHERE post_id = ? ORDER BY position').pluck()
  const tagIdsOf = client.prepare('SELECT tag_id FROM post_tags WHERE post_id = ? ORDER BY position').pluck()
  function setLinks (postId: number, ids: number[], current: number[], drop: typeof dropCat, upsert: typeof upsertCat): void {
    if (current.length === ids.length && current.every((id, i) => id === ids[i])) return
    for (const id of current) if (!ids.includes(id)) drop.run(postId, id)
    ids.forEach((id, i) => { if (current[i] !== id) upsert.run(postId, id, i) })
  }
  return {
    slugTaken: client.prepare('SELECT 1 FROM posts WHERE slug = ? AND id IS NOT ?').pluck(),
    raw: client.prepare('SELECT * FROM posts WHERE id = ?'),
    byImportKey: client.prepare('SELECT * FROM posts WHERE import_key = ?'),
    /** The id the next post will get (posts ids are AUTOINCREMENT: never reused). */
    nextId: client.prepare("SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'posts'), 0), coalesce((SELECT max(id) FROM posts), 0)) + 1").pluck(),
    insert: client.prepare(`INSERT INTO posts (id, slug, title, excerpt, content_html, content_text, status, published_at, author_id,
      featured_image_url, featured_image_alt, source_url, source_name, canonical_url, comment_status, sticky, word_count,
      reading_time_minutes, import_key, created_at, updated_at)
      VALUES (@id, @slug, @title, @excerpt, @content_html, @content_text, @status, @published_at, @author_id, @featured_image_url,
      @featured_image_alt, @source_url, @source_name, @canonical_url, @comment_status, @sticky, @word_count,
      @reading_time_minutes, @import_key, @created_at, @updated_at) RETURNING id`).pluck(),
    update: client.prepare(`UPDATE posts SET slug = @slug, title = @title, excerpt = @excerpt, content_html = @content_html,
      content_text = @content_text, status = @status, published_at = @published_at, author_id = @author_id,
      featured_image_url = @featured_image_url, featured_image_alt = @featured_image_alt, source_url = @source_url,
      source_name = @source_name, canonical_url = @canonical_url, comment_status = @comment_status, sticky = @sticky,
      word_count = @word_count, reading_time_minutes = @reading_time_minutes, import_key = @import_key, updated_at = @updated_at
      WHERE id = @id`),
    touch: client.prepare('UPDATE posts SET updated_at = ? WHERE id = ?'),
    remove: client.prepare('DELETE FROM posts WHERE id = ?'),
    categoryIdsOf,
    tagIdsOf,
    setCategories (postId: number, ids: number[]): void {
      setLinks(postId, ids, categoryIdsOf.all(postId) as number[], dropCat, upsertCat)
    },
    setTags (postId: number, ids: number[]): void {
      setLinks(postId, ids, tagIdsOf.all(postId) as number[], dropTag, upsertTag)
    }
  }
}
