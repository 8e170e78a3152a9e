import { isLive, type ContentChange, type PostLinks } from '../db/change-bus.js'

// The surrogate keys of public responses (the Surrogate-Key header a CDN or Varnish purges by,
// and what the in-memory response cache drops entries by), one vocabulary for the routes that
// declare them and for what a write invalidates:
//   posts        which posts the lists show and in what order by publication time: every post
//                list and search page, related posts, feeds (and their totals)
//   post-<id>    one post as any response shows it: the post itself, its comment thread, and
//                its card in every list, search page, related list and feed that shows it
//   post-edits   lists whose membership or order a live post's text, title or update time can
//                change: search pages, related posts, lists sorted by title or -updated_at
//   featured     post lists filtered by `featured` (a live post featured or unfeatured)
//   categories, tags, authors   those lists and single reads (they carry live post counts), and
//                post lists and feeds filtered by one of them
//   pages        every page list and page read (a page's slug and status are part of its
//                children's path and visibility), the pages sitemap, and navigation targets
//   page-<id>    one page
//   site         the site settings, and the feeds (they carry the site's title); the site read
//                also names the keys of what its navigation links to
//   changes      the change log, and the feeds (their date is that of the newest public change)
//   related      every related-posts answer (those served from a stored list, related-lists.ts,
//                carry no other key of the corpus): a write that left the lists it changes to
//                be found by the background, a post going live by time, a rebuild of all lists
//   related-<id> one post's stored related list: a write whose cascade (run in the write)
//                changed or queued it, a background rebuild that changed it
// See README "Caching" for the table of what each write invalidates.

export const POSTS_KEY = 'posts'
export const POST_EDITS_KEY = 'post-edits'
export const SITE_KEY = 'site'
export const CHANGES_KEY = 'changes'
export const PAGES_KEY = 'pages'
export const FEATURED_KEY = 'featured'
export const RELATED_KEY = 'related'

/** The key of one post's stored related list. */
export function relatedListKey (id: number): string {
  return `related-${id}`
}

/** The key of one page. */
export function pageKey (id: number): string {
  return `page-${id}`
}

export type TermKindName = 'category' | 'tag' | 'author'
const TERM_KINDS: readonly TermKindName[] = ['category', 'tag', 'author']

/** The key of one post: the post, its comments, and its card wherever it is shown. */
export function postKey (id: number): string {
  return `post-${id}`
}

/** The key of a kind of term's lists and single reads: its plural (categories, tags, authors). */
export function termKey (kind: TermKindName): string {
  return kind === 'category' ? 'categories' : `${kind}s`
}

/** Every term kind's key. */
export const TERM_KEYS: readonly string[] = TERM_KINDS.map(termKey)

/** What the memoized list totals, live counts and public terms depend on. */
export const MEMBERSHIP_KEYS: readonly string[] = [POSTS_KEY, FEATURED_KEY, ...TERM_KEYS]

/** The term kinds whose links differ between two link sets. */
function changedLinks (before: PostLinks | null, after: PostLinks | null): TermKindName[] {
  if (before === null || after === null) return before === after ? [] : [...TERM_KINDS]
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i])
  const kinds: TermKindName[] = []
  if (!same(before.categoryIds, after.categoryIds)) kinds.push('category')
  if (!same(before.tagIds, after.tagIds)) kinds.push('tag')
  if (!same(before.authorIds ?? [before.authorId], after.authorIds ?? [after.authorId])) kinds.push('author')
  return kinds
}

/**
 * The keys a committed set of changes invalidates, at `now` (the write's time). Precise: a
 * change the public cannot see (a draft, a scheduled post before its time, a pending comment)
 * invalidates nothing public but its own post's key; a scheduled post going live later is
 * invalidated then (goLiveKeys).
 */
export function keysForChanges (changes: readonly ContentChange[], now: number): string[] {
  const keys = new Set<string>()
  for (const c of changes) {
    switch (c.kind) {
      case 'post': {
        keys.add(postKey(c.id))
        const liveBefore = isLive(c.before, now)
        const liveAfter = isLive(c.after, now)
        if (!liveBefore && !liveAfter) break
        // A live post's write is logged (touches too: a comment count, a renamed term).
        keys.add(CHANGES_KEY)
        // `links` comes with the post writes themselves (not with touches): its text, title or
        // update time may have changed, so search, related posts and those sorts may differ.
        if (c.links !== undefined) keys.add(POST_EDITS_KEY)
        if ((c.links?.before?.featured ?? false) !== (c.links?.after?.featured ?? false)) keys.add(FEATURED_KEY)
        // A post going live drops every related answer, as going live by time does (goLiveKeys):
        // its write also covers that go-live when each process looks for posts whose time
        // came (src/db/invalidations.ts), which would otherwise drop them all again.
        if (liveAfter && !liveBefore) keys.add(RELATED_KEY)
        const kinds = liveBefore !== liveAfter ? [...TERM_KINDS] : changedLinks(c.links?.before ?? null, c.links?.after ?? null)
        if (liveBefore !== liveAfter || c.before?.publishedAt !== c.after?.publishedAt || kinds.length > 0) keys.add(POSTS_KEY)
        for (const kind of kinds) keys.add(termKey(kind))
        break
      }
      case 'comment':
        // Only approved comments are public (in the thread, the post's count and the change log).
        if (c.before === 'approved' || c.after === 'approved') {
          keys.add(postKey(c.postId))
          keys.add(CHANGES_KEY)
        }
        break
      case 'site':
        keys.add(SITE_KEY)
        keys.add(CHANGES_KEY)
        break
      case 'page':
        // A page's slug and status are part of its children's path and visibility, so page
        // reads name `pages` as well as their own key; and the page tree the reads are shaped
        // by (drafts included, for read:drafts) is remembered by `pages`: every page write
        // invalidates both. Only a live page's write is logged; a scheduled page going live is
        // invalidated then (pageGoLiveKeys).
        keys.add(PAGES_KEY)
        keys.add(pageKey(c.id))
        if (isLive(c.before, now) || isLive(c.after, now)) keys.add(CHANGES_KEY)
        break
      default:
        // A term's name, slug, parent or existence: its kind's lists and reads, the post lists
        // filtered by it, the change log. The posts that show it are touched (their own keys).
        keys.add(termKey(c.kind))
        keys.add(CHANGES_KEY)
    }
  }
  return [...keys].sort()
}

/** What scheduled posts going live (by time, without a write) invalidate. */
export function goLiveKeys (postIds: readonly number[]): string[] {
  // Which stored related lists a post going live enters is found by the background later.
  return [POSTS_KEY, CHANGES_KEY, RELATED_KEY, ...TERM_KEYS, ...postIds.map(postKey)].sort()
}

/**
 * What a write adds for the stored related lists (related-lists.ts, settle): the key of each
 * list its cascades changed or queued, or, when it left cascades to the background (so which
 * lists change is not known yet), every stored answer's. `settled` null: the write did not
 * look (the lists are not kept here), nothing to add.
 */
export function relatedWriteKeys (settled: { ids: readonly number[], complete: boolean } | null): string[] {
  if (settled === null) return []
  return settled.complete ? settled.ids.map(relatedListKey) : [RELATED_KEY]
}

/** What scheduled pages going live (by time, without a write) invalidate. */
export function pageGoLiveKeys (pageIds: readonly number[]): string[] {
  return [PAGES_KEY, CHANGES_KEY, ...pageIds.map(pageKey)].sort()
}

/** The keys of one page of posts: the lists, each post shown, and what the query depends on beyond them. */
export function postListKeys (ids: readonly number[], query: { q?: string, sort?: string, category?: string, tag?: string, author?: string, featured?: string }): string[] {
  const keys = [POSTS_KEY]
  if (query.q !== undefined || query.sort === 'title' || query.sort === '-updated_at') keys.push(POST_EDITS_KEY)
  if (query.category !== undefined) keys.push(termKey('category'))
  if (query.tag !== undefined) keys.push(termKey('tag'))
  if (query.author !== undefined) keys.push(termKey('author'))
  if (query.featured !== undefined) keys.push(FEATURED_KEY)
  for (const id of ids) keys.push(postKey(id))
  return keys
}

/**
 * The keys of a feed: its posts, the site (its title), the term it is narrowed to, and the
 * change log: a feed's Last-Modified (lastBuildDate, `updated`) is the time of the newest public
 * change, so that a post leaving the feed still moves it forward (If-Modified-Since) — any
 * public write changes every feed's date. Feeds are a handful of URLs.
 */
export function feedKeys (ids: readonly number[], query: { category?: string, tag?: string, author?: string }): string[] {
  const keys = [POSTS_KEY, SITE_KEY, CHANGES_KEY]
  if (query.category !== undefined) keys.push(termKey('category'))
  if (query.tag !== undefined) keys.push(termKey('tag'))
  if (query.author !== undefined) keys.push(termKey('author'))
  for (const id of ids) keys.push(postKey(id))
  return keys
}

/**
 * The keys of a related-posts answer: every post in it, and what decides which posts those are.
 * Computed from the posts (`stored` false): the corpus, its membership and text. From the
 * post's stored list: that list (which the writes and background steps that change it
 * invalidate). Both: every related answer's key.
 */
export function relatedKeys (postId: number, ids: readonly number[], stored = false): string[] {
  const head = stored ? [RELATED_KEY, relatedListKey(postId)] : [POSTS_KEY, POST_EDITS_KEY, RELATED_KEY]
  return [...head, postKey(postId), ...ids.filter((id) => id !== postId).map(postKey)]
}
