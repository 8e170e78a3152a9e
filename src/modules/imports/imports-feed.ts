import { createHash } from 'node:crypto'
import { UnreadableImport } from '../../errors.js'
import { FeedParseError, parseFeed, type ParsedFeed } from '../../lib/feed-import.js'
import { createImportSession, type ImportTarget } from './imports-session.js'
import { clip, httpUrl } from './imports-values.js'
import type { ImportSummary } from './imports-schemas.js'
import type { ImportStep } from './imports-wxr.js'

function hostOf (url: string | null): string {
  try {
    return url ? new URL(url).hostname : ''
  } catch {
    return ''
  }
}

/**
 * Relative src and href attributes made absolute against the item's own URL, so images and
 * links still work on another site (the sanitizer would keep them relative otherwise).
 */
function resolveUrls (html: string, base: string | null | undefined): string {
  if (!base) return html
  return html.replace(/(\s(?:src|href)\s*=\s*)(["'])([^"']*)\2/gi, (whole, attr: string, quote: string, url: string) => {
    if (/^(?:[a-z][a-z0-9+.-]*:|#)/i.test(url.trim())) return whole
    try {
      return `${attr}${quote}${new URL(url.trim(), base).toString()}${quote}`
    } catch {
      return whole
    }
  })
}

// An id that is an absolute URI (a permalink guid, an Atom tag: or urn: id) names the item
// wherever the feed was found; anything else (a guid like "1001", a hash) only within its feed.
const ABSOLUTE_URI = /^[a-z][a-z0-9+.-]*:\S/i

/**
 * How the items of a feed are keyed (posts.import_key), so that the same item imported from
 * a file, from its URL, from a mirror or a redirect is the same post. An item whose id is an
 * absolute URI is keyed by it alone (`feed:<id>`); any other id by the feed as the document
 * names itself — its site link, else its title — never by where it was fetched from
 * (`feed:<site>#<id>`); a feed that names nothing falls back to the URL it came from, else its
 * bytes. `legacy` lists the keys of the scheme before this one (`feed:<where>:<id>`, with
 * <where> the URL asked for, else the site link, else the title), under which an earlier
 * import may have stored the item.
 */
export function feedItemKeys (feed: ParsedFeed, bytes: Buffer, opts: { sourceUrl?: string, finalUrl?: string }): {
  of: (id: string) => string
  legacy: (id: string) => string[]
  warning: string | null
} {
  // The site link as the document gives it: siteUrl falls back to where the feed was fetched,
  // which a copy of it in a file would not say.
  let scope = feed.declaredSiteUrl ?? (feed.title?.trim() || null) ?? opts.sourceUrl ?? null
  let warning: string | null = null
  if (!scope) {
    scope = 'sha256:' + createHash('sha256').update(bytes).digest('hex').slice(0, 32)
    warning = 'the feed has no title or link: pass source_url so that a later import recognises its items'
  }
  const olderScopes = [...new Set([opts.sourceUrl, feed.siteUrl, feed.selfUrl, opts.finalUrl, feed.title?.trim()].filter((k): k is string => !!k))]
  return {
    of: (id) => ABSOLUTE_URI.test(id) ? `feed:${id}` : `feed:${scope}#${id}`,
    legacy: (id) => olderScopes.map((k) => `feed:${k}:${id}`),
    warning
  }
}

/** How a feed subscription (a source) imports: see the sources module. */
export interface FeedSubscription {
  /** Keys items `<keyPrefix>:<item id>`, so a source whose URL moved still recognises them. */
  keyPrefix: string
  authorId: number | null
  categoryIds: number[]
  tagIds: number[]
  /** Overrides the source credited on each post (the feed's title and the item's link). */
  attribution: { name: string | null, url: string | null }
}

/**
 * Imports a feed document: each item becomes a post crediting the original (`source`,
 * `canonical_url`), keyed by the item's id (feedItemKeys) so a re-import updates, whether the
 * feed came as a file or from its URL. Items are
 * credited to the author they name, else to an author named after the feed.
 */
export async function importFeedDocument (target: ImportTarget, bytes: Buffer, opts: {
  contentType?: string
  sourceUrl?: string
  finalUrl?: string
  status: 'draft' | 'published'
  iframeHosts: string[]
  step?: ImportStep
  /** A feed subscription: its items' key prefix, the author and terms it assigns, its attribution. */
  subscription?: FeedSubscription
}): Promise<ImportSummary> {
  let feed: ParsedFeed
  try {
    feed = parseFeed(bytes, { contentType: opts.contentType, baseUrl: opts.finalUrl ?? opts.sourceUrl })
  } catch (err) {
    if (err instanceof FeedParseError) throw new UnreadableImport(`The body is not a readable feed: ${err.message}`)
    throw err
  }
  const session = createImportSession(target, { iframeHosts: opts.iframeHosts, format: feed.format })
  for (const w of feed.warnings) session.warn(w)
  const title = clip(feed.title?.trim() || hostOf(feed.siteUrl) || 'Imported feed', 200)
  const sub = opts.subscription
  const keys = feedItemKeys(feed, bytes, opts)
  if (keys.warning !== null && sub === undefined) session.warn(keys.warning)
  let read = 0
  for (const item of feed.items) {
    const link = httpUrl(item.url)
    const at = item.publishedAt?.getTime() ?? null
    const authorName = item.authorName?.trim() ?? ''
    const sourceName = sub?.attribution.name ?? title
    const sourceUrl = sub?.attribution.url ?? link
    session.post({
      // A subscription keys its items by the source (its URL may move); any other import by the
      // item's own id (feedItemKeys), so a file and a URL import meet.
      key: sub !== undefined ? `${sub.keyPrefix}:${item.id}` : keys.of(item.id),
      legacyKeys: sub !== undefined ? [] : keys.legacy(item.id),
      ref: item.id,
      title: item.title.trim() || link || 'Untitled',
      status: opts.status === 'published' ? 'published' : 'draft',
      publishedAt: at,
      contentHtml: resolveUrls(item.contentHtml, link ?? feed.siteUrl ?? opts.finalUrl ?? opts.sourceUrl),
      author: authorName !== '' ? { login: authorName, name: authorName } : { login: title, name: title },
      categories: [],
      tags: item.categories.filter((c) => c.trim() !== '').map((c) => ({ name: c })),
      featuredImage: httpUrl(item.imageUrl) !== null ? { url: httpUrl(item.imageUrl) as string, alt: '' } : null,
      source: sourceUrl !== null ? { url: sourceUrl, name: sourceName } : null,
      canonicalUrl: link,
      ...(sub === undefined
        ? {}
        : { authorId: sub.authorId ?? undefined, categoryIds: sub.categoryIds, tagIds: sub.tagIds, updateOnlyDrafts: true })
    })
    if (opts.step !== undefined) await opts.step(session.summary, ++read, feed.items.length)
  }
  if (feed.items.length === 0) session.warn('the feed has no items')
  return session.finish()
}
