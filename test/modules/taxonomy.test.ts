import t from 'tap'
import { adminAuth, buildTestApp } from '../helper.js'
import { makeAuthor, makeCategory, makePost, makeTag } from '../fixtures/factories.js'

t.test('categories list the tree with live post counts, by page (the public sees those with a live post)', async (t) => {
  const app = await buildTestApp(t)
  const politics = makeCategory(app.db, { slug: 'politics', name: 'Politics' })
  const elections = makeCategory(app.db, { slug: 'elections', name: 'Elections', parentId: politics.id })
  makeCategory(app.db, { slug: 'sport', name: 'Sport' })
  makePost(app.db, { categoryIds: [politics.id] })
  makePost(app.db, { categoryIds: [elections.id, politics.id] })
  makePost(app.db, { categoryIds: [politics.id], status: 'draft' })
  makePost(app.db, { categoryIds: [politics.id], publishedAt: Date.now() + 60_000 })
  const res = await app.inject('/v1/categories')
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.same(body.data.map((c: { slug: string }) => c.slug), ['elections', 'politics'], 'sport has no post yet')
  t.match(body.data[1], { slug: 'politics', name: 'Politics', parent_id: null, post_count: 2, description: '' })
  t.match(body.data[0], { slug: 'elections', parent_id: politics.id, post_count: 1 })
  t.same(body.meta, { page: 1, per_page: 10, total: 2, total_pages: 1 })
  t.equal(res.headers['x-total-count'], '2')
  const top = (await app.inject('/v1/categories?parent=0')).json()
  t.same(top.data.map((c: { slug: string }) => c.slug), ['politics'])
  const children = (await app.inject('/v1/categories?parent=politics')).json()
  t.same(children.data.map((c: { slug: string }) => c.slug), ['elections'])
  t.equal((await app.inject('/v1/categories?parent=nope')).statusCode, 404)
  t.equal((await app.inject('/v1/categories?parent=sport')).statusCode, 404)
  const paged = (await app.inject('/v1/categories?per_page=1&page=2')).json()
  t.same(paged.data.map((c: { slug: string }) => c.slug), ['politics'])
  t.same(paged.meta, { page: 2, per_page: 1, total: 2, total_pages: 2 })
  const all = (await app.inject({ url: '/v1/categories', headers: adminAuth })).json()
  t.same(all.data.map((c: { slug: string }) => c.slug), ['elections', 'politics', 'sport'], 'a key that may write sees every category')
  const one = await app.inject('/v1/categories/politics')
  t.equal(one.json().data.post_count, 2)
  t.same((await app.inject(`/v1/categories/${politics.id}`)).json(), one.json())
  t.equal((await app.inject('/v1/categories/unknown')).statusCode, 404)
})

t.test('tags and authors: lists and single reads with counts, never an e-mail', async (t) => {
  const app = await buildTestApp(t)
  const ann = makeAuthor(app.db, { slug: 'ann', name: 'Ann', email: 'ann@secret.example' })
  const tag = makeTag(app.db, { slug: 'nato', name: 'NATO' })
  makeTag(app.db, { slug: 'unused', name: 'Unused' })
  makePost(app.db, { authorId: ann.id, tagIds: [tag.id] })
  makePost(app.db, { authorId: ann.id, tagIds: [tag.id], status: 'archived' })
  const tags = (await app.inject('/v1/tags')).json()
  t.same(tags.data.map((x: { slug: string, post_count: number }) => [x.slug, x.post_count]), [['nato', 1]], 'a tag with no live post is not public')
  t.equal((await app.inject('/v1/tags/unused')).statusCode, 404)
  t.same((await app.inject({ url: '/v1/tags', headers: adminAuth })).json().data.map((x: { slug: string, post_count: number }) => [x.slug, x.post_count]), [['nato', 1], ['unused', 0]])
  t.equal((await app.inject('/v1/tags/nato')).json().data.name, 'NATO')
  t.equal((await app.inject(`/v1/tags/${tag.id}`)).json().data.slug, 'nato')
  t.equal((await app.inject('/v1/tags/none')).statusCode, 404)
  const authors = await app.inject('/v1/authors')
  t.notMatch(authors.body, /secret\.example/)
  t.equal(authors.json().data.find((a: { slug: string }) => a.slug === 'ann').post_count, 1)
  const one = await app.inject('/v1/authors/ann')
  t.equal(one.json().data.email, undefined)
  t.equal((await app.inject('/v1/authors/0')).statusCode, 404)
})

t.test('GET /v1/site answers the site settings', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject('/v1/site')
  t.equal(res.statusCode, 200)
  t.match(res.json().data, {
    title: String,
    url: 'https://news.example.com',
    language: 'en',
    comments: { enabled: true, moderation: 'all', max_depth: 5, max_links: 2 },
    feeds: { rss: /\/feeds\/rss\.xml$/ }
  })
  t.match(res.headers['cache-control'], /^public/)
})
