import t from 'tap'
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestApp, adminAuth, keyAuth } from '../../helper.js'
import { runCli } from '../../../src/cli.js'
import { readWxr, type WxrEvent } from '../../../src/lib/wxr.js'

// GET /v1/export and `export wxr` (issue 19, Export): the site as WXR 1.2, and the round trip
// export → import into an empty database → the same posts, terms, authors and comments
// (times to the second: WXR has no milliseconds).

type App = Awaited<ReturnType<typeof buildTestApp>>

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/wxr/${name}`, import.meta.url))

async function importWxr (app: App, body: string | Buffer) {
  const res = await app.inject({ method: 'POST', url: '/v1/imports/wxr', headers: { ...adminAuth, 'content-type': 'application/xml', prefer: 'wait=60' }, payload: body })
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.json().data
}

/** A site with what an export must carry: imported posts and threads, and posts written through the API. */
async function richSite (t: Parameters<typeof buildTestApp>[0]): Promise<App> {
  const app = await buildTestApp(t)
  await importWxr(app, fixture('blog-1.1.xml'))
  await importWxr(app, fixture('markup-1.2.xml'))
  const q = (sql: string, ...args: unknown[]) => app.db.$client.prepare(sql).pluck().get(...args) as number
  const author = q("SELECT id FROM authors WHERE slug = 'mara'")
  const post = async (body: Record<string, unknown>) => {
    const res = await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { author_id: author, ...body } })
    if (res.statusCode !== 201) throw new Error(res.body)
    return res.json().data.id as number
  }
  await post({
    title: 'Syndicated: the <harbour> & "its" ]]> future',
    content_html: '<p>From a partner, with ]]&gt; and <a href="https://x.example/">a link</a>.</p><!--more--><p>More.</p>',
    status: 'published',
    published_at: '2025-02-01T10:00:00.000Z',
    source: { url: 'https://partner.example.com/harbour', name: 'Partner Daily' },
    canonical_url: 'https://partner.example.com/harbour',
    featured_image: { url: 'https://img.example.com/h.jpg', alt: 'The harbour' },
    category_ids: [q("SELECT id FROM categories WHERE slug = 'ferries'"), q("SELECT id FROM categories WHERE slug = 'transport'")],
    tag_ids: [q("SELECT id FROM tags WHERE slug = 'timetable'")],
    excerpt: 'A custom excerpt',
    comment_status: 'closed'
  })
  // A co-authored post: its byline travels as Co-Authors Plus terms.
  await post({ title: 'Written by three', content_html: '<p>Together.</p>', status: 'published', published_at: '2025-03-01T09:00:00.000Z', author_ids: ['tobias', author, 'ana'], author_id: undefined })
  // SEO fields of a post travel as Yoast SEO meta; a % in them is the editor's text, not a template.
  await post({ title: 'Fares up 5%', content_html: '<p>Fares.</p>', status: 'published', published_at: '2025-03-02T09:00:00.000Z', meta_title: 'Fares up 5% & more: %%title%% <b>', meta_description: 'What changes', og_image: 'https://img.example.com/og.jpg', noindex: true })
  // Pages: a tree, a draft, a scheduled one, SEO fields, a canonical address and a featured image.
  const page = async (body: Record<string, unknown>) => {
    const res = await app.inject({ method: 'POST', url: '/v1/pages', headers: adminAuth, payload: body })
    if (res.statusCode !== 201) throw new Error(res.body)
    return res.json().data.id as number
  }
  const about = await page({ title: 'About us', content_html: '<p>Who we are.</p>', status: 'published', published_at: '2024-01-01T00:00:00.000Z', meta_title: 'About the Gazette', twitter_description: 'Us', featured_image: { url: 'https://img.example.com/about.jpg', alt: 'The office' } })
  await page({ title: 'The team', content_html: '<p>People.</p>', status: 'published', published_at: '2024-01-02T00:00:00.000Z', parent_id: about, menu_order: 2, canonical_url: 'https://elsewhere.example.com/team', noindex: true })
  await page({ title: 'Jobs', content_html: '<p>Join.</p>', parent_id: about, menu_order: 1 })
  await page({ title: 'Anniversary', content_html: '<p>Soon.</p>', status: 'scheduled', published_at: '2040-01-01T00:00:00.000Z' })
  // Both menus, three levels, every kind of target.
  const team = q("SELECT id FROM pages WHERE slug = 'the-team'")
  const nav = await app.inject({
    method: 'PATCH',
    url: '/v1/site',
    headers: adminAuth,
    payload: {
      navigation: {
        primary: [
          { label: 'About & us', page_id: about, children: [{ label: 'Team', page_id: team, children: [{ label: 'Apply', url: '/apply?ref=menu' }] }] },
          { label: 'Ferries', category_id: q("SELECT id FROM categories WHERE slug = 'ferries'") }
        ],
        secondary: [
          { label: 'Partner', url: 'https://partner.example.com/' },
          { label: 'Talks', post_id: q("SELECT id FROM posts WHERE slug = 'geneva-talks'") },
          { label: 'Timetables', tag_id: q("SELECT id FROM tags WHERE slug = 'timetable'") }
        ]
      }
    }
  })
  if (nav.statusCode !== 200) throw new Error(nav.body)
  await post({ title: 'Old news', content_html: '<p>Archived.</p>', status: 'archived', published_at: '2020-01-01T00:00:00.000Z' })
  await post({ title: 'Coming soon', content_html: '<p>Later.</p>', status: 'scheduled', published_at: '2040-05-01T08:00:00.000Z' })
  await post({ title: 'Just a draft', content_html: '<p>Draft.</p>' })
  // A comment submitted by a reader: pending, with its typed text.
  const open = q("SELECT id FROM posts WHERE slug = 'geneva-talks'")
  const c = await app.inject({ method: 'POST', url: `/v1/posts/${open}/comments`, payload: { author_name: 'Reader', author_email: 'r@example.net', content: 'Line one\n\nLine *two* <b>bold</b>' } })
  if (c.statusCode >= 300) throw new Error(c.body)
  return app
}

/** The site's menus as readers get them (labels, kinds, current URLs), without ids. */
async function menus (app: App) {
  const strip = (items: Array<Record<string, unknown>>): unknown[] => items.map(({ id: _id, children, ...rest }) => ({ ...rest, children: strip(children as Array<Record<string, unknown>>) }))
  const { primary, secondary } = (await app.inject({ url: '/v1/site' })).json().data.navigation
  return { primary: strip(primary), secondary: strip(secondary) }
}

/** Everything the round trip must keep, by slug, independent of ids. */
function snapshot (app: App) {
  const all = (sql: string) => app.db.$client.prepare(sql).all()
  return {
    authors: all('SELECT slug, name, email FROM authors ORDER BY slug'),
    categories: all('SELECT c.slug, c.name, c.description, p.slug AS parent FROM categories c LEFT JOIN categories p ON p.id = c.parent_id ORDER BY c.slug'),
    tags: all('SELECT slug, name, description FROM tags ORDER BY slug'),
    posts: all(`SELECT p.slug, p.title, p.excerpt, p.status, p.published_at / 1000 AS published_s, p.content_html, p.featured, p.comment_status, p.comment_count,
        p.featured_image_url, p.featured_image_alt, p.source_url, p.source_name, p.canonical_url, a.slug AS author, l.url AS legacy_url,
        (SELECT group_concat(c.slug, ',') FROM (SELECT c.slug FROM post_categories pc JOIN categories c ON c.id = pc.category_id WHERE pc.post_id = p.id ORDER BY pc.position) c) AS categories,
        (SELECT group_concat(t.slug, ',') FROM (SELECT t.slug FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = p.id ORDER BY t.slug) t) AS tags,
        (SELECT group_concat(a.slug, ',') FROM (SELECT a.slug FROM post_authors pa JOIN authors a ON a.id = pa.author_id WHERE pa.post_id = p.id ORDER BY pa.position) a) AS byline
      FROM posts p JOIN authors a ON a.id = p.author_id LEFT JOIN legacy_urls l ON l.post_id = p.id ORDER BY p.slug`),
    seo: all(`SELECT p.slug, s.meta_title, s.meta_description, s.og_title, s.og_description, s.og_image, s.twitter_title, s.twitter_description, s.twitter_image, s.noindex
      FROM post_seo s JOIN posts p ON p.id = s.post_id ORDER BY p.slug`),
    pages: all(`SELECT p.slug, p.title, p.excerpt, p.status, p.published_at / 1000 AS published_s, p.content_html, p.menu_order, parent.slug AS parent,
        p.featured_image_url, p.featured_image_alt, p.meta_title, p.meta_description, p.og_title, p.og_description, p.og_image, p.twitter_title,
        p.twitter_description, p.twitter_image, p.canonical_url, p.noindex
      FROM pages p LEFT JOIN pages parent ON parent.id = p.parent_id ORDER BY p.slug`),
    comments: all(`SELECT p.slug AS post, c.depth, c.author_name, c.author_email, c.author_url, c.content, c.content_html, c.status, c.type, c.created_at / 1000 AS created_s,
        parent.author_name AS parent_author
      FROM comments c JOIN posts p ON p.id = c.post_id LEFT JOIN comments parent ON parent.id = c.parent_id
      WHERE c.deleted_at IS NULL ORDER BY p.slug, c.created_at / 1000, c.author_name, c.content`)
  }
}

t.test('GET /v1/export streams a WXR 1.2 file; export → import into an empty database keeps every post, term, author and comment', async (t) => {
  const source = await richSite(t)
  const res = await source.inject({ url: '/v1/export', headers: adminAuth })
  t.equal(res.statusCode, 200, res.body.slice(0, 500))
  t.equal(res.headers['content-type'], 'application/rss+xml; charset=utf-8')
  t.match(res.headers['content-disposition'], /^attachment; filename="[a-z0-9-]+\.wordpress\.\d{4}-\d{2}-\d{2}\.xml"$/)
  t.equal(res.headers['cache-control'], 'no-store')

  const events: WxrEvent[] = []
  for await (const e of readWxr([res.body])) events.push(e)
  const site = events[0]
  t.equal(site.kind === 'site' && site.wxrVersion, '1.2')
  t.notOk(events.some((e) => e.kind === 'warning'), 'a well-formed file')
  const items = events.flatMap((e) => e.kind === 'item' ? [e.item] : [])
  t.equal(items.filter((i) => i.postType === 'post').length, snapshot(source).posts.length, 'every post, whatever its status')
  t.equal(items.filter((i) => i.postType === 'page').length, snapshot(source).pages.length, 'every page, whatever its status')
  t.same(new Set(items.filter((i) => i.postType === 'post').map((i) => i.wpStatus)), new Set(['publish', 'draft', 'private', 'future']))
  t.ok(items.some((i) => i.postType === 'attachment'), 'featured images as attachments')

  const before = snapshot(source)
  const menusBefore = await menus(source)
  const target = await buildTestApp(t)
  const summary = await importWxr(target, res.body)
  t.same(summary.skipped, [], 'nothing skipped')
  t.same(summary.warnings, [], 'nothing lost: our bodies are imported as they are')
  const after = snapshot(target)
  t.same(after.authors, before.authors, 'authors')
  t.same(after.categories, before.categories, 'the category tree')
  t.same(after.tags, before.tags, 'tags')
  t.same(after.posts, before.posts, 'posts: status, dates, bodies, excerpts, terms, images, source, canonical, old address, counts')
  t.same(after.comments, before.comments, 'comments: threads, statuses, types, text and HTML')
  const rows = (list: unknown[]) => list as Array<Record<string, unknown>>
  t.same(await menus(target), menusBefore, 'both menus: labels, nesting, order and targets')
  t.equal(JSON.stringify(menusBefore).match(/"type":"(page|category|tag|post|url)"/g)?.length, 7, 'every kind of target, three levels')
  t.equal(summary.navigation.applied, true)
  t.same(after.seo, before.seo, 'posts\' SEO fields')
  t.same(after.pages, before.pages, 'pages: the tree, order, statuses, dates, bodies, images, SEO fields, canonical addresses')
  t.ok(rows(before.pages).length >= 4 && rows(before.pages).some((p) => p.parent !== null && p.noindex === 1) && rows(before.pages).some((p) => p.status === 'draft'), 'pages of every kind')
  t.ok(rows(before.seo).some((s) => s.meta_title === 'Fares up 5% & more: %%title%% <b>'), 'a title with % and markup characters, kept as written')
  t.ok(rows(before.comments).some((c) => c.status === 'pending'), 'the site has pending comments')
  t.ok(rows(before.posts).some((p) => p.status === 'archived') && rows(before.posts).some((p) => p.legacy_url !== null) && rows(before.posts).some((p) => p.source_url !== null))

  const again = await importWxr(target, res.body)
  t.same(again.created, { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0 }, 'importing it again duplicates nothing')
  t.same([again.updated.posts, again.updated.pages], [0, 0], 'and changes no post or page (bylines compared in order)')
  t.ok(rows(before.posts).some((p) => p.byline === 'tobias,mara,ana'), 'the site has a co-authored post')
  const written = items.find((i) => i.title === 'Written by three')
  t.same(written?.coauthors, ['tobias', 'mara', 'ana'], 'the byline as Co-Authors Plus terms, in order')
  t.equal(written?.creator, 'tobias', 'dc:creator is the primary author')
  t.same(items.find((i) => i.title === 'Old news')?.coauthors, [], 'a post by one author has no byline terms')
})

t.test('the export needs admin', async (t) => {
  const app = await buildTestApp(t)
  t.equal((await app.inject({ url: '/v1/export' })).statusCode, 401)
  const res = await app.inject({ url: '/v1/export', headers: keyAuth(app, 'write:content', 'read:drafts') })
  t.equal(res.statusCode, 403)
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
})

t.test('an empty site exports a valid file; odd characters never break the XML', async (t) => {
  const app = await buildTestApp(t)
  const empty = await app.inject({ url: '/v1/export', headers: adminAuth })
  t.equal(empty.statusCode, 200)
  t.match(empty.body, /<wp:wxr_version>1\.2<\/wp:wxr_version>[\s\S]*<\/channel>\s*<\/rss>\s*$/)
  const author = app.db.$client.prepare("INSERT INTO authors (slug, name, created_at, updated_at) VALUES ('x', 'X \u0001\uFFFF ]]> <&>', 0, 0) RETURNING id").pluck().get()
  app.db.$client.prepare("INSERT INTO posts (slug, title, status, created_at, updated_at, author_id, content_html) VALUES ('odd', 'A ]]> title \u0008', 'draft', 0, 0, ?, '<p>]]></p>')").run(author)
  const res = await app.inject({ url: '/v1/export', headers: adminAuth })
  const events: WxrEvent[] = []
  for await (const e of readWxr([res.body])) events.push(e)
  t.notOk(events.some((e) => e.kind === 'warning'), 'well-formed')
  const item = events.find((e) => e.kind === 'item')
  t.equal(item?.kind === 'item' && item.item.title, 'A ]]&gt; title', 'CDATA split around ]]>, control characters dropped, the title as WordPress HTML')
})

t.test('npm run cli -- export wxr FILE writes the same export', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-export-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const db = join(dir, 'site.db')
  const env = { DATABASE_PATH: db, SITE_URL: 'https://news.example.com', LOG_LEVEL: 'silent' }
  t.equal(await runCli(['seed-demo'], env), 0)
  const file = join(dir, 'out.xml')
  t.equal(await runCli(['export', 'wxr', file], env), 0)
  const text = readFileSync(file, 'utf8')
  t.match(text, /<generator>https:\/\/broadsheet\.dev\/\?v=1<\/generator>/)
  t.ok((text.match(/<wp:post_type><!\[CDATA\[post\]\]><\/wp:post_type>/g) ?? []).length > 0, 'the demo posts')
  t.equal(await runCli(['export', 'wxr', file], env), 1, 'an existing file is not overwritten')
  t.equal(await runCli(['export', 'csv', file], env), 2, 'usage')
})
