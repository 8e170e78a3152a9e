import { createHash } from 'node:crypto'
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js'
import { escapeHtml, stripInvalidXmlChars } from './text.js'
import { createXml } from './lazy.js'

// Feed rendering: RSS 2.0, Atom 1.0 and JSON Feed 1.1 from one neutral model.
//
// Why xmlbuilder2 and not the `feed` package: `feed` writes titles and bodies as raw CDATA (a
// body holding "]]>" ends the section early and breaks the document) and has no way to write
// RSS <source>, dc:creator or Atom <source>. xmlbuilder2 builds a real tree and escapes every
// text and attribute, so no markup is ever concatenated by hand (except the items the read
// model stores, written by renderFeedItem to the builder's exact bytes, which a property test
// holds it to: see the end of this file). Characters XML 1.0 forbids
// (C0 controls, U+FFFE/U+FFFF, lone surrogates) are removed first, so any content gives a
// well-formed document; "]]>" is plain escaped text.
//
// Decisions:
// - Stable ids: `${idBase}post:${id}`, where idBase is a tag: URI prefix (RFC 4151) such as
//   'tag:example.com,2024:', minted once per database (feeds-repository.ts idBase) and never
//   derived from SITE_URL again; or the guid a post was imported with (a WordPress export's
//   <guid>), which its old feed already used. It is the RSS <guid isPermaLink="false">, the
//   Atom <id> and the JSON Feed `id`. It names the post by id only, so it never changes when a
//   slug, title, category, URL or the site's address changes and readers never show an edited
//   post twice. The Atom feed's own id is `${idBase}feed`.
// - Source credit (syndicated posts): RSS <source url="…">name</source>; Atom <link rel="via">
//   plus an atom:source with the publisher's id, title and link; JSON Feed `external_url` =
//   the original article, plus a `_broadsheet` extension { about, source, canonical_url } on
//   every item (canonical_url falls back to the item's own url).
// - Authors, every one in order (co-authors after the primary author): one RSS dc:creator each
//   (RSS's own <author> must be an e-mail, which is never public); one Atom <author> each with
//   name and uri; JSON Feed `authors` with name, url and avatar.
// - Dates: RSS pubDate is the publish date and dc:date the last update (the way common
//   parsers read dc:date next to pubDate); Atom published/updated; JSON Feed
//   date_published/date_modified.
// - Terms: categories first (the first is the primary), then tags, as RSS/Atom categories
//   (Atom term = slug, label = name; RSS text = name, domain = the term's page when known)
//   and as JSON Feed `tags` (names, duplicates dropped).
// - Images: RSS <enclosure> requires a byte length we do not know, so the featured image is a
//   Media RSS <media:content medium="image"> in RSS and Atom, and JSON Feed `image`.
// - Bodies: relative href/src/cite/srcset URLs are made absolute against the item URL,
//   because readers show content away from the site.
// - Text: the XML formats drop what XML cannot carry; JSON Feed carries every string exactly
//   as the JSON API shows it. Plain text in RSS titles and descriptions is escaped as HTML too,
//   since readers decode them as HTML; Atom's text constructs are sent as type="html", escaped,
//   because readers decode type="text" as HTML as well; JSON Feed titles are plain text by spec.

export interface FeedPerson { name: string, url?: string | null, avatarUrl?: string | null }
export interface FeedTerm { name: string, slug: string, url?: string | null }
export interface FeedItem {
  id: number
  /** The id the post had before it was imported (its WordPress guid): kept as its feed id. */
  guid?: string | null
  /** Absolute permalink on the frontend. */
  url: string
  title: string
  /** Plain-text excerpt. */
  summary: string
  /** Already sanitized HTML; relative URLs in it are made absolute against `url`. Null: the item carries its summary only. */
  contentHtml: string | null
  publishedAt: Date
  updatedAt: Date
  author: FeedPerson
  /** Every author, primary first; `author` alone when absent. */
  authors?: FeedPerson[]
  categories: FeedTerm[]
  tags: FeedTerm[]
  image: { url: string, alt: string } | null
  /** The original publisher of a syndicated post. */
  source: { url: string, name: string } | null
  canonicalUrl: string | null
}
export interface FeedChannel {
  title: string
  description: string
  /** The frontend's base URL, e.g. https://example.com. */
  siteUrl: string
  language: string
  /** Absolute URL of this feed document, query included. */
  selfUrl: string
  feedUrls: { rss: string, atom: string, json: string }
  /** Newest updatedAt of the items, or a given date when there are none. */
  updatedAt: Date
  /** Prefix of every id, a tag: URI such as 'tag:example.com,2024:'. */
  idBase: string
}

export const FEED_MEDIA_TYPES: { rss: string, atom: string, json: string } = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8'
}

const GENERATOR = 'Broadsheet'
const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1'
const EXTENSION_ABOUT = 'Broadsheet: source is the original publisher of a syndicated post; canonical_url is the preferred URL of the article'
const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/'
}

// xmlbuilder2 escapes < > and " but leaves an "&" that already starts an entity alone, so an
// escaped "&lt;script&gt;" in a body would reach readers as a real tag. Escaping every "&"
// first (the builder never escapes "&amp;" again) makes the XML decode to exactly the text.
function clean (s: string): string {
  return stripInvalidXmlChars(s).replace(/&/g, '&amp;')
}

// One attribute at a time, so a quote or "href=" inside another attribute's value is never
// mistaken for an attribute of its own.
const ATTRIBUTE = /(\s([^\s"'>/=]+)\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g
const URL_ATTRIBUTES = new Set(['href', 'src', 'cite', 'srcset'])
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" }

function absolute (value: string, base: string): string {
  const url = value.trim()
  // Absolute URLs (any scheme), in-page fragments and empty values are left as they are.
  if (url === '' || /^(?:[a-z][a-z0-9+.-]*:|#)/i.test(url)) return value
  try {
    return new URL(url, base).toString()
  } catch {
    return value
  }
}

function absoluteSrcset (value: string, base: string): string {
  return value.split(',').map((candidate) => {
    const [url = '', ...descriptors] = candidate.trim().split(/\s+/)
    return [absolute(url, base), ...descriptors].join(' ')
  }).join(', ')
}

/**
 * Makes relative href, src, cite and srcset URLs in HTML absolute against `base`. Only
 * attribute values inside tags are read, never text; other attributes are left byte for byte.
 */
export function absolutizeUrls (html: string, base: string): string {
  return html.replace(/<[a-zA-Z][^>]*>/g, (tag) => tag.replace(ATTRIBUTE, (whole, head: string, name: string, dq?: string, sq?: string, bare?: string) => {
    if (!URL_ATTRIBUTES.has(name.toLowerCase())) return whole
    const raw = (dq ?? sq ?? bare ?? '').replace(/&(amp|lt|gt|quot|#39|#x27);/gi, (entity, key: string) => ENTITIES[key.toLowerCase()] ?? entity)
    const resolved = name.toLowerCase() === 'srcset' ? absoluteSrcset(raw, base) : absolute(raw, base)
    if (resolved === raw) return whole
    return `${head}"${resolved.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`
  }))
}

function itemId (idBase: string, item: FeedItem): string {
  return item.guid ?? `${idBase}post:${item.id}`
}

/** The date part of every id base: fixed, so that a base minted in any year names the same ids as before. */
const ID_DATE = '2024'

/** The id base (tag: URI prefix) minted for a site whose address is `siteUrl`. */
export function idBaseFor (siteUrl: string): string {
  return `tag:${new URL(siteUrl).hostname},${ID_DATE}:`
}

/**
 * The feed id an imported post keeps: its WordPress guid (import key `wxr:<guid>`; a key with
 * `#` names a post whose guid was not unique in its export, and has none to keep). Posts
 * imported from feeds are republished here under ids of their own.
 */
export function importedGuid (importKey: string | null | undefined): string | null {
  if (importKey == null || !importKey.startsWith('wxr:') || importKey.includes('#')) return null
  const guid = importKey.slice('wxr:'.length).trim()
  return guid === '' ? null : guid
}

/** The feed URLs on the API's base (PUBLIC_API_URL): every feed's self link and GET /v1/site `feeds` use these. */
export function feedUrlsOf (apiUrl: string): { rss: string, atom: string, json: string } {
  return { rss: `${apiUrl}/feeds/rss.xml`, atom: `${apiUrl}/feeds/atom.xml`, json: `${apiUrl}/feeds/feed.json` }
}

function terms (item: FeedItem): FeedTerm[] {
  return [...item.categories, ...item.tags]
}

function xmlDocument (root: string, attrs: Record<string, string>, build: (root: XMLBuilder) => void): string {
  const doc = createXml({ version: '1.0', encoding: 'UTF-8' })
  build(doc.ele(root, attrs))
  return doc.end({ prettyPrint: false }) + '\n'
}

function mediaImage (parent: XMLBuilder, image: { url: string, alt: string }): void {
  const media = parent.ele('media:content', { url: clean(image.url), medium: 'image' })
  if (image.alt) media.ele('media:description', { type: 'plain' }).txt(clean(image.alt))
}

const RSS_ROOT = {
  version: '2.0',
  'xmlns:atom': NS.atom,
  'xmlns:content': NS.content,
  'xmlns:dc': NS.dc,
  'xmlns:media': NS.media
}

function rssChannel (ch: XMLBuilder, channel: FeedChannel): void {
  // Readers take RSS titles as HTML, like descriptions (RSS never said which): plain-text
  // titles are escaped as HTML first, so "&lt;b&gt;" in a title shows as typed, never as markup.
  ch.ele('title').txt(clean(escapeHtml(channel.title)))
  ch.ele('link').txt(clean(channel.siteUrl))
  // RSS requires a description; the title stands in when the site has none.
  ch.ele('description').txt(clean(escapeHtml(channel.description || channel.title)))
  ch.ele('language').txt(clean(channel.language))
  ch.ele('lastBuildDate').txt(channel.updatedAt.toUTCString())
  ch.ele('generator').txt(GENERATOR)
  ch.ele('atom:link', { href: clean(channel.selfUrl), rel: 'self', type: 'application/rss+xml' })
}

function rssItem (ch: XMLBuilder, idBase: string, item: FeedItem): void {
  const it = ch.ele('item')
  it.ele('title').txt(clean(escapeHtml(item.title)))
  it.ele('link').txt(clean(item.url))
  it.ele('guid', { isPermaLink: 'false' }).txt(clean(itemId(idBase, item)))
  it.ele('pubDate').txt(item.publishedAt.toUTCString())
  it.ele('dc:date').txt(item.updatedAt.toISOString())
  for (const person of item.authors ?? [item.author]) it.ele('dc:creator').txt(clean(person.name))
  for (const term of terms(item)) {
    it.ele('category', term.url ? { domain: clean(term.url) } : {}).txt(clean(term.name))
  }
  // Readers take RSS descriptions as HTML: the plain-text summary is escaped as text.
  if (item.summary) it.ele('description').txt(clean(escapeHtml(item.summary)))
  if (item.contentHtml !== null) it.ele('content:encoded').txt(clean(absolutizeUrls(item.contentHtml, item.url)))
  if (item.image) mediaImage(it, item.image)
  if (item.source) it.ele('source', { url: clean(item.source.url) }).txt(clean(item.source.name))
}

/** RSS 2.0 with content:encoded, dc:creator, categories, stable guids and atom:link rel="self". */
export function renderRss (channel: FeedChannel, items: FeedItem[]): string {
  return xmlDocument('rss', RSS_ROOT, (rss) => {
    const ch = rss.ele('channel')
    rssChannel(ch, channel)
    for (const item of items) rssItem(ch, channel.idBase, item)
  })
}

function atomRoot (channel: FeedChannel) {
  return { xmlns: NS.atom, 'xmlns:media': NS.media, 'xml:lang': clean(channel.language) }
}

function atomHead (feed: XMLBuilder, channel: FeedChannel): void {
  feed.ele('id').txt(clean(`${channel.idBase}feed`))
  // Plain text sent as type="html", escaped: RFC 4287 readers unescape it once to exactly the
  // text, and the many readers that decode type="text" as HTML anyway get the same.
  feed.ele('title', { type: 'html' }).txt(clean(escapeHtml(channel.title)))
  if (channel.description) feed.ele('subtitle', { type: 'html' }).txt(clean(escapeHtml(channel.description)))
  feed.ele('updated').txt(channel.updatedAt.toISOString())
  feed.ele('link', { rel: 'self', type: 'application/atom+xml', href: clean(channel.selfUrl) })
  feed.ele('link', { rel: 'alternate', type: 'text/html', href: clean(channel.siteUrl) })
  feed.ele('generator').txt(GENERATOR)
}

function atomEntry (feed: XMLBuilder, idBase: string, item: FeedItem): void {
  const entry = feed.ele('entry')
  entry.ele('id').txt(clean(itemId(idBase, item)))
  entry.ele('title', { type: 'html' }).txt(clean(escapeHtml(item.title)))
  entry.ele('link', { rel: 'alternate', type: 'text/html', href: clean(item.url) })
  if (item.source) entry.ele('link', { rel: 'via', type: 'text/html', href: clean(item.source.url), title: clean(item.source.name) })
  entry.ele('published').txt(item.publishedAt.toISOString())
  entry.ele('updated').txt(item.updatedAt.toISOString())
  for (const person of item.authors ?? [item.author]) {
    const author = entry.ele('author')
    author.ele('name').txt(clean(person.name))
    if (person.url) author.ele('uri').txt(clean(person.url))
  }
  for (const term of terms(item)) {
    entry.ele('category', { term: clean(term.slug), label: clean(term.name), ...(term.url ? { scheme: clean(term.url) } : {}) })
  }
  // Atom requires a summary in an entry without content.
  if (item.summary || item.contentHtml === null) entry.ele('summary', { type: 'html' }).txt(clean(escapeHtml(item.summary)))
  if (item.contentHtml !== null) entry.ele('content', { type: 'html' }).txt(clean(absolutizeUrls(item.contentHtml, item.url)))
  if (item.image) mediaImage(entry, item.image)
  if (item.source) {
    const source = entry.ele('source')
    source.ele('id').txt(clean(item.source.url))
    source.ele('title', { type: 'html' }).txt(clean(escapeHtml(item.source.name)))
    source.ele('link', { rel: 'alternate', type: 'text/html', href: clean(item.source.url) })
  }
}

/** Atom 1.0 with full content, authors, categories and the original source credited. */
export function renderAtom (channel: FeedChannel, items: FeedItem[]): string {
  return xmlDocument('feed', atomRoot(channel), (feed) => {
    atomHead(feed, channel)
    for (const item of items) atomEntry(feed, channel.idBase, item)
  })
}

// JSON can carry any text (JSON.stringify escapes control characters and lone surrogates), so
// JSON Feed strings are exactly what the JSON API shows; empty optional fields are left out.
function text (s: string | null | undefined): string | undefined {
  return s === null || s === undefined || s === '' ? undefined : s
}

// A JSON Feed author needs at least one member, so a nameless, linkless author is left out.
function jsonAuthors (people: FeedPerson[]) {
  const authors = people.map((person) => ({ name: text(person.name), url: text(person.url), avatar: text(person.avatarUrl) }))
    .filter((author) => Object.values(author).some((v) => v !== undefined))
  return authors.length > 0 ? authors : undefined
}

function jsonFeedItem (idBase: string, item: FeedItem) {
  return {
    id: itemId(idBase, item),
    url: text(item.url),
    external_url: text(item.source?.url),
    title: text(item.title),
    // JSON Feed needs content_html or content_text: without the body, the summary as text.
    content_html: item.contentHtml === null ? undefined : absolutizeUrls(item.contentHtml, item.url),
    content_text: item.contentHtml === null ? item.summary : undefined,
    summary: text(item.summary),
    image: text(item.image?.url),
    date_published: item.publishedAt.toISOString(),
    date_modified: item.updatedAt.toISOString(),
    authors: jsonAuthors(item.authors ?? [item.author]),
    tags: [...new Set(terms(item).map((t) => t.name))],
    _broadsheet: {
      about: EXTENSION_ABOUT,
      source: item.source && { url: item.source.url, name: item.source.name },
      canonical_url: item.canonicalUrl ?? item.url
    }
  }
}

function jsonFeed (channel: FeedChannel, items: unknown[]) {
  return {
    version: JSON_FEED_VERSION,
    title: channel.title,
    home_page_url: text(channel.siteUrl),
    feed_url: text(channel.selfUrl),
    description: text(channel.description),
    language: text(channel.language),
    items
  }
}

/** JSON Feed 1.1 (https://jsonfeed.org/version/1.1) with authors, tags and the source credited. */
export function renderJsonFeed (channel: FeedChannel, items: FeedItem[]): string {
  return JSON.stringify(jsonFeed(channel, items.map((item) => jsonFeedItem(channel.idBase, item))))
}

export type FeedFormat = 'rss' | 'atom' | 'json'

// A stand-in for the feed-level fields when only an item is rendered: an item's text depends
// on the item and the id base alone.
const ITEM_CHANNEL: Omit<FeedChannel, 'idBase'> = {
  title: 'x',
  description: '',
  siteUrl: 'https://x.invalid',
  language: 'en',
  selfUrl: 'https://x.invalid/feed',
  feedUrls: { rss: '', atom: '', json: '' },
  updatedAt: new Date(0)
}

/**
 * One item exactly as it appears inside a document of the format (an RSS <item>, an Atom
 * <entry>, a JSON Feed item): the read model stores these, and a feed is then
 * `head + items.join(separator) + tail` (feedFrame) instead of a tree built per request.
 */
export function renderFeedItem (format: FeedFormat, idBase: string, item: FeedItem): string {
  if (format === 'json') return JSON.stringify(jsonFeedItem(idBase, item))
  return format === 'rss' ? rssItemText(idBase, item) : atomEntryText(idBase, item)
}

/**
 * A stored item's hash (SHA-1 of its UTF-8 bytes, base64url; '' for no item), kept beside it:
 * a feed's ETag is a hash over its frame's and its items' hashes (feedEtag), so a feed
 * request never hashes its items' bytes again.
 */
export function feedItemHash (text: string): string {
  return text === '' ? '' : createHash('sha1').update(text).digest('base64url')
}

/**
 * The strong validator of `head + items.join(separator) + tail`, from the frame's hash (of
 * its three parts) and the items' own hashes (feedItemHash), in order: two documents with
 * different bytes never share it (as long as SHA-1 does not collide).
 */
export function feedEtag (frameHash: string, itemHashes: readonly string[]): string {
  const hash = createHash('sha1').update(frameHash)
  for (const h of itemHashes) hash.update('.' + h)
  return hash.digest('base64url')
}

/**
 * renderFeedItem as the builder makes it: a one-item document, the item cut out. The written
 * serializers below give the same bytes for every item (test/lib/feeds.test.ts checks them
 * against this over a generated corpus of hostile text).
 */
export function renderFeedItemWithBuilder (format: FeedFormat, idBase: string, item: FeedItem): string {
  const channel = { ...ITEM_CHANNEL, idBase }
  if (format === 'json') return JSON.stringify(jsonFeedItem(idBase, item))
  // The item is cut out of a one-item document: serialized inside its namespaces, by the same
  // builder, its text is the same bytes as in any document. Text is escaped, so the first
  // opening tag is the item's and the closing tag of its parent follows its end.
  const doc = format === 'rss' ? renderRss(channel, [item]) : renderAtom(channel, [item])
  const [open, close] = format === 'rss' ? ['<item>', '</channel>'] : ['<entry>', '</feed>']
  return doc.slice(doc.indexOf(open), doc.lastIndexOf(close))
}

/**
 * A feed document without its items, cut where they go: `head + items.join(separator) + tail`
 * is the document `render*` makes of the channel and those items (each from renderFeedItem).
 */
export function feedFrame (format: FeedFormat, channel: FeedChannel): { head: string, separator: string, tail: string } {
  if (format === 'json') {
    const doc = JSON.stringify(jsonFeed(channel, []))
    // `items` is the last member: the document ends with `[]}`.
    return { head: doc.slice(0, -2), separator: ',', tail: doc.slice(-2) }
  }
  const doc = format === 'rss' ? renderRss(channel, []) : renderAtom(channel, [])
  const close = format === 'rss' ? '</channel>' : '</feed>'
  const at = doc.lastIndexOf(close)
  return { head: doc.slice(0, at), separator: '', tail: doc.slice(at) }
}

// The items the read model stores, written out by hand: every post write rebuilds its RSS and
// Atom items, and building a one-item xmlbuilder2 tree for each took about 1.5 ms of a post
// write (about a third of it). They write what the builder writes: clean() first (every "&"
// escaped once), then the builder's own escapes: "<" and ">" in text, and "<", ">" and '"' in
// attribute values; an element with text (even empty) gets a closing tag, one without is
// self-closing.
const xmlText = (s: string) => clean(s).replace(/[<>]/g, (c) => c === '<' ? '&lt;' : '&gt;')
const xmlAttr = (s: string) => clean(s).replace(/[<>"]/g, (c) => c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;')
const el = (name: string, text: string, attrs = '') => `<${name}${attrs}>${text}</${name}>`

function mediaImageText (image: { url: string, alt: string }): string {
  const open = `<media:content url="${xmlAttr(image.url)}" medium="image"`
  return image.alt ? `${open}><media:description type="plain">${xmlText(image.alt)}</media:description></media:content>` : `${open}/>`
}

function rssItemText (idBase: string, item: FeedItem): string {
  let out = '<item>' + el('title', xmlText(escapeHtml(item.title))) + el('link', xmlText(item.url)) +
    el('guid', xmlText(itemId(idBase, item)), ' isPermaLink="false"') +
    el('pubDate', item.publishedAt.toUTCString()) + el('dc:date', item.updatedAt.toISOString())
  for (const person of item.authors ?? [item.author]) out += el('dc:creator', xmlText(person.name))
  for (const term of terms(item)) out += el('category', xmlText(term.name), term.url ? ` domain="${xmlAttr(term.url)}"` : '')
  if (item.summary) out += el('description', xmlText(escapeHtml(item.summary)))
  if (item.contentHtml !== null) out += el('content:encoded', xmlText(absolutizeUrls(item.contentHtml, item.url)))
  if (item.image) out += mediaImageText(item.image)
  if (item.source) out += el('source', xmlText(item.source.name), ` url="${xmlAttr(item.source.url)}"`)
  return out + '</item>'
}

function atomEntryText (idBase: string, item: FeedItem): string {
  let out = '<entry>' + el('id', xmlText(itemId(idBase, item))) + el('title', xmlText(escapeHtml(item.title)), ' type="html"') +
    `<link rel="alternate" type="text/html" href="${xmlAttr(item.url)}"/>`
  if (item.source) out += `<link rel="via" type="text/html" href="${xmlAttr(item.source.url)}" title="${xmlAttr(item.source.name)}"/>`
  out += el('published', item.publishedAt.toISOString()) + el('updated', item.updatedAt.toISOString())
  for (const person of item.authors ?? [item.author]) {
    out += '<author>' + el('name', xmlText(person.name)) + (person.url ? el('uri', xmlText(person.url)) : '') + '</author>'
  }
  for (const term of terms(item)) {
    out += `<category term="${xmlAttr(term.slug)}" label="${xmlAttr(term.name)}"${term.url ? ` scheme="${xmlAttr(term.url)}"` : ''}/>`
  }
  if (item.summary || item.contentHtml === null) out += el('summary', xmlText(escapeHtml(item.summary)), ' type="html"')
  if (item.contentHtml !== null) out += el('content', xmlText(absolutizeUrls(item.contentHtml, item.url)), ' type="html"')
  if (item.image) out += mediaImageText(item.image)
  if (item.source) {
    out += '<source>' + el('id', xmlText(item.source.url)) + el('title', xmlText(escapeHtml(item.source.name)), ' type="html"') +
      `<link rel="alternate" type="text/html" href="${xmlAttr(item.source.url)}"/></source>`
  }
  return out + '</entry>'
}
