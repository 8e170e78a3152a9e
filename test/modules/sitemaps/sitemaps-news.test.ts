import t from 'tap'
import { SaxesParser } from 'saxes'
import { adminAuth, buildTestApp, TEST_SITE_URL } from '../../helper.js'
import { makeAuthor, makeCategory, makePost } from '../../helpers/factories.js'
import { newsLanguage, NEWS_SITEMAP_MAX_AGE_MS } from '../../../src/lib/sitemap.js'

// The Google News sitemap /sitemaps/news.xml: live, indexable posts of the last 48 hours,
// newest first, at most 1,000, with the publication from the site settings (issue 17).

const HOUR = 3_600_000
const NEWS = 'http://www.google.com/schemas/sitemap-news/0.9'

interface NewsItem { loc: string, name: string, language: string, date: string, title: string }

/** Each <url> of a news sitemap, read by a namespace-aware XML parser. */
function readNews (xml: string): NewsItem[] {
  const parser = new SaxesParser({ xmlns: true })
  const items: NewsItem[] = []
  let field: string | null = null
  parser.on('opentag', (tag) => {
    if (tag.local === 'url') items.push({ loc: '', name: '', language: '', date: '', title: '' })
    const key = tag.uri === NEWS ? ({ name: 'name', language: 'language', publication_date: 'date', title: 'title' } as Record<string, string>)[tag.local ?? ''] : tag.local === 'loc' ? 'loc' : undefined
    field = key ?? null
  })
  parser.on('text', (text) => { if (field !== null) (items.at(-1) as unknown as Record<string, string>)[field] += text })
  parser.on('closetag', () => { field = null })
  parser.write(xml).close()
  return items
}

t.test('news.xml: the last 48 hours, live and indexable, newest first, with the publication', async (t) => {
  const app = await buildTestApp(t, { PUBLIC_API_URL: 'https://api.example.com' })
  const db = app.core.db
  await app.inject({ method: 'PATCH', url: '/v1/site', headers: adminAuth, payload: { title: 'The Times & Co', language: 'en-GB' } })
  const author = makeAuthor(db)
  const politics = makeCategory(db, { slug: 'politics', name: 'Politics' })
  const now = Date.now()
  const fresh = makePost(db, { authorId: author.id, slug: 'fresh', title: 'Fresh & "new"', categoryIds: [politics.id], publishedAt: now - HOUR })
  const older = makePost(db, { authorId: author.id, slug: 'older', title: 'Older', publishedAt: now - 47 * HOUR })
  makePost(db, { authorId: author.id, slug: 'too-old', publishedAt: now - 49 * HOUR })
  makePost(db, { authorId: author.id, slug: 'a-draft', status: 'draft', publishedAt: null })
  makePost(db, { authorId: author.id, slug: 'tomorrow', status: 'published', publishedAt: now + 24 * HOUR })
  const hidden = makePost(db, { authorId: author.id, slug: 'hidden', publishedAt: now - 2 * HOUR })
  app.core.write(() => undefined)
  await app.inject({ method: 'PATCH', url: `/v1/posts/${hidden.id}`, headers: adminAuth, payload: { noindex: true } })

  const res = await app.inject('/sitemaps/news.xml')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/xml/)
  t.same(readNews(res.body), [
    { loc: `${TEST_SITE_URL}/politics/fresh`, name: 'The Times & Co', language: 'en', date: new Date(fresh.publishedAt!).toISOString(), title: 'Fresh & "new"' },
    { loc: `${TEST_SITE_URL}/older`, name: 'The Times & Co', language: 'en', date: new Date(older.publishedAt!).toISOString(), title: 'Older' }
  ], 'older than 48 hours, drafts, scheduled and noindex posts are left out')
  t.match((await app.inject('/sitemap.xml')).body, /<loc>https:\/\/api\.example\.com\/sitemaps\/news\.xml<\/loc>/, 'listed in the index')

  const { expiresAt } = await app.core.sitemaps.news(now)
  t.equal(expiresAt, older.publishedAt! + NEWS_SITEMAP_MAX_AGE_MS, 'a cached copy lasts until its oldest article is 48 hours old')
  t.equal((await app.core.sitemaps.news(now - 72 * HOUR)).expiresAt, undefined, 'an empty one lasts until a write')
})

t.test('news.xml: ETag and 304, cached, and dropped by the writes it shows', async (t) => {
  const app = await buildTestApp(t)
  const author = (await app.inject({ method: 'POST', url: '/v1/authors', headers: adminAuth, payload: { name: 'Ann' } })).json().data
  const publish = async (title: string) => (await app.inject({
    method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title, author_id: author.id, status: 'published', content_html: '<p>x</p>' }
  })).json().data
  const first = await publish('First story')
  const miss = await app.inject('/sitemaps/news.xml')
  t.equal(miss.headers['x-cache'], 'MISS')
  t.equal((await app.inject('/sitemaps/news.xml')).headers['x-cache'], 'HIT')
  t.equal((await app.inject({ url: '/sitemaps/news.xml', headers: { 'if-none-match': miss.headers.etag as string } })).statusCode, 304)
  t.match(String(miss.headers['surrogate-key']), /\bposts\b.*\bpost-edits\b.*\bsite\b/)

  await publish('Second story')
  const afterPublish = await app.inject({ url: '/sitemaps/news.xml', headers: { 'if-none-match': miss.headers.etag as string } })
  t.equal(afterPublish.statusCode, 200, 'publishing a post invalidates it')
  t.same(readNews(afterPublish.body).map((i) => i.title), ['Second story', 'First story'])

  await app.inject({ method: 'PATCH', url: `/v1/posts/${first.id}`, headers: adminAuth, payload: { title: 'First story, updated' } })
  t.same(readNews((await app.inject('/sitemaps/news.xml')).body).map((i) => i.title), ['Second story', 'First story, updated'], 'a title change')
  await app.inject({ method: 'PATCH', url: '/v1/site', headers: adminAuth, payload: { title: 'Renamed', language: 'zh-Hant-TW' } })
  const renamed = readNews((await app.inject('/sitemaps/news.xml')).body)
  t.same([renamed[0].name, renamed[0].language], ['Renamed', 'zh-tw'], 'the site settings')
  await app.inject({ method: 'PATCH', url: `/v1/posts/${first.id}`, headers: adminAuth, payload: { status: 'draft' } })
  t.same(readNews((await app.inject('/sitemaps/news.xml')).body).map((i) => i.title), ['Second story'], 'unpublishing')
})

t.test('news.xml: at most 1,000 articles, the newest', async (t) => {
  const app = await buildTestApp(t)
  const author = makeAuthor(app.core.db)
  const now = Date.now()
  for (let i = 0; i < 1001; i++) makePost(app.core.db, { authorId: author.id, slug: `p-${i}`, publishedAt: now - 60_000 - i * 1000 })
  const items = readNews((await app.inject('/sitemaps/news.xml')).body)
  t.equal(items.length, 1000)
  t.equal(items[0].loc, `${TEST_SITE_URL}/p-0`)
  t.equal(items[999].loc, `${TEST_SITE_URL}/p-999`, 'the oldest one is left out')
})

t.test('newsLanguage: ISO 639 codes from BCP 47 tags', async (t) => {
  for (const [tag, code] of [['en', 'en'], ['en-GB', 'en'], ['pt-BR', 'pt'], ['FIL', 'fil'], ['zh', 'zh-cn'], ['zh-Hans-CN', 'zh-cn'], ['zh-TW', 'zh-tw'], ['zh-Hant', 'zh-tw'], ['zh-HK', 'zh-tw']]) {
    t.equal(newsLanguage(tag), code, tag)
  }
})
