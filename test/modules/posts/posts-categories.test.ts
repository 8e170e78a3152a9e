import t from 'tap'
import { buildTestApp, adminAuth, TEST_SITE_URL } from '../../helper.js'

// A post names its primary category (`primary_category`, the first of `categories`), and each
// category reference carries its parent and its ancestors from the root (`path`, itself
// excluded), in every representation of a post: lists, single reads, write answers, related
// posts and webhook payloads; /v1/categories reads carry the same `path`.

type App = Awaited<ReturnType<typeof buildTestApp>>

async function send (app: App, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  const res = await app.inject({ method, url, headers: adminAuth, ...(payload ? { payload } : {}) })
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`)
  return res
}

async function tree (t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true' })
  const author = (await send(app, 'POST', '/v1/authors', { name: 'Ann' })).json().data.id as number
  const world = (await send(app, 'POST', '/v1/categories', { name: 'World' })).json().data.id as number
  const europe = (await send(app, 'POST', '/v1/categories', { name: 'Europe', parent_id: 'world' })).json().data.id as number
  const france = (await send(app, 'POST', '/v1/categories', { name: 'France', parent_id: 'europe' })).json().data.id as number
  const sport = (await send(app, 'POST', '/v1/categories', { name: 'Sport' })).json().data.id as number
  return { app, author, world, europe, france, sport }
}

const ref = (id: number, slug: string, name: string) => ({ id, slug, name })

t.test('primary_category and category paths in lists, single reads and write answers', async (t) => {
  const { app, author, world, europe, france, sport } = await tree(t)
  const created = await send(app, 'POST', '/v1/posts', { title: 'Paris votes', content_html: '<p>x</p>', status: 'published', author_id: author, category_ids: ['france', 'sport'] })
  const france3 = { ...ref(france, 'france', 'France'), parent_id: europe, path: [ref(world, 'world', 'World'), ref(europe, 'europe', 'Europe')] }
  const sport1 = { ...ref(sport, 'sport', 'Sport'), parent_id: null, path: [] }
  const written = created.json().data
  t.same(written.categories, [france3, sport1], 'the write answer: each category with its parent and path')
  t.same(written.primary_category, france3, 'and the primary one named')
  t.equal(written.url, `${TEST_SITE_URL}/france/paris-votes`, 'the url is built from the primary category')

  const single = (await app.inject(`/v1/posts/${written.id}`)).json().data
  t.same(single.primary_category, france3, 'the single read')
  t.same(single.categories, [france3, sport1])
  const list = (await app.inject('/v1/posts')).json().data
  t.same(list[0].primary_category, france3, 'the list card')
  t.same(list[0].categories, [france3, sport1])
  const sparse = (await app.inject('/v1/posts?fields=id,primary_category')).json().data
  t.same(sparse, [{ id: written.id, primary_category: france3 }], 'primary_category is a field `fields` may ask for')

  const bare = (await send(app, 'POST', '/v1/posts', { title: 'No desk', content_html: '<p>x</p>', status: 'published', author_id: author })).json().data
  t.equal(bare.primary_category, null, 'null without a category')
  t.equal((await app.inject(`/v1/posts/${bare.id}`)).json().data.primary_category, null)
  t.equal((await app.inject('/v1/posts?fields=primary_category&per_page=1')).json().data[0].primary_category, null)

  const patched = (await send(app, 'PATCH', `/v1/posts/${written.id}`, { category_ids: [sport, france] })).json().data
  t.same(patched.primary_category, sport1, 'reordering the categories changes the primary one')
})

t.test('a rename or move above a post\'s category shows at once in its path, wherever the post is shown', async (t) => {
  const { app, author, world, europe, france, sport } = await tree(t)
  const post = (await send(app, 'POST', '/v1/posts', { title: 'Paris votes', content_html: '<p>x</p>', status: 'published', author_id: author, category_ids: [france] })).json().data
  // Warm the response cache: what follows must not be served from it.
  await app.inject(`/v1/posts/${post.id}`)
  await app.inject('/v1/posts')
  await send(app, 'PATCH', `/v1/categories/${world}`, { name: 'Earth', slug: 'earth' })
  t.same((await app.inject(`/v1/posts/${post.id}`)).json().data.primary_category.path, [ref(world, 'earth', 'Earth'), ref(europe, 'europe', 'Europe')], 'a rename two levels up')
  await send(app, 'PATCH', `/v1/categories/${europe}`, { parent_id: sport })
  t.same((await app.inject('/v1/posts')).json().data[0].primary_category.path, [ref(sport, 'sport', 'Sport'), ref(europe, 'europe', 'Europe')], 'a move one level up')
  // Deleting Europe moves France up to Europe's parent (as WordPress does).
  await send(app, 'DELETE', `/v1/categories/${europe}`)
  t.same((await app.inject(`/v1/posts/${post.id}`)).json().data.primary_category, { ...ref(france, 'france', 'France'), parent_id: sport, path: [ref(sport, 'sport', 'Sport')] }, 'a deleted parent leaves the path')
})

t.test('related posts and webhook payloads carry the same category references', async (t) => {
  const { app, author, world, europe, france } = await tree(t)
  await app.core.workers.webhooks.stop()
  await send(app, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['post.published', 'post.updated', 'category.updated'] })
  const france3 = { ...ref(france, 'france', 'France'), parent_id: europe, path: [ref(world, 'world', 'World'), ref(europe, 'europe', 'Europe')] }
  const a = (await send(app, 'POST', '/v1/posts', { title: 'Paris votes today', content_html: '<p>Paris votes in the election today.</p>', status: 'published', author_id: author, category_ids: [france] })).json().data
  await send(app, 'POST', '/v1/posts', { title: 'Lyon votes today', content_html: '<p>Lyon votes in the election today.</p>', status: 'published', author_id: author, category_ids: [france] })
  const related = (await app.inject(`/v1/posts/${a.id}/related`)).json().data
  t.equal(related.length, 1)
  t.same(related[0].primary_category, france3, 'a related post')
  t.same(related[0].reasons.shared_categories, [ref(france, 'france', 'France')], 'the reasons name the shared category as a TermRef')

  await send(app, 'PATCH', `/v1/categories/${world}`, { name: 'Earth' })
  const payloads = (app.db.$client.prepare('SELECT event, payload FROM webhook_deliveries ORDER BY id').all() as Array<{ event: string, payload: string }>)
    .map((d) => ({ event: d.event, data: JSON.parse(d.payload).data }))
  t.same(payloads[0].data.post.primary_category, france3, 'post.published carries the primary category with its path')
  const renamed = payloads.filter((p) => p.event === 'post.updated')
  t.equal(renamed.length, 2, 'a rename two levels up re-announces both posts below it')
  t.same(renamed[0].data.post.primary_category.path, [ref(world, 'world', 'Earth'), ref(europe, 'europe', 'Europe')], 'with the new path')
  const categories = payloads.filter((p) => p.event === 'category.updated').map((p) => [p.data.category.id, p.data.category.path])
  t.same(categories, [
    [world, []],
    [europe, [ref(world, 'world', 'Earth')]],
    [france, [ref(world, 'world', 'Earth'), ref(europe, 'europe', 'Europe')]]
  ], 'the categories below it are updated too (their path shows it)')
})

t.test('category reads carry their path; the public never sees more of the tree than it saw before', async (t) => {
  const { app, author, world, europe, france, sport } = await tree(t)
  await send(app, 'POST', '/v1/posts', { title: 'Paris votes', content_html: '<p>x</p>', status: 'published', author_id: author, category_ids: [france] })
  const one = (await app.inject('/v1/categories/france')).json().data
  t.same(one.path, [ref(world, 'world', 'World'), ref(europe, 'europe', 'Europe')], 'GET /v1/categories/{ref}')
  t.equal(one.parent_id, europe)
  const list = (await app.inject('/v1/categories?per_page=100')).json().data as Array<{ slug: string, path: unknown }>
  t.same(Object.fromEntries(list.map((c) => [c.slug, c.path])), {
    europe: [ref(world, 'world', 'World')],
    france: [ref(world, 'world', 'World'), ref(europe, 'europe', 'Europe')],
    world: []
  }, 'the public list: every public category with its path (Sport has no live post)')
  const all = (await app.inject({ url: '/v1/categories?per_page=100', headers: adminAuth })).json().data as Array<{ slug: string, path: unknown }>
  t.same(all.find((c) => c.slug === 'sport')?.path, [], 'a key sees every category')
  const level = (await app.inject(`/v1/categories?parent=${europe}`)).json().data
  t.same(level.map((c: { id: number, path: unknown }) => [c.id, c.path]), [[france, [ref(world, 'world', 'World'), ref(europe, 'europe', 'Europe')]]], 'one level of the tree')
  const written = (await send(app, 'PATCH', `/v1/categories/${france}`, { parent_id: sport })).json().data
  t.same(written.path, [ref(sport, 'sport', 'Sport')], 'a write answers with the new path')
})
