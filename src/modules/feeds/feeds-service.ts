import type { PostsService } from '../posts/posts-service.js'
import type { SiteRepository } from '../site/site-repository.js'
import type { ChangeLogReads } from '../changes/changes-repository.js'
import { parseRef, type Ref } from '../../lib/refs.js'
import { createBudget } from '../../lib/budget.js'
import { importedGuid } from '../../lib/feeds.js'
import type { FeedsRepository } from './feeds-repository.js'
import type { FeedItemColumn, PostDocumentsRepository, StoredFeedItem, StoredFeedItemHead } from '../posts/posts-documents-repository.js'

export interface FeedQuery {
  category?: string
  tag?: string
  author?: string
  limit?: number
}

interface Term { id: number, slug: string, name: string }

/** A kind of term a feed may be narrowed to, as the public sees it. */
interface TermFinder { findByRef (ref: Ref, scope: 'public'): { slug: string, name: string } | undefined }

/** A live post as GET /v1/posts shows it, with the fields a feed uses. */
export interface FeedPost {
  id: number
  /** The id it was imported with (a WordPress guid), kept as its feed id; filled in by the feeds service. */
  guid?: string | null
  slug: string
  title: string
  excerpt: string
  /** Null when the feed's body budget was spent on newer items: the item carries its excerpt. */
  content_html: string | null
  published_at: string
  updated_at: string
  url: string
  author: { id: number, slug: string, name: string, avatar_url: string | null }
  /** Every author, primary first. */
  authors?: Array<{ id: number, slug: string, name: string, avatar_url: string | null }>
  categories: Term[]
  tags: Term[]
  featured_image: { url: string, alt: string } | null
  source: { url: string, name: string } | null
  canonical_url: string | null
}

export interface FeedData {
  site: { title: string, description: string, language: string }
  /** The prefix of the feed's and its items' ids (feeds-repository.ts idBase). */
  idBase: string
  /** What the feed is narrowed to, for its title: "Politics", "Tag: NATO", … */
  scope: string | null
  /** The frontend page the feed mirrors (the category page, or the home page). */
  pageUrl: string
  /** The posts built from their rows, for the items not taken whole from the read model (all of them without it). */
  posts: FeedPost[]
  /** The feed's posts, newest first: each one's item is in `stored` or built from `posts`. */
  ids: number[]
  /** When anything the feed shows may last have changed (Last-Modified). */
  lastModified: number
  /** The time budget ran out before the bodies were read: every item carries its excerpt only. */
  timedOut: boolean
  /** Items (with their body) stored by the read model, by post id: their bytes sent as they are, their hashes make the ETag. */
  stored: Map<number, Pick<StoredFeedItem, 'bytes' | 'hash'>>
}

/** Which stored item each format reads. */
const ITEM_COLUMNS: Record<'rss' | 'atom' | 'json', FeedItemColumn> = { rss: 'rssItem', atom: 'atomEntry', json: 'jsonItem' }

const FEED_FIELDS = 'id,slug,title,excerpt,published_at,updated_at,url,author,authors,categories,tags,featured_image,source,canonical_url'

/**
 * The most body bytes (UTF-8 HTML) one feed document carries. Newest first, each item whose
 * body fits in what is left gets it; the others carry their excerpt, as feeds of summaries do.
 * 100 ordinary posts (5–20 kB) fit; 100 bodies of 1 MB made a 160 MB document and 6–10 s of CPU.
 */
export const FEED_BODY_BYTES = 2 * 1024 * 1024

/**
 * Bytes of stored feed items kept in memory, by their hash (4 MiB: about 600 items of 7 KB,
 * the items of some thirty feeds). Reading a feed's ~130 KB of items out of SQLite (overflow
 * pages, copies into Buffers) was most of an uncached feed request; an item's bytes never
 * change under its hash, and every request still reads the hashes (and times, sizes) of its
 * items from the read model in one statement, so a memo can never serve an old item: an edit
 * gives the item a new hash, which is read and remembered.
 */
export const FEED_ITEM_MEMO_BYTES = 4 * 1024 * 1024

/** A least-recently-used map of item bytes by hash, bounded in bytes. */
function createItemMemo (maxBytes: number) {
  const items = new Map<string, Buffer>()
  let bytes = 0
  return {
    get (hash: string): Buffer | undefined {
      const found = items.get(hash)
      if (found !== undefined) {
        items.delete(hash)
        items.set(hash, found)
      }
      return found
    },
    set (hash: string, value: Buffer): void {
      if (items.has(hash) || value.length > maxBytes / 8) return
      items.set(hash, value)
      bytes += value.length
      while (bytes > maxBytes) {
        const [oldest, old] = items.entries().next().value as [string, Buffer]
        items.delete(oldest)
        bytes -= old.length
      }
    }
  }
}

/** Which posts get their full body: in order, each one that still fits in the budget. */
export function chooseBodies (ids: number[], sizes: Map<number, number>, budget = FEED_BODY_BYTES): number[] {
  let left = budget
  const chosen: number[] = []
  for (const id of ids) {
    const size = sizes.get(id) ?? 0
    if (size > left) continue
    left -= size
    chosen.push(id)
  }
  return chosen
}

/**
 * Gathers what a feed shows through the same post service as GET /v1/posts (so filters,
 * sub-categories and 404s behave the same), plus the site settings and the time of the last
 * public change. The change log is part of Last-Modified because removing a post changes a
 * feed without making any remaining item newer.
 */
export function createFeedsService (deps: {
  posts: Pick<PostsService, 'list' | 'window'>
  /** The category, tag and author a feed's title names. */
  repos: { categories: TermFinder, tags: TermFinder, authors: TermFinder }
  site: SiteRepository
  changes: Pick<ChangeLogReads, 'lastChangedAt'>
  feeds: FeedsRepository
  siteUrl: string
  /** The database's feed id base (feeds-repository.ts idBase), never derived from SITE_URL again. */
  idBase: () => string
  budgetMs?: number
  bodyBytes?: number
  /** The read model's stored feed items (posts-documents.ts), of this fingerprint only. */
  documents?: { repo: Pick<PostDocumentsRepository, 'feedItemsOf' | 'feedItemHeadsOf'>, fingerprint: string }
  /** Bytes of stored items kept in memory by hash (FEED_ITEM_MEMO_BYTES unless told; 0: none). */
  itemMemoBytes?: number
}) {
  const memo = createItemMemo(deps.itemMemoBytes ?? FEED_ITEM_MEMO_BYTES)

  function scopeOf (query: FeedQuery, now: number): { scope: string | null, pageUrl: string } {
    const parts: string[] = []
    let pageUrl = deps.siteUrl
    if (query.category !== undefined) {
      const ref = parseRef(query.category)
      const cat = ref && deps.repos.categories.findByRef(ref, 'public')
      if (cat) {
        parts.push(cat.name)
        pageUrl = `${deps.siteUrl}/${cat.slug}`
      }
    }
    if (query.tag !== undefined) {
      const names = query.tag.split(',').map((s) => s.trim()).filter(Boolean)
        .map((text) => { const ref = parseRef(text); return (ref && deps.repos.tags.findByRef(ref, 'public'))?.name ?? text })
      parts.push(`Tagged ${names.join(', ')}`)
    }
    if (query.author !== undefined) {
      const ref = parseRef(query.author)
      const author = ref && deps.repos.authors.findByRef(ref, 'public')
      if (author) parts.push(`By ${author.name}`)
    }
    return { scope: parts.length > 0 ? parts.join(' · ') : null, pageUrl }
  }

  /**
   * The common case from the read model alone: the page's ids (the posts service's remembered
   * window) and every item stored whole, each body within the budget — the items, their times
   * (Last-Modified) and body sizes all come from the stored row, and no post row, link or term
   * is read. Null when one item is missing, stale, stored without a body (not live when built)
   * or over the body budget, or when the time budget is spent: the rows then build the feed.
   */
  function fromStored (query: FeedQuery, now: number, changedAt: number, format: 'rss' | 'atom' | 'json', documents: NonNullable<typeof deps.documents>, budget: ReturnType<typeof createBudget>): FeedData | null {
    const ids = deps.posts.window({ category: query.category, tag: query.tag, author: query.author, per_page: query.limit ?? 20, sort: '-published_at' }, now)
    if (budget.exhausted()) return null
    const column = ITEM_COLUMNS[format]
    const heads = documents.repo.feedItemHeadsOf(ids, column, documents.fingerprint)
    let left = deps.bodyBytes ?? FEED_BODY_BYTES
    const site = deps.site.get()
    let lastModified = Math.max(site.updatedAt, changedAt)
    // The bytes by hash: from the memo, else read (with their own hash, in one statement: what
    // a concurrent write changed in between is then simply another hash, never misfiled).
    const bytes = new Map<string, Buffer>()
    const unread: number[] = []
    for (const id of ids) {
      const head = heads.get(id)
      if (head === undefined || head.hash === '' || head.bodyBytes > left) return null
      left -= head.bodyBytes
      lastModified = Math.max(lastModified, head.updatedAt, head.publishedAt ?? 0)
      const known = memo.get(head.hash)
      if (known !== undefined) bytes.set(head.hash, known)
      else unread.push(id)
    }
    for (const item of documents.repo.feedItemsOf(unread, column, documents.fingerprint).values()) {
      if (item.bytes.length === 0) continue
      bytes.set(item.hash, item.bytes)
      memo.set(item.hash, item.bytes)
    }
    const stored = new Map<number, Pick<StoredFeedItem, 'bytes' | 'hash'>>()
    for (const id of ids) {
      const hash = (heads.get(id) as StoredFeedItemHead).hash
      const found = bytes.get(hash)
      // Rewritten between the two reads: the rows answer this once.
      if (found === undefined) return null
      stored.set(id, { bytes: found, hash })
    }
    return {
      site: { title: site.title, description: site.description, language: site.language },
      idBase: deps.idBase(),
      ...scopeOf(query, now),
      posts: [],
      ids,
      lastModified,
      timedOut: false,
      stored
    }
  }

  return {
    /** The newest live posts matching the query; unknown category, tag or author is a NotFound. */
    async load (query: FeedQuery, now = Date.now(), format?: 'rss' | 'atom' | 'json'): Promise<FeedData> {
      const budget = createBudget(deps.budgetMs ?? Infinity)
      // The one query both paths await (settled at once on SQLite): the last public change.
      const changedAt = (await deps.changes.lastChangedAt(now)) ?? 0
      if (deps.documents !== undefined && format !== undefined) {
        const fast = fromStored(query, now, changedAt, format, deps.documents, budget)
        if (fast !== null) return fast
      }
      const list = deps.posts.list({
        category: query.category,
        tag: query.tag,
        author: query.author,
        per_page: query.limit ?? 20,
        sort: '-published_at',
        fields: FEED_FIELDS
      }, 'public', now)
      const posts = list.data as unknown as FeedPost[]
      // Bodies are what a feed costs (reading, escaping, rewriting URLs): bounded in bytes, and
      // skipped altogether when the listing already used up the time budget.
      const ids = posts.map((p) => p.id)
      const timedOut = budget.exhausted()
      const chosen = timedOut ? [] : chooseBodies(ids, await deps.feeds.bodySizes(ids), deps.bodyBytes)
      // An item whose body goes in is taken whole from the read model when stored: its body is
      // then neither read nor escaped again. The others are built from the rows.
      const stored = new Map<number, StoredFeedItem>()
      if (deps.documents !== undefined && format !== undefined) {
        for (const [id, item] of deps.documents.repo.feedItemsOf(chosen, ITEM_COLUMNS[format], deps.documents.fingerprint)) {
          if (item.bytes.length > 0) stored.set(id, item)
        }
      }
      const [bodies, imported] = await Promise.all([
        deps.feeds.bodies(chosen.filter((id) => !stored.has(id))),
        deps.feeds.wxrImportKeys(ids.filter((id) => !stored.has(id)))
      ])
      for (const p of posts) {
        p.content_html = bodies.get(p.id) ?? null
        p.guid = importedGuid(imported.get(p.id))
      }
      const site = deps.site.get()
      let lastModified = Math.max(site.updatedAt, changedAt)
      for (const p of posts) {
        lastModified = Math.max(lastModified, Date.parse(p.updated_at), Date.parse(p.published_at))
      }
      return {
        site: { title: site.title, description: site.description, language: site.language },
        idBase: deps.idBase(),
        ...scopeOf(query, now),
        posts,
        ids,
        lastModified,
        timedOut,
        stored
      }
    }
  }
}
export type FeedsService = ReturnType<typeof createFeedsService>
