import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { parseFeed } from '@rowanmanning/feed-parser'
import { SaxesParser } from 'saxes'
import { escapeHtml } from '../../src/lib/text.js'
import { absolutizeUrls, FEED_MEDIA_TYPES, feedFrame, renderAtom, renderFeedItem, renderFeedItemWithBuilder, renderJsonFeed, renderRss, type FeedChannel, type FeedItem } from '../../src/lib/feeds.js'

type Json = Record<string, any>

const channel: FeedChannel = {
  title: 'My & Blog <news>',
  description: 'Independent news & views',
  siteUrl: 'https://news.example.com',
  language: 'en',
  selfUrl: 'https://api.example.com/feeds/rss.xml?category=politics&tag=nato',
  feedUrls: { rss: 'https://api.example.com/feeds/rss.xml', atom: 'https://api.example.com/feeds/atom.xml', json: 'https://api.example.com/feeds/feed.json' },
  updatedAt: new Date('2024-03-01T12:00:00Z'),
  idBase: 'tag:news.example.com,2024:'
}

// Every C0 control character, U+0000 to U+001F.
const CONTROLS = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('')

const syndicated: FeedItem = {
  id: 42,
  url: 'https://news.example.com/politics/hostile',
  title: `Ampersands & <tags> ]]> ${CONTROLS}control, emoji 🎉, RTL مرحبا`,
  summary: 'Summary with ]]> and & and <b>',
  contentHtml: '<p>Body ]]> with <a href="/relative/link">a relative link</a>, <img src="img/pic.jpg" srcset="img/a.jpg 1x, /b.jpg 2x" alt="x"> 🎉</p>' +
    '<p>\u0007bell\u0000 <a title="say href=\'/x\'" href="https://other.example.org/">abs</a> <a href="#top">top</a></p>',
  publishedAt: new Date('2024-02-01T08:30:00.250Z'),
  updatedAt: new Date('2024-02-02T09:00:00.500Z'),
  author: { name: 'Ann <Writer>', url: 'https://news.example.com/authors/ann', avatarUrl: 'https://img.example.com/ann.png' },
  categories: [{ name: 'Politics', slug: 'politics', url: 'https://news.example.com/category/politics' }],
  tags: [{ name: 'NATO\u0001 & Allies', slug: 'nato', url: null }, { name: 'Politics', slug: 'politics-tag', url: null }],
  image: { url: 'https://img.example.com/cover.jpg', alt: 'Cover & caption' },
  source: { url: 'https://wire.example.com/story?id=1&lang=en', name: 'Example Wire & Co' },
  canonicalUrl: 'https://wire.example.com/story?id=1&lang=en'
}
// What the syndicated body must read as: relative URLs absolute, the rest untouched (the
// XML formats lose the control characters XML forbids; JSON keeps them).
const syndicatedBody = (bell: string) => '<p>Body ]]> with <a href="https://news.example.com/relative/link">a relative link</a>, ' +
  '<img src="https://news.example.com/politics/img/pic.jpg" srcset="https://news.example.com/politics/img/a.jpg 1x, https://news.example.com/b.jpg 2x" alt="x"> 🎉</p>' +
  `<p>${bell} <a title="say href='/x'" href="https://other.example.org/">abs</a> <a href="#top">top</a></p>`
const SYNDICATED_BODY = syndicatedBody('bell')

const long: FeedItem = {
  id: 7,
  url: 'https://news.example.com/long',
  title: `${'A very long headline that keeps going '.repeat(80)}🎉 end`,
  summary: 'Plain summary',
  contentHtml: '<p>Plain</p>',
  publishedAt: new Date('2024-01-15T00:00:00Z'),
  updatedAt: new Date('2024-01-15T00:00:00Z'),
  author: { name: 'Bob' },
  categories: [],
  tags: [],
  image: null,
  source: null,
  canonicalUrl: null
}

const rtl: FeedItem = {
  ...long,
  id: 8,
  url: 'https://news.example.com/rtl',
  title: 'עברית ועוד: مقال باللغة العربية',
  summary: 'ملخص',
  contentHtml: '<p dir="rtl">نص عربي مع <strong>تأكيد</strong></p>',
  tags: [{ name: 'שלום', slug: 'shalom' }],
  author: { name: 'سارة', url: null, avatarUrl: null }
}

const items = [syndicated, long, rtl]
const bodies = new Map([[42, SYNDICATED_BODY], [7, long.contentHtml], [8, rtl.contentHtml]])
const jsonBodies = new Map([...bodies, [42, syndicatedBody('\u0007bell\u0000')]])

// What an XML parser gives back for text: characters XML forbids gone, line ends normalized (XML 1.0 §2.11).
function afterXml (s: string): string {
  return [...s].filter((c) => c >= ' ' || c === '\t' || c === '\n' || c === '\r').join('').replace(/\r\n?/g, '\n')
}
// Attribute values are normalized further: tabs and line ends become spaces (XML 1.0 §3.3.3).
function afterXmlAttr (s: string): string {
  return afterXml(s).replace(/[\t\n]/g, ' ')
}

interface Node { name: string, attrs: Record<string, string>, children: Node[], text: string }

/** Parses XML strictly (namespaces checked) into a small tree, text exactly as XML defines it. */
function parseXml (xml: string): Node {
  const parser = new SaxesParser({ xmlns: true })
  const root: Node = { name: '#document', attrs: {}, children: [], text: '' }
  const stack = [root]
  parser.on('opentag', (tag) => {
    const attrs: Record<string, string> = {}
    for (const [name, attr] of Object.entries(tag.attributes)) attrs[name] = typeof attr === 'string' ? attr : attr.value
    const node: Node = { name: tag.name, attrs, children: [], text: '' }
    stack.at(-1)?.children.push(node)
    stack.push(node)
  })
  parser.on('text', (text) => { const top = stack.at(-1); if (top) top.text += text })
  parser.on('closetag', () => { stack.pop() })
  parser.write(xml).close()
  return root.children[0] as Node
}
function child (node: Node, name: string): Node | undefined {
  return node.children.find((c) => c.name === name)
}
function childrenNamed (node: Node, name: string): Node[] {
  return node.children.filter((c) => c.name === name)
}

t.test('RSS 2.0: a real parser reads every item field by field', async (t) => {
  const xml = renderRss(channel, items)
  t.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>'))
  // eslint-disable-next-line no-control-regex -- checks that no control character is left
  t.notMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/, 'no characters XML forbids')

  const feed = parseFeed(xml)
  t.equal(feed.meta.type, 'rss')
  t.equal(feed.title, channel.title)
  t.equal(feed.url, channel.siteUrl)
  t.equal(feed.self, channel.selfUrl)
  t.equal(feed.language, 'en')
  t.equal(feed.updated?.toISOString(), '2024-03-01T12:00:00.000Z')
  t.equal(feed.items.length, items.length)
  for (const [i, item] of items.entries()) {
    const got = feed.items[i]
    if (!got) { t.fail(`item ${item.id} missing`); continue }
    t.equal(got.id, `tag:news.example.com,2024:post:${item.id}`, 'a guid from the post id')
    t.equal(got.title, afterXml(item.title).trim())
    t.equal(got.url, item.url)
    t.equal(got.description, item.summary.trim())
    // pubDate (RFC 822) carries whole seconds only.
    t.equal(got.published?.getTime(), Math.floor(item.publishedAt.getTime() / 1000) * 1000)
    t.equal(got.updated?.toISOString(), item.updatedAt.toISOString(), 'dc:date is the last update')
    t.same(got.authors.map((a) => a.name), [item.author.name])
    t.same(got.categories.map((c) => c.label), [...item.categories, ...item.tags].map((c) => afterXml(c.name)))
    t.same(got.categories.map((c) => c.url), [...item.categories, ...item.tags].map((c) => c.url ?? null))
    t.equal(got.content, bodies.get(item.id))
    t.equal(got.image?.url ?? null, item.image?.url ?? null)
  }

  const root = parseXml(xml)
  const ch = child(root, 'channel') as Node
  t.same(childrenNamed(ch, 'atom:link').map((l) => l.attrs), [{ href: channel.selfUrl, rel: 'self', type: 'application/rss+xml' }])
  const [a, b] = childrenNamed(ch, 'item') as [Node, Node]
  t.same(child(a, 'guid')?.attrs, { isPermaLink: 'false' })
  t.equal(child(a, 'dc:creator')?.text, 'Ann <Writer>')
  t.equal(child(a, 'title')?.text, escapeHtml(afterXml(syndicated.title)), 'the title is exact, inner whitespace kept, escaped as HTML')
  t.equal(child(a, 'content:encoded')?.text, SYNDICATED_BODY, ']]> and emoji survive the round trip exactly')
  t.same(child(a, 'source'), { name: 'source', attrs: { url: syndicated.source?.url }, children: [], text: 'Example Wire & Co' }, 'the source credited')
  const media = child(a, 'media:content') as Node
  t.same(media.attrs, { url: 'https://img.example.com/cover.jpg', medium: 'image' })
  t.equal(child(media, 'media:description')?.text, 'Cover & caption')
  t.equal(child(b, 'title')?.text, long.title, 'a very long title is never cut')
  t.equal(child(b, 'source'), undefined)
  t.equal(child(b, 'media:content'), undefined)
  t.same(childrenNamed(b, 'category'), [], 'no categories when an item has no terms')
})

t.test('Atom 1.0: a real parser reads every entry field by field', async (t) => {
  const xml = renderAtom(channel, items)
  const feed = parseFeed(xml)
  t.equal(feed.meta.type, 'atom')
  t.equal(feed.title, channel.title)
  t.equal(feed.description, channel.description)
  t.equal(feed.self, channel.selfUrl)
  t.equal(feed.url, channel.siteUrl)
  t.equal(feed.language, 'en')
  t.equal(feed.updated?.toISOString(), '2024-03-01T12:00:00.000Z')
  t.equal(feed.items.length, items.length)
  for (const [i, item] of items.entries()) {
    const got = feed.items[i]
    if (!got) { t.fail(`entry ${item.id} missing`); continue }
    t.equal(got.id, `tag:news.example.com,2024:post:${item.id}`)
    t.equal(got.title, afterXml(item.title).trim())
    t.equal(got.url, item.url)
    t.equal(got.description, item.summary.trim())
    t.equal(got.published?.toISOString(), item.publishedAt.toISOString())
    t.equal(got.updated?.toISOString(), item.updatedAt.toISOString())
    t.same(got.authors.map((a) => ({ name: a.name, url: a.url })), [{ name: item.author.name, url: item.author.url ?? null }])
    t.same(got.categories.map((c) => ({ term: c.term, label: c.label })), [...item.categories, ...item.tags].map((c) => ({ term: c.slug, label: afterXmlAttr(c.name) })))
    t.equal(got.content, bodies.get(item.id))
    t.equal(got.image?.url ?? null, item.image?.url ?? null)
  }

  const root = parseXml(xml)
  t.equal(root.attrs['xml:lang'], 'en')
  t.equal(child(root, 'id')?.text, 'tag:news.example.com,2024:feed')
  const [a, b] = childrenNamed(root, 'entry') as [Node, Node]
  t.equal(child(a, 'content')?.text, SYNDICATED_BODY)
  t.same(child(a, 'content')?.attrs, { type: 'html' })
  t.equal(child(a, 'title')?.text, escapeHtml(afterXml(syndicated.title)), 'plain text escaped as HTML in a type="html" title')
  t.same(child(a, 'title')?.attrs, { type: 'html' })
  t.same(childrenNamed(a, 'link').map((l) => l.attrs), [
    { rel: 'alternate', type: 'text/html', href: syndicated.url },
    { rel: 'via', type: 'text/html', href: syndicated.source?.url, title: 'Example Wire & Co' }
  ])
  const source = child(a, 'source') as Node
  t.equal(child(source, 'id')?.text, syndicated.source?.url)
  t.equal(child(source, 'title')?.text, 'Example Wire &amp; Co')
  t.equal(child(source, 'link')?.attrs.href, syndicated.source?.url)
  t.equal(child(a, 'category')?.attrs.scheme, 'https://news.example.com/category/politics')
  t.equal(child(b, 'title')?.text, escapeHtml(long.title))
  t.equal(child(b, 'source'), undefined)
  t.same(childrenNamed(b, 'link').map((l) => l.attrs.rel), ['alternate'])
})

t.test('JSON Feed 1.1: every item field by field, source credited', async (t) => {
  const feed = JSON.parse(renderJsonFeed(channel, items))
  t.equal(feed.version, 'https://jsonfeed.org/version/1.1')
  t.equal(feed.title, channel.title)
  t.equal(feed.home_page_url, channel.siteUrl)
  t.equal(feed.feed_url, channel.selfUrl)
  t.equal(feed.description, channel.description)
  t.equal(feed.language, 'en')
  t.equal(feed.items.length, items.length)
  for (const [i, item] of items.entries()) {
    const got = feed.items[i]
    t.equal(got.id, `tag:news.example.com,2024:post:${item.id}`)
    t.equal(got.url, item.url)
    t.equal(got.title, item.title, 'JSON carries any text as is, like the JSON API')
    t.equal(got.summary, item.summary)
    t.equal(got.content_html, jsonBodies.get(item.id))
    t.equal(got.date_published, item.publishedAt.toISOString())
    t.equal(got.date_modified, item.updatedAt.toISOString())
    t.equal(got.image, item.image?.url)
    t.equal(got.external_url, item.source?.url)
    t.same(got.tags, [...new Set([...item.categories, ...item.tags].map((c) => c.name))])
    t.same(got._broadsheet.source, item.source)
    t.equal(got._broadsheet.canonical_url, item.canonicalUrl ?? item.url)
  }
  const [a, b, c] = feed.items
  t.same(a.authors, [{ name: 'Ann <Writer>', url: 'https://news.example.com/authors/ann', avatar: 'https://img.example.com/ann.png' }])
  t.same(a.tags, ['Politics', 'NATO\u0001 & Allies'], 'a name shared by a category and a tag is listed once')
  t.same(b.authors, [{ name: 'Bob' }])
  t.same(c.authors, [{ name: 'سارة' }])
  t.notOk('external_url' in b, 'no external_url without a source')
  t.equal(b._broadsheet.source, null)
})

t.test('ids stay the same when slug, title and URL change', async (t) => {
  const edited = { ...syndicated, title: 'A new title', url: 'https://news.example.com/world/new-slug' }
  const rssIds = [syndicated, edited].map((item) => parseFeed(renderRss(channel, [item])).items[0]?.id)
  const atomIds = [syndicated, edited].map((item) => parseFeed(renderAtom(channel, [item])).items[0]?.id)
  const jsonIds = [syndicated, edited].map((item) => JSON.parse(renderJsonFeed(channel, [item])).items[0].id)
  for (const ids of [rssIds, atomIds, jsonIds]) t.same(ids, ['tag:news.example.com,2024:post:42', 'tag:news.example.com,2024:post:42'])
})

t.test('escaped markup stays escaped and entities survive the XML round trip', async (t) => {
  const tricky: FeedItem = {
    ...long,
    title: 'Fish &amp; chips &copy; <b> &#x41;',
    summary: 'x &lt; y',
    contentHtml: '<p>Shown as text: &lt;script&gt;alert(1)&lt;/script&gt; &copy; &amp;amp; &#x1F389; <a href="/q?a=1&amp;b=2">q</a></p>',
    source: { url: 'https://wire.example.com/?a=1&b=2', name: 'A &amp; B' }
  }
  const expectedBody = '<p>Shown as text: &lt;script&gt;alert(1)&lt;/script&gt; &copy; &amp;amp; &#x1F389; <a href="https://news.example.com/q?a=1&amp;b=2">q</a></p>'
  const rss = child(parseXml(renderRss(channel, [tricky])), 'channel') as Node
  const rssItem = child(rss, 'item') as Node
  t.equal(child(rssItem, 'content:encoded')?.text, expectedBody, 'the body decodes to exactly the HTML given')
  t.equal(child(rssItem, 'title')?.text, escapeHtml(tricky.title), 'the plain-text title is escaped as HTML, like the description')
  t.equal(child(rssItem, 'description')?.text, 'x &amp;lt; y', 'the plain-text summary is escaped as HTML, which readers expect in a description')
  t.same(child(rssItem, 'source')?.attrs, { url: 'https://wire.example.com/?a=1&b=2' })
  t.equal(child(rssItem, 'source')?.text, 'A &amp; B')
  const atomEntry = child(parseXml(renderAtom(channel, [tricky])), 'entry') as Node
  t.equal(child(atomEntry, 'content')?.text, expectedBody)
  t.equal(child(atomEntry, 'title')?.text, escapeHtml(tricky.title))
  t.equal(JSON.parse(renderJsonFeed(channel, [tricky])).items[0].content_html, expectedBody)
})

t.test('a title with markup in it reads back as typed in every format, never as markup', async (t) => {
  // Readers take RSS titles as HTML (this parser decodes entities after the XML): escaped once,
  // "&lt;b&gt;" came back as a real <b>.
  const title = 'Why <script> tags and &lt;b&gt; show as typed'
  const item: FeedItem = { ...long, title }
  const rss = parseFeed(renderRss({ ...channel, title }, [item]))
  t.equal(rss.items[0].title, title, 'RSS item title')
  t.equal(rss.title, title, 'RSS channel title')
  const atom = parseFeed(renderAtom({ ...channel, title }, [item]))
  t.equal(atom.items[0].title, title, 'Atom <title type="text"> is plain text already')
  t.equal(atom.title, title)
  const json = JSON.parse(renderJsonFeed({ ...channel, title }, [item]))
  t.equal(json.items[0].title, title, 'JSON Feed titles are plain text')
  t.equal(json.title, title)
})

t.test('empty item lists still make valid feeds', async (t) => {
  const rss = renderRss(channel, [])
  const atom = renderAtom(channel, [])
  t.equal(parseXml(rss).name, 'rss', 'RSS is well-formed with namespaces bound')
  t.equal(parseXml(atom).name, 'feed')
  t.equal(parseFeed(rss).items.length, 0)
  t.equal(parseFeed(rss).title, channel.title)
  t.equal(parseFeed(atom).items.length, 0)
  t.equal(parseFeed(atom).updated?.toISOString(), channel.updatedAt.toISOString())
  const json = JSON.parse(renderJsonFeed(channel, []))
  t.same(json.items, [])
  t.equal(json.version, 'https://jsonfeed.org/version/1.1')
  // RSS requires a channel description; the title stands in for an empty one.
  t.equal(parseFeed(renderRss({ ...channel, description: '' }, [])).description, channel.title)
})

t.test('an item without its body (the feed body budget was spent) carries its summary in every format', async (t) => {
  const bare: FeedItem = { ...long, contentHtml: null, summary: 'Only the excerpt' }
  const rssItem = child(child(parseXml(renderRss(channel, [bare])), 'channel') as Node, 'item') as Node
  t.equal(child(rssItem, 'content:encoded'), undefined)
  t.equal(child(rssItem, 'description')?.text, 'Only the excerpt')
  const entry = child(parseXml(renderAtom(channel, [{ ...bare, summary: '' }])), 'entry') as Node
  t.equal(child(entry, 'content'), undefined)
  t.ok(child(entry, 'summary'), 'Atom requires a summary in an entry without content, even an empty one')
  const item = JSON.parse(renderJsonFeed(channel, [bare])).items[0]
  t.equal(item.content_html, undefined)
  t.equal(item.content_text, 'Only the excerpt', 'JSON Feed needs content_html or content_text')
})

t.test('a feed is its frame and its items rendered one by one, byte for byte (what the read model stores)', async (t) => {
  const render = { rss: renderRss, atom: renderAtom, json: renderJsonFeed }
  const summaryOnly = items.map((item) => ({ ...item, contentHtml: null }))
  const bare: FeedChannel = { ...channel, description: '', title: '' }
  for (const format of ['rss', 'atom', 'json'] as const) {
    for (const [name, ch] of [['a channel', channel], ['a channel without title or description', bare]] as const) {
      for (const list of [items, [items[1]], [], summaryOnly, [syndicated, summaryOnly[1]]]) {
        const frame = feedFrame(format, ch)
        const pieced = frame.head + list.map((item) => renderFeedItem(format, ch.idBase, item)).join(frame.separator) + frame.tail
        t.equal(pieced, render[format](ch, list), `${format}, ${name}, ${list.length} item(s)`)
      }
    }
  }
})

t.test('the written RSS and Atom items are the builder\'s bytes, for any text', async (t) => {
  const fc = await import('fast-check')
  // Text made of what XML and HTML escaping care about, entities, controls, surrogates and markup.
  const piece = fc.constantFrom('a', ' ', '&', '&amp;', '&lt;', '&#39;', '&quot;', '<', '>', '"', "'", ']]>', '\t', '\n', '\r', '\u0000', '\u0008', '\ufffe', '\ud800', '😀', 'é', '<b>x</b>', '<a href="/rel?a=1&amp;b=2">l</a>', "<img src='p.png' srcset=\"a.png 1x, /b.png 2x\">", '=')
  const str = fc.array(piece, { maxLength: 12 }).map((a) => a.join(''))
  const url = fc.oneof(fc.constant('https://news.example.com/a/b'), str.map((s) => `https://x.example/${s}`))
  const person = fc.record({ name: str, url: fc.option(url), avatarUrl: fc.option(url) })
  const term = fc.record({ name: str, slug: str, url: fc.option(url) })
  const date = fc.integer({ min: 0, max: 4102444800000 }).map((ms) => new Date(ms))
  const item = fc.record({
    id: fc.integer({ min: 1, max: 1e9 }),
    guid: fc.option(str),
    url,
    title: str,
    summary: str,
    contentHtml: fc.option(str),
    publishedAt: date,
    updatedAt: date,
    author: person,
    authors: fc.option(fc.array(person, { maxLength: 3 }), { nil: undefined }),
    categories: fc.array(term, { maxLength: 3 }),
    tags: fc.array(term, { maxLength: 3 }),
    image: fc.option(fc.record({ url, alt: str })),
    source: fc.option(fc.record({ url, name: str })),
    canonicalUrl: fc.option(url)
  }) as unknown as import('fast-check').Arbitrary<FeedItem>
  fc.assert(fc.property(item, str, (it, base) => {
    for (const format of ['rss', 'atom'] as const) {
      const idBase = `tag:${base},2024:`
      if (renderFeedItem(format, idBase, it) !== renderFeedItemWithBuilder(format, idBase, it)) return false
    }
    return true
  }), { numRuns: 1500 })
  for (const it of [...items, syndicated, long]) {
    for (const format of ['rss', 'atom'] as const) t.equal(renderFeedItem(format, channel.idBase, it), renderFeedItemWithBuilder(format, channel.idBase, it), `${format} ${it.title}`)
  }
})

t.test('absolutizeUrls', async (t) => {
  const base = 'https://e.com/a/b'
  const untouched = '<a href="#top">x</a><a href="mailto:a@b.c">m</a><a href="https://x.y/">y</a><a href="">e</a><p>text href="/not-an-attr"</p>'
  t.equal(absolutizeUrls(untouched, base), untouched, 'absolute URLs, fragments, empty values and text are left alone')
  t.equal(absolutizeUrls('<a href="../up?a=1&amp;b=2">x</a>', base), '<a href="https://e.com/up?a=1&amp;b=2">x</a>')
  t.equal(absolutizeUrls("<img src='p.png' alt=\"1\">", base), '<img src="https://e.com/a/p.png" alt="1">', 'single quotes')
  t.equal(absolutizeUrls('<img src=p.png>', base), '<img src="https://e.com/a/p.png">', 'unquoted values')
  t.equal(absolutizeUrls('<a HREF="//cdn.e.org/x">x</a>', base), '<a HREF="https://cdn.e.org/x">x</a>', 'protocol-relative, any case')
  t.equal(absolutizeUrls('<blockquote cite="/src"></blockquote>', base), '<blockquote cite="https://e.com/src"></blockquote>')
  t.equal(absolutizeUrls('<img srcset="a.jpg 1x,b.jpg 2x">', base), '<img srcset="https://e.com/a/a.jpg 1x, https://e.com/a/b.jpg 2x">')
  t.equal(absolutizeUrls('<a href="/x">x</a>', 'not a url'), '<a href="/x">x</a>', 'a base that is no URL leaves the value as it was')
  t.equal(absolutizeUrls('<a title="go href=\'/x\'" data-href="/y">x</a>', base), '<a title="go href=\'/x\'" data-href="/y">x</a>', 'only real URL attributes')
})

t.test('media types', async (t) => {
  t.same(FEED_MEDIA_TYPES, {
    rss: 'application/rss+xml; charset=utf-8',
    atom: 'application/atom+xml; charset=utf-8',
    json: 'application/feed+json; charset=utf-8'
  })
})

// A JSON Feed validator built from the field list of the 1.1 spec text itself: required
// fields present, every standard field of the right type, extensions named as the spec asks.
interface SpecField { required: boolean, type: string }
interface Spec { top: Map<string, SpecField>, item: Map<string, SpecField>, author: Map<string, SpecField> }

function readSpec (markdown: string): Spec {
  const section = (from: string, to: string) => markdown.slice(markdown.indexOf(from), markdown.indexOf(to, markdown.indexOf(from)))
  const fields = (text: string, indent: string) => {
    const out = new Map<string, SpecField>()
    for (const m of text.matchAll(new RegExp(`^${indent}\\* \`(\\w+)\` \\(([^)]*)\\)`, 'gm'))) {
      const [, name = '', desc = ''] = m
      out.set(name, { required: /^required/.test(desc), type: desc.split(',').at(-1)?.trim() ?? '' })
    }
    return out
  }
  const top = section('### Top-level', '### Items')
  const items = section('### Items', '### Deprecations')
  const item = fields(items, '')
  // "content_html and content_text are each optional strings — but one or both must be present"
  for (const m of items.matchAll(/^\* `(\w+)` and `(\w+)` are each optional strings/gm)) {
    item.set(m[1] as string, { required: false, type: 'string' })
    item.set(m[2] as string, { required: false, type: 'string' })
  }
  const topFields = fields(top, '')
  // "`items` is an array, and is required" opens the Items section rather than a bullet.
  if (/`items` is an array, and is required/.test(items)) topFields.set('items', { required: true, type: 'array' })
  return { top: topFields, item, author: fields(top, ' {4}') }
}

function typeOk (value: unknown, type: string): boolean {
  if (type.startsWith('array')) return Array.isArray(value) && (!type.endsWith('of strings') || value.every((v) => typeof v === 'string'))
  const actual: string = typeof value
  return actual === type
}

function validateJsonFeed (feed: Json, spec: Spec): string[] {
  const errors: string[] = []
  const checkObject = (obj: Json, fields: Map<string, SpecField>, where: string) => {
    for (const [name, field] of fields) if (field.required && !(name in obj)) errors.push(`${where}: ${name} is required`)
    for (const [key, value] of Object.entries(obj)) {
      if (key.startsWith('_')) {
        if (!/^_[a-zA-Z]/.test(key) || key.includes('.')) errors.push(`${where}: bad extension name ${key}`)
        if (value !== null && typeof value === 'object' && Object.keys(value).some((k) => k.includes('.'))) errors.push(`${where}: extension ${key} has a key with "."`)
        continue
      }
      const field = fields.get(key)
      if (!field) errors.push(`${where}: ${key} is not a JSON Feed 1.1 field`)
      else if (!typeOk(value, field.type)) errors.push(`${where}: ${key} should be ${field.type}`)
    }
    for (const author of Array.isArray(obj.authors) ? obj.authors : []) {
      if (Object.keys(author).length === 0) errors.push(`${where}: an author needs at least one member`)
      checkObject(author, spec.author, `${where}.authors[]`)
    }
  }
  checkObject(feed, spec.top, 'feed')
  if (feed.version !== 'https://jsonfeed.org/version/1.1') errors.push('feed: version is not 1.1')
  if (!Array.isArray(feed.items)) return [...errors, 'feed: items must be an array']
  const ids = new Set<string>()
  for (const [i, item] of feed.items.entries()) {
    checkObject(item, spec.item, `items[${i}]`)
    if (item.content_html === undefined && item.content_text === undefined) errors.push(`items[${i}]: content_html or content_text must be present`)
    if (ids.has(item.id)) errors.push(`items[${i}]: duplicate id ${item.id}`)
    ids.add(item.id)
  }
  return errors
}

const specDir = new URL('../../../shared/fixtures/feeds/spec/', import.meta.url)
const specFile = new URL('jsonfeed-1.1.markdown', specDir)
t.test('JSON Feed output passes the field rules of the 1.1 spec text', { skip: existsSync(specFile) ? false : 'the shared JSON Feed 1.1 spec text (../shared/fixtures/feeds/spec/) is not present here' }, async (t) => {
  const spec = readSpec(readFileSync(specFile, 'utf8'))
  t.ok(spec.top.get('version')?.required && spec.top.get('title')?.required, 'the spec text was read: version and title are required')
  t.ok(spec.item.get('id')?.required, 'item id is required')
  t.equal(spec.item.get('tags')?.type, 'array of strings')
  t.ok(spec.author.has('avatar'))

  t.same(validateJsonFeed(JSON.parse(renderJsonFeed(channel, items)), spec), [], 'a full feed is valid')
  t.same(validateJsonFeed(JSON.parse(renderJsonFeed(channel, [])), spec), [], 'an empty feed is valid')
  t.same(validateJsonFeed(JSON.parse(renderJsonFeed({ ...channel, description: '', language: '' }, [{ ...long, author: { name: '' }, summary: '' }])), spec), [], 'sparse input is valid')
  t.same(validateJsonFeed(JSON.parse(renderJsonFeed(channel, [{ ...long, contentHtml: null, summary: '' }])), spec), [], 'an item without its body is valid')

  // The validator must be able to fail, or the checks above prove nothing.
  const broken = JSON.parse(renderJsonFeed(channel, [long, long]))
  delete broken.title
  broken.home_page_url = 5
  broken['_bad.ext'] = {}
  delete broken.items[0].content_html
  broken.items[1].tags = [1]
  broken.items[1].author_name = 'x'
  t.same(validateJsonFeed(broken, spec), [
    'feed: title is required',
    'feed: home_page_url should be string',
    'feed: bad extension name _bad.ext',
    'items[0]: content_html or content_text must be present',
    'items[1]: tags should be array of strings',
    'items[1]: author_name is not a JSON Feed 1.1 field',
    'items[1]: duplicate id tag:news.example.com,2024:post:7'
  ])
})
