import t from 'tap'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import iconv from 'iconv-lite'
import { decodeFeedBytes, FeedParseError, parseFeed } from '../../src/lib/feed-import.js'

const rss = (encoding: string, title: string) => `<?xml version="1.0" encoding="${encoding}"?><rss version="2.0"><channel><title>${title}</title><link>https://partner.example.com/</link>
<item><title>Caf\u00e9 \u201cquoted\u201d</title><link>/news/1</link><guid>n-1</guid><pubDate>Mon, 3 Jun 2024 10:00 GMT</pubDate><description>&lt;p&gt;Hello &lt;a href="/rel"&gt;x&lt;/a&gt;&lt;/p&gt;</description></item></channel></rss>`

t.test('encodings: BOMs, HTTP charset, XML declaration, Latin-1 read as Windows-1252', async (t) => {
  const text = rss('utf-8', 'Partner')
  t.equal(decodeFeedBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])), text)
  t.equal(decodeFeedBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')])), text)
  t.equal(decodeFeedBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf-16be')])), text)
  const latin = iconv.encode(rss('ISO-8859-1', 'Partner'), 'windows-1252')
  const parsed = parseFeed(latin)
  t.equal(parsed.items[0].title, 'Café “quoted”', 'declared ISO-8859-1 with Windows-1252 quotes')
  t.equal(parseFeed(iconv.encode(rss('utf-8', 'Partner'), 'windows-1252'), { contentType: 'application/rss+xml; charset=windows-1252' }).items[0].title, 'Café “quoted”', 'the HTTP charset wins over the declaration')
  t.throws(() => decodeFeedBytes(Buffer.from('<x/>'), 'text/xml; charset=klingon'), FeedParseError)
})

t.test('RSS items: ids, absolute URLs, odd dates, content', async (t) => {
  const feed = parseFeed(Buffer.from(rss('utf-8', 'Partner')))
  t.equal(feed.format, 'rss')
  t.equal(feed.title, 'Partner')
  const [item] = feed.items
  t.equal(item.id, 'n-1')
  t.equal(item.url, 'https://partner.example.com/news/1', 'relative links resolved')
  t.equal(item.publishedAt?.toISOString(), '2024-06-03T10:00:00.000Z', 'a date without seconds')
  t.match(item.contentHtml, /href="https:\/\/partner\.example\.com\/rel"/)
})

t.test('Atom and JSON Feed 1.0/1.1', async (t) => {
  const atom = parseFeed(Buffer.from('<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example.org/"><title>Blog</title><link href="https://blog.example.org/"/><entry><id>urn:x:1</id><title>Entry</title><link href="posts/1"/><updated>2024-01-01T00:00:00Z</updated><author><name>Kim</name></author><content type="html">&lt;p&gt;Hi&lt;/p&gt;</content><category term="news"/></entry></feed>'))
  t.equal(atom.format, 'atom')
  t.match(atom.items[0], { id: 'urn:x:1', title: 'Entry', url: 'https://blog.example.org/posts/1', authorName: 'Kim', categories: ['news'] })
  const json11 = parseFeed(Buffer.from(JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'J', home_page_url: 'https://j.example.com/', items: [{ id: 1, url: '/a', content_text: 'One\n\nTwo <b>', authors: [{ name: 'Lee' }], tags: ['x'], date_published: '2024-02-02T02:02:02Z', image: '/i.jpg' }] })))
  t.match(json11.items[0], { id: '1', url: 'https://j.example.com/a', contentHtml: '<p>One</p>\n<p>Two &lt;b&gt;</p>', authorName: 'Lee', categories: ['x'], imageUrl: 'https://j.example.com/i.jpg' })
  const json10 = parseFeed(Buffer.from(JSON.stringify({ version: 'https://jsonfeed.org/version/1', title: 'J', items: [{ id: 'a', content_html: '<p>x</p>', author: { name: 'Old' } }, { id: 'a', content_html: 'dup' }] })))
  t.equal(json10.items[0].authorName, 'Old')
  t.equal(json10.items.length, 1)
  t.match(json10.warnings[0], /duplicate/)
})

t.test('not feeds are refused with a reason, never another error', async (t) => {
  for (const bad of ['', 'hello', '{"version":"x"}', '{broken', '<html><body>no</body></html>', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><rss/>']) {
    t.throws(() => parseFeed(Buffer.from(bad)), FeedParseError, JSON.stringify(bad.slice(0, 30)))
  }
})

const SHARED = new URL('../../../shared/fixtures/feeds/', import.meta.url)
t.test('every shared feed either parses or is refused with a FeedParseError', { skip: existsSync(SHARED) ? false : 'the shared feed fixtures are not present here' }, async (t) => {
  let parsed = 0
  let refused = 0
  for (const dir of readdirSync(SHARED)) {
    if (dir === 'spec' || !statSync(new URL(dir, SHARED)).isDirectory()) continue
    for (const file of readdirSync(new URL(`${dir}/`, SHARED))) {
      try {
        parseFeed(readFileSync(new URL(`${dir}/${file}`, SHARED)))
        parsed++
      } catch (err) {
        t.ok(err instanceof FeedParseError, `${dir}/${file}: ${(err as Error).message}`)
        refused++
      }
    }
  }
  t.ok(parsed >= 25, `${parsed} parsed, ${refused} refused with a reason`)
})
