import t from 'tap'
import { buildTestApp } from '../../helper.js'
import { makePost, makeCategory, invalidateAll } from '../../helpers/factories.js'

async function corpus (t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t)
  const world = makeCategory(app.db, { slug: 'world' })
  const day = 86_400_000
  const now = Date.now()
  makePost(app.db, { slug: 'geneva-talks', title: 'Lavrov and Blinken meet in Geneva', excerpt: 'Talks end without a breakthrough', contentText: 'The diplomats met for ninety minutes in Geneva to discuss Ukraine.', categoryIds: [world.id], publishedAt: now - 3 * day })
  makePost(app.db, { slug: 'geneva-motor-show', title: 'Geneva motor show returns', excerpt: 'Cars', contentText: 'Electric cars dominate the halls in Geneva this spring.', publishedAt: now - 2 * day })
  makePost(app.db, { slug: 'lavrov-profile', title: 'Who is Sergei Lavrov?', excerpt: 'A profile', contentText: 'Russia’s foreign minister has served since 2004 <and> still travels.', publishedAt: now - day })
  makePost(app.db, { slug: 'cafe-culture', title: 'Café culture in Zürich', excerpt: 'Coffee', contentText: 'The crème de la crème of cafés.', publishedAt: now - 4 * day })
  makePost(app.db, { slug: 'secret-geneva', title: 'Geneva draft', contentText: 'Geneva Lavrov secret', status: 'draft', publishedAt: null })
  makePost(app.db, { slug: 'future-geneva', title: 'Geneva future', contentText: 'Geneva Lavrov scheduled', publishedAt: now + day })
  invalidateAll(app.db)
  return app
}

t.test('q searches title, excerpt and body; words are ANDed; drafts and scheduled never match', async (t) => {
  const app = await corpus(t)
  const both = (await app.inject('/v1/posts?q=lavrov%20geneva')).json()
  t.same(both.data.map((p: { slug: string }) => p.slug), ['geneva-talks'])
  const geneva = (await app.inject('/v1/posts?q=geneva&per_page=10')).json()
  t.same(geneva.data.map((p: { slug: string }) => p.slug).sort(), ['geneva-motor-show', 'geneva-talks'])
  t.equal(geneva.meta.total, 2)
  const body = (await app.inject('/v1/posts?q=ninety')).json()
  t.same(body.data.map((p: { slug: string }) => p.slug), ['geneva-talks'])
})

t.test('relevance ranks title matches first and gives highlighted, escaped snippets', async (t) => {
  const app = await corpus(t)
  const res = await app.inject('/v1/posts?q=lavrov&sort=relevance')
  const data = res.json().data
  t.equal(data[0].slug, 'lavrov-profile', 'a title match outranks a body match')
  t.match(data[0].snippet, /<mark>Lavrov<\/mark>/i)
  const escaped = (await app.inject('/v1/posts?q=travels')).json().data[0]
  t.match(escaped.snippet, /&lt;and&gt;/, 'snippet text is escaped HTML')
  t.notMatch(escaped.snippet, /<and>/)
  const defaultSort = (await app.inject('/v1/posts?q=geneva')).json()
  t.equal(defaultSort.data.length, 2)
})

t.test('diacritics fold and the last word matches as a prefix', async (t) => {
  const app = await corpus(t)
  t.equal((await app.inject('/v1/posts?q=cafe%20zurich')).json().data[0]?.slug, 'cafe-culture')
  t.equal((await app.inject('/v1/posts?q=Z%C3%BCrich')).json().data[0]?.slug, 'cafe-culture')
  t.equal((await app.inject('/v1/posts?q=lavro')).json().meta.total, 2, 'prefix of the last word')
  t.equal((await app.inject('/v1/posts?q=geneva%20mot')).json().meta.total, 1)
})

t.test('q combines with filters, cursors and fields', async (t) => {
  const app = await corpus(t)
  t.same((await app.inject('/v1/posts?q=geneva&category=world')).json().data.map((p: { slug: string }) => p.slug), ['geneva-talks'])
  const first = (await app.inject('/v1/posts?q=geneva&per_page=1&sort=relevance')).json()
  t.type(first.meta.next_cursor, 'string')
  const second = (await app.inject(`/v1/posts?q=geneva&per_page=1&sort=relevance&cursor=${first.meta.next_cursor}`)).json()
  t.equal(second.data.length, 1)
  t.not(second.data[0].slug, first.data[0].slug)
  t.equal(second.meta.next_cursor, null)
  const sparse = (await app.inject('/v1/posts?q=geneva&fields=slug,snippet')).json()
  t.same(Object.keys(sparse.data[0]).sort(), ['slug', 'snippet'])
})

t.test('any user text is a safe query: a result or an empty list, never a 5xx', async (t) => {
  const app = await corpus(t)
  const hostile = ['"', '""', '"geneva', 'geneva"', 'AND', 'OR', 'NOT', 'geneva AND', 'NEAR(geneva lavrov)', 'title:geneva', '*', 'gen*',
    '^geneva', '(', ')', '-', '+', ':', '{geneva}', '[x]', "'; DROP TABLE posts; --", '🎉🎉', '😀 geneva', '\u0000', 'a'.repeat(5000),
    'geneva '.repeat(700), 'ünïcödé', '中文 搜索', 'مرحبا', 'x OR 1=1', 'lavrov NOT geneva', 'NEAR', 'col:', '.', '...', '\\', 'geneva\u200b']
  for (const q of hostile) {
    const res = await app.inject(`/v1/posts?q=${encodeURIComponent(q)}`)
    t.ok(res.statusCode === 200 || res.statusCode === 400, `${JSON.stringify(q.slice(0, 30))} → ${res.statusCode}`)
    if (res.statusCode === 200) t.ok(Array.isArray(res.json().data))
  }
  t.equal((await app.inject(`/v1/posts?q=${encodeURIComponent('"geneva')}`)).json().meta.total, 2, 'quotes are just text')
  t.equal((await app.inject('/v1/posts?q=%F0%9F%8E%89')).json().meta.total, 0, 'only emoji: an empty list')
  t.equal((await app.inject(`/v1/posts?q=${'a'.repeat(5001)}`)).statusCode, 400, 'over 5,000 characters is a 400')
})

t.test('the index follows every write', async (t) => {
  const app = await buildTestApp(t)
  const key = { authorization: `Bearer ${app.core.repos.keys.createSync('w', ['write:content']).key}` }
  const author = (await app.inject({ method: 'POST', url: '/v1/authors', payload: { name: 'Writer' }, headers: key })).json().data
  const created = (await app.inject({ method: 'POST', url: '/v1/posts', payload: { title: 'Quantum kittens', author_id: author.id, status: 'published', content_html: '<p>Entangled whiskers</p>' }, headers: key })).json().data
  t.equal((await app.inject('/v1/posts?q=whiskers')).json().meta.total, 1)
  await app.inject({ method: 'PATCH', url: `/v1/posts/${created.id}`, payload: { content_html: '<p>Superposed tails</p>' }, headers: key })
  t.equal((await app.inject('/v1/posts?q=whiskers')).json().meta.total, 0)
  t.equal((await app.inject('/v1/posts?q=tails')).json().meta.total, 1)
  await app.inject({ method: 'PATCH', url: `/v1/posts/${created.id}`, payload: { status: 'draft' }, headers: key })
  t.equal((await app.inject('/v1/posts?q=tails')).json().meta.total, 0, 'unpublished posts leave the public results')
  await app.inject({ method: 'DELETE', url: `/v1/posts/${created.id}`, headers: key })
  const row = app.db.$client.prepare("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'tails'").pluck().get()
  t.equal(row, 0, 'deleted posts leave the index')
})
