import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { parseFeed } from '@rowanmanning/feed-parser'
import { SaxesParser } from 'saxes'
import { absolutizeUrls, FEED_MEDIA_TYPES, renderAtom, renderJsonFeed, renderRss, type FeedChannel, type FeedItem } from '../../src/lib/feeds.js'

const channel: FeedChannel = {
  title: 'My & Blog <news>',
  description: 'Independent news',
  siteUrl: 'https://news.example.com',
  language: 'en',
  selfUrl: 'https://api.example.com/feeds/rss.xml?category=politics',
  feedUrls: { rss: 'https://api.example.com/feeds/rss.xml', atom: 'https://api.example.com/feeds/atom.xml', json: 'https://api.example.com/feeds/feed.json' },
  updatedAt: new Date('2024-03-01T12:00:00Z'),
  idBase: 'tag:news.example.com,2024:'
}

const hostile: FeedItem = {
  id: 42,
  url: 'https://news.example.com/politics/hostile',
  title: 'Ampersands & <tags> ]]> \u0000\u0001\u001f control, emoji 🎉, RTL مرحبا',
  summary: 'Summary with ]]> and &',
  contentHtml: '<p>Body ]]> with <a href="/relative/link">a relative link</a> and <img src="img/pic.jpg" alt="x"> 🎉</p><p>\u0007bell</p>',
  publishedAt: new Date('2024-02-01T08:30:00Z'),
  updatedAt: new Date('2024-02-02T09:00:00Z'),
  author: { name: 'Ann <Writer>', url: 'https://news.example.com/authors/ann', avatarUrl: null },
  categories: [{ name: 'Politics', slug: 'politics', url: null }],
  tags: [{ name: 'NATO & Allies', slug: 'nato', url: null }],
  image: { url: 'https://img.example.com/cover.jpg', alt: 'Cover' },
  source: { url: 'https://wire.example.com/story', name: 'Example Wire' },
  canonicalUrl: 'https://wire.example.com/story'
}
const plain: FeedItem = { ...hostile, id: 7, title: 'Plain', url: 'https://news.example.com/plain', tags: [], categories: [], image: null, source: null, canonicalUrl: null, contentHtml: '<p>Plain</p>' }

t.test('RSS 2.0 parses with a real parser, field by field', async (t) => {
  const xml = renderRss(channel, [hostile, plain])
  t.notMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/, 'no characters XML forbids')
  t.match(xml, /xmlns:content=/)
  t.match(xml, /<atom:link href="https:\/\/api\.example\.com\/feeds\/rss\.xml\?category=politics" rel="self"/)
  t.match(xml, /<source url="https:\/\/wire\.example\.com\/story">Example Wire<\/source>/)
  t.match(xml, /<dc:creator>Ann &lt;Writer&gt;<\/dc:creator>/)
  const feed = parseFeed(xml)
  t.equal(feed.title, 'My & Blog <news>')
  t.equal(feed.self, channel.selfUrl)
  const [a, b] = feed.items
  t.equal(a.id, 'tag:news.example.com,2024:post:42', 'a stable guid from the id')
  t.equal(a.title, 'Ampersands & <tags> ]]>  control, emoji 🎉, RTL مرحبا')
  t.equal(a.url, hostile.url)
  t.equal(a.published?.toISOString(), '2024-02-01T08:30:00.000Z')
  t.equal(a.authors[0].name, 'Ann <Writer>')
  t.same(a.categories.map((c) => c.label), ['Politics', 'NATO & Allies'])
  t.match(a.content, /Body \]\]> with <a href="https:\/\/news\.example\.com\/relative\/link">/, ']]> survives; relative URLs are absolute')
  t.match(a.content, /src="https:\/\/news\.example\.com\/politics\/img\/pic\.jpg"/)
  t.equal(a.image?.url, 'https://img.example.com/cover.jpg')
  t.equal(b.id, 'tag:news.example.com,2024:post:7')
  t.same(b.categories, [])
})

t.test('Atom 1.0 parses, with the source credited', async (t) => {
  const xml = renderAtom(channel, [hostile])
  t.match(xml, /<link rel="via" href="https:\/\/wire\.example\.com\/story"/)
  t.match(xml, /<source><id>https:\/\/wire\.example\.com\/story<\/id><title>Example Wire<\/title>/)
  const feed = parseFeed(xml)
  t.equal(feed.meta.type, 'atom')
  const [a] = feed.items
  t.equal(a.id, 'tag:news.example.com,2024:post:42')
  t.equal(a.updated?.toISOString(), '2024-02-02T09:00:00.000Z')
  t.equal(a.published?.toISOString(), '2024-02-01T08:30:00.000Z')
  t.same(a.categories.map((c) => c.term), ['politics', 'nato'])
  t.match(a.content, /Body \]\]> with/)
})

t.test('JSON Feed 1.1 has the required fields and the source', async (t) => {
  const feed = JSON.parse(renderJsonFeed(channel, [hostile, plain]))
  t.equal(feed.version, 'https://jsonfeed.org/version/1.1')
  t.equal(feed.title, channel.title)
  t.equal(feed.feed_url, channel.selfUrl)
  const [a, b] = feed.items
  t.equal(a.id, 'tag:news.example.com,2024:post:42')
  t.equal(a.external_url, 'https://wire.example.com/story')
  t.same(a.authors, [{ name: 'Ann <Writer>', url: 'https://news.example.com/authors/ann' }])
  t.same(a.tags, ['Politics', 'NATO & Allies'])
  t.same(a._broadsheet, { source: hostile.source, canonical_url: 'https://wire.example.com/story' })
  t.equal(b.external_url, undefined)
  t.equal(b._broadsheet.canonical_url, plain.url)
  for (const item of feed.items) {
    t.type(item.id, 'string')
    t.ok(item.content_html !== undefined || item.content_text !== undefined, 'content_html or content_text is present, as 1.1 requires')
  }
})

t.test('the JSON Feed 1.1 text lists the fields we emit at top level and per item', { skip: existsSync(new URL('../../../shared/fixtures/feeds/spec', import.meta.url)) ? false : 'the shared JSON Feed spec text is not present here' }, async (t) => {
  const dir = new URL('../../../shared/fixtures/feeds/spec/', import.meta.url)
  const spec = readdirSync(dir).map((f) => readFileSync(new URL(f, dir), 'utf8')).join('\n')
  for (const field of ['version', 'title', 'home_page_url', 'feed_url', 'description', 'language', 'items', 'id', 'url', 'external_url', 'content_html', 'summary', 'image', 'date_published', 'date_modified', 'authors', 'tags']) {
    t.match(spec, new RegExp(`\\b${field}\\b`), `${field} is a JSON Feed 1.1 field`)
  }
})

// What an XML parser reads back from an element, exactly (feed-parser decodes HTML entities a
// second time, so it cannot show whether the XML itself is right).
function xmlText (xml: string, element: string): string[] {
  const out: string[] = []
  const parser = new SaxesParser()
  let depth = 0
  let text = ''
  parser.on('opentag', (tag) => { if (tag.name === element) { depth++; text = '' } })
  parser.on('text', (t) => { if (depth > 0) text += t })
  parser.on('closetag', (tag) => { if (tag.name === element) { depth--; out.push(text) } })
  parser.write(xml).close()
  return out
}

t.test('escaped markup stays escaped and entities survive the round trip', async (t) => {
  const tricky: FeedItem = { ...plain, title: 'Fish &amp; chips &copy; <b>', contentHtml: '<p>Shown as text: &lt;script&gt;alert(1)&lt;/script&gt; &copy; &amp;amp;</p>' }
  const selfUrl = 'https://api.example.com/feeds/rss.xml?a=1&b=2'
  const rssXml = renderRss({ ...channel, selfUrl }, [tricky])
  t.same(xmlText(rssXml, 'content:encoded'), [tricky.contentHtml], 'the body decodes to exactly the HTML given')
  t.same(xmlText(rssXml, 'title').slice(1), [tricky.title])
  t.equal(parseFeed(rssXml).self, selfUrl)
  const atomXml = renderAtom(channel, [tricky])
  t.same(xmlText(atomXml, 'content'), [tricky.contentHtml])
})

t.test('empty feeds are valid; helpers', async (t) => {
  t.equal(parseFeed(renderRss(channel, [])).items.length, 0)
  t.equal(parseFeed(renderAtom(channel, [])).items.length, 0)
  t.same(JSON.parse(renderJsonFeed(channel, [])).items, [])
  t.equal(absolutizeUrls('<a href="#top">x</a><a href="mailto:a@b.c">m</a><a href="https://x.y/">y</a>', 'https://e.com/a/b'), '<a href="#top">x</a><a href="mailto:a@b.c">m</a><a href="https://x.y/">y</a>')
  t.equal(absolutizeUrls('<a href="../up?a=1&amp;b=2">x</a>', 'https://e.com/a/b'), '<a href="https://e.com/up?a=1&amp;b=2">x</a>')
  t.match(FEED_MEDIA_TYPES.json, /^application\/feed\+json; charset=utf-8$/)
})
