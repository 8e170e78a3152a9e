import t from 'tap'
import { adminAuth, buildTestApp } from '../../helper.js'
import { makeAuthor, makeCategory, makePost, makeTag } from '../../helpers/factories.js'
import { xsdErrors } from '../../helpers/xsd.js'

// Every sitemap validates against the published schemas (test/fixtures/xsd): sitemaps.org's
// sitemap.xsd and siteindex.xsd, and Google's sitemap-news.xsd for news.xml (issue 17).

t.test('every sitemap is valid against the sitemaps.org and Google News schemas', async (t) => {
  const app = await buildTestApp(t, { PUBLIC_API_URL: 'https://api.example.com' })
  const db = app.core.db
  await app.inject({ method: 'PATCH', url: '/v1/site', headers: adminAuth, payload: { title: 'The Times & <Co>', language: 'pt-BR' } })
  const author = makeAuthor(db)
  const politics = makeCategory(db, { slug: 'politics', name: 'Politics' })
  const tag = makeTag(db, { slug: 'nato', name: 'NATO' })
  const hour = 3_600_000
  makePost(db, { authorId: author.id, slug: 'recent', title: 'Q&A: "today" <live>\u0001', categoryIds: [politics.id], tagIds: [tag.id], publishedAt: Date.now() - hour })
  makePost(db, { authorId: author.id, slug: 'older', publishedAt: Date.now() - 72 * hour })
  makePost(db, { authorId: author.id, slug: 'q&a <today>', publishedAt: Date.now() - 2 * hour })
  app.core.write(() => undefined)
  await app.inject({ method: 'POST', url: '/v1/pages', headers: adminAuth, payload: { title: 'About', status: 'published' } })

  const get = async (url: string) => {
    const res = await app.inject(url)
    t.equal(res.statusCode, 200, url)
    return res.body
  }
  const urlsets = {
    'posts-1.xml': await get('/sitemaps/posts-1.xml'),
    'pages.xml': await get('/sitemaps/pages.xml'),
    'categories.xml': await get('/sitemaps/categories.xml'),
    'tags.xml': await get('/sitemaps/tags.xml')
  }
  t.same(await xsdErrors('urlset', urlsets), [], 'posts, pages, categories and tags: sitemap.xsd')
  t.same(await xsdErrors('index', { 'sitemap.xml': await get('/sitemap.xml') }), [], 'the index: siteindex.xsd')
  const news = await get('/sitemaps/news.xml')
  t.match(news, /<news:language>pt<\/news:language>/)
  t.same(await xsdErrors('news', { 'news.xml': news }), [], 'news.xml: sitemap.xsd with sitemap-news.xsd')
})

t.test('the schemas catch what they should: the check can fail', async (t) => {
  const head = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
  const news = (language: string, order: 'right' | 'wrong') => {
    const date = '<news:publication_date>2026-11-30T12:00:00.000Z</news:publication_date>'
    const title = '<news:title>T</news:title>'
    return `${head}<url><loc>https://www.example.com/a</loc><news:news><news:publication><news:name>N</news:name><news:language>${language}</news:language></news:publication>` +
      `${order === 'right' ? date + title : title + date}</news:news></url></urlset>`
  }
  t.same(await xsdErrors('news', { 'ok.xml': news('en', 'right') }), [])
  t.equal((await xsdErrors('news', { 'bcp47.xml': news('en-GB', 'right') })).length, 1, 'a BCP 47 tag is not an ISO 639 code')
  t.equal((await xsdErrors('news', { 'order.xml': news('en', 'wrong') })).length, 1, 'news elements come in the schema\'s order')
  t.ok((await xsdErrors('urlset', { 'lastmod.xml': `${head.replace(/ xmlns:news="[^"]+"/, '')}<url><loc>https://www.example.com/a</loc><lastmod>yesterday</lastmod></url></urlset>` })).length > 0, 'a lastmod that is no date')
  t.ok((await xsdErrors('urlset', { 'news-unknown.xml': news('en', 'right') })).length > 0, 'news:news without its schema: strict wildcard')
  t.ok((await xsdErrors('index', { 'index.xml': '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><lastmod>2026-01-01</lastmod></sitemap></sitemapindex>' })).length > 0, 'an index entry without loc')
})
