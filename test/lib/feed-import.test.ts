import t from 'tap'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import iconv from 'iconv-lite'
import { decodeFeedBytes, FeedParseError, parseFeed, parseFeedDate, type ParsedFeed } from '../../src/lib/feed-import.js'

const fixture = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url))
const SHARED = new URL('../../../shared/fixtures/feeds/', import.meta.url)
const sharedSkip = existsSync(SHARED) ? false : 'the shared fixtures folder (../shared/fixtures/feeds) is absent'
const shared = (path: string): ParsedFeed => parseFeed(readFileSync(new URL(path, SHARED)))

t.test('RSS 2.0: ids, absolute URLs, content:encoded over description, authors, images', async (t) => {
  const feed = parseFeed(fixture('rss2.xml'))
  t.match(feed, { format: 'rss', title: 'Partner News', siteUrl: 'https://partner.example.com/', warnings: [] })
  const [first, second, third] = feed.items
  t.match(first, {
    id: 'partner-1001',
    url: 'https://partner.example.com/news/bridge-reopens',
    title: 'Bridge reopens',
    summary: 'The bridge is open again.',
    authorName: 'Sam Lock',
    categories: ['Transport', 'City'],
    imageUrl: 'https://partner.example.com/images/bridge-thumb.jpg'
  })
  t.equal(first.contentHtml, '<p>The <a href="https://partner.example.com/tags/bridge">bridge</a> is open.</p><img src="https://partner.example.com/news/images/bridge.jpg" alt="">', 'relative URLs resolved against the item')
  t.equal(first.publishedAt?.toISOString(), '2024-06-03T09:00:00.000Z')
  t.equal(first.updatedAt, null)
  t.match(second, { id: 'https://partner.example.com/news/no-guid', authorName: 'News Desk', contentHtml: '<p>Escaped <em>HTML</em></p>', summary: null, imageUrl: 'https://cdn.partner.example.com/photo.png' }, 'no guid: the link is the id; "email (Name)" gives the name')
  t.match(third.id, /^[0-9a-f]{32}$/, 'no guid and no link: a hash of title and date')
  t.equal(parseFeed(fixture('rss2.xml')).items[2].id, third.id, 'the hash is stable')
})

t.test('RSS 0.91 with its Netscape DOCTYPE and HTML entities', async (t) => {
  const feed = parseFeed(fixture('rss091.xml'))
  t.match(feed, { format: 'rss', title: 'Classic Weekly', siteUrl: 'http://classic.example.com/' })
  t.match(feed.items, [{ id: 'http://classic.example.com/issues/1.html', title: 'First issue — out now', contentHtml: 'Read it\u00a0today.' }])
})

t.test('RDF (RSS 1.0): items outside the channel, rdf:about ids, Dublin Core', async (t) => {
  const feed = parseFeed(fixture('rdf.xml'))
  t.match(feed, { format: 'rdf', title: 'Journal of Examples', siteUrl: 'https://journal.example.org/' })
  t.equal(feed.items.length, 2)
  t.match(feed.items[0], { id: 'https://journal.example.org/a/1', summary: 'Short abstract', authorName: 'Dr. Ida Example', categories: ['Botany'] })
  t.equal(feed.items[0].contentHtml, '<p>Full text with <a href="https://journal.example.org/figures/1">a figure</a>.</p>')
  t.equal(feed.items[0].publishedAt?.toISOString(), '2024-05-01T16:30:00.000Z')
  t.equal(feed.items[1].publishedAt?.toISOString(), '2024-05-02T00:00:00.000Z', 'a W3C-DTF date alone')
})

t.test('Atom: xml:base at every level, html, xhtml and text content, feed author as fallback', async (t) => {
  const feed = parseFeed(fixture('atom-base.xml'))
  t.match(feed, { format: 'atom', title: 'Notes & Sketches', siteUrl: 'https://blog.example.net/', warnings: [] })
  const [html, xhtml, text] = feed.items
  t.match(html, { id: 'tag:blog.example.net,2024:1', url: 'https://blog.example.net/posts/2024/sketch.html', title: 'A sketch', summary: 'Ink on paper', authorName: 'Lee Pen', categories: ['Art', 'ink'], imageUrl: 'https://blog.example.net/posts/2024/sketch.jpg' })
  t.equal(html.contentHtml, '<p><img src="https://static.example.net/media/ink.png"> <a href="https://static.example.net/about">about</a></p>', 'the content element\'s own xml:base wins')
  t.equal(html.publishedAt?.toISOString(), '2024-03-01T07:00:00.000Z')
  t.equal(html.updatedAt?.toISOString(), '2024-03-02T10:00:00.000Z')
  t.match(xhtml, { title: 'An XHTML entry', url: 'https://blog.example.net/posts/xhtml', authorName: 'Feed Author', contentHtml: '<p>See <a href="https://blog.example.net/other">other</a><br />and more.</p>' })
  t.equal(xhtml.publishedAt?.toISOString(), '2024-02-01T00:00:00.000Z', 'no published: updated stands in')
  t.equal(text.contentHtml, '<p>Line &lt;one&gt;</p>\n<p>Para two</p>', 'text content is escaped into paragraphs')
  t.equal(text.url, null)
})

t.test('JSON Feed 1.0 and 1.1', async (t) => {
  const v10 = parseFeed(fixture('json-1.0.json'))
  t.match(v10, { format: 'json', title: 'Pocket Notes', siteUrl: 'https://notes.example.com/' })
  t.equal(v10.items.length, 2)
  t.match(v10.items[0], { id: 'n1', url: 'https://notes.example.com/2024/one', contentHtml: '<p>With <img src="https://notes.example.com/2024/pic.png"></p>', authorName: 'Noa Note', categories: ['misc'], imageUrl: 'https://notes.example.com/img/one.png' })
  t.match(v10.items[1], { id: '2', contentHtml: '<p>Plain &lt;text&gt; &amp; more.</p>\n<p>Second paragraph.</p>', imageUrl: 'https://cdn.example.com/banner.png' })
  t.equal(v10.items[1].updatedAt?.toISOString(), '2024-04-03T07:00:00.000Z')
  t.same(v10.warnings, ['item "2": unreadable publication date "not a date"', 'duplicate item id "n1" skipped'])
  const v11 = parseFeed(fixture('json-1.1.json'))
  t.match(v11.items[0], { id: 'https://bulletin.example.org/p/1', authorName: 'Kit Reporter', summary: 'We open' }, 'the first author with a name')
  t.equal(v11.items[0].publishedAt?.toISOString(), '2024-05-05T10:05:05.000Z')
  t.match(v11.items[1], { url: 'https://elsewhere.example.net/story', authorName: 'Desk' }, 'external_url and the feed\'s authors')
})

t.test('encodings: BOMs, HTTP charset, XML declaration, Latin-1 read as Windows-1252', async (t) => {
  const utf16 = parseFeed(fixture('utf16le-bom.xml'))
  t.match(utf16, { title: 'Ça va – UTF-16', items: [{ title: 'Crème brûlée ☕', contentHtml: 'Ünïcödé' }] })
  t.match(parseFeed(fixture('iso-8859-1.xml')), { title: 'Café Society', items: [{ title: 'Résumé of the naïve', contentHtml: 'Déjà vu' }] })
  t.match(parseFeed(fixture('windows-1252.xml')), { items: [{ title: '“Smart” quotes – and €', contentHtml: 'It’s here' }] })
  const latinWithQuotes = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>\x93Q\x94 caf\xe9</title></channel></rss>', 'latin1')
  t.equal(parseFeed(latinWithQuotes).title, '“Q” café', 'declared ISO-8859-1 bytes 0x93/0x94 are curly quotes, as in browsers')
  const text = '<?xml version="1.0" encoding="utf-8"?><rss><channel><title>Café “x”</title></channel></rss>'
  t.equal(decodeFeedBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])), text)
  t.equal(decodeFeedBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf-16be')])), text)
  t.equal(decodeFeedBytes(iconv.encode(text, 'utf-16le')), text, 'UTF-16 without a BOM is sniffed from the zero bytes')
  t.equal(decodeFeedBytes(iconv.encode(text, 'windows-1252'), 'application/rss+xml; charset="windows-1252"'), text, 'the HTTP charset wins over the declaration')
  t.equal(decodeFeedBytes(Buffer.from('<rss><channel><title>caf\xe9</title></channel></rss>', 'latin1')), '<rss><channel><title>café</title></channel></rss>', 'undeclared and not UTF-8: Windows-1252')
  t.throws(() => decodeFeedBytes(Buffer.from('<x/>'), 'text/xml; charset=klingon'), { name: 'FeedParseError', message: /klingon/ })
})

t.test('dates: RFC 822 in its odd forms, ISO 8601, W3C-DTF; unreadable ones warn', async (t) => {
  const feed = parseFeed(fixture('odd-dates.xml'))
  const at = Object.fromEntries(feed.items.map((i) => [i.id, i.publishedAt?.toISOString() ?? null]))
  t.same(at, {
    est: '2024-06-03T15:00:00.000Z',
    'gmt-plus': '2024-06-03T09:00:00.000Z',
    'no-seconds': '2024-06-03T10:00:00.000Z',
    'wrong-day': '2024-06-03T10:00:00.000Z',
    iso: '2024-06-03T08:00:00.250Z',
    'w3c-date': '2024-06-03T00:00:00.000Z',
    'two-digit': '2024-06-03T17:00:00.000Z',
    comments: '2024-06-03T10:00:00.000Z',
    garbage: null
  })
  t.same(feed.warnings, ['item "garbage": unreadable publication date "sometime last week"'])
  t.equal(parseFeedDate('31 Dec 2002 14:20:20 UT')?.toISOString(), '2002-12-31T14:20:20.000Z')
  t.equal(parseFeedDate('21 Oct 2002 06:45 EDT')?.toISOString(), '2002-10-21T10:45:00.000Z')
  t.equal(parseFeedDate('Sat, 01 Jan 2000 00:00:00 GMT+05:30')?.toISOString(), '1999-12-31T18:30:00.000Z')
  t.equal(parseFeedDate('Tue, 10 Jun 2003 04:00:00 CEST')?.toISOString(), '2003-06-10T02:00:00.000Z')
  t.equal(parseFeedDate('Jun 3 2024 10:00:00 +0200')?.toISOString(), '2024-06-03T08:00:00.000Z')
  t.equal(parseFeedDate('2024-06-03 10:00:00')?.toISOString(), '2024-06-03T10:00:00.000Z', 'no zone: UTC')
  t.equal(parseFeedDate('2024-13-03'), null)
  t.equal(parseFeedDate('Mon, 03 Jun 2024 10:00:00 XYZ'), null, 'an unknown zone is not guessed')
  t.equal(parseFeedDate(''), null)
})

t.test('not feeds are refused with a FeedParseError that says why', async (t) => {
  const cases: Array<[string | Buffer, RegExp]> = [
    ['', /empty/],
    ['   \n', /empty/],
    ['hello', /neither XML nor JSON/],
    ['{"version":"x"}', /JSON Feed/],
    ['[1,2]', /not an object/],
    ['{broken', /not valid JSON/],
    ['<!DOCTYPE html><html><body>no</body></html>', /HTML page/],
    ['<rss><channel><title>x</title>', /not well-formed XML/],
    ['<opml version="2.0"><body/></opml>', /root element is <opml>/],
    ['<rss version="2.0"></rss>', /no <channel>/],
    ['<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><rss/>', /entit/],
    ['<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p "x">]><rss/>', /entit/],
    ['<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><rss><channel><title>&e;</title></channel></rss>', /entit/],
    [Buffer.from(readFileSync(new URL('../fixtures/wxr/billion-laughs.xml', import.meta.url))), /entit/],
    [`<rss><channel><item><description>${'<b>'.repeat(20_000)}</description></item></channel></rss>`, /nested more than/]
  ]
  for (const [input, reason] of cases) {
    t.throws(() => parseFeed(Buffer.isBuffer(input) ? input : Buffer.from(input)), { name: 'FeedParseError', message: reason }, JSON.stringify(input.toString().slice(0, 40)))
  }
  t.ok(new FeedParseError('x') instanceof Error)
})

t.test('a plain entity declared in the DOCTYPE is used, never expanded recursively', async (t) => {
  const feed = parseFeed(Buffer.from('<!DOCTYPE rss [<!ENTITY site "https://e.example/">]><rss><channel><title>T</title><item><guid>&site;1</guid></item></channel></rss>'))
  t.equal(feed.items[0].id, 'https://e.example/1')
})

t.test('the baseUrl option resolves links in feeds that give none', async (t) => {
  const feed = parseFeed(Buffer.from('<rss><channel><title>T</title><item><link>/a</link><description>&lt;img src="b.png"&gt;</description></item></channel></rss>'), { baseUrl: 'https://fetched.example/feeds/rss.xml' })
  t.equal(feed.siteUrl, 'https://fetched.example/feeds/rss.xml')
  t.equal(feed.items[0].url, 'https://fetched.example/a')
  t.equal(feed.items[0].contentHtml, '<img src="https://fetched.example/b.png">')
})

t.test('every shared feed either parses or is refused with a FeedParseError', { skip: sharedSkip }, async (t) => {
  const outcomes: string[] = []
  for (const dir of readdirSync(SHARED)) {
    if (!statSync(new URL(dir, SHARED)).isDirectory()) continue
    for (const file of readdirSync(new URL(`${dir}/`, SHARED))) {
      const path = `${dir}/${file}`
      try {
        const feed = parseFeed(readFileSync(new URL(path, SHARED)))
        outcomes.push(`parsed ${path}: ${feed.format}, ${feed.items.length} items`)
      } catch (err) {
        if (!(err instanceof FeedParseError)) {
          t.fail(`${path} threw ${(err as Error).name}: ${(err as Error).message}`)
          continue
        }
        t.ok(err.message.length > 10, `${path} refused: ${err.message}`)
        outcomes.push(`refused ${path}`)
      }
    }
  }
  const refused = outcomes.filter((o) => o.startsWith('refused')).sort()
  t.same(refused, [
    'refused encoding/feedparser--utf-16le-bom.xml',
    'refused encoding/feedparser--utf-8-bom.xml',
    'refused illformed/feedparser--aaa_illformed.xml',
    'refused illformed/feedparser--rss_incomplete_cdata.xml',
    'refused spec/jsonfeed-1.1.markdown',
    'refused spec/jsonfeed-mapping-rss-and-atom.markdown'
  ], 'only ill-formed files, channel-less RSS and the specification texts are refused')
  t.equal(outcomes.length - refused.length, 30)
})

t.test('shared feeds: what the feedparser and validator oracles expect', { skip: sharedSkip }, async (t) => {
  t.equal(shared('unit/feedparser--rss-item_content_encoded.xml').items[0].contentHtml, '<p>Example content</p>')
  t.equal(shared('unit/feedparser--rss-item_description_naked_markup.xml').items[0].contentHtml, '<p>Example description</p>', 'naked markup is kept as HTML')
  t.equal(shared('unit/feedparser--atom10-entry_content_inline_markup.xml').items[0].contentHtml, 'Example <b>Atom</b>')
  t.equal(shared('unit/feedparser--base-rel_uri_with_unicode_character.xml').items[0].contentHtml, '<a href="http://any.test/%C3%80">uri</a>')
  t.equal(shared('unit/feedparser--rss-entity_in_doctype.xml').items[0].id, 'tag:example.com,2006-05-04:/blog/')
  t.equal(shared('unit/feedparser--atom10-relative_uri_inherit.xml').title, 'Example test')
  t.equal(shared('unit/feedparser--amp05.xml').items[0].title, '&', 'Atom 0.3 escaped mode')
  t.equal(shared('encoding/feedparser--double-encoded-html.xml').items[0].contentHtml, '…', 'UTF-8 read as Latin-1 and re-encoded is repaired')
  t.throws(() => shared('encoding/feedparser--utf-16le-bom.xml'), /no <channel>/, 'the UTF-16 document is decoded and read; it simply has no channel')
  t.throws(() => shared('illformed/feedparser--rss_incomplete_cdata.xml'), /not well-formed XML: .*XML declaration/)
  const heise = shared('atom/rssparser--heise.atom')
  t.match(heise, { format: 'atom', title: 'heise developer neueste Meldungen' })
  t.ok(heise.items.every((i) => i.publishedAt !== null))
  t.equal(shared('atom/rssparser--reddit-home.rss').format, 'atom', 'sniffed from the content, not the name')
  const latin = shared('rss/rssparser--encoding.rss')
  t.equal(latin.title, 'Jornal de Notícias - Últimas Notícias')
  const rdf = shared('rss/rssparser--rss-1.rss')
  t.match(rdf, { format: 'rdf', warnings: [] })
  t.ok(rdf.items.length > 50 && rdf.items.every((i) => i.publishedAt !== null && i.url?.startsWith('http://science.sciencemag.org/')))
  const daring = shared('json/jsonfeednet--json_v1.1.json')
  t.equal(daring.items.length, 48)
  t.ok(daring.items.every((i) => i.authorName !== null && i.publishedAt !== null))
  t.same(new Set(daring.items.map((i) => i.authorName)), new Set(['John Gruber', 'Daring Fireball Department of Commerce']), 'an item\'s own authors win over the feed\'s')
  t.match(shared('json/jsonfeedvalidator--invalid-duplicate-ids.json').warnings, [/duplicate item id "1"/])
  t.equal(shared('json/jsonfeednet--Simple.json').items.length, 2, 'the BOM before the JSON is dropped')
  const sample = shared('validator/feedvalidator--rss20-sample-noerror.xml')
  t.equal(sample.items.length, 4)
  t.same(sample.warnings, [])
  t.match(shared('validator/feedvalidator--atom-extensive-noerror.xml').items[0], { url: 'http://example.org/2005/04/02/atom', authorName: 'Mark Pilgrim', contentHtml: /<p><i>\[Update: The Atom draft is finished\.\]<\/i><\/p>/ })
})

t.test('hostile feeds are read in time linear in their size', async (t) => {
  const { fastest } = await import('../helpers/cost.js')
  // The HTML sniffing pattern backtracked exponentially over leading comments: 28 took 10 s.
  const comments = (n: number, rest: string) => Buffer.from(`${'<!--a-->'.repeat(n)}${rest}`)
  const ms = fastest(() => t.throws(() => parseFeed(comments(32, '<x')), { name: 'FeedParseError' }), 1)
  t.ok(ms < 1000, `32 leading comments (the old pattern: about 20 s): ${ms.toFixed(1)} ms`)
  t.throws(() => parseFeed(comments(40, '<!DOCTYPE html><html></html>')), { message: /HTML page/ }, 'an HTML page behind comments is still recognised')
  t.equal(parseFeed(comments(40, '<rss><channel><title>T</title></channel></rss>')).title, 'T', 'a feed behind comments is read')
  const cases: Array<[string, (n: number) => Buffer]> = [
    ['leading comments', (n) => comments(n / 8, '<x')],
    ['"<" without ">" in an Atom title', (n) => Buffer.from(`<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">${'&lt;'.repeat(n / 4)}</title></feed>`)],
    ['"(" without ")" in an RSS author', (n) => Buffer.from(`<rss><channel><title>T</title><item><guid>1</guid><author>${'('.repeat(n)}x)</author></item></channel></rss>`)],
    ['a date as long as the feed', (n) => Buffer.from(`<rss><channel><title>T</title><item><guid>1</guid><pubDate>Mon${' -'.repeat(n / 2)}</pubDate></item></channel></rss>`)],
    ['unclosed entity declarations', (n) => Buffer.from(`<!DOCTYPE r [${'<!ENTITY '.repeat(n / 9)}]><rss/>`)]
  ]
  let small = 0
  let large = 0
  for (const [name, make] of cases) {
    const input = make(100_000)
    const run = () => { try { parseFeed(input) } catch (err) { if (!(err instanceof FeedParseError)) throw err } }
    const took = fastest(run)
    t.ok(took < 1000, `${name}: 100,000 bytes in ${took.toFixed(1)} ms`)
    small += took
    const big = make(1_000_000)
    large += fastest(() => { try { parseFeed(big) } catch (err) { if (!(err instanceof FeedParseError)) throw err } })
  }
  // Linear, with room for a loaded machine (a quadratic or exponential reader takes seconds on
  // the 1 MB inputs; 28 leading comments took 10 s before the fix).
  t.ok(large < Math.max(20 * small, 1500), `10× the input took ${(large / small).toFixed(1)}× the time (${large.toFixed(0)} ms)`)
})

t.test('declared entities may not expand a small feed into a huge one', async (t) => {
  const value = 'x'.repeat(1000)
  const decls = Array.from({ length: 32 }, (_, i) => `<!ENTITY e${i} "${value}">`).join('')
  const refs = Array.from({ length: 10_000 }, (_, i) => `&e${i % 32};`).join('')
  const feed = Buffer.from(`<!DOCTYPE rss [${decls}]><rss><channel><title>T</title><item><guid>1</guid><description>${refs}</description></item></channel></rss>`)
  t.ok(feed.length < 100_000, `a ${feed.length}-byte feed`)
  t.throws(() => parseFeed(feed), { name: 'FeedParseError', message: /expand to more than 1000000 characters/ }, 'that would expand to 10,000,000 characters is refused')
  const fewer = Buffer.from(`<!DOCTYPE rss [${decls}]><rss><channel><title>T</title><item><guid>1</guid><description>${refs.slice(0, 3000)}</description></item></channel></rss>`)
  t.ok(parseFeed(fewer).items[0].contentHtml.length > 500_000, 'a modest use of declared entities still reads')
})

t.test('a JSON Feed\'s strings lose what an XML feed cannot carry (NUL, C0 controls), so every format imports the same text', async (t) => {
  const json = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'Wire\u0000', items: [{ id: 'a\u0001', url: 'https://a.example/1', title: 'Ti\u0000tle', content_html: '<p>a\u0000b\u0008</p>', authors: [{ name: 'Ann\u0000' }], tags: ['t\u0000ag'] }] })
  const feed = parseFeed(Buffer.from(json), { contentType: 'application/feed+json' })
  t.equal(feed.title, 'Wire')
  t.match(feed.items[0], { id: 'a', title: 'Title', contentHtml: '<p>ab</p>', authorName: 'Ann', categories: ['tag'] })
  t.notOk(JSON.stringify(feed).includes('\\u0000'))
})
