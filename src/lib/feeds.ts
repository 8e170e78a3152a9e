import { create } from 'xmlbuilder2'
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js'
import { stripInvalidXmlChars } from './text.js'

// Feed rendering: RSS 2.0, Atom 1.0 and JSON Feed 1.1 from one neutral model. XML is built
// with xmlbuilder2, so every text and attribute is escaped by the builder (characters XML
// forbids are removed first); no markup is ever concatenated by hand, and bodies with "]]>"
// or control characters stay valid.
//
// Decisions:
// - Stable ids: `${idBase}post:${id}` (a tag: URI) is the RSS <guid isPermaLink="false">, the
//   Atom <id> and the JSON Feed `id`. It never changes when a slug, title or URL changes, so
//   readers never show an edited post twice.
// - Source credit: RSS <source url="…">name</source>; Atom <source> with the publisher's
//   title and link, plus <link rel="via">; JSON Feed `external_url` = the original article and
//   a `_broadsheet` extension with `source` and `canonical_url`.
// - Authors: RSS dc:creator (RSS's own <author> needs an e-mail, which is never public);
//   Atom <author>; JSON Feed `authors`. Categories and tags are RSS/Atom categories and JSON
//   Feed `tags`. Images: media:content in RSS, a link rel="enclosure"-free Atom (the image
//   stays in the content), JSON Feed `image`.

export interface FeedPerson { name: string, url?: string | null, avatarUrl?: string | null }
export interface FeedTerm { name: string, slug: string, url?: string | null }
export interface FeedItem {
  id: number
  url: string
  title: string
  summary: string
  contentHtml: string
  publishedAt: Date
  updatedAt: Date
  author: FeedPerson
  categories: FeedTerm[]
  tags: FeedTerm[]
  image: { url: string, alt: string } | null
  source: { url: string, name: string } | null
  canonicalUrl: string | null
}
export interface FeedChannel {
  title: string
  description: string
  siteUrl: string
  language: string
  selfUrl: string
  feedUrls: { rss: string, atom: string, json: string }
  updatedAt: Date
  idBase: string
}

export const FEED_MEDIA_TYPES = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8'
}

const GENERATOR = 'Broadsheet'

// xmlbuilder2 escapes < and > but leaves an "&" that already starts an entity alone, so an
// escaped "&lt;script&gt;" in a body would reach readers as a real tag. Escaping every "&"
// first makes the XML decode to exactly the original text.
function clean (s: string): string {
  return stripInvalidXmlChars(s).replace(/&/g, '&amp;')
}

/** Relative src/href attributes in a body become absolute against the item URL. */
export function absolutizeUrls (html: string, base: string): string {
  return html.replace(/\s(href|src)=("|')([^"']*)\2/gi, (whole, attr: string, quote: string, value: string) => {
    if (/^(?:[a-z][a-z0-9+.-]*:|#)/i.test(value)) return whole
    try {
      return ` ${attr}=${quote}${new URL(value.replace(/&amp;/g, '&'), base).toString().replace(/&/g, '&amp;')}${quote}`
    } catch {
      return whole
    }
  })
}

function itemId (channel: FeedChannel, item: FeedItem): string {
  return `${channel.idBase}post:${item.id}`
}

function xml (root: string, attrs: Record<string, string>, build: (root: XMLBuilder) => void): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' })
  const el = doc.ele(root, attrs)
  build(el)
  return doc.end({ prettyPrint: false }) + '\n'
}

/** RSS 2.0 with content:encoded, dc:creator, categories, stable guids and atom:link rel=self. */
export function renderRss (channel: FeedChannel, items: FeedItem[]): string {
  return xml('rss', {
    version: '2.0',
    'xmlns:content': 'http://purl.org/rss/1.0/modules/content/',
    'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
    'xmlns:atom': 'http://www.w3.org/2005/Atom',
    'xmlns:media': 'http://search.yahoo.com/mrss/'
  }, (rss) => {
    const ch = rss.ele('channel')
    ch.ele('title').txt(clean(channel.title))
    ch.ele('link').txt(clean(channel.siteUrl))
    ch.ele('description').txt(clean(channel.description || channel.title))
    ch.ele('language').txt(clean(channel.language))
    ch.ele('lastBuildDate').txt(channel.updatedAt.toUTCString())
    ch.ele('generator').txt(GENERATOR)
    ch.ele('atom:link', { href: clean(channel.selfUrl), rel: 'self', type: 'application/rss+xml' })
    for (const item of items) {
      const it = ch.ele('item')
      it.ele('title').txt(clean(item.title))
      it.ele('link').txt(clean(item.url))
      it.ele('guid', { isPermaLink: 'false' }).txt(clean(itemId(channel, item)))
      it.ele('pubDate').txt(item.publishedAt.toUTCString())
      it.ele('dc:creator').txt(clean(item.author.name))
      for (const term of [...item.categories, ...item.tags]) {
        it.ele('category', term.url ? { domain: clean(term.url) } : {}).txt(clean(term.name))
      }
      it.ele('description').txt(clean(item.summary))
      it.ele('content:encoded').txt(clean(absolutizeUrls(item.contentHtml, item.url)))
      if (item.image) it.ele('media:content', { url: clean(item.image.url), medium: 'image' }).ele('media:description').txt(clean(item.image.alt))
      if (item.source) it.ele('source', { url: clean(item.source.url) }).txt(clean(item.source.name))
    }
  })
}

/** Atom 1.0 with full content, authors, categories and the original source credited. */
export function renderAtom (channel: FeedChannel, items: FeedItem[]): string {
  return xml('feed', { xmlns: 'http://www.w3.org/2005/Atom', 'xml:lang': channel.language }, (feed) => {
    feed.ele('id').txt(clean(`${channel.idBase}feed`))
    feed.ele('title').txt(clean(channel.title))
    if (channel.description) feed.ele('subtitle').txt(clean(channel.description))
    feed.ele('updated').txt(channel.updatedAt.toISOString())
    feed.ele('link', { rel: 'self', type: 'application/atom+xml', href: clean(channel.selfUrl) })
    feed.ele('link', { rel: 'alternate', type: 'text/html', href: clean(channel.siteUrl) })
    feed.ele('generator').txt(GENERATOR)
    for (const item of items) {
      const entry = feed.ele('entry')
      entry.ele('id').txt(clean(itemId(channel, item)))
      entry.ele('title', { type: 'text' }).txt(clean(item.title))
      entry.ele('link', { rel: 'alternate', type: 'text/html', href: clean(item.url) })
      if (item.source) entry.ele('link', { rel: 'via', href: clean(item.source.url), title: clean(item.source.name) })
      entry.ele('published').txt(item.publishedAt.toISOString())
      entry.ele('updated').txt(item.updatedAt.toISOString())
      const author = entry.ele('author')
      author.ele('name').txt(clean(item.author.name))
      if (item.author.url) author.ele('uri').txt(clean(item.author.url))
      for (const term of [...item.categories, ...item.tags]) {
        entry.ele('category', { term: clean(term.slug), label: clean(term.name), ...(term.url ? { scheme: clean(term.url) } : {}) })
      }
      entry.ele('summary', { type: 'text' }).txt(clean(item.summary))
      entry.ele('content', { type: 'html' }).txt(clean(absolutizeUrls(item.contentHtml, item.url)))
      if (item.source) {
        const source = entry.ele('source')
        source.ele('id').txt(clean(item.source.url))
        source.ele('title').txt(clean(item.source.name))
        source.ele('link', { rel: 'alternate', href: clean(item.source.url) })
      }
    }
  })
}

/** JSON Feed 1.1 (https://jsonfeed.org/version/1.1). */
export function renderJsonFeed (channel: FeedChannel, items: FeedItem[]): string {
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: channel.title,
    home_page_url: channel.siteUrl,
    feed_url: channel.selfUrl,
    description: channel.description || undefined,
    language: channel.language,
    items: items.map((item) => ({
      id: itemId(channel, item),
      url: item.url,
      external_url: item.source?.url,
      title: item.title,
      content_html: absolutizeUrls(item.contentHtml, item.url),
      summary: item.summary,
      image: item.image?.url,
      date_published: item.publishedAt.toISOString(),
      date_modified: item.updatedAt.toISOString(),
      authors: [{ name: item.author.name, url: item.author.url ?? undefined, avatar: item.author.avatarUrl ?? undefined }],
      tags: [...item.categories, ...item.tags].map((t) => t.name),
      _broadsheet: { source: item.source, canonical_url: item.canonicalUrl ?? item.url }
    }))
  }
  return JSON.stringify(feed)
}
