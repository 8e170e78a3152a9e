import type { Readable } from 'node:stream'
import { TargetRefused } from '../../errors.js'
import { safeRequest, TargetError } from '../../lib/safe-http.js'
import type { ImportTarget } from './imports-context.js'
import { importWxrStream, type ImportStep } from './imports-wxr.js'
import type { ImportSummary } from './imports-schemas.js'
import type { FeedSubscription } from './imports-feed.js'

/** Media types the WXR route reads as a stream (WXR is an RSS 2.0 document). */
export const WXR_MEDIA_TYPES = ['application/xml', 'text/xml', 'application/rss+xml']
/** Media types of feed documents sent as the body. */
export const FEED_MEDIA_TYPES = ['application/rss+xml', 'application/atom+xml', 'application/rdf+xml', 'application/xml', 'text/xml', 'application/feed+json']
export const FEED_MAX_BYTES = 10 * 1024 * 1024
const FEED_TIMEOUT_MS = 10_000
const FEED_MAX_REDIRECTS = 3
// What a feed may be served as: XML and JSON flavours, and the generic types some servers use.
const FEED_CONTENT_TYPE = /(xml|rss|atom|rdf|json|text\/plain|application\/octet-stream)/i

/**
 * Fetches a feed with the SSRF rules of webhooks, a time, size and redirect limit and a
 * content-type check; every refusal is a 422 that says why.
 */
export async function fetchFeed (url: string, opts: { allowPrivate: boolean, timeoutMs?: number, maxBytes?: number }): Promise<{ bytes: Buffer, contentType: string | undefined, url: string }> {
  let res
  try {
    res = await safeRequest(url, {
      timeoutMs: opts.timeoutMs ?? FEED_TIMEOUT_MS,
      maxBytes: opts.maxBytes ?? FEED_MAX_BYTES,
      maxRedirects: FEED_MAX_REDIRECTS,
      allowPrivate: opts.allowPrivate,
      headers: {
        accept: 'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1',
        'user-agent': 'Broadsheet feed importer'
      }
    })
  } catch (err) {
    const reason = err instanceof TargetError ? err.message : `it could not be fetched (${(err as Error).message})`
    throw new TargetRefused(`The feed URL ${url} is refused: ${reason}`)
  }
  if (res.status < 200 || res.status >= 300) throw new TargetRefused(`The feed URL ${url} answered HTTP ${res.status}`)
  const contentType = res.headers['content-type']
  if (contentType !== undefined && !FEED_CONTENT_TYPE.test(contentType)) {
    throw new TargetRefused(`The feed URL ${url} answered ${contentType.split(';')[0]}, not a feed`)
  }
  return { bytes: res.body, contentType, url: res.url }
}

export interface WxrImportOptions {
  /** Write the file's menus over the site's own non-empty navigation (default: keep the site's). */
  replaceNavigation?: boolean
}

export interface FeedImportOptions {
  contentType?: string
  /** The URL the feed was asked for: resolves relative links and keys its items. */
  sourceUrl?: string
  /** Where it was found after redirects. */
  finalUrl?: string
  status: 'draft' | 'published'
  /** A feed subscription's settings (the sources module). */
  subscription?: FeedSubscription
}

/**
 * WXR and feed imports into one database, through its write services, run here and now (an
 * import job runs them on a worker thread or on the event loop: imports-run.ts). `step` is
 * called after each item: it reports progress, and may stop the import by throwing.
 */
export function createImportService (target: ImportTarget, opts: { iframeHosts: string[] }) {
  const { iframeHosts } = opts
  return {
    /** Streams a WordPress export into the database; the summary says what happened. */
    async wxr (source: Readable | AsyncIterable<Buffer | string>, step?: ImportStep, wxrOpts: WxrImportOptions = {}): Promise<ImportSummary> {
      return await importWxrStream(target, source, { iframeHosts, step, replaceNavigation: wxrOpts.replaceNavigation })
    },
    /** Imports a whole feed document (bytes in any encoding it declares or that can be sniffed). */
    async feed (bytes: Buffer, feedOpts: FeedImportOptions, step?: ImportStep): Promise<ImportSummary> {
      // The feed parser is loaded on first use: most processes never import a feed.
      const { importFeedDocument } = await import('./imports-feed.js')
      return await importFeedDocument(target, bytes, { ...feedOpts, iframeHosts, step })
    }
  }
}
export type ImportService = ReturnType<typeof createImportService>
