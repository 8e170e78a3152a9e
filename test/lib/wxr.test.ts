import t from 'tap'
import { createReadStream, existsSync, readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import iconv from 'iconv-lite'
import { parseWpDate, readWxr, WxrError, type WxrEvent, type WxrItem } from '../../src/lib/wxr.js'

const fixture = (name: string) => new URL(`../fixtures/wxr/${name}`, import.meta.url)
const SHARED = new URL('../../../shared/fixtures/wxr/', import.meta.url)
const sharedSkip = existsSync(SHARED) ? false : 'the shared fixtures folder (../shared/fixtures/wxr) is absent'

type Input = Parameters<typeof readWxr>[0]
async function all (input: Input, opts?: { maxItemBytes?: number }): Promise<WxrEvent[]> {
  const out: WxrEvent[] = []
  for await (const e of readWxr(input, opts)) out.push(e)
  return out
}
const itemsOf = (events: WxrEvent[]): WxrItem[] => events.flatMap((e) => e.kind === 'item' ? [e.item] : [])
const warningsOf = (events: WxrEvent[]): string[] => events.flatMap((e) => e.kind === 'warning' ? [e.message] : [])

// Depth of each comment in its thread (1 = top level), whatever order the file lists them in.
function depths (item: WxrItem): Map<number, number> {
  const byId = new Map(item.comments.map((c) => [c.wpId, c]))
  const out = new Map<number, number>()
  for (const c of item.comments) {
    let depth = 1
    for (let p = c.parentWpId; p !== null && byId.has(p) && depth < 100; p = byId.get(p)?.parentWpId ?? null) depth++
    out.set(c.wpId, depth)
  }
  return out
}

t.test('WXR 1.2 (https namespaces): site, authors, category tree, tags, every status', async (t) => {
  // Tiny chunks split multi-byte characters and tags across reads.
  const events = await all(createReadStream(fixture('blog-1.2.xml'), { highWaterMark: 7 }))
  t.same(events[0], { kind: 'site', title: 'The Harbour Gazette', link: 'https://gazette.example.com', description: 'News from the harbour — café edition', language: 'en-GB', wxrVersion: '1.2', generator: null, baseBlogUrl: 'https://gazette.example.com' })
  t.same(events.flatMap((e) => e.kind === 'author' ? [e.author] : []), [
    { login: 'mira', email: 'mira@gazette.example.com', displayName: 'Mira Quay', firstName: 'Mira', lastName: 'Quay' },
    { login: 'tom', email: null, displayName: 'Tom Ferry', firstName: null, lastName: null }
  ])
  t.same(events.flatMap((e) => e.kind === 'category' ? [e.term] : []), [
    { slug: 'ferries', name: 'Ferries', parentSlug: 'transport', description: null, termId: 4 },
    { slug: 'transport', name: 'Transport', parentSlug: 'local', description: 'Getting around', termId: 3 },
    { slug: 'local', name: 'Local &amp; Regional', parentSlug: null, description: null, termId: 2 }
  ], 'children come before their parents, linked by slug; CDATA is kept verbatim')
  t.same(events.flatMap((e) => e.kind === 'tag' ? [e.term.slug] : []), ['tides', 'weather'], 'the nav_menu wp:term is not a tag')
  t.same(warningsOf(events), [])

  const items = itemsOf(events)
  t.same(items.map((i) => [i.wpId, i.postType, i.wpStatus, i.status]), [
    [101, 'post', 'publish', 'published'],
    [102, 'post', 'draft', 'draft'],
    [103, 'post', 'pending', 'draft'],
    [104, 'post', 'future', 'scheduled'],
    [105, 'post', 'private', 'draft'],
    [106, 'post', 'trash', 'trash'],
    [2, 'page', 'publish', 'published'],
    [300, 'attachment', 'inherit', 'draft']
  ])
  const [post, draft, pending, future] = items
  t.match(post, {
    guid: 'https://gazette.example.com/?p=101',
    title: 'Ferry timetable changes',
    link: 'https://gazette.example.com/2024/06/ferry-timetable/',
    slug: 'ferry-timetable',
    creator: 'mira',
    excerptRaw: 'New times for the ferry.',
    sticky: true,
    thumbnailId: 300,
    commentStatus: 'open',
    categories: [{ slug: 'ferries', name: 'Ferries' }],
    tags: [{ slug: 'tides', name: 'Tides' }]
  })
  t.equal(post.categories.length, 1, 'post_format terms are neither categories nor tags')
  t.match(post.contentRaw, /^The summer timetable starts on Monday\.\nBoats leave every hour\.\n\n\[caption /, 'the body is raw, line breaks and shortcodes intact')
  t.equal(post.postDate?.toISOString(), '2024-06-03T09:00:00.000Z', 'post_date_gmt, not the local post_date')
  t.equal(post.modifiedDate?.toISOString(), '2024-06-04T11:30:00.000Z')
  t.equal(draft.postDate?.toISOString(), '2024-06-05T08:15:00.000Z', 'a zero GMT date falls back to post_date')
  t.equal(draft.slug, null)
  t.equal(draft.sticky, false)
  t.equal(draft.commentStatus, 'closed')
  t.equal(pending.creator, 'guest-writer', 'an author used but never declared is still named')
  t.equal(future.postDate?.toISOString(), '2030-07-01T08:00:00.000Z')
  const attachment = items[7]
  t.equal(attachment.attachmentUrl, 'https://gazette.example.com/files/ferry.jpg', 'the attachment comes after the post whose thumbnail it is')
  t.same(attachment.meta, [{ key: '_wp_attachment_image_alt', value: 'The ferry at dawn' }])
})

t.test('comments: threads of any depth, every status, pingbacks and trackbacks typed', async (t) => {
  const post = itemsOf(await all(createReadStream(fixture('blog-1.2.xml'))))[0]
  t.same(post.comments.map((c) => [c.wpId, c.parentWpId, c.status, c.type]), [
    [1, null, 'approved', 'comment'],
    [2, 1, 'approved', 'comment'],
    [4, 3, 'pending', 'comment'],
    [3, 2, 'approved', 'comment'],
    [5, null, 'spam', 'comment'],
    [6, 1, 'trash', 'comment'],
    [7, null, 'approved', 'pingback'],
    [8, null, 'pending', 'trackback']
  ])
  t.equal(depths(post).get(4), 4, 'a reply listed before its parent is still four deep')
  t.match(post.comments[0], { authorName: 'Ann Pier', authorEmail: 'ann@example.org', authorUrl: 'https://ann.example.org', authorIp: '192.0.2.1', content: 'At last!' })
  t.equal(post.comments[0].date.toISOString(), '2024-06-03T11:00:00.000Z')
  t.equal(post.comments[3].date.toISOString(), '2024-06-03T13:45:00.000Z', 'a zero comment_date_gmt falls back to comment_date')
  t.equal(post.comments[6].content, '[&#8230;] ferry times [&#8230;]')
})

t.test('WXR 1.0 with http namespaces, no declared authors and tags as domain="tag"', async (t) => {
  const events = await all([readFileSync(fixture('legacy-1.0.xml'))])
  t.match(events[0], { kind: 'site', title: 'Old Blog', wxrVersion: '1.0' })
  t.equal(events.filter((e) => e.kind === 'author').length, 0)
  const [item] = itemsOf(events)
  t.equal(item.creator, 'admin')
  t.same(item.categories, [{ slug: 'uncategorized', name: 'Uncategorized' }], 'terms repeated without a nicename count once')
  t.same(item.tags, [{ slug: 'retro', name: 'Retro' }])
  t.equal(item.postDate?.toISOString(), '2008-01-01T12:00:00.000Z')
  t.same(item.comments.map((c) => [c.authorName, c.status, c.type]), [['Mr WordPress', 'approved', 'comment']])
})

t.test('Co-Authors Plus bylines: the "author" terms in file order, by name or else by slug without cap-', async (t) => {
  const doc = `<rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><item><title>T</title><wp:post_id>7</wp:post_id><wp:status>publish</wp:status>
    <dc:creator>mira</dc:creator>
    <category domain="author" nicename="cap-tom"><![CDATA[tom]]></category>
    <category domain="category" nicename="news"><![CDATA[News]]></category>
    <category domain="author" nicename="cap-mira"><![CDATA[mira]]></category>
    <category domain="author" nicename="cap-guest-ola"></category>
    <category domain="author" nicename="cap-tom"><![CDATA[tom]]></category>
  </item><item><title>U</title><wp:post_id>8</wp:post_id><dc:creator>mira</dc:creator></item></channel></rss>`
  const [coWritten, single] = itemsOf(await all([doc]))
  t.same(coWritten.coauthors, ['tom', 'mira', 'guest-ola'], 'each once, in order; a term without a name read from its slug')
  t.same(coWritten.categories, [{ slug: 'news', name: 'News' }], 'author terms are not categories')
  t.equal(coWritten.creator, 'mira')
  t.same(single.coauthors, [])
})

t.test('every WXR namespace variant is read, prefixes are whatever the file chooses', async (t) => {
  for (const version of ['1.0', '1.1', '1.2']) {
    for (const scheme of ['http', 'https']) {
      const ns = `${scheme}://wordpress.org/export/${version}/`
      const doc = `<rss xmlns:w="${ns}" xmlns:x="${ns}excerpt/" xmlns:c="http://purl.org/rss/1.0/modules/content/"><channel><title>x</title><item><title>T</title><w:post_id>5</w:post_id><w:status>publish</w:status><c:encoded>Body</c:encoded><x:encoded>Ex</x:encoded></item></channel></rss>`
      const items = itemsOf(await all([doc]))
      t.match(items, [{ wpId: 5, status: 'published', contentRaw: 'Body', excerptRaw: 'Ex' }], ns)
    }
  }
})

t.test('items without a wp:post_id get a stable negative id from their guid', async (t) => {
  const doc = (guid: string) => `<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>A</title><guid>${guid}</guid><wp:status>publish</wp:status></item><item><title>B</title></item></channel></rss>`
  const first = await all([doc('https://x.example/?p=1')])
  const again = await all([doc('https://x.example/?p=1')])
  const other = await all([doc('https://x.example/?p=2')])
  t.ok(itemsOf(first)[0].wpId < 0)
  t.equal(itemsOf(first)[0].wpId, itemsOf(again)[0].wpId)
  t.not(itemsOf(first)[0].wpId, itemsOf(other)[0].wpId)
  t.match(warningsOf(first), [/neither a wp:post_id nor a guid or link \("B"\)/])
})

t.test('refused outright with WxrError', async (t) => {
  await t.rejects(all(createReadStream(fixture('billion-laughs.xml'))), { name: 'WxrError', message: /entities/ }, 'billion laughs: never expanded')
  await t.rejects(all(['not xml at all']), { name: 'WxrError', message: /not an XML document/ })
  await t.rejects(all([]), WxrError, 'empty input')
  await t.rejects(all(['<feed xmlns="http://www.w3.org/2005/Atom"></feed>']), /root element is <feed>/)
  await t.rejects(all(['<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>9.9</wp:wxr_version><item><wp:post_id>1</wp:post_id></item></channel></rss>']), /WXR version 9\.9 is not supported/)
  await t.rejects(all(['<rss version="2.0"><channel><title>A feed</title><item><title>x</title></item></channel></rss>']), /WordPress export namespace/, 'a plain RSS feed is not an export')
  await t.rejects(all(['<rss xmlns:wp="http://wordpress.org/export/1.2/"></rss>']), /no <channel>/)
  await t.rejects(all(['<rss xmlns:wp="http://wordpress.org/export/1.2/"><chan']), /before any <channel>/)
})

t.test('a truncated file: complete items stand, the partial one is dropped, a warning says where', async (t) => {
  const events = await all(createReadStream(fixture('truncated.xml'), { highWaterMark: 512 }))
  t.same(itemsOf(events).map((i) => i.wpId), [101, 102])
  t.equal(events.at(-1)?.kind, 'warning')
  t.match(warningsOf(events), [/malformed or truncated.*the item wp:post_id 103 in progress was dropped|malformed or truncated.*the item in progress was dropped/])
})

t.test('broken CDATA: reading stops with a warning after the items before it', async (t) => {
  const events = await all(createReadStream(fixture('broken-cdata.xml')))
  t.same(itemsOf(events).map((i) => i.wpId), [101])
  t.match(warningsOf(events), [/malformed or truncated/])
})

t.test('oversized items are skipped; a single value too large to hold, or absurd nesting, stops the read', async (t) => {
  const text = readFileSync(fixture('blog-1.2.xml'), 'utf8')
  const bigBody = await all([text.replace('Draft body', 'x'.repeat(5000))], { maxItemBytes: 4000 })
  t.same(itemsOf(bigBody).map((i) => i.wpId), [101, 103, 104, 105, 106, 2, 300], 'only the oversized draft is skipped')
  t.match(warningsOf(bigBody), [/skipped the item wp:post_id 102: larger than 4000 bytes/])
  const bigAttr = await all([text.replace('nicename="weather"', `nicename="${'w'.repeat(5000)}"`)], { maxItemBytes: 4000 })
  t.equal(itemsOf(bigAttr).length, 7, 'a huge attribute skips its item')
  t.equal(warningsOf(bigAttr).length, 1)
  // One CDATA value of 3 MB with a 100 kB cap: saxes would have to buffer it, so reading stops.
  async function * huge () {
    yield text.slice(0, text.indexOf('Draft body'))
    for (let i = 0; i < 48; i++) yield 'y'.repeat(64 * 1024)
    yield text.slice(text.indexOf('Draft body'))
  }
  const stopped = await all(huge(), { maxItemBytes: 100_000 })
  t.same(itemsOf(stopped).map((i) => i.wpId), [101])
  t.match(warningsOf(stopped), [/a single value is larger than 100000 bytes/])
  const deep = await all([text.replace('Draft body', `]]>${'<x>'.repeat(100_000)}`)])
  t.same(itemsOf(deep).map((i) => i.wpId), [101])
  t.match(warningsOf(deep), [/nested more than 256 deep/])
})

t.test('bytes: a BOM, and a declared Latin-1 encoding, are decoded', async (t) => {
  const doc = '<?xml version="1.0" encoding="ISO-8859-1"?><rss xmlns:wp="http://wordpress.org/export/1.1/"><channel><title>Café “quotes”</title><item><title>Crème</title><wp:post_id>1</wp:post_id></item></channel></rss>'
  const latin = await all([iconv.encode(doc, 'windows-1252')])
  t.match(latin, [{ kind: 'site', title: 'Café “quotes”' }, { kind: 'item', item: { title: 'Crème' } }])
  const bom = await all([Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(doc.replace('ISO-8859-1', 'UTF-8'))])])
  t.match(bom, [{ kind: 'site', title: 'Café “quotes”' }])
})

t.test('parseWpDate reads WordPress dates as UTC and refuses impossible ones', async (t) => {
  t.equal(parseWpDate('2024-02-29 23:59:59')?.toISOString(), '2024-02-29T23:59:59.000Z')
  t.equal(parseWpDate('0000-00-00 00:00:00'), null)
  t.equal(parseWpDate('2023-02-31 10:00:00'), null)
  t.equal(parseWpDate('yesterday'), null)
  t.equal(parseWpDate(undefined), null)
})

t.test('events are yielded while the input is still arriving', async (t) => {
  let produced = 0
  async function * source () {
    yield '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>S</title>'
    for (let i = 1; i <= 50; i++) {
      produced = i
      yield `<item><title>${i}</title><wp:post_id>${i}</wp:post_id></item>`
    }
    yield '</channel></rss>'
  }
  let worstLag = 0
  for await (const e of readWxr(source())) {
    if (e.kind === 'item') worstLag = Math.max(worstLag, produced - e.item.wpId)
  }
  t.ok(worstLag <= 1, `each item came out at most one chunk after it went in (lag ${worstLag})`)
})

t.test('memory stays flat while streaming a ~20 MB export generated on the fly', async (t) => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const count = 20_000
  const body = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(16)
  let bytes = 0
  function * generate (): Generator<string> {
    const emit = (s: string) => { bytes += s.length; return s }
    yield emit('<?xml version="1.0" encoding="UTF-8"?><rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Big</title><wp:wxr_version>1.2</wp:wxr_version>')
    // Chunks of about 64 kB, as a file or socket delivers them.
    let chunk = ''
    for (let i = 1; i <= count; i++) {
      if (chunk.length > 64 * 1024) {
        yield emit(chunk)
        chunk = ''
      }
      chunk += `<item><title>Post ${i}</title><dc:creator>a</dc:creator><wp:post_id>${i}</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:post_date_gmt>2024-01-01 00:00:00</wp:post_date_gmt><content:encoded><![CDATA[${body}${i}]]></content:encoded><wp:comment><wp:comment_id>${i}</wp:comment_id><wp:comment_content>c</wp:comment_content></wp:comment></item>\n`
    }
    yield emit(`${chunk}</channel></rss>`)
  }
  gc()
  const before = process.memoryUsage().heapUsed
  let items = 0
  let peak = 0
  let retainedAtTenth = 0
  let lastId = 0
  const start = performance.now()
  for await (const e of readWxr(Readable.from(generate()))) {
    if (e.kind !== 'item') continue
    items++
    lastId = e.item.wpId
    if (items % 2000 === 0) {
      gc()
      const used = process.memoryUsage().heapUsed - before
      peak = Math.max(peak, used)
      if (items === 2000) retainedAtTenth = used
    }
  }
  const seconds = (performance.now() - start) / 1000
  const mb = bytes / 1048576
  t.equal(items, count)
  t.equal(lastId, count)
  t.ok(mb > 19, `generated ${mb.toFixed(1)} MB`)
  t.ok(peak < 60 * 1048576, `peak retained heap growth ${(peak / 1048576).toFixed(1)} MB while reading ${mb.toFixed(1)} MB (${Math.round(count / seconds)} items/s, ${(mb / seconds).toFixed(1)} MB/s)`)
  // Holding on to what was read would retain roughly the whole 20 MB by the end.
  t.ok(peak - retainedAtTenth < 8 * 1048576, `retained heap grew ${((peak - retainedAtTenth) / 1048576).toFixed(1)} MB between 10% and 100% of the file`)
})

t.test('the WordPress theme unit test data', { skip: sharedSkip }, async (t) => {
  const events = await all(createReadStream(new URL('themeunittestdata.wordpress.xml', SHARED)))
  t.same(warningsOf(events), [])
  t.match(events[0], { kind: 'site', title: 'Theme Unit Test Data', wxrVersion: '1.2' })
  t.same(events.flatMap((e) => e.kind === 'author' ? [e.author.login] : []), ['themedemos', 'themereviewteam'])
  const categories = events.flatMap((e) => e.kind === 'category' ? [e.term] : [])
  const bySlug = new Map(categories.map((c) => [c.slug, c]))
  t.equal(bySlug.size, 68, '68 distinct categories (one is declared again as a wp:term)')
  t.ok(categories.every((c) => c.parentSlug === null || bySlug.has(c.parentSlug)), 'every parent slug names a declared category')
  const chain = (slug: string): string[] => {
    const c = bySlug.get(slug)
    return c?.parentSlug ? [...chain(c.parentSlug), slug] : [slug]
  }
  t.equal(Math.max(...categories.map((c) => chain(c.slug).length)), 3, 'the tree is three levels deep')
  t.equal(events.filter((e) => e.kind === 'tag').length, 110)
  const items = itemsOf(events)
  const byType = (type: string) => items.filter((i) => i.postType === type).length
  t.same([items.length, byType('post'), byType('page'), byType('attachment'), byType('nav_menu_item')], [186, 58, 21, 37, 70])
  t.same(items.filter((i) => i.status === 'scheduled').map((i) => i.postDate?.toISOString()), ['2030-01-01T19:00:18.000Z'])
  t.equal(items.filter((i) => i.sticky).length, 1)
  const comments = items.flatMap((i) => i.comments)
  t.equal(comments.length, 33)
  t.equal(comments.filter((c) => c.type === 'pingback').length, 2)
  t.equal(comments.filter((c) => c.type === 'trackback').length, 2)
  t.equal(comments.filter((c) => c.status === 'pending').length, 3)
  const thread = items.find((i) => i.title === 'Template: Comments')
  t.equal(thread?.comments.length, 20)
  t.equal(Math.max(...(thread ? depths(thread).values() : [])), 10, 'comments threaded 10 deep')
  const creators = new Set(items.map((i) => i.creator))
  t.ok(creators.has('>themereviewteam') && creators.has('themereviewteam>'), 'creators that match no declared author are kept as written')
  const attachments = new Map(items.filter((i) => i.postType === 'attachment').map((i) => [i.wpId, i.attachmentUrl]))
  const thumbs = items.filter((i) => i.thumbnailId !== null)
  t.ok(thumbs.length > 0 && thumbs.every((i) => attachments.has(i.thumbnailId as number)), `${thumbs.length} featured images, each an attachment in the file`)
})

t.test('the other shared exports: block-editor data and a hand-made file without ids', { skip: sharedSkip }, async (t) => {
  const blocks = await all(createReadStream(new URL('64-block-test-data.xml', SHARED)))
  t.same(warningsOf(blocks), [])
  t.equal(itemsOf(blocks).length, 72)
  t.ok(itemsOf(blocks).some((i) => i.postType === 'wp_navigation'))
  const preview = await all(createReadStream(new URL('theme-preview.xml', SHARED)))
  t.same(warningsOf(preview), [])
  t.equal(itemsOf(preview).length, 7, 'items without wp:post_id are still read')
  t.equal(preview.filter((e) => e.kind === 'author').length, 0)
})

t.test('pages and nav menu items: parent, menu order, menu and term ids', async (t) => {
  const events = await all(createReadStream(fixture('pages-menus-seo.xml')))
  const items = events.flatMap((e) => e.kind === 'item' ? [e.item] : [])
  const byId = new Map(items.map((i) => [i.wpId, i]))
  t.same([byId.get(12)!.parentWpId, byId.get(12)!.menuOrder, byId.get(12)!.navMenu], [10, 2, null], 'a page: its parent and order')
  t.same([byId.get(10)!.parentWpId, byId.get(10)!.menuOrder], [null, 0], 'wp:post_parent 0 is no parent')
  t.same([byId.get(101)!.postType, byId.get(101)!.menuOrder, byId.get(101)!.navMenu], ['nav_menu_item', 2, { slug: 'main-menu', name: 'Main Menu' }], 'a menu item: its menu from the nav_menu category')
  t.same(byId.get(101)!.categories, [], 'the nav_menu term is not a category')
  t.same(events.flatMap((e) => e.kind === 'tag' ? [e.term.termId] : []), [6])
})
