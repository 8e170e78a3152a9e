import type { Db } from '../../db/client.js'
import type { Writer } from '../../db/write.js'
import type { PostLinks, PostState } from '../../db/change-bus.js'
import { FieldError, NotFound, SlugConflict, Unprocessable } from '../../errors.js'
import { slugify, uniqueSlug } from '../../lib/slugify.js'
import { sanitizePostHtml } from '../../lib/sanitize.js'
import { countWords, htmlToText, makeExcerpt, readingTimeMinutes } from '../../lib/text.js'
import { createPostsWriter, type PostRecord, type PostValues } from './posts-repository.js'
import { checkPostSeo, createPostSeoRepository, hasSeo } from './posts-seo.js'
import type { SeoFields } from '../../lib/seo.js'

export { touchPosts } from './posts-repository.js'

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
  /** SEO and social fields (posts-seo.ts); null clears one. */
  meta_title?: string | null
  meta_description?: string | null
  og_title?: string | null
  og_description?: string | null
  og_image?: string | null
  twitter_title?: string | null
  twitter_description?: string | null
  twitter_image?: string | null
  noindex?: SeoFields['noindex']
  /** Importers only: identity of the imported item and WordPress's sticky flag. */
  import_key?: string | null
  sticky?: boolean
}

export function stateOf (row: Pick<PostRecord, 'slug' | 'status' | 'publishedAt'>): PostState {
  return { slug: row.slug, status: row.status, publishedAt: row.publishedAt }
}

/**
 * Creating, changing and deleting posts. Every call is one transaction that also writes the
 * post's links, the change log and the webhook queue (through the change bus).
 */
export function createPostsWriteService (db: Db, write: Writer, opts: { iframeHosts: string[] }) {
  const w = createPostsWriter(db)
  const seo = createPostSeoRepository(db)

  function checkRefs (input: PostInput): void {
    const errors: Array<{ in: string, path: string, message: string }> = []
    if (input.author_id !== undefined && !w.authorExists(input.author_id)) {
      errors.push({ in: 'body', path: 'author_id', message: `author ${input.author_id} does not exist` })
    }
    input.category_ids?.forEach((id, i) => {
      if (!w.categoryExists(id)) errors.push({ in: 'body', path: `category_ids.${i}`, message: `category ${id} does not exist` })
    })
    input.tag_ids?.forEach((id, i) => {
      if (!w.tagExists(id)) errors.push({ in: 'body', path: `tag_ids.${i}`, message: `tag ${id} does not exist` })
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
  function resolveStatus (status: PostInput['status'], publishedAt: number | null, now: number): Pick<PostRecord, 'status' | 'publishedAt'> {
    switch (status) {
      case 'scheduled':
        if (publishedAt === null || publishedAt <= now) {
          throw new FieldError([{ in: 'body', path: 'published_at', message: 'a scheduled post needs a published_at in the future' }], 422)
        }
        return { status: 'published', publishedAt }
      case 'published':
        return { status: 'published', publishedAt: publishedAt ?? now }
      case 'archived':
      case 'draft':
      case undefined:
        return { status: status ?? 'draft', publishedAt }
    }
  }

  function body (html: string) {
    const contentHtml = sanitizePostHtml(html, { iframeHosts: opts.iframeHosts })
    const contentText = htmlToText(contentHtml)
    const wordCount = countWords(contentText)
    return { contentHtml, contentText, wordCount, readingTimeMinutes: readingTimeMinutes(wordCount) }
  }

  function pickSlug (explicit: string | undefined, title: string, id = 0): string {
    if (explicit !== undefined) {
      if (w.slugTaken(explicit, id)) throw new SlugConflict('post', explicit)
      return explicit
    }
    return uniqueSlug(slugify(title, 'post'), (s) => w.slugTaken(s, id))
  }

  function load (id: number): PostRecord {
    const row = w.load(id)
    if (row === undefined) throw new NotFound('Post', String(id))
    return row
  }

  function linksOf (row: PostRecord): PostLinks {
    return { authorId: row.authorId, categoryIds: w.categoryIdsOf(row.id), tagIds: w.tagIdsOf(row.id) }
  }

  return {
    create (input: PostInput & { title: string, author_id: number }): number {
      checkRefs(input)
      checkPostSeo(input)
      return write((emit, now) => {
        const existing = input.import_key ? w.byImportKey(input.import_key) : undefined
        if (existing) throw new Unprocessable(`an imported post with key ${input.import_key} already exists`)
        const published = parseTime(input.published_at, 'published_at') ?? null
        const b = body(input.content_html ?? '')
        const state = resolveStatus(input.status, published, now)
        const row: PostValues & { createdAt: number } = {
          slug: pickSlug(input.slug, input.title),
          title: input.title,
          excerpt: input.excerpt ? input.excerpt : makeExcerpt(b.contentHtml),
          ...b,
          ...state,
          authorId: input.author_id,
          featuredImageUrl: input.featured_image?.url ?? null,
          featuredImageAlt: input.featured_image ? (input.featured_image.alt ?? '') : null,
          sourceUrl: input.source?.url ?? null,
          sourceName: input.source?.name ?? null,
          canonicalUrl: input.canonical_url ?? null,
          commentStatus: input.comment_status ?? 'open',
          sticky: input.sticky === true,
          importKey: input.import_key ?? null,
          createdAt: now,
          updatedAt: now
        }
        // Links first, then the post: the search triggers then index the new post once, with its
        // categories and tags, instead of once more for every link. checkRefs has vouched for
        // the links' foreign keys, which are checked at commit.
        w.deferForeignKeys()
        const id = w.nextId()
        w.setCategories(id, input.category_ids ?? [])
        w.setTags(id, input.tag_ids ?? [])
        w.insert(id, row)
        if (hasSeo(input)) seo.save(id, input)
        const links = { authorId: row.authorId, categoryIds: input.category_ids ?? [], tagIds: input.tag_ids ?? [] }
        emit({ kind: 'post', id, before: null, after: stateOf({ slug: row.slug, ...state }), links: { before: null, after: links } })
        return id
      })
    },

    update (id: number, input: PostInput): void {
      checkRefs(input)
      checkPostSeo(input)
      write((emit, now) => {
        const old = load(id)
        const oldLinks = linksOf(old)
        const next: PostRecord = { ...old }
        if (input.title !== undefined) next.title = input.title
        if (input.slug !== undefined && input.slug !== old.slug) next.slug = pickSlug(input.slug, next.title, id)
        if (input.content_html !== undefined) Object.assign(next, body(input.content_html))
        if (input.excerpt !== undefined && input.excerpt !== null && input.excerpt !== '') {
          next.excerpt = input.excerpt
        } else if (input.excerpt !== undefined || (input.content_html !== undefined && old.excerpt === makeExcerpt(old.contentHtml))) {
          // Cleared, or derived before and the body changed: derive it again.
          next.excerpt = makeExcerpt(next.contentHtml)
        }
        const published = parseTime(input.published_at, 'published_at')
        const publishedAt = published === undefined ? old.publishedAt : published
        if (input.status !== undefined) {
          Object.assign(next, resolveStatus(input.status, publishedAt, now))
        } else if (published !== undefined) {
          next.publishedAt = published
          if (old.status === 'published' && published === null) {
            throw new FieldError([{ in: 'body', path: 'published_at', message: 'a published post needs a published_at' }], 422)
          }
        }
        if (input.author_id !== undefined) next.authorId = input.author_id
        if (input.featured_image !== undefined) {
          next.featuredImageUrl = input.featured_image?.url ?? null
          next.featuredImageAlt = input.featured_image ? (input.featured_image.alt ?? '') : null
        }
        if (input.source !== undefined) {
          next.sourceUrl = input.source?.url ?? null
          next.sourceName = input.source?.name ?? null
        }
        if (input.canonical_url !== undefined) next.canonicalUrl = input.canonical_url
        if (input.comment_status !== undefined) next.commentStatus = input.comment_status
        if (input.sticky !== undefined) next.sticky = input.sticky
        if (input.import_key !== undefined) next.importKey = input.import_key
        next.updatedAt = now
        // Every column but the id, created_at and comment_count (kept by the comments service).
        const { id: _id, createdAt: _created, commentCount: _comments, ...values } = next
        w.update(id, values)
        if (hasSeo(input)) seo.save(id, input)
        if (input.category_ids !== undefined) w.setCategories(id, input.category_ids)
        if (input.tag_ids !== undefined) w.setTags(id, input.tag_ids)
        const links = { authorId: next.authorId, categoryIds: input.category_ids ?? oldLinks.categoryIds, tagIds: input.tag_ids ?? oldLinks.tagIds }
        emit({ kind: 'post', id, before: stateOf(old), after: stateOf(next), links: { before: oldLinks, after: links } })
      })
    },

    remove (id: number): void {
      write((emit) => {
        const old = load(id)
        const oldLinks = linksOf(old)
        w.remove(id)
        emit({ kind: 'post', id, before: stateOf(old), after: null, links: { before: oldLinks, after: null } })
      })
    },

    /** The post id for an importer's key, if it was imported before. */
    findByImportKey (key: string): number | undefined {
      return w.byImportKey(key)?.id
    }
  }
}
export type PostsWriteService = ReturnType<typeof createPostsWriteService>
