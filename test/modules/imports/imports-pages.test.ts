import t, { type Test } from 'tap'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestApp, adminAuth } from '../../helper.js'

// Pages, Yoast SEO / Rank Math fields and nav menus of a WordPress export (imports-pages.ts,
// imports-seo.ts, imports-navigation.ts), through POST /v1/imports/wxr and the public reads.

type App = Awaited<ReturnType<typeof buildTestApp>>
interface PageRead { id: number, slug: string, path: string, title: string, status: string, parent_id: number | null, menu_order: number, excerpt: string, content_html: string, published_at: string | null, featured_image: { url: string, alt: string } | null, meta_title: string | null, meta_description: string | null, og_title: string | null, og_description: string | null, og_image: string | null, twitter_title: string | null, twitter_description: string | null, twitter_image: string | null, canonical_url: string | null, noindex: boolean }
interface NavRead { label: string, url: string, type: string, id: number | null, children: NavRead[] }

const FILE = readFileSync(new URL('../../fixtures/wxr/pages-menus-seo.xml', import.meta.url), 'utf8')
const xml = { ...adminAuth, 'content-type': 'application/xml' }

async function importWxr (app: App, body: string | Buffer, query = '') {
  const res = await app.inject({ method: 'POST', url: `/v1/imports/wxr${query}`, headers: { prefer: 'wait=60', ...xml }, payload: body })
  if (res.statusCode !== 200) throw new Error(`import answered ${res.statusCode}: ${res.body}`)
  return res.json().data
}

async function pages (app: App): Promise<Map<string, PageRead>> {
  const list = (await app.inject({ url: '/v1/pages?status=any&per_page=100', headers: adminAuth })).json().data as PageRead[]
  return new Map(list.map((p) => [p.slug, p]))
}

async function page (app: App, slug: string): Promise<PageRead> {
  return (await app.inject({ url: `/v1/pages/${slug}`, headers: adminAuth })).json().data
}

async function navigation (app: App): Promise<{ primary: NavRead[], secondary: NavRead[] }> {
  return (await app.inject({ url: '/v1/site', headers: adminAuth })).json().data.navigation
}

/** A menu as label(type) trees, to compare shapes at a glance. */
function shape (items: NavRead[]): unknown[] {
  return items.map((i) => i.children.length === 0 ? `${i.label} (${i.type})` : { [`${i.label} (${i.type})`]: shape(i.children) })
}

function count (app: App, sql: string, ...params: unknown[]): number {
  return app.db.$client.prepare(sql).pluck().get(...params) as number
}

t.test('pages: the tree in any order, menu order, statuses, bodies, featured images; a missing parent or a loop is a warning', async (t) => {
  const app = await buildTestApp(t)
  const s = await importWxr(app, FILE)
  t.equal(s.created.pages, 8)
  t.equal(s.created.posts, 2)
  t.same(s.ignored, { attachment: 1 }, 'pages and menu items are no longer ignored')
  t.match(s.skipped, [{ kind: 'page', ref: 'wp:24', reason: /trash/ }], 'a page in the trash is skipped with the reason')

  const all = await pages(app)
  t.same([...all.values()].map((p) => p.path), ['about', 'about/history', 'about/team', 'about/team/founders', 'coming-soon', 'loop-a', 'loop-a/loop-b', 'orphan'],
    'children written before their parents are linked; siblings follow menu_order')
  const about = all.get('about')!
  t.equal(about.title, 'About')
  t.equal(about.parent_id, null)
  t.equal(all.get('team')!.parent_id, about.id)
  t.equal(all.get('team')!.menu_order, 2)
  t.equal(all.get('history')!.menu_order, 1)
  t.equal(all.get('founders')!.parent_id, all.get('team')!.id, 'a grandchild before its parent')
  t.equal(all.get('history')!.status, 'draft')
  t.equal(all.get('coming-soon')!.status, 'scheduled')
  t.equal(all.get('coming-soon')!.published_at, '2099-01-01T08:00:00.000Z')
  t.equal(about.published_at, '2024-05-01T09:00:00.000Z')

  const full = await page(app, 'about')
  t.match(full.content_html, /<p>We cover the coast\.<\/p>\s*<p>Every day\.<\/p>/, 'the body was given paragraphs as posts are')
  t.notMatch(full.content_html, /\[gallery/, 'shortcodes are rendered or dropped, not shown')
  t.equal(full.excerpt, 'About the Post')
  t.same(full.featured_image, { url: 'https://lighthouse.example.org/files/about.jpg', alt: 'The lighthouse' }, 'the attachment after the page is its featured image')
  t.ok(s.warnings.includes('wp:10: not kept: 1 × [gallery] shortcode'), 'what the body lost is a warning, as for posts')

  t.equal(all.get('orphan')!.parent_id, null)
  t.ok(s.warnings.includes('wp:20: its parent page (wp:99) is not in the file: imported at the top'))
  t.equal(all.get('loop-a')!.parent_id, null, 'a loop is broken at the page whose parent came later')
  t.equal(all.get('loop-b')!.parent_id, all.get('loop-a')!.id)
  t.ok(s.warnings.includes('wp:21: its parent page (wp:22) is below it (a cycle): imported at the top'))

  t.equal((await app.inject({ url: '/v1/pages?path=about/team/founders' })).json().data[0]?.title, 'Founders', 'the public reads the tree')
  t.equal((await app.inject({ url: '/v1/pages/history' })).statusCode, 404, 'a draft page is not public')

  const changes = (await app.inject({ url: '/v1/changes?limit=1000' })).json().data as Array<{ resource: string, slug: string }>
  t.ok(changes.some((c) => c.resource === 'page' && c.slug === 'founders'), 'imported live pages are in the change log')
  t.notOk(changes.some((c) => c.resource === 'page' && c.slug === 'history'), 'drafts are not')
})

t.test('a second import of the file changes nothing; a changed page is updated in place, not duplicated', async (t) => {
  const app = await buildTestApp(t)
  await importWxr(app, FILE)
  const before = await pages(app)
  const changesBefore = count(app, 'SELECT count(*) FROM changes')
  const again = await importWxr(app, FILE)
  t.same({ created: again.created.pages, updated: again.updated.pages, unchanged: again.unchanged.pages }, { created: 0, updated: 0, unchanged: 8 })
  t.same(again.unchanged.posts, 2)
  t.equal(count(app, 'SELECT count(*) FROM changes'), changesBefore, 'nothing was written: the change log did not move')
  t.equal(count(app, 'SELECT count(*) FROM pages'), 8)

  const teamChanges = () => count(app, 'SELECT count(*) FROM changes WHERE resource = ? AND resource_id = ?', 'page', before.get('team')!.id)
  const entries = teamChanges()
  const edited = FILE.replace('<title>Our team</title>', '<title>The newsroom</title>').replace('The people who make the paper.', 'Everyone at the Post.')
  const third = await importWxr(app, edited)
  t.equal(third.updated.pages, 1)
  t.equal(third.unchanged.pages, 7)
  const team = await page(app, 'team')
  t.equal(team.id, before.get('team')!.id, 'the same page')
  t.equal(team.title, 'The newsroom')
  t.match(team.content_html, /Everyone at the Post/)
  t.equal(team.parent_id, before.get('about')!.id, 'still under its parent')
  t.equal(count(app, 'SELECT count(*) FROM pages'), 8)
  t.equal(teamChanges(), entries + 1, 'the update is in the change log')
})

t.test('Yoast SEO and Rank Math fields: templates expanded or dropped, bad URLs and long values warned about', async (t) => {
  const app = await buildTestApp(t)
  const s = await importWxr(app, FILE)
  const team = await page(app, 'team')
  t.equal(team.meta_title, null, 'a title that is only the default template is dropped: the fallback applies')
  t.equal(team.meta_description, 'Who writes & edits the Post')
  t.equal(team.noindex, true, '_yoast_wpseo_meta-robots-noindex 1')
  t.equal(team.canonical_url, 'https://lighthouse.example.org/about/team/')
  t.equal(team.og_title, 'Meet Our team', '%%title%% is the title')
  t.equal(team.og_description, 'Our newsroom')
  t.equal(team.og_image, 'https://lighthouse.example.org/files/team.jpg')
  t.equal(team.twitter_title, 'The team - The Lighthouse Post', '%%sep%% and %%sitename%% are replaced')
  t.equal(team.twitter_description, 'Say hello')
  t.equal(team.twitter_image, null)
  t.ok(s.warnings.includes('wp:12: twitter_image "javascript:alert(1)" is not an http(s) URL: left out'))

  const founders = await page(app, 'founders')
  t.equal(founders.meta_title, null, 'the Rank Math default template is dropped too')
  t.equal([...founders.meta_description!].length, 320, 'cut to the API limit')
  t.ok(s.warnings.includes('wp:14: meta_description has 461 characters; cut to 320, the most the API takes'))
  t.equal(founders.noindex, true, 'rank_math_robots with noindex')
  t.equal(founders.og_title, 'Founders of The Lighthouse Post')
  t.equal(founders.og_image, 'https://lighthouse.example.org/files/founders.jpg')
  t.equal(founders.twitter_title, 'Founders')
  t.equal(founders.twitter_description, 'Where it all began')
  t.equal(founders.canonical_url, 'https://lighthouse.example.org/about/team/founders/')

  const storm = (await app.inject({ url: '/v1/posts/storm-warning' })).json().data
  t.equal(storm.meta_title, 'Storm warning: what to do - The Lighthouse Post')
  t.equal(storm.meta_description, 'What to do when the storm comes')
  t.equal(storm.noindex, false, '_yoast_wpseo_meta-robots-noindex 2 is an explicit index')
  t.equal(storm.seo.title, 'Storm warning: what to do - The Lighthouse Post')
  const tides = (await app.inject({ url: '/v1/posts/tide-tables' })).json().data
  t.equal(tides.meta_title, 'Tide tables | Special', 'an unknown variable is removed')
  t.equal(tides.noindex, false)
  t.ok(s.warnings.includes('wp:31: SEO template variables without a value were removed: %customfield%'))
  t.equal(s.seo_fields, 21, 'the SEO fields found, counted')

  // The same SEO on a re-import is no change; a changed description is.
  const again = await importWxr(app, FILE.replace('What to do when the storm comes', 'Stay safe in a storm'))
  t.equal(again.updated.posts, 1)
  t.equal(again.unchanged.posts, 1)
  t.equal((await app.inject({ url: '/v1/posts/storm-warning' })).json().data.meta_description, 'Stay safe in a storm')
})

t.test('nav menus: items of every kind resolved to what was imported, nested at most three levels, two menus', async (t) => {
  const app = await buildTestApp(t)
  const s = await importWxr(app, FILE)
  t.same(s.navigation, { menus: 3, items: 11, applied: true })
  const nav = await navigation(app)
  t.same(shape(nav.primary), [
    { 'About (page)': [{ 'Our people (page)': ['Founders (page)', 'Deep link (url)'] }] },
    'Coast (category)',
    'Storms (tag)',
    'Storm warning (post)',
    'Contact (url)',
    'External (url)'
  ], 'menu_order, not file order; labels from the target when the item has none; a fourth level moved up')
  t.equal(nav.primary[0].url, 'https://news.example.com/about')
  t.equal(nav.primary[0].children[0].children[0].url, 'https://news.example.com/about/team/founders')
  t.equal(nav.primary[1].url, 'https://news.example.com/coast')
  t.equal(nav.primary[2].url, 'https://news.example.com/tag/storms')
  t.equal(nav.primary[4].url, '/contact')
  t.ok(s.warnings.includes('menu "Main Menu": 1 item(s) nested deeper than 3 levels were moved up to the third level'))
  t.match(s.skipped, [{}, { kind: 'menu_item', ref: 'wp:108', reason: /"#".*the items below it take its place/ }, { kind: 'menu_item', ref: 'wp:112', reason: /page \(wp:24\) was not imported/ }])
  t.same(shape(nav.secondary), ['Privacy (url)'], '"Footer links" is the secondary menu; its draft page is left out of public reads')
  const admin = (await app.inject({ url: '/v1/site', headers: adminAuth })).json().data
  t.match(admin.navigation_issues, [{ menu: 'secondary', label: 'Coming soon', reason: /not public/ }], 'and reported to admins')
  t.ok(s.warnings.includes('menu "Social" was not imported: the site has two menus (primary: "Main Menu", secondary: "Footer links")'))

  const changes = (await app.inject({ url: '/v1/changes?limit=1000' })).json().data as Array<{ resource: string }>
  t.ok(changes.some((c) => c.resource === 'site'), 'the navigation change is in the change log')
  const again = await importWxr(app, FILE)
  t.same(again.navigation, { menus: 3, items: 11, applied: true }, 'a re-import finds the same menus in place')
  t.notOk(again.warnings.some((w: string) => /already has/.test(w)))
})

t.test('a site with its own navigation keeps it unless the import says navigation=replace', async (t) => {
  const app = await buildTestApp(t)
  const own = [{ label: 'Home', url: '/' }]
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/site', headers: adminAuth, payload: { navigation: { primary: own } } })).statusCode, 200)
  const s = await importWxr(app, FILE)
  t.same(s.navigation, { menus: 3, items: 0, applied: false })
  t.ok(s.warnings.includes('the site already has its own primary navigation: the file\'s menus were not applied (import with navigation=replace to replace them)'))
  t.same(shape((await navigation(app)).primary), ['Home (url)'])
  t.equal(s.created.pages, 8, 'the rest of the file is imported')

  const replaced = await importWxr(app, FILE, '?navigation=replace')
  t.same(replaced.navigation, { menus: 3, items: 11, applied: true })
  t.equal((await navigation(app)).primary[0].label, 'About')
  const bad = await app.inject({ method: 'POST', url: '/v1/imports/wxr?navigation=overwrite', headers: { prefer: 'wait=60', ...xml }, payload: FILE })
  t.equal(bad.statusCode, 400, 'an unknown option is a 400')
})

t.test('menu items are checked as PATCH /v1/site checks them: long labels cut, more than 50 on a level left out', async (t) => {
  const app = await buildTestApp(t)
  const many = Array.from({ length: 55 }, (_, i) => `<item><title>${i === 0 ? 'L'.repeat(150) : `Link ${i}`}</title><link>https://lighthouse.example.org/?p=${900 + i}</link><guid isPermaLink="false">https://lighthouse.example.org/?p=${900 + i}</guid><wp:post_id>${900 + i}</wp:post_id><wp:status>publish</wp:status><wp:menu_order>${i}</wp:menu_order><wp:post_type>nav_menu_item</wp:post_type><category domain="nav_menu" nicename="main"><![CDATA[Main]]></category><wp:postmeta><wp:meta_key>_menu_item_type</wp:meta_key><wp:meta_value>custom</wp:meta_value></wp:postmeta><wp:postmeta><wp:meta_key>_menu_item_url</wp:meta_key><wp:meta_value>https://example.org/${i}</wp:meta_value></wp:postmeta><wp:postmeta><wp:meta_key>_menu_item_menu_item_parent</wp:meta_key><wp:meta_value>0</wp:meta_value></wp:postmeta></item>`).join('\n')
  const body = `<?xml version="1.0"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>T</title><link>https://lighthouse.example.org</link><wp:wxr_version>1.2</wp:wxr_version>${many}</channel></rss>`
  const s = await importWxr(app, body)
  t.same(s.navigation, { menus: 1, items: 50, applied: true })
  t.ok(s.warnings.includes('menu "Main": 5 item(s) beyond 50 on one level were left out'))
  const nav = await navigation(app)
  t.equal(nav.primary.length, 50)
  t.equal(nav.primary[0].label, 'L'.repeat(100))
})

function fileDb (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-pages-db-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return join(dir, 'pages.db')
}

t.test('on a database file the import runs on a worker thread: the same pages, SEO and menus, and caches follow', async (t) => {
  const app = await buildTestApp(t, { DATABASE_PATH: fileDb(t) })
  t.ok(app.core.workers.imports.inThread, 'a worker thread')
  // Cached before the import: the worker's commits must reach this process's cache.
  t.same((await app.inject({ url: '/v1/pages' })).json().data, [])
  t.same((await app.inject({ url: '/v1/site' })).json().data.navigation.primary, [])
  const s = await importWxr(app, FILE)
  t.equal(s.created.pages, 8)
  t.equal(s.navigation.items, 11)
  t.equal(s.seo_fields, 21)
  t.equal((await app.inject({ url: '/v1/pages' })).json().data.length, 6, 'the live pages are read at once')
  t.equal((await app.inject({ url: '/v1/site' })).json().data.navigation.primary[0].label, 'About')
  t.equal((await page(app, 'team')).parent_id, (await page(app, 'about')).id)
})

t.test('webhooks hear of imported pages and of the navigation, as of API writes', async (t) => {
  // Nothing listens there: only the queued deliveries are looked at.
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true' })
  const hook = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: adminAuth, payload: { url: 'http://127.0.0.1:9/in', events: ['page.published', 'site.updated'], secret: 'receiver-secret-0123456789' } })
  t.equal(hook.statusCode, 201, hook.body)
  await importWxr(app, FILE)
  const events = app.db.$client.prepare('SELECT event, payload FROM webhook_deliveries ORDER BY id').all() as Array<{ event: string, payload: string }>
  const published = events.filter((e) => e.event === 'page.published').map((e) => JSON.parse(e.payload).data.page.slug as string).sort()
  t.same(published, ['about', 'founders', 'loop-a', 'loop-b', 'orphan', 'team'], 'each live page once; drafts and scheduled pages not')
  t.equal(events.filter((e) => e.event === 'site.updated').length, 1, 'the menus are one site change')
})

t.test('a job that ran before pages were imported still reads with every count', async (t) => {
  const app = await buildTestApp(t)
  const old = { format: 'wxr-1.2', created: { posts: 1, categories: 0, tags: 0, authors: 1, comments: 0 }, updated: { posts: 0, categories: 0, tags: 0, authors: 0, comments: 0 }, unchanged: { posts: 0, categories: 0, tags: 0, authors: 0, comments: 0 }, ignored: { page: 2 }, skipped: [], warnings: [] }
  const now = Date.now()
  const id = app.db.$client.prepare("INSERT INTO import_jobs (kind, status, source, options, summary, bytes_total, owner, lease_until, created_at, updated_at) VALUES ('wxr', 'succeeded', 'upload', '{}', ?, 10, 'gone', 0, ?, ?) RETURNING id").pluck().get(JSON.stringify(old), now, now) as number
  const res = await app.inject({ url: `/v1/imports/${id}`, headers: adminAuth })
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json().data.summary, { created: { posts: 1, pages: 0 }, ignored: { page: 2 }, seo_fields: 0, navigation: { menus: 0, items: 0, applied: false } })
})
