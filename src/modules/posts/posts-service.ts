import { NotFound, FieldError, InvalidCursor } from '../../errors.js'
import { parseRef, type Ref } from '../../lib/refs.js'
import { decodeCursor, encodeCursor } from '../../lib/cursor.js'
import { pageOf } from '../../lib/pagination.js'
import { relationsOf as loadRelations, toPost, type PostRelations } from './posts-mapper.js'
import { SORT_SPECS, type PostFilter, type PostRow, type PostsRepository, type Visibility } from './posts-repository.js'
import type { TermScope } from '../../db/term-visibility.js'
import { POST_FIELDS, type ListPostsQueryType, type PostField, type PostSort } from './posts-schemas.js'
import type { SearchEngine, SearchMeta } from '../search/search-service.js'
import { cardHash, type PostDocumentsRepository } from './posts-documents-repository.js'
import type { FeaturedImage } from '../media/media-schemas.js'
import { withSeo, type PostSeoRepository } from './posts-seo.js'
import { parseFields as parseSparseFields } from '../../schemas/fields.js'
import { memberHash, withLastMember } from '../../lib/stored-json.js'
import { snippetHtml } from '../../lib/fts-query.js'

/** One page of a post list: the posts as the API shows them and where the page stands. */
export interface ListResult {
  data: Array<Record<string, unknown>>
  /** The ids of the posts in `data`, in order (sparse fields may leave `id` out of data): their cache keys. */
  ids: number[]
  /** The page number; null when paging by cursor. */
  page: number | null
  perPage: number
  total: number
  nextCursor: string | null
  /** With q: how the answer was bounded. */
  search?: SearchMeta
}

/** A list page from stored cards: each post's card as UTF-8 bytes (or, without a current one, its card built from the rows). */
export interface ListJson extends Omit<ListResult, 'data'> {
  /** The posts' cards, in page order. */
  cards: Buffer[]
  /** Each card's hash (cardHash: the SHA-1 of its bytes), in page order. */
  hashes: string[]
}

/** The stored documents the public reads use (posts-documents.ts), and the fingerprint they must carry. */
export interface PostDocumentReads {
  repo: Pick<PostDocumentsRepository, 'storedCards' | 'liveFull'>
  fingerprint: string
}

/** A kind of term a post filter may name (by id or slug), as the reader's scope may see it. */
interface TermLookup { findByRef (ref: Ref, scope: TermScope): { id: number } | undefined }

/** What the post reads need: the posts, and the terms their filters name. */
export interface PostsServiceRepos {
  posts: PostsRepository
  categories: TermLookup & { withDescendants (id: number): number[] }
  tags: TermLookup
  authors: TermLookup
  /** Featured images from the media library (media-embed.ts). */
  featured?: { imagesFor (postIds: number[]): Map<number, FeaturedImage>, bodies (html: Array<string | undefined>): (html: string) => string }
  /** The SEO fields single public reads show (as the stored full document has them). */
  postSeo?: Pick<PostSeoRepository, 'get'>
}

function parseFields (text: string | undefined): Set<PostField> | undefined {
  return parseSparseFields(text, POST_FIELDS)
}

/** How many public list windows the posts service remembers (a few hundred bytes each). */
const WINDOWS_KEPT = 2000

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i

/** A time filter: an ISO 8601 date-time, or a date alone meaning the start of that day in UTC. */
function parseTime (value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const ms = DATE_ONLY.test(value) ? Date.parse(`${value}T00:00:00Z`) : DATE_TIME.test(value) ? Date.parse(value) : NaN
  if (!Number.isFinite(ms)) throw new FieldError([{ in: 'query', path: name, message: 'must be an ISO 8601 date-time (2026-11-01T12:00:00Z) or a date (2026-11-01, the start of that day in UTC)' }])
  return ms
}

/**
 * Reading posts, over the posts repository, the term repositories (filters by id or slug, with
 * the reader's scope) and the search engine: filters resolved to ids, pages or cursors,
 * relations loaded in three queries.
 */
export function createPostsService (repos: PostsServiceRepos, siteUrl: string, search?: SearchEngine, stamp?: () => string, documents?: PostDocumentReads) {
  // Totals are remembered per filter until the content stamp changes, so a list request does
  // not count the whole table every time (the response cache may be off).
  const counts = new Map<string, { stamp: string, total: number }>()
  function countOf (filter: PostFilter): number {
    if (stamp === undefined) return repos.posts.count(filter)
    const current = stamp()
    const key = JSON.stringify({ ...filter, now: undefined })
    const hit = counts.get(key)
    if (hit !== undefined && hit.stamp === current) return hit.total
    const total = repos.posts.count(filter)
    if (counts.size >= 1000) counts.delete(counts.keys().next().value as string)
    counts.set(key, { stamp: current, total })
    return total
  }

  function relationsOf (rows: PostRow[]): PostRelations {
    return loadRelations(repos.posts, rows, repos.featured)
  }

  /** A post as the single public read shows it, from its rows: as its stored full document. */
  function fullJson (row: PostRow, now: number): string {
    const post = toPost(row, relationsOf([row]), siteUrl, now)
    return JSON.stringify(repos.postSeo === undefined ? post : withSeo(post, repos.postSeo.get(row.id)))
  }

  // A category, tag or author the reader may not see is as unknown as one that does not exist.
  function resolveFilter (query: ListPostsQueryType, visibility: Visibility, now: number, terms: TermScope): PostFilter {
    const filter: PostFilter = { visibility, now }
    if (query.category !== undefined) {
      const ref = parseRef(query.category)
      const cat = ref && repos.categories.findByRef(ref, terms)
      if (!cat) throw new NotFound('Category', JSON.stringify(query.category))
      filter.categoryIds = repos.categories.withDescendants(cat.id)
    }
    if (query.tag !== undefined) {
      const tagIds: number[] = []
      for (const part of query.tag.split(',').map((s) => s.trim()).filter(Boolean)) {
        const ref = parseRef(part)
        const tag = ref && repos.tags.findByRef(ref, terms)
        if (!tag) throw new NotFound('Tag', JSON.stringify(part))
        tagIds.push(tag.id)
      }
      if (tagIds.length === 0) throw new FieldError([{ in: 'query', path: 'tag', message: 'must name at least one tag' }])
      // `tag=1,1,1,…` (or an id and its slug) names one tag: one filter, one remembered count.
      filter.tagIds = [...new Set(tagIds)]
    }
    if (query.author !== undefined) {
      const ref = parseRef(query.author)
      const author = ref && repos.authors.findByRef(ref, terms)
      if (!author) throw new NotFound('Author', JSON.stringify(query.author))
      filter.authorId = author.id
    }
    if (query.featured !== undefined) filter.featured = query.featured === 'true'
    filter.publishedAfter = parseTime(query.published_after, 'published_after')
    filter.publishedBefore = parseTime(query.published_before, 'published_before')
    return filter
  }

  /** The rows of one list page, in order, and where the page stands. */
  /** `keysOnly`: the rows carry only the id and the sort key (the page is sent from stored cards). */
  function pick (query: ListPostsQueryType, visibility: Visibility, now: number, terms: TermScope, fields: Set<PostField> | undefined, keysOnly = false): Omit<ListResult, 'data'> & { rows: PostRow[] } {
    const asked = pageOf(query)
    const { perPage } = asked
    // Newest first unless asked otherwise, with or without q: the order the spec has always
    // given (the schema's default), and the one a search can read in index order.
    const sort: PostSort = query.sort ?? '-published_at'
    if (sort === 'relevance' && query.q === undefined) throw new FieldError([{ in: 'query', path: 'sort', message: 'relevance needs q' }])
    // The search index has no featured facet: a search narrowed by it would have to read every match.
    if (query.q !== undefined && query.featured !== undefined) throw new FieldError([{ in: 'query', path: 'featured', message: 'cannot be combined with q' }])
    const filter = resolveFilter(query, visibility, now, terms)
    let page: number | null = asked.page
    let offset = asked.offset
    let after: { value: string | number | null, id: number } | undefined
    if (query.cursor !== undefined) {
      const c = decodeCursor(query.cursor)
      if (c === null || c.sort !== sort) throw new InvalidCursor()
      if (sort === 'relevance') {
        if (typeof c.value !== 'number' || !Number.isSafeInteger(c.value) || c.value < 0) throw new InvalidCursor()
        offset = c.value
      } else {
        after = { value: c.value, id: c.id }
        offset = 0
      }
      page = null
    }
    const withContent = fields?.has('content_html') ?? false
    let rows: PostRow[]
    let total: number
    let hasMore: boolean
    let searchMeta: SearchMeta | undefined
    if (query.q !== undefined) {
      const found = search?.list(query.q, filter, { sort, limit: perPage, offset, after, withContent, keysOnly }) ?? null
      // Nothing searchable in the text (only punctuation, say): an empty result, not an error.
      if (found === null) return { rows: [], ids: [], page: query.cursor ? null : asked.page, perPage, total: 0, nextCursor: null }
      ;({ rows, total, hasMore } = found)
      searchMeta = found.search
    } else {
      total = countOf(filter)
      // One extra row tells whether a next page exists without another query.
      // An author is a link too (post_authors, co-authors included): a rare one is read from its links.
      const linked = filter.categoryIds !== undefined || filter.tagIds !== undefined || filter.authorId !== undefined
      const corpus = linked ? countOf({ ...filter, categoryIds: undefined, tagIds: undefined, authorId: undefined }) : undefined
      rows = repos.posts.list(filter, { sort: sort as Exclude<PostSort, 'relevance'>, limit: perPage + 1, offset, after, withContent, keysOnly, total, corpus })
      hasMore = rows.length > perPage
      if (hasMore) rows.pop()
    }
    let nextCursor: string | null = null
    if (hasMore && rows.length > 0) {
      const last = rows[rows.length - 1]
      nextCursor = sort === 'relevance'
        ? encodeCursor({ sort, value: offset + rows.length, id: last.id })
        : encodeCursor({ sort, value: SORT_SPECS[sort].cursorOf(last), id: last.id })
    }
    return { rows, ids: rows.map((r) => r.id), page, perPage, total, nextCursor, ...(searchMeta ? { search: searchMeta } : {}) }
  }

  // The id window of a public page in publication order (its ids, sort keys, total and next
  // cursor), remembered per query until the membership stamp moves: the same keys
  // (posts, featured, categories, tags, authors) that drop such a page from the response cache
  // (postListKeys), so it is exactly as fresh as a cached response would be. A scheduled post
  // going live invalidates `posts` at its time, so the window does not depend on `now`. What
  // the page shows of each post (its card) is still read every time. Other orders move with a
  // post's text or update time (post-edits), which this stamp does not follow: not remembered.
  const windows = new Map<string, { stamp: string, window: ReturnType<typeof pick> }>()
  function windowOf (query: ListPostsQueryType, now: number, terms: TermScope): ReturnType<typeof pick> {
    const sort = query.sort ?? '-published_at'
    if (stamp === undefined || (sort !== '-published_at' && sort !== 'published_at')) return pick(query, 'public', now, terms, undefined, true)
    const current = stamp()
    const key = JSON.stringify([terms, sort, query.category, query.tag, query.author, query.featured, query.published_after, query.published_before, query.page, query.per_page, query.cursor])
    const hit = windows.get(key)
    if (hit !== undefined && hit.stamp === current) return hit.window
    const window = pick(query, 'public', now, terms, undefined, true)
    windows.delete(key)
    if (windows.size >= WINDOWS_KEPT) windows.delete(windows.keys().next().value as string)
    windows.set(key, { stamp: current, window })
    return window
  }

  return {
    relationsOf,

    /** `terms`: which categories, tags and authors the filters may name (public ones unless the key sees all). */
    list (query: ListPostsQueryType, visibility: Visibility, now = Date.now(), terms: TermScope = visibility === 'public' ? 'public' : 'all'): ListResult {
      const fields = parseFields(query.fields)
      const { rows, ...rest } = pick(query, visibility, now, terms, fields)
      const rel = relationsOf(rows)
      return { data: rows.map((r) => toPost(r, rel, siteUrl, now, fields) as Record<string, unknown>), ...rest }
    },

    /**
     * A public list page or search (no `fields`) from the stored cards; a post without a
     * current card is built from its rows; a search's snippet is added to the card's end, where
     * the serializer puts it. Null when only the rows can answer it (drafts, sparse fields):
     * call `list`.
     */
    listJson (query: ListPostsQueryType, visibility: Visibility, now = Date.now(), terms: TermScope = visibility === 'public' ? 'public' : 'all'): ListJson | null {
      if (documents === undefined || visibility !== 'public' || query.fields !== undefined) return null
      // A search's next cursor in title or update order needs those values of its last row.
      if (query.q !== undefined && (query.sort === 'title' || query.sort === '-updated_at')) return null
      const { rows: keys, ...rest } = query.q === undefined ? windowOf(query, now, terms) : pick(query, 'public', now, terms, undefined, true)
      const { cards, hashes } = documents.repo.storedCards(rest.ids, documents.fingerprint)
      const missingIds = rest.ids.filter((_, i) => cards[i] === undefined)
      if (missingIds.length > 0) {
        // Posts without a current card (not rebuilt yet): built from their full list rows.
        const missing = repos.posts.rowsOf(missingIds, false)
        const rel = relationsOf(missing)
        for (const r of missing) {
          const card = Buffer.from(JSON.stringify(toPost(r, rel, siteUrl, now)))
          const i = rest.ids.indexOf(r.id)
          cards[i] = card
          hashes[i] = cardHash(card)
        }
      }
      if (query.q !== undefined) {
        for (let i = 0; i < keys.length; i++) {
          const snippet = keys[i].snippet
          if (snippet === undefined) continue
          const value = JSON.stringify(snippetHtml(snippet))
          cards[i] = withLastMember(cards[i] as Buffer, 'snippet', value)
          hashes[i] = memberHash(hashes[i] as string, 'snippet', value)
        }
      }
      return { cards: cards as Buffer[], hashes: hashes as string[], ...rest }
    },

    /**
     * The ids of a public page in publication order (newest first unless asked), as `listJson`
     * finds them (remembered until the membership stamp moves); unknown terms are a NotFound.
     */
    window (query: Pick<ListPostsQueryType, 'category' | 'tag' | 'author' | 'per_page' | 'sort'>, now = Date.now()): number[] {
      return windowOf(query, now, 'public').ids
    },

    /** A public post's JSON text, from its stored document when current, else built from its rows. */
    /**
     * A public read of one live post: the answer's bytes (`{"data":…}`) and, when they are the
     * stored document, its stored hash (the answer's strong validator); from the rows, a string
     * and no hash.
     */
    getPublic (refText: string, now = Date.now()): { id: number, body: Buffer | string, hash: string | null } {
      const ref = parseRef(refText)
      if (documents === undefined) {
        const row = ref && repos.posts.findByRef(ref, 'public', now)
        if (!row) throw new NotFound('Post', JSON.stringify(refText))
        return { id: row.id, body: `{"data":${fullJson(row, now)}}`, hash: null }
      }
      const found = ref && documents.repo.liveFull(ref, now, documents.fingerprint)
      if (!found) throw new NotFound('Post', JSON.stringify(refText))
      if (found.body !== null && found.hash !== null) return { id: found.id, body: found.body, hash: found.hash }
      const row = repos.posts.findByRef({ id: found.id }, 'public', now)
      if (!row) throw new NotFound('Post', JSON.stringify(refText))
      return { id: row.id, body: `{"data":${fullJson(row, now)}}`, hash: null }
    },

    get (refText: string, visibility: Visibility, now = Date.now()) {
      const ref = parseRef(refText)
      const row = ref && repos.posts.findByRef(ref, visibility, now)
      if (!row) throw new NotFound('Post', JSON.stringify(refText))
      return toPost(row, relationsOf([row]), siteUrl, now)
    },

    /** The id of the live post for a ref, or a 404 (for nested public resources that need only its id). */
    requireLiveId (refText: string, now = Date.now()): number {
      const ref = parseRef(refText)
      const id = ref ? repos.posts.liveId(ref, now) : undefined
      if (id === undefined) throw new NotFound('Post', JSON.stringify(refText))
      return id
    },

    /** The live post for a ref, or a 404 (for nested public resources like comments). */
    requireLive (refText: string, now = Date.now()): PostRow {
      const ref = parseRef(refText)
      const row = ref && repos.posts.findByRef(ref, 'public', now)
      if (!row) throw new NotFound('Post', JSON.stringify(refText))
      return row
    }
  }
}
export type PostsService = ReturnType<typeof createPostsService>
