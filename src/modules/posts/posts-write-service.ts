import type { Db } from '../../db/client.js'
import type { Emit, Writer } from '../../db/write.js'
import type { PostLinks, PostState } from '../../db/change-bus.js'
import { FieldError, NotFound, SlugConflict, Unprocessable } from '../../errors.js'
import { slugify, uniqueSlug } from '../../lib/slugify.js'
import { sanitizePostHtml } from '../../lib/sanitize.js'
import { countWords, htmlToText, makeExcerpt, readingTimeMinutes } from '../../lib/text.js'
import { createPostsWriter, type PostWriteRow } from './posts-repository.js'

export interface PostInput {
  title?: string
  slug?: string
  excerpt?: string | null
  content_html?: string
  status?: 'draft' | 'scheduled' | 'published' | 'archived'
  published_at?: string | null
  author_id?: number
  category_ids?: number[]
  tag_ids?: number[]
  featured_image?: { url: string, alt?: string } | null
  source?: { url: string, name: string } | null
  canonical_url?: string | null
  comment_status?: 'open' | 'closed'
  /** Importers only: identity of the imported item and WordPress's sticky flag. */
  import_key?: string | null
  sticky?: boolean
}

interface StoredPost extends PostWriteRow { id: number, created_at: number, updated_at: number }

const stateStatements = new WeakMap<Db, ReturnType<Db['$client']['prepare']>>()

/**
 * Tells the change bus that posts changed without their own row changing (a category they
 * embed was renamed, say), so the change log and webhooks report them as updated.
 */
export function touchPosts (db: Db, emit: Emit, ids: number[]): void {
  let stmt = stateStatements.get(db)
  if (stmt === undefined) {
    stmt = db.$client.prepare('SELECT slug, status, published_at FROM posts WHERE id = ?')
    stateStatements.set(db, stmt)
  }
  for (const id of ids) {
    const row = stmt.get(id) as Pick<StoredPost, 'slug' | 'status' | 'published_at'> | undefined
    if (row) emit({ kind: 'post', id, before: stateOf(row), after: stateOf(row) })
  }
}

export function stateOf (row: Pick<StoredPost, 'slug' | 'status' | 'published_at'>): PostState {
  return { slug: row.slug, status: row.status, publishedAt: row.published_at }
}

/**
 * Creating, changing and deleting posts. Every call is one transaction that also writes the
 * post's links, the change log and the webhook queue (through the change bus).
 */
export function createPostsWriteService (db: Db, write: Writer, opts: { iframeHosts: string[] }) {
  const w = createPostsWriter(db)
  const authorExists = db.$client.prepare('SELECT 1 FROM authors WHERE id = ?').pluck()
  const categoryExists = db.$client.prepare('SELECT 1 FROM categories WHERE id = ?').pluck()
  const tagExists = db.$client.prepare('SELECT 1 FROM tags WHERE id = ?').pluck()

  function checkRefs (input: PostInput): void {
    const errors: Array<{ in: string, path: string, message: string }> = []
    if (input.author_id !== undefined && !authorExists.get(input.author_id)) {
      errors.push({ in: 'body', path: 'author_id', message: `author ${input.author_id} does not exist` })
    }
    input.category_ids?.forEach((id, i) => {
      if (!categoryExists.get(id)) errors.push({ in: 'body', path: `category_ids.${i}`, message: `category ${id} does not exist` })
    })
    input.tag_ids?.forEach((id, i) => {
      if (!tagExists.get(id)) errors.push({ in: 'body', path: `tag_ids.${i}`, message: `tag ${id} does not exist` })
    })
    if (errors.length > 0) throw new FieldError(errors, 422)
  }

  function parseTime (value: string | null | undefined, path: string): number | null | undefined {
    if (value === undefined || value === null) return value
    const ms = Date.parse(value)
    if (!Number.isFinite(ms)) throw new FieldError([{ in: 'body', path, message: 'must be an ISO 8601 date-time' }])
    return ms
  }

  // Scheduled posts are stored as published with a future date: they go live by themselves.
  function resolveStatus (status: PostInput['status'], publishedAt: number | null, now: number): { status: PostWriteRow['status'], published_at: number | null } {
    switch (status) {
      case 'scheduled':
        if (publishedAt === null || publishedAt <= now) {
          throw new FieldError([{ in: 'body', path: 'published_at', message: 'a scheduled post needs a published_at in the future' }], 422)
        }
        return { status: 'published', published_at: publishedAt }
      case 'published':
        return { status: 'published', published_at: publishedAt ?? now }
      case 'archived':
      case 'draft':
      case undefined:
        return { status: status ?? 'draft', published_at: publishedAt }
    }
  }

  function body (html: string) {
    const content = sanitizePostHtml(html, { iframeHosts: opts.iframeHosts })
    const text = htmlToText(content)
    const words = countWords(text)
    return { content_html: content, content_text: text, word_count: words, reading_time_minutes: readingTimeMinutes(words) }
  }

  function pickSlug (explicit: string | undefined, title: string, id: number | null): string {
    if (explicit !== undefined) {
      if (w.slugTaken.get(explicit, id)) throw new SlugConflict('post', explicit)
      return explicit
    }
    return uniqueSlug(slugify(title, 'post'), (s) => Boolean(w.slugTaken.get(s, id)))
  }

  function load (id: number): StoredPost {
    const row = w.raw.get(id) as StoredPost | undefined
    if (row === undefined) throw new NotFound('Post', String(id))
    return row
  }

  function linksOf (row: StoredPost): PostLinks {
    return { authorId: row.author_id, categoryIds: w.categoryIdsOf.all(row.id) as number[], tagIds: w.tagIdsOf.all(row.id) as number[] }
  }

  return {
    create (input: PostInput & { title: string, author_id: number }): number {
      checkRefs(input)
      return write((emit, now) => {
        const existing = input.import_key ? w.byImportKey.get(input.import_key) as StoredPost | undefined : undefined
        if (existing) throw new Unprocessable(`an imported post with key ${input.import_key} already exists`)
        const published = parseTime(input.published_at, 'published_at') ?? null
        const b = body(input.content_html ?? '')
        const row: PostWriteRow & { created_at: number, updated_at: number } = {
          slug: pickSlug(input.slug, input.title, null),
          title: input.title,
          excerpt: input.excerpt ? input.excerpt : makeExcerpt(b.content_html),
          ...b,
          ...resolveStatus(input.status, published, now),
          author_id: input.author_id,
          featured_image_url: input.featured_image?.url ?? null,
          featured_image_alt: input.featured_image ? (input.featured_image.alt ?? '') : null,
          source_url: input.source?.url ?? null,
          source_name: input.source?.name ?? null,
          canonical_url: input.canonical_url ?? null,
          comment_status: input.comment_status ?? 'open',
          sticky: input.sticky ? 1 : 0,
          import_key: input.import_key ?? null,
          created_at: now,
          updated_at: now
        }
        // Links first, then the post: the search triggers then index the new post once, with its
        // categories and tags, instead of once more for every link. The links' foreign keys are
        // checked at commit (the pragma ends with the transaction); checkRefs has vouched for them.
        db.$client.pragma('defer_foreign_keys = ON')
        const id = w.nextId.get() as number
        w.setCategories(id, input.category_ids ?? [])
        w.setTags(id, input.tag_ids ?? [])
        w.insert.get({ ...row, id })
        const links = { authorId: row.author_id, categoryIds: input.category_ids ?? [], tagIds: input.tag_ids ?? [] }
        emit({ kind: 'post', id, before: null, after: stateOf(row), links: { before: null, after: links } })
        return id
      })
    },

    update (id: number, input: PostInput): void {
      checkRefs(input)
      write((emit, now) => {
        const old = load(id)
        const oldLinks = linksOf(old)
        const next: StoredPost = { ...old }
        if (input.title !== undefined) next.title = input.title
        if (input.slug !== undefined && input.slug !== old.slug) next.slug = pickSlug(input.slug, next.title, id)
        if (input.content_html !== undefined) Object.assign(next, body(input.content_html))
        if (input.excerpt !== undefined && input.excerpt !== null && input.excerpt !== '') {
          next.excerpt = input.excerpt
        } else if (input.excerpt !== undefined || (input.content_html !== undefined && old.excerpt === makeExcerpt(old.content_html))) {
          // Cleared, or derived before and the body changed: derive it again.
          next.excerpt = makeExcerpt(next.content_html)
        }
        const published = parseTime(input.published_at, 'published_at')
        const publishedAt = published === undefined ? old.published_at : published
        if (input.status !== undefined) {
          Object.assign(next, resolveStatus(input.status, publishedAt, now))
        } else if (published !== undefined) {
          next.published_at = published
          if (old.status === 'published' && published === null) {
            throw new FieldError([{ in: 'body', path: 'published_at', message: 'a published post needs a published_at' }], 422)
          }
        }
        if (input.author_id !== undefined) next.author_id = input.author_id
        if (input.featured_image !== undefined) {
          next.featured_image_url = input.featured_image?.url ?? null
          next.featured_image_alt = input.featured_image ? (input.featured_image.alt ?? '') : null
        }
        if (input.source !== undefined) {
          next.source_url = input.source?.url ?? null
          next.source_name = input.source?.name ?? null
        }
        if (input.canonical_url !== undefined) next.canonical_url = input.canonical_url
        if (input.comment_status !== undefined) next.comment_status = input.comment_status
        if (input.sticky !== undefined) next.sticky = input.sticky ? 1 : 0
        if (input.import_key !== undefined) next.import_key = input.import_key
        next.updated_at = now
        w.update.run(next)
        if (input.category_ids !== undefined) w.setCategories(id, input.category_ids)
        if (input.tag_ids !== undefined) w.setTags(id, input.tag_ids)
        const links = { authorId: next.author_id, categoryIds: input.category_ids ?? oldLinks.categoryIds, tagIds: input.tag_ids ?? oldLinks.tagIds }
        emit({ kind: 'post', id, before: stateOf(old), after: stateOf(next), links: { before: oldLinks, after: links } })
      })
    },

    remove (id: number): void {
      write((emit) => {
        const old = load(id)
        const oldLinks = linksOf(old)
        w.remove.run(id)
        emit({ kind: 'post', id, before: stateOf(old), after: null, links: { before: oldLinks, after: null } })
      })
    },

    /** The post id for an importer's key, if it was imported before. */
    findByImportKey (key: string): number | undefined {
      return (w.byImportKey.get(key) as StoredPost | undefined)?.id
    }
  }
}
export type PostsWriteService = ReturnType<typeof createPostsWriteService>
