import { Type } from 'typebox'
import { FEED_MEDIA_TYPES } from '../../lib/feeds.js'

/** The filters and length of a feed. */
export const FeedQuery = Type.Object({
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Category id or slug; includes its sub-categories', examples: ['politics'] })),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'Comma-separated tag ids or slugs (any of them)', examples: ['ukraine'] })),
  author: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Author id or slug', examples: ['maria-lopez'] })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Newest posts to include, 1–100' }))
}, { additionalProperties: false })

export type Format = 'rss' | 'atom' | 'json'

/** One document of each format, shown in the spec. */
export const EXAMPLES: Record<Format, string> = {
  rss: '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" ' +
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>My Blog</title>' +
    '<link>https://example.com</link><description>News</description><atom:link href="https://example.com/feeds/rss.xml" rel="self" type="application/rss+xml"/>' +
    '<item><title>Blinken warns Russia</title><link>https://example.com/politics/blinken-warns-russia</link>' +
    '<guid isPermaLink="false">tag:example.com,2024:post:42</guid><pubDate>Fri, 21 Jan 2022 17:05:00 GMT</pubDate><dc:creator>Maria Lopez</dc:creator>' +
    '<category>Politics</category><description>Talks ended without a breakthrough.</description>' +
    '<content:encoded>&lt;p&gt;Geneva talks ended…&lt;/p&gt;</content:encoded><source url="https://wire.example.com/story">Example Wire</source></item></channel></rss>',
  atom: '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><id>tag:example.com,2024:feed</id>' +
    '<title>My Blog</title><updated>2022-01-21T17:05:00.000Z</updated><link rel="self" href="https://example.com/feeds/atom.xml"/>' +
    '<entry><id>tag:example.com,2024:post:42</id><title type="text">Blinken warns Russia</title>' +
    '<link rel="alternate" href="https://example.com/politics/blinken-warns-russia"/><published>2022-01-21T17:05:00.000Z</published>' +
    '<updated>2022-01-21T17:05:00.000Z</updated><author><name>Maria Lopez</name></author><category term="politics" label="Politics"/>' +
    '<content type="html">&lt;p&gt;Geneva talks ended…&lt;/p&gt;</content></entry></feed>',
  json: JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'My Blog',
    home_page_url: 'https://example.com',
    feed_url: 'https://example.com/feeds/feed.json',
    items: [{
      id: 'tag:example.com,2024:post:42',
      url: 'https://example.com/politics/blinken-warns-russia',
      external_url: 'https://wire.example.com/story',
      title: 'Blinken warns Russia',
      content_html: '<p>Geneva talks ended…</p>',
      date_published: '2022-01-21T17:05:00.000Z',
      authors: [{ name: 'Maria Lopez' }],
      tags: ['Politics']
    }]
  })
}

/** Each format's route: path, operation, media type and docs. */
export const FORMATS: Record<Format, { path: string, operationId: string, summary: string, mediaType: string, description: string }> = {
  rss: {
    path: '/rss.xml',
    operationId: 'getRssFeed',
    summary: 'Get the RSS 2.0 feed',
    mediaType: FEED_MEDIA_TYPES.rss,
    description: 'The newest live posts as RSS 2.0: full sanitized body in `content:encoded`, the excerpt as `description`, `dc:creator`, ' +
      'categories and tags as `category`, a stable `guid` (not a permalink, so it survives slug changes), `atom:link rel="self"`, and the ' +
      'original publisher of a syndicated post in `source`.'
  },
  atom: {
    path: '/atom.xml',
    operationId: 'getAtomFeed',
    summary: 'Get the Atom 1.0 feed',
    mediaType: FEED_MEDIA_TYPES.atom,
    description: 'The newest live posts as Atom 1.0: `content type="html"`, `summary`, `author`, `category` terms, stable entry ids, ' +
      '`published` and `updated`, and the original source of a syndicated post as `link rel="via"`.'
  },
  json: {
    path: '/feed.json',
    operationId: 'getJsonFeed',
    summary: 'Get the JSON Feed 1.1',
    mediaType: FEED_MEDIA_TYPES.json,
    description: 'The newest live posts as JSON Feed 1.1: `content_html`, `summary`, `authors`, `tags` (categories and tags), ' +
      '`date_published`/`date_modified`, `image`, and `external_url` pointing at the original of a syndicated post.'
  }
}

export const CONDITIONAL_HELP = ' Send `If-None-Match` (the ETag) or `If-Modified-Since` (the Last-Modified) to get a 304 when nothing changed. ' +
  'Filters: `category` (with its sub-categories), `tag`, `author`; an unknown one is a 404. ' +
  'Any other query parameter (`utm_source`, `fbclid`, …) is ignored: the same document, ETag and cache entry as without it. ' +
  'A document carries at most 2 MiB of bodies: newest first, each item whose body fits in what is left gets it, the others their excerpt only.'

export const URL_HELP = ' Links are absolute and configured, never taken from the request: items and the home page on `SITE_URL`, the feed\'s own (self) link on `PUBLIC_API_URL` (exactly the URL `GET /v1/site` lists in `feeds`, plus the filters sent). ' +
  'Item ids (`tag:…:post:{id}`, or the `guid` of a post imported from WordPress) are minted once per database and do not change when `SITE_URL` does.'
