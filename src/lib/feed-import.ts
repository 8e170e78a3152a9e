import { createHash } from 'node:crypto'
import iconv from 'iconv-lite'
import { parseFeed as parseXmlFeed } from '@rowanmanning/feed-parser'
import { absolutizeUrls } from './feeds.js'

// Reading other publishers' feeds for import: RSS 0.9x/2.0, RDF, Atom 1.0 (through
// @rowanmanning/feed-parser, which also resolves relative URLs and odd dates) and JSON Feed
// 1.0/1.1 (by hand). Bytes are decoded first: a BOM wins, then the HTTP charset, then the XML
// declaration, then UTF-8; ISO-8859-1 is read as Windows-1252, as browsers do.

export interface ParsedFeedItem {
  id: string
  url: string | null
  title: string
  contentHtml: string
  summary: string | null
  authorName: string | null
  publishedAt: Date | null
  updatedAt: Date | null
  categories: string[]
  imageUrl: string | null
}
export interface ParsedFeed {
  format: 'rss' | 'rdf' | 'atom' | 'json'
  title: string | null
  siteUrl: string | null
  items: ParsedFeedItem[]
  warnings: string[]
}

/** Not a feed, not decodable, or empty. */
export class FeedParseError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'FeedParseError'
  }
}

function normaliseCharset (name: string): string {
  const n = name.trim().toLowerCase().replace(/^["']|["']$/g, '')
  if (n === 'iso-8859-1' || n === 'latin1' || n === 'latin-1' || n === 'us-ascii' || n === 'ascii') return 'windows-1252'
  return n
}

/** The text of feed bytes, with the encoding sniffed as described above. */
export function decodeFeedBytes (bytes: Buffer, contentTypeHeader?: string | null): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8')
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return iconv.decode(bytes.subarray(2), 'utf-16le')
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return iconv.decode(bytes.subarray(2), 'utf-16be')
  // UTF-16 without a BOM still starts with "<" next to a zero byte.
  if (bytes.length >= 2 && bytes[0] === 0x3c && bytes[1] === 0x00) return iconv.decode(bytes, 'utf-16le')
  if (bytes.length >= 2 && bytes[0] === 0x00 && bytes[1] === 0x3c) return iconv.decode(bytes, 'utf-16be')
  const fromHeader = /charset=([^;\s]+)/i.exec(contentTypeHeader ?? '')?.[1]
  const head = bytes.subarray(0, 200).toString('latin1')
  const fromDecl = /^\s*<\?xml[^>]*encoding=["']([^"']+)["']/i.exec(head)?.[1]
  const charset = normaliseCharset(fromHeader ?? fromDecl ?? 'utf-8')
  if (charset === 'utf-8' || charset === 'utf8') return bytes.toString('utf8')
  if (!iconv.encodingExists(charset)) throw new FeedParseError(`unknown character encoding "${charset}"`)
  return iconv.decode(bytes, charset)
}

function hashId (...parts: Array<string | null | undefined>): string {
  return createHash('sha256').update(parts.map((p) => p ?? '').join('\u0000')).digest('hex').slice(0, 32)
}

function escape (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function toDate (value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value
  if (typeof value !== 'string' || value.trim() === '') return null
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? null : d
}

function absolute (url: string | null | undefined, base: string | null | undefined): string | null {
  if (!url) return null
  try {
    return new URL(url, base ?? undefined).toString()
  } catch {
    return null
  }
}

function parseJsonFeed (text: string, baseUrl: string | null): ParsedFeed {
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(text) as Record<string, unknown>
  } catch (err) {
    throw new FeedParseError(`not valid JSON: ${(err as Error).message}`)
  }
  if (typeof doc !== 'object' || doc === null || typeof doc.version !== 'string' || !/jsonfeed\.org\/version\/1(\.1)?$/.test(doc.version)) {
    throw new FeedParseError('not a JSON Feed: "version" must be https://jsonfeed.org/version/1 or 1.1')
  }
  const warnings: string[] = []
  const base = typeof doc.home_page_url === 'string' ? doc.home_page_url : baseUrl
  const seen = new Set<string>()
  const items: ParsedFeedItem[] = []
  for (const raw of Array.isArray(doc.items) ? doc.items as Array<Record<string, unknown>> : []) {
    if (typeof raw !== 'object' || raw === null) continue
    const url = absolute(typeof raw.url === 'string' ? raw.url : null, base)
    const id = raw.id !== undefined && raw.id !== null && String(raw.id) !== '' ? String(raw.id) : (url ?? hashId(String(raw.title ?? ''), String(raw.date_published ?? '')))
    if (seen.has(id)) {
      warnings.push(`duplicate item id "${id}" skipped`)
      continue
    }
    seen.add(id)
    const authors = Array.isArray(raw.authors) ? raw.authors as Array<{ name?: string }> : (raw.author && typeof raw.author === 'object' ? [raw.author as { name?: string }] : [])
    const html = typeof raw.content_html === 'string'
      ? raw.content_html
      : typeof raw.content_text === 'string' ? raw.content_text.split(/\n\s*\n/).map((p) => `<p>${escape(p.trim())}</p>`).join('\n') : ''
    const published = toDate(raw.date_published)
    if (raw.date_published !== undefined && published === null) warnings.push(`item "${id}": unreadable date_published`)
    items.push({
      id,
      url,
      title: typeof raw.title === 'string' ? raw.title : '',
      contentHtml: base || url ? absolutizeUrls(html, url ?? base as string) : html,
      summary: typeof raw.summary === 'string' ? raw.summary : null,
      authorName: authors.find((a) => typeof a?.name === 'string')?.name ?? null,
      publishedAt: published,
      updatedAt: toDate(raw.date_modified),
      categories: Array.isArray(raw.tags) ? (raw.tags as unknown[]).filter((t): t is string => typeof t === 'string') : [],
      imageUrl: absolute(typeof raw.image === 'string' ? raw.image : typeof raw.banner_image === 'string' ? raw.banner_image : null, base)
    })
  }
  return { format: 'json', title: typeof doc.title === 'string' ? doc.title : null, siteUrl: typeof doc.home_page_url === 'string' ? doc.home_page_url : null, items, warnings }
}

/** Parses feed bytes of any supported format; throws FeedParseError when they are not a feed. */
export function parseFeed (bytes: Buffer, opts: { contentType?: string | null, baseUrl?: string | null } = {}): ParsedFeed {
  if (bytes.length === 0) throw new FeedParseError('the feed is empty')
  const text = decodeFeedBytes(bytes, opts.contentType)
  const start = text.replace(/^\uFEFF/, '').trimStart()
  if (start.startsWith('{')) return parseJsonFeed(start, opts.baseUrl ?? null)
  if (!start.startsWith('<')) throw new FeedParseError('not a feed: neither XML nor JSON')
  if (/<!ENTITY/i.test(start.slice(0, 4096))) throw new FeedParseError('the feed declares XML entities, which are refused')
  let feed: ReturnType<typeof parseXmlFeed>
  try {
    feed = parseXmlFeed(start)
  } catch (err) {
    throw new FeedParseError(`not a readable RSS or Atom feed: ${(err as Error).message}`)
  }
  const warnings: string[] = []
  const format: ParsedFeed['format'] = feed.meta.type === 'atom' ? 'atom' : /<rdf:RDF/i.test(start.slice(0, 2000)) ? 'rdf' : 'rss'
  const siteUrl = feed.url ?? opts.baseUrl ?? null
  const seen = new Set<string>()
  const items: ParsedFeedItem[] = []
  for (const item of feed.items) {
    const url = absolute(item.url, siteUrl)
    const id = item.id ?? url ?? hashId(item.title, item.published?.toISOString())
    if (seen.has(id)) {
      warnings.push(`duplicate item id "${id}" skipped`)
      continue
    }
    seen.add(id)
    if (item.published === null && item.updated === null) warnings.push(`item "${id}": no readable date`)
    items.push({
      id,
      url,
      title: item.title ?? '',
      contentHtml: absolutizeUrls(item.content ?? item.description ?? '', url ?? siteUrl ?? 'https://invalid.invalid/'),
      summary: item.description ?? null,
      authorName: item.authors.find((a) => a.name)?.name ?? null,
      publishedAt: item.published ?? item.updated ?? null,
      updatedAt: item.updated ?? null,
      categories: item.categories.map((c) => c.label ?? c.term).filter((c): c is string => typeof c === 'string' && c !== ''),
      imageUrl: absolute(item.image?.url, url ?? siteUrl)
    })
  }
  if (feed.items.length === 0 && feed.title === null) throw new FeedParseError('not a feed: no title and no items')
  return { format, title: feed.title ?? null, siteUrl, items, warnings }
}
