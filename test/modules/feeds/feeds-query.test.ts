import t from 'tap'
import type { AddressInfo } from 'node:net'
import { parseFeed } from '@rowanmanning/feed-parser'
import { adminAuth, buildTestApp, TEST_SITE_URL } from '../../helper.js'
import { makeAuthor, makeCategory, makePost } from '../../helpers/factories.js'

// Feed readers, proxies and crawlers add their own parameters to feed and sitemap URLs
// (`utm_source=feedly`, `fbclid`, cache busters). Those routes ignore parameters they do not
// declare, and the response cache keys them without: one entry, one ETag (issue 21 item 11).

type App = Awaited<ReturnType<typeof buildTestApp>>

async function newsroom (t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t)
  const db = app.core.db
  const author = makeAuthor(db, { slug: 'maria', name: 'Maria' })
  const politics = makeCategory(db, { slug: 'politics', name: 'Politics' })
  makePost(db, { authorId: author.id, slug: 'summit', title: 'Summit', categoryIds: [politics.id] })
  makePost(db, { authorId: author.id, slug: 'match', title: 'Match' })
  app.core.write(() => undefined)
  return app
}

const UTM = 'utm_source=feedly&utm_medium=rss&utm_campaign=x%20y&fbclid=abc&_=1700000000'

async function listen (app: App): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

t.test('every feed ignores unknown parameters: 200, the same bytes and ETag, one cache entry', async (t) => {
  const app = await newsroom(t)
  const base = await listen(app)
  for (const path of ['/feeds/rss.xml', '/feeds/atom.xml', '/feeds/feed.json']) {
    const plain = await fetch(`${base}${path}`)
    t.equal(plain.status, 200, path)
    t.equal(plain.headers.get('x-cache'), 'MISS', `${path}: first request builds the entry`)
    const plainBody = await plain.text()
    const tagged = await fetch(`${base}${path}?${UTM}`)
    t.equal(tagged.status, 200, `${path}?utm…`)
    t.equal(tagged.headers.get('x-cache'), 'HIT', `${path}?utm… is answered from the plain URL's entry`)
    t.equal(tagged.headers.get('etag'), plain.headers.get('etag'), 'one ETag')
    const taggedBody = await tagged.text()
    t.equal(taggedBody, plainBody, 'the same bytes')
    if (path.endsWith('.json')) {
      const feed = JSON.parse(taggedBody)
      t.equal(feed.feed_url, `${TEST_SITE_URL}/feeds/feed.json`, 'the self link carries no tracking parameter')
      t.equal(feed.items.length, 2)
    } else {
      const feed = parseFeed(taggedBody)
      t.equal(feed.self, `${TEST_SITE_URL}${path}`, 'the self link carries no tracking parameter')
      t.equal(feed.items.length, 2)
    }
    const revalidated = await fetch(`${base}${path}?utm_source=other`, { headers: { 'if-none-match': plain.headers.get('etag')! } })
    t.equal(revalidated.status, 304, 'the plain ETag revalidates a decorated URL')
  }
})

t.test('known parameters keep their meaning and validation beside unknown ones', async (t) => {
  const app = await newsroom(t)
  const filtered = await app.inject('/feeds/atom.xml?category=politics&limit=5')
  t.equal(filtered.headers['x-cache'], 'MISS')
  const decorated = await app.inject('/feeds/atom.xml?utm_source=feedly&category=politics&ref=x&limit=5')
  t.equal(decorated.statusCode, 200)
  t.equal(decorated.headers['x-cache'], 'HIT', 'shares the entry of the same filters without the extras')
  const feed = parseFeed(decorated.body)
  t.same(feed.items.map((i) => i.title), ['Summit'], 'the filter applies')
  t.equal(feed.self, `${TEST_SITE_URL}/feeds/atom.xml?category=politics&limit=5`)
  t.not((await app.inject('/feeds/atom.xml?category=politics&limit=6&utm_source=x')).headers.etag, filtered.headers.etag, 'another known value is another document')

  for (const [query, name] of [['limit=0&utm_source=feedly', 'limit'], ['utm_source=feedly&limit=x', 'limit'], ['category=&utm_medium=rss', 'category']]) {
    const res = await app.inject(`/feeds/rss.xml?${query}`)
    t.equal(res.statusCode, 400, query)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    const paths = (res.json().errors as Array<{ path: string }>).map((e) => e.path)
    t.ok(paths.some((p) => p.includes(name)), `${query}: the error names ${name}`)
    t.notOk(paths.some((p) => p.includes('utm')), `${query}: the unknown parameter is not an error`)
  }
  t.equal((await app.inject('/feeds/rss.xml?category=nowhere&utm_source=x')).statusCode, 404, 'an unknown category is still a 404')
  // The global numeric check (problem-details.ts) never sees an ignored parameter.
  t.equal((await app.inject('/feeds/rss.xml?cb=1e400')).statusCode, 200)
})

t.test('sitemaps and robots.txt ignore unknown parameters and share one cache entry', async (t) => {
  const app = await newsroom(t)
  for (const path of ['/sitemap.xml', '/sitemaps/posts-1.xml', '/sitemaps/pages.xml', '/sitemaps/categories.xml', '/sitemaps/tags.xml', '/sitemaps/news.xml', '/robots.txt']) {
    const plain = await app.inject(path)
    t.equal(plain.statusCode, 200, path)
    const tagged = await app.inject(`${path}?${UTM}`)
    t.equal(tagged.statusCode, 200, `${path}?utm…`)
    t.equal(tagged.headers['x-cache'], 'HIT', `${path}?utm… is answered from the plain URL's entry`)
    t.equal(tagged.body, plain.body)
    t.equal(tagged.headers.etag, plain.headers.etag)
  }
})

t.test('an authenticated feed request ignores them too; other routes still refuse them', async (t) => {
  const app = await newsroom(t)
  const res = await app.inject({ url: '/feeds/feed.json?utm_source=feedly', headers: adminAuth })
  t.equal(res.statusCode, 200)
  t.equal(res.json().items.length, 2)
  const list = await app.inject('/v1/posts?utm_source=feedly')
  t.equal(list.statusCode, 400, 'the API itself keeps refusing unknown parameters: a typo never silently returns everything')
})
