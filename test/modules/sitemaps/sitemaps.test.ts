import t from 'tap'
import { SaxesParser } from 'saxes'
import { adminAuth, buildTestApp, TEST_SITE_URL } from '../../helper.js'
import { makeAuthor, makeCategory, makePost, makeTag } from '../../helpers/factories.js'
import { createSitemapsService } from '../../../src/modules/sitemaps/sitemaps-service.js'

/** The <loc>s of a well-formed document (saxes throws on any XML error), with the root's name and namespace. */
function read (xml: string): { root: string, ns: string | undefined, locs: string[], lastmods: number } {
  const parser = new SaxesParser({ xmlns: true })
  const out = { root: '', ns: undefined as string | undefined, locs: [] as string[], lastmods: 0 }
  let inLoc = false
  parser.on('opentag', (tag) => {
    if (out.root === '') { out.root = tag.local ?? ''; out.ns = tag.uri }
    inLoc = tag.local === 'loc'
    if (tag.local === 'lastmod') out.lastmods++
  })
  parser.on('text', (text) => { if (inLoc) out.locs.push(text) })
  parser.on('closetag', () => { inLoc = false })
  parser.write(xml).close()
  return out
}

t.test('sitemaps: index, posts, pages, categories, tags; live and indexable only', async (t) => {
  const app = await buildTestApp(t, { PUBLIC_API_URL: 'https://api.example.com' })
  const db = app.core.db
  const author = makeAuthor(db)
  const politics = makeCategory(db, { slug: 'politics', name: 'Politics' })
  makeCategory(db, { slug: 'unused', name: 'Unused' })
  const tag = makeTag(db, { slug: 'nato', name: 'NATO' })
  makePost(db, { authorId: author.id, slug: 'live-one', categoryIds: [politics.id], tagIds: [tag.id] })
  makePost(db, { authorId: author.id, slug: 'a-draft', status: 'draft', publishedAt: null })
  const hidden = makePost(db, { authorId: author.id, slug: 'not-indexed' })
  makePost(db, { authorId: author.id, slug: 'q&a <today>' })
  await app.inject({ method: 'PATCH', url: `/v1/posts/${hidden.id}`, headers: adminAuth, payload: { noindex: true } })
  const about = (await app.inject({ method: 'POST', url: '/v1/pages', headers: adminAuth, payload: { title: 'About', status: 'published' } })).json().data
  await app.inject({ method: 'POST', url: '/v1/pages', headers: adminAuth, payload: { title: 'Team', parent_id: about.id, status: 'published' } })
  await app.inject({ method: 'POST', url: '/v1/pages', headers: adminAuth, payload: { title: 'Private', status: 'published', noindex: true } })
  await app.inject({ method: 'POST', url: '/v1/pages', headers: adminAuth, payload: { title: 'Draft page' } })

  const index = await app.inject('/sitemap.xml')
  t.equal(index.statusCode, 200)
  t.match(index.headers['content-type'], /^application\/xml/)
  const idx = read(index.body)
  t.equal(idx.root, 'sitemapindex')
  t.equal(idx.ns, 'http://www.sitemaps.org/schemas/sitemap/0.9')
  t.same(idx.locs, ['https://api.example.com/sitemaps/posts-1.xml', 'https://api.example.com/sitemaps/pages.xml', 'https://api.example.com/sitemaps/categories.xml', 'https://api.example.com/sitemaps/tags.xml', 'https://api.example.com/sitemaps/news.xml'])

  const posts = read((await app.inject('/sitemaps/posts-1.xml')).body)
  t.equal(posts.root, 'urlset')
  t.same(posts.locs.sort(), [`${TEST_SITE_URL}/politics/live-one`, `${TEST_SITE_URL}/q&a <today>`], 'drafts and noindex posts left out; text escaped')
  t.equal(posts.lastmods, 2)
  t.same(read((await app.inject('/sitemaps/pages.xml')).body).locs, [`${TEST_SITE_URL}/about`, `${TEST_SITE_URL}/about/team`])
  t.same(read((await app.inject('/sitemaps/categories.xml')).body).locs, [`${TEST_SITE_URL}/politics`], 'a category without a live post is left out')
  t.same(read((await app.inject('/sitemaps/tags.xml')).body).locs, [`${TEST_SITE_URL}/tag/nato`])
  t.equal((await app.inject('/sitemaps/posts-2.xml')).statusCode, 404)
  t.equal((await app.inject('/sitemaps/posts-0.xml')).statusCode, 400)
  t.equal((await app.inject('/sitemaps/other.xml')).statusCode, 400)

  const etag = index.headers.etag as string
  t.ok(etag)
  t.equal((await app.inject({ url: '/sitemap.xml', headers: { 'if-none-match': etag } })).statusCode, 304)

  const robots = await app.inject('/robots.txt')
  t.match(robots.body, /^Sitemap: https:\/\/api\.example\.com\/sitemap\.xml$/m)
})

t.test('sitemaps: posts are paged, each URL in exactly one sitemap', async (t) => {
  const app = await buildTestApp(t)
  const author = makeAuthor(app.core.db)
  for (let i = 0; i < 5; i++) makePost(app.core.db, { authorId: author.id, slug: `post-${i}` })
  const service = createSitemapsService({ repo: app.core.repos.sitemaps, pages: app.core.pagesSync, categories: app.core.repos.categories.sync, tags: app.core.repos.tags.sync, site: app.core.repos.site, siteUrl: 'https://s', apiUrl: 'https://a', perSitemap: 2 })
  const now = Date.now()
  t.equal(read(await service.index(now)).locs.filter((l) => l.includes('/posts-')).length, 3)
  const all = (await Promise.all([1, 2, 3].map(async (n) => await service.posts(n, now)))).flatMap((xml) => read(xml!).locs)
  t.same(all, [0, 1, 2, 3, 4].map((i) => `https://s/post-${i}`))
  t.equal(await service.posts(4, now), undefined)
})
