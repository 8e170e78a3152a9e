import t from 'tap'
import { createReadStream, existsSync, readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { readWxr, WxrError, type WxrEvent } from '../../src/lib/wxr.js'
import { renderShortcodes, wpautop } from '../../src/lib/wpautop.js'

const fixture = (name: string) => new URL(`../fixtures/wxr/${name}`, import.meta.url)

async function all (input: AsyncIterable<Buffer | string> | Iterable<Buffer | string> | NodeJS.ReadableStream): Promise<WxrEvent[]> {
  const out: WxrEvent[] = []
  for await (const e of readWxr(input)) out.push(e)
  return out
}

t.test('reads authors, the category tree in any order, tags, items and comment threads', async (t) => {
  const events = await all(createReadStream(fixture('small-1.2.xml'), { highWaterMark: 64 }))
  const site = events.find((e) => e.kind === 'site')
  t.match(site, { title: 'Small Site', link: 'https://small.example.com', language: 'en-GB', wxrVersion: '1.2' })
  t.same(events.filter((e) => e.kind === 'author').map((e) => e.kind === 'author' && e.author.login), ['editor'])
  t.same(events.filter((e) => e.kind === 'category').map((e) => e.kind === 'category' && [e.term.slug, e.term.parentSlug]), [['elections', 'politics'], ['politics', null]])
  const items = events.flatMap((e) => e.kind === 'item' ? [e.item] : [])
  t.same(items.map((i) => [i.wpId, i.postType, i.status]), [[10, 'post', 'published'], [11, 'page', 'published'], [12, 'post', 'scheduled'], [20, 'attachment', 'draft']])
  const first = items[0]
  t.equal(first.title, 'First & foremost')
  t.equal(first.sticky, true)
  t.equal(first.postDate?.toISOString(), '2024-01-02T09:00:00.000Z', 'dates in GMT')
  t.same(first.categories, [{ slug: 'elections', name: 'Elections' }])
  t.same(first.tags, [{ slug: 'votes', name: 'Votes' }])
  t.equal(first.thumbnailId, 20)
  t.same(first.comments.map((c) => [c.wpId, c.parentWpId, c.status, c.type]), [[1, null, 'approved', 'comment'], [2, 1, 'pending', 'comment'], [3, null, 'spam', 'pingback']])
  t.equal(items[2].postDate?.toISOString(), '2030-05-01T06:00:00.000Z', 'a zero GMT date falls back to post_date')
  t.equal(items[2].creator, 'ghost-writer')
  t.equal(items[3].attachmentUrl, 'https://small.example.com/a.jpg')
})

t.test('hostile and broken files: refused, or read as far as valid with a warning', async (t) => {
  await t.rejects(all([Buffer.from('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><rss><channel>&b;</channel></rss>')]), WxrError)
  await t.rejects(all(['not xml at all']), WxrError)
  await t.rejects(all(['<feed xmlns="http://www.w3.org/2005/Atom"></feed>']), /root element/)
  await t.rejects(all(['<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>9.9</wp:wxr_version><item><wp:post_id>1</wp:post_id></item></channel></rss>']), /not supported/)
  const text = readFileSync(fixture('small-1.2.xml'), 'utf8')
  const truncated = await all([text.slice(0, text.indexOf('<title>A page</title>') + 40)])
  t.equal(truncated.filter((e) => e.kind === 'item').length, 1, 'the complete item stands, the partial one is not yielded')
  t.match(truncated.at(-1), { kind: 'warning', message: /malformed or truncated/ })
  const broken = await all([text.replace('<![CDATA[Top]]>', '<![CDATA[Top]>')])
  t.equal(broken.filter((e) => e.kind === 'item').length, 0)
  t.equal(broken.at(-1)?.kind, 'warning')
  const huge = []
  for await (const e of readWxr([text.replace('Line one', 'x'.repeat(5000))], { maxItemBytes: 1000 })) huge.push(e)
  t.ok(huge.some((e) => e.kind === 'warning' && /larger than 1000 bytes/.test(e.message)))
  t.equal(huge.filter((e) => e.kind === 'item').length, 3)
})

t.test('http and https namespaces of WXR 1.0–1.2', async (t) => {
  const doc = (ns: string) => `<rss xmlns:wp="${ns}" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>x</title><item><title>T</title><wp:post_id>5</wp:post_id><wp:status>draft</wp:status><content:encoded>Body</content:encoded></item></channel></rss>`
  for (const ns of ['http://wordpress.org/export/1.0/', 'https://wordpress.org/export/1.1/', 'http://wordpress.org/export/1.2/']) {
    const items = (await all([doc(ns)])).filter((e) => e.kind === 'item')
    t.equal(items.length, 1, ns)
  }
})

t.test('memory stays flat while streaming a large generated export', async (t) => {
  const count = 20_000
  const body = 'Lorem ipsum dolor sit amet. '.repeat(30)
  async function * generate () {
    yield '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Big</title><wp:wxr_version>1.2</wp:wxr_version>'
    for (let i = 1; i <= count; i++) yield `<item><title>Post ${i}</title><wp:post_id>${i}</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type><content:encoded><![CDATA[${body}]]></content:encoded></item>`
    yield '</channel></rss>'
  }
  global.gc?.()
  const before = process.memoryUsage().heapUsed
  let items = 0
  let peak = 0
  const start = performance.now()
  for await (const e of readWxr(Readable.from(generate()))) {
    if (e.kind === 'item') items++
    if (items % 2000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before)
  }
  const seconds = (performance.now() - start) / 1000
  t.equal(items, count)
  t.ok(peak < 60 * 1024 * 1024, `heap growth ${(peak / 1048576).toFixed(1)} MB over ~${(count * body.length / 1048576).toFixed(0)} MB of bodies; ${Math.round(count / seconds)} items/s`)
})

t.test('wpautop and shortcodes', async (t) => {
  t.equal(wpautop('One\ntwo\n\nThree'), '<p>One<br />\ntwo</p>\n<p>Three</p>')
  t.equal(wpautop('<!-- wp:paragraph --><p>Block</p><!-- /wp:paragraph -->'), '<p>Block</p>')
  t.equal(wpautop('<pre>a\n\nb</pre>'), '<pre>a\n\nb</pre>')
  t.equal(wpautop('Intro\n<ul><li>x</li></ul>\nOutro'), '<p>Intro</p>\n<ul>\n<li>x</li>\n</ul>\n<p>Outro</p>')
  t.equal(wpautop('   '), '')
  t.equal(renderShortcodes('[caption id="1"]<img src="a.jpg"> Nice[/caption]'), '<figure><img src="a.jpg"><figcaption>Nice</figcaption></figure>')
  t.equal(renderShortcodes('[embed]https://video.example.com/1[/embed]'), '<p><a href="https://video.example.com/1">https://video.example.com/1</a></p>')
  t.equal(renderShortcodes('a [gallery ids="1,2"] b [unknown]kept[/unknown] [[literal]]'), 'a  b kept [literal]')
})

t.test('the WordPress theme unit test export', { skip: existsSync(new URL('../../../shared/fixtures/wxr/themeunittestdata.wordpress.xml', import.meta.url)) ? false : 'the shared WordPress fixtures are not present here' }, async (t) => {
  const events = await all(createReadStream(new URL('../../../shared/fixtures/wxr/themeunittestdata.wordpress.xml', import.meta.url)))
  const categories = events.flatMap((e) => e.kind === 'category' ? [e.term] : [])
  t.ok(categories.length > 50)
  t.ok(categories.some((c) => c.parentSlug !== null), 'a category tree')
  t.ok(events.filter((e) => e.kind === 'tag').length > 100)
  let maxDepth = 0
  for (const e of events) {
    if (e.kind !== 'item') continue
    const byId = new Map(e.item.comments.map((c) => [c.wpId, c]))
    for (const c of e.item.comments) {
      let depth = 0
      for (let p = c.parentWpId; p !== null && byId.has(p) && depth < 50; p = byId.get(p)!.parentWpId) depth++
      maxDepth = Math.max(maxDepth, depth + 1)
    }
  }
  t.ok(maxDepth >= 10, `comment threads ${maxDepth} deep`)
})
