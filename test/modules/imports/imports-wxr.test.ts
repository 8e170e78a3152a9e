import t from 'tap'
import { readFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { buildTestApp, adminAuth } from '../../helper.js'

type App = Awaited<ReturnType<typeof buildTestApp>>

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/wxr/${name}`, import.meta.url))
const BLOG = fixture('blog-1.1.xml')
const xml = { ...adminAuth, 'content-type': 'application/xml' }

/** An import that answers once it has ended (Prefer: wait), as these tests look at the outcome. */
async function importWxr (app: App, body: string | Buffer, headers: Record<string, string> = xml) {
  return await app.inject({ method: 'POST', url: '/v1/imports/wxr', headers: { prefer: 'wait=60', ...headers }, payload: body })
}

function count (app: App, sql: string, ...params: unknown[]): number {
  return app.db.$client.prepare(sql).pluck().get(...params) as number
}

t.test('imports a WordPress export: authors, category tree, tags, posts and threaded comments', async (t) => {
  const app = await buildTestApp(t)
  const res = await importWxr(app, BLOG)
  t.equal(res.statusCode, 200, res.body)
  const s = res.json().data
  t.equal(s.format, 'wxr-1.1')
  t.same(s.created, { posts: 5, pages: 1, categories: 4, tags: 3, authors: 3, comments: 6 })
  t.same(s.updated, { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0 })
  t.same(s.ignored, { attachment: 1 })
  t.same(s.skipped.map((x: { kind: string, reason: string }) => x.kind), ['post'])
  t.match(s.skipped[0].reason, /trash/)

  const post = (await app.inject({ url: '/v1/posts/night-ferry' })).json().data
  t.equal(post.title, 'New night ferry to the islands')
  t.equal(post.published_at, '2023-03-01T18:30:00.000Z', 'the GMT date is used')
  t.equal(post.author.slug, 'mara')
  t.same(post.categories.map((c: { slug: string }) => c.slug), ['night-ferries', 'ferries'])
  t.same(post.tags.map((c: { slug: string }) => c.slug).sort(), ['new-routes', 'timetable'])
  t.same(post.featured_image, { media_id: null, url: 'https://harbour.example.org/wp-content/uploads/ferry.jpg', alt: 'The night ferry at the pier', width: null, height: null, srcset: null, caption: null, credit: null },
    'the attachment that came after the post is its featured image')
  t.match(post.content_html, /<p>The night ferry starts on <strong>1 April<\/strong>\.<\/p>/, 'blank lines became paragraphs')
  t.match(post.content_html, /It leaves at 23:10 and arrives at dawn\.<br \/>\s*Cabins/, 'single line breaks became <br>')
  t.notMatch(post.content_html, /\[caption|\[\/caption\]/, 'shortcodes are rendered, not shown')
  t.match(post.content_html, /<img src="https:\/\/harbour\.example\.org\/wp-content\/uploads\/ferry\.jpg"/)
  t.notMatch(post.content_html, /script|alert/, 'sanitized')
  t.equal(post.comment_count, 3, 'approved comments and the pingback')
  t.equal(post.featured, true, 'a sticky post is featured')
  t.equal(post.authors.length, 1, 'with WordPress\'s single author')
  t.equal((await app.inject({ url: '/v1/posts?featured=true&status=any&fields=slug', headers: adminAuth })).json().data.map((p: { slug: string }) => p.slug).join(), 'night-ferry', 'the only featured post')

  const tree = (await app.inject({ url: '/v1/categories?per_page=100', headers: adminAuth })).json().data as Array<{ id: number, slug: string, name: string, parent_id: number | null, description: string }>
  const bySlug = new Map(tree.map((c) => [c.slug, c]))
  t.equal(bySlug.get('transport')?.parent_id, null)
  t.equal(bySlug.get('ferries')?.parent_id, bySlug.get('transport')?.id, 'a parent declared after its child is linked')
  t.equal(bySlug.get('night-ferries')?.parent_id, bySlug.get('ferries')?.id)
  t.equal(bySlug.get('transport')?.name, 'Transport & Travel', 'entities in names are decoded')
  t.equal(bySlug.get('transport')?.description, 'Boats, buses and bikes')
  t.ok(bySlug.get('nea'), 'a percent-encoded Greek slug is transliterated')

  const authors = (await app.inject({ url: '/v1/authors', headers: adminAuth })).json().data as Array<{ slug: string, name: string }>
  t.same(authors.map((a) => `${a.slug}:${a.name}`).sort(), ['guest-writer:guest-writer', 'mara:Mara Quill', 'tobias:Tobias Reed'])

  const storm = (await app.inject({ url: '/v1/posts/storm' })).json().data
  t.equal(storm.author.slug, 'guest-writer', 'an undeclared dc:creator becomes an author')
  t.equal(storm.excerpt, 'Sailings cancelled.')
  t.equal(storm.comment_status, 'closed')
  t.match(storm.content_html, /<p>All sailings are cancelled until the wind drops\.<\/p>/)

  const rows = app.db.$client.prepare("SELECT slug, status, published_at FROM posts WHERE import_key LIKE 'wxr:%' ORDER BY slug").all() as Array<{ slug: string, status: string, published_at: number | null }>
  const bySlugRow = new Map(rows.map((r) => [r.slug, r]))
  t.equal(bySlugRow.get('summer-timetable-draft')?.status, 'draft', 'a draft without a slug gets one from its title')
  t.equal(bySlugRow.get('summer-timetable-draft')?.published_at, null)
  t.equal(bySlugRow.get('harbour-2040')?.status, 'published')
  t.equal(bySlugRow.get('harbour-2040')?.published_at, Date.UTC(2040, 0, 1, 9), 'future is scheduled at its GMT time')
  t.equal(bySlugRow.get('members-only')?.status, 'draft', 'private becomes draft')
  t.notOk(bySlugRow.has('thrown-away'))
  t.notOk(bySlugRow.has('about'), 'pages are not imported')

  const thread = (await app.inject({ url: '/v1/posts/night-ferry/comments?per_page=50' })).json().data as Array<{ id: number, parent_id: number | null, depth: number, author_name: string, content_html: string }>
  t.same(thread.map((c) => `${c.author_name}@${c.depth}`), ['Jon@0', 'Ines@1', 'Island Times@0'], 'replies follow parents even when the file lists them first')
  t.equal(thread[1].parent_id, thread[0].id)
  t.match(thread[1].content_html, /<a href="https:\/\/harbour\.example\.org\/cabins" rel="nofollow ugc">cabins<\/a>/)
  t.notMatch(thread[1].content_html, /onclick/)
  t.match(thread[0].content_html, /<p>Are there cabins\?<\/p>\s*<p>Asking for my grandmother\.<\/p>/)

  const all = app.db.$client.prepare('SELECT author_name, status, type, depth, client_hash, author_email FROM comments ORDER BY id').all() as Array<{ author_name: string, status: string, type: string, depth: number, client_hash: string | null, author_email: string | null }>
  const by = new Map(all.map((c) => [c.author_name, c]))
  t.equal(by.get('Mara Quill')?.status, 'pending')
  t.equal(by.get('Mara Quill')?.depth, 2, 'a reply to a reply is two deep')
  t.equal(by.get('Cheap pills')?.status, 'spam')
  t.equal(by.get('Old news')?.status, 'trash')
  t.equal(by.get('Island Times')?.type, 'pingback')
  t.equal(by.get('Jon')?.author_email, 'jon@example.net')
  const dump = JSON.stringify(app.db.$client.prepare('SELECT * FROM comments').all())
  t.notMatch(dump, /198\.51\.100\.7|203\.0\.113\.9/, 'client addresses are never stored')
  t.match(by.get('Jon')?.client_hash ?? '', /^[0-9a-f]{64}$/)
})

t.test('a second import of the same file changes nothing; a changed file updates in place', async (t) => {
  const app = await buildTestApp(t)
  t.equal((await importWxr(app, BLOG)).statusCode, 200)
  const changesBefore = count(app, 'SELECT count(*) FROM changes')
  const again = (await importWxr(app, BLOG)).json().data
  t.same(again.created, { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0 })
  t.same(again.updated, { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0 })
  t.same(again.unchanged, { posts: 5, pages: 1, categories: 4, tags: 2, authors: 2, comments: 6 })
  t.equal(count(app, 'SELECT count(*) FROM posts'), 5)
  t.equal(count(app, 'SELECT count(*) FROM comments'), 6)
  t.equal(count(app, 'SELECT count(*) FROM changes'), changesBefore, 'an unchanged import writes nothing to the change log')

  const edited = BLOG.toString('utf8')
    .replace('<title>Storm closes the harbour</title>', '<title>Storm closes the harbour for two days</title>')
    .replace('Are there cabins?', 'Are there any cabins?')
    .replace('<wp:cat_name><![CDATA[Ferries]]></wp:cat_name>', '<wp:cat_name><![CDATA[Ferry lines]]></wp:cat_name>')
    .replace('<wp:category_parent><![CDATA[ferries]]></wp:category_parent>', '<wp:category_parent><![CDATA[transport]]></wp:category_parent>')
  const third = (await importWxr(app, edited)).json().data
  t.same(third.created, { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0 })
  t.same(third.updated, { posts: 1, pages: 0, categories: 2, tags: 0, authors: 0, comments: 1 })
  t.equal(count(app, 'SELECT count(*) FROM posts'), 5)
  const storm = (await app.inject({ url: '/v1/posts/storm' })).json().data
  t.equal(storm.title, 'Storm closes the harbour for two days')
  const ferries = (await app.inject({ url: '/v1/categories/ferries' })).json().data
  t.equal(ferries.name, 'Ferry lines')
  const night = (await app.inject({ url: '/v1/categories/night-ferries' })).json().data
  const transport = (await app.inject({ url: '/v1/categories/transport' })).json().data
  t.equal(night.parent_id, transport.id, 'a moved parent is applied')
  t.equal(count(app, "SELECT count(*) FROM comments WHERE content LIKE '%any cabins%'"), 1)
})

t.test('Co-Authors Plus bylines: every author in order, a guest author created; the byline is compared on a second import', async (t) => {
  const app = await buildTestApp(t)
  const file = (byline: string[]) => `<?xml version="1.0"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Co</title><wp:wxr_version>1.2</wp:wxr_version>
    <wp:author><wp:author_login><![CDATA[mira]]></wp:author_login><wp:author_display_name><![CDATA[Mira Quay]]></wp:author_display_name></wp:author>
    <wp:author><wp:author_login><![CDATA[tom]]></wp:author_login><wp:author_display_name><![CDATA[Tom Ferry]]></wp:author_display_name></wp:author>
    <item><title>Joint report</title><guid>https://co.example/?p=1</guid><wp:post_id>1</wp:post_id><wp:post_name>joint-report</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
      <wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt><dc:creator>mira</dc:creator><content:encoded><![CDATA[<p>Both of us.</p>]]></content:encoded>
      ${byline.map((login) => `<category domain="author" nicename="cap-${login}"><![CDATA[${login}]]></category>`).join('')}
    </item>
    <item><title>Solo</title><guid>https://co.example/?p=2</guid><wp:post_id>2</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type><dc:creator>tom</dc:creator><content:encoded><![CDATA[<p>Alone.</p>]]></content:encoded></item>
  </channel></rss>`
  const first = await importWxr(app, file(['tom', 'mira', 'guest-ola']))
  t.equal(first.statusCode, 200, first.body)
  t.equal(first.json().data.created.authors, 3, 'the guest author, named only in the byline, is created')
  const joint = (await app.inject({ url: '/v1/posts/joint-report' })).json().data
  t.same(joint.authors.map((a: { slug: string }) => a.slug), ['tom', 'mira', 'guest-ola'], 'the byline in order')
  t.equal(joint.author.slug, 'tom', 'the first of the byline is the primary author (dc:creator is who created the post)')
  t.same((await app.inject({ url: '/v1/posts/solo' })).json().data.authors.map((a: { slug: string }) => a.slug), ['tom'])

  const again = await importWxr(app, file(['tom', 'mira', 'guest-ola']))
  t.equal(again.json().data.updated.posts, 0, 'the same byline: nothing changes')
  const reordered = await importWxr(app, file(['mira', 'tom']))
  t.equal(reordered.json().data.updated.posts, 1, 'another order or another author: the post is updated')
  t.same((await app.inject({ url: '/v1/posts/joint-report' })).json().data.authors.map((a: { slug: string }) => a.slug), ['mira', 'tom'])

  const crowd = Array.from({ length: 22 }, (_, i) => `writer-${i + 1}`)
  const many = (await importWxr(app, file(crowd))).json().data
  t.match(many.warnings, [/wp:1: 22 authors in its byline; the first 20 kept/], 'a byline over the limit is cut, with a warning')
  t.same((await app.inject({ url: '/v1/posts/joint-report' })).json().data.authors.map((a: { slug: string }) => a.slug), crowd.slice(0, 20))
})

t.test('each item is one transaction: a failing item leaves nothing behind and the rest goes on', async (t) => {
  const app = await buildTestApp(t)
  app.core.bus.on((change) => {
    if (change.kind === 'post' && change.after?.slug === 'storm') throw new Error('disk on fire')
  })
  const s = (await importWxr(app, BLOG)).json().data
  t.same(s.skipped.find((x: { reason: string }) => x.reason === 'disk on fire')?.kind, 'post')
  t.equal(s.created.posts, 4)
  t.equal(count(app, "SELECT count(*) FROM posts WHERE slug = 'storm'"), 0)
  t.equal(count(app, "SELECT count(*) FROM authors WHERE slug = 'guest-writer'"), 0, 'the author made for the failed post is rolled back too')
  t.equal(s.created.authors, 2)
})

t.test('needs write:content', async (t) => {
  const app = await buildTestApp(t)
  t.equal((await importWxr(app, BLOG, { 'content-type': 'application/xml' })).statusCode, 401)
  const reader = app.core.repos.keys.createSync('reader', ['read:drafts'])
  const denied = await importWxr(app, BLOG, { authorization: `Bearer ${reader.key}`, 'content-type': 'text/xml' })
  t.equal(denied.statusCode, 403)
  t.equal(count(app, 'SELECT count(*) FROM posts'), 0)
  const writer = app.core.repos.keys.createSync('writer', ['write:content'])
  const ok = await importWxr(app, BLOG, { authorization: `Bearer ${writer.key}`, 'content-type': 'text/xml; charset=utf-8' })
  t.equal(ok.statusCode, 200, ok.body)
  t.equal(ok.json().data.created.posts, 5)
})

t.test('refuses what is not an export with a 4xx problem, never a 500', async (t) => {
  const app = await buildTestApp(t)
  const notXml = await importWxr(app, 'this is not XML at all, just words')
  t.equal(notXml.statusCode, 422)
  t.match(notXml.headers['content-type'], /application\/problem\+json/)
  const json = await importWxr(app, '{"posts": []}', { ...adminAuth, 'content-type': 'application/json' })
  t.equal(json.statusCode, 415)
  const rssNotWxr = await importWxr(app, '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>y</title></item></channel></rss>')
  t.equal(rssNotWxr.statusCode, 422, 'plain RSS without WordPress fields')
  t.match(rssNotWxr.json().detail, /WordPress export|wp:post_id/)
  const empty = await importWxr(app, '')
  t.equal(empty.statusCode, 422)
  const html = await importWxr(app, '<html><body><p>Hello</p></body></html>')
  t.equal(html.statusCode, 422)
  t.match(html.json().detail, /root element/)
  const future = await importWxr(app, BLOG.toString('utf8').replace('<wp:wxr_version>1.1</wp:wxr_version>', '<wp:wxr_version>9.0</wp:wxr_version>'))
  t.equal(future.statusCode, 422, 'an unknown WXR version')
  t.match(future.json().detail, /9\.0/)
  t.equal(count(app, 'SELECT count(*) FROM posts'), 0)
})

t.test('hostile files: entity bombs, truncation, broken CDATA, huge attributes', async (t) => {
  const app = await buildTestApp(t)
  const started = Date.now()
  const bomb = await importWxr(app, fixture('billion-laughs.xml'))
  t.equal(bomb.statusCode, 422, 'billion laughs')
  t.ok(Date.now() - started < 2000, 'refused at once')
  const longest = count(app, 'SELECT coalesce(max(length(content_html) + length(title)), 0) FROM posts')
  t.ok(longest < 100_000, 'entities were not expanded')

  const text = BLOG.toString('utf8')
  const cut = text.slice(0, text.indexOf('<title>Summer timetable') + 40)
  const truncated = await importWxr(app, cut)
  t.equal(truncated.statusCode, 200, truncated.body)
  const ts = truncated.json().data
  t.equal(ts.created.posts, 2, 'the items before the break are imported')
  t.ok(ts.warnings.length > 0, 'and the break is reported')
  t.equal(count(app, "SELECT count(*) FROM posts WHERE title LIKE 'Summer%'"), 0, 'the broken item is not half-written')

  const broken = await importWxr(app, fixture('broken-cdata.xml'))
  t.equal(broken.statusCode, 200, broken.body)
  t.equal(count(app, "SELECT count(*) FROM posts WHERE slug = 'ferry-timetable'"), 1, 'the item before the broken CDATA is imported')
  t.equal(count(app, "SELECT count(*) FROM posts WHERE title LIKE 'Storm warning%'"), 0, 'the item with the broken CDATA is not')
  t.ok(broken.json().data.warnings.length > 0)

  const huge = text.replace('<guid isPermaLink="false">https://harbour.example.org/?p=102</guid>',
    `<guid isPermaLink="false" junk="${'x'.repeat(3 * 1024 * 1024)}">https://harbour.example.org/?p=102</guid>`)
  const res = await importWxr(app, huge)
  t.ok(res.statusCode < 500, `huge attribute: ${res.statusCode}`)
})

t.test('streams: items are written while the rest of the file is still arriving', async (t) => {
  const app = await buildTestApp(t)
  const text = BLOG.toString('utf8')
  const split = text.indexOf('<item>', text.indexOf('<title>Storm closes'))
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  let postsWhileWaiting = -1
  async function * body () {
    yield Buffer.from(text.slice(0, split))
    // The importer has the first two items; the third has not been sent yet.
    await new Promise((resolve) => setTimeout(resolve, 100))
    postsWhileWaiting = count(app, 'SELECT count(*) FROM posts')
    release()
    await gate
    for (let i = split; i < text.length; i += 1000) yield Buffer.from(text.slice(i, i + 1000))
  }
  const importer = app.core.writes.imports
  const summary = await importer.wxr(body())
  t.equal(postsWhileWaiting, 2, 'the first two posts were committed before the file was complete')
  t.equal(summary.created.posts, 5)
})

t.test('a body over IMPORT_MAX_BYTES is a 413', async (t) => {
  const app = await buildTestApp(t, { IMPORT_MAX_BYTES: '4096' })
  const res = await importWxr(app, BLOG)
  t.equal(res.statusCode, 413)
  t.match(res.json(), { status: 413, code: 'BODY_TOO_LARGE' })
})

const THEME = new URL('../../../../shared/fixtures/wxr/themeunittestdata.wordpress.xml', import.meta.url)
t.test('the WordPress theme unit test export', { skip: existsSync(THEME) ? false : 'the shared fixtures folder (../shared/fixtures/wxr) is absent' }, async (t) => {
  const app = await buildTestApp(t)
  const res = await importWxr(app, readFileSync(fileURLToPath(THEME)))
  t.equal(res.statusCode, 200, res.body)
  const s = res.json().data
  t.equal(s.format, 'wxr-1.2')
  t.equal(s.created.pages, 21, 'the 21 pages are imported')
  t.equal(s.ignored.page, undefined)
  t.equal(s.ignored.nav_menu_item, undefined)
  t.equal(s.created.posts + s.skipped.filter((x: { kind: string }) => x.kind === 'post').length, 58, 'every post is imported or skipped with a reason')
  t.ok(s.created.posts >= 56, `posts: ${s.created.posts}`)
  t.ok(s.created.tags >= 110, `tags: ${s.created.tags}`)
  t.ok(s.created.categories >= 68, `categories: ${s.created.categories}`)

  const parent = (await app.inject({ url: '/v1/categories/parent' })).json().data
  const child1 = (await app.inject({ url: '/v1/categories/child-1' })).json().data
  const child2 = (await app.inject({ url: '/v1/categories/child-2' })).json().data
  t.equal(child1.parent_id, parent.id)
  t.equal(child2.parent_id, child1.id, 'three levels deep')

  const templatePost = app.db.$client.prepare("SELECT id FROM posts WHERE title = 'Template: Comments'").pluck().get() as number
  t.ok(templatePost, 'the comments template post is there')
  const deepest = count(app, 'SELECT max(depth) FROM comments WHERE post_id = ?', templatePost)
  t.equal(deepest, 9, 'the thread is ten levels deep')
  const onIt = count(app, 'SELECT count(*) FROM comments WHERE post_id = ?', templatePost)
  t.ok(onIt >= 19, `comments on the template post: ${onIt}`)
  const orphans = count(app, 'SELECT count(*) FROM comments c WHERE c.parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM comments p WHERE p.id = c.parent_id AND p.post_id = c.post_id)')
  t.equal(orphans, 0)
  t.equal(count(app, "SELECT count(*) FROM comments WHERE type IN ('pingback', 'trackback')"), 4, 'pingbacks and trackbacks keep their type')

  // Its page tree (Level 1 > Level 2 > Level 3) and its five menus (the largest two become the site's).
  const level3 = (await app.inject({ url: '/v1/pages?path=level-1/level-2/level-3' })).json().data
  t.equal(level3[0]?.title, 'Level 3', 'the page tree is kept')
  t.same({ menus: s.navigation.menus, applied: s.navigation.applied }, { menus: 5, applied: true })
  t.equal(s.warnings.filter((w: string) => /^menu ".*" was not imported: the site has two menus/.test(w)).length, 3)
  const nav = (await app.inject({ url: '/v1/site' })).json().data.navigation
  t.ok(nav.primary.length > 0 && nav.secondary.length > 0, 'both menus are filled')
  t.ok(nav.secondary.some((i: { type: string, url: string }) => i.type === 'page' && i.url.endsWith('/level-1/level-2/level-3')), 'menu items resolve to imported pages')

  const again = (await importWxr(app, readFileSync(fileURLToPath(THEME)))).json().data
  t.same(again.created, { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0 }, 'a re-import creates nothing')
  t.equal(again.updated.posts, 0, 'and changes nothing')
  t.equal(again.updated.pages, 0)
  t.equal(again.unchanged.pages, 21)
})
