import t from 'tap'
import { buildTestApp, adminAuth, keyAuth } from '../../helper.js'

// Sparse fieldsets beyond GET /v1/posts: a single post, related posts and the category, tag and
// author lists take `fields`, with the rules of post lists (an unknown field is a 400 that lists
// the allowed ones), and cached answers are keyed by them.

type App = Awaited<ReturnType<typeof buildTestApp>>

async function send (app: App, method: 'POST' | 'PATCH', url: string, payload: object) {
  const res = await app.inject({ method, url, headers: adminAuth, payload })
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`)
  return res.json().data
}

async function seeded (t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t)
  const author = await send(app, 'POST', '/v1/authors', { name: 'Ann Writer', email: 'ann@example.com' })
  const world = await send(app, 'POST', '/v1/categories', { name: 'World' })
  const europe = await send(app, 'POST', '/v1/categories', { name: 'Europe', parent_id: world.id })
  await send(app, 'POST', '/v1/tags', { name: 'Elections' })
  const a = await send(app, 'POST', '/v1/posts', { title: 'Paris votes today', content_html: '<p>Paris votes in the election today.</p>', status: 'published', author_id: author.id, category_ids: [europe.id], tag_ids: ['elections'], meta_title: 'Paris votes' })
  const b = await send(app, 'POST', '/v1/posts', { title: 'Lyon votes today', content_html: '<p>Lyon votes in the election today.</p>', status: 'published', author_id: author.id, category_ids: [europe.id], tag_ids: ['elections'] })
  const draft = await send(app, 'POST', '/v1/posts', { title: 'Embargoed', content_html: '<p>Later.</p>', author_id: author.id })
  return { app, author, world, europe, a, b, draft }
}

function problem (t: Parameters<typeof buildTestApp>[0], res: { statusCode: number, headers: Record<string, unknown>, json: () => { errors: Array<{ path: string, message: string }> } }, mentions: string[], label: string) {
  t.equal(res.statusCode, 400, label)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  const error = res.json().errors.find((e) => e.path === 'fields')
  t.ok(error, `${label}: names fields`)
  for (const m of mentions) t.match(error?.message, m, `${label}: mentions ${m}`)
}

t.test('GET /v1/posts/{ref}?fields= answers only the fields asked for, public and with a key', async (t) => {
  const { app, a, europe, draft } = await seeded(t)
  const res = await app.inject(`/v1/posts/${a.slug}?fields=id,title,primary_category,meta_title,seo`)
  t.equal(res.statusCode, 200)
  const data = res.json().data
  t.same(Object.keys(data).sort(), ['id', 'meta_title', 'primary_category', 'seo', 'title'])
  t.equal(data.id, a.id)
  t.equal(data.meta_title, 'Paris votes', 'an SEO field of the single read')
  t.equal(data.seo.title, 'Paris votes', 'and the computed seo object')
  t.same(data.primary_category, { id: europe.id, slug: 'europe', name: 'Europe', parent_id: europe.parent_id, path: [{ id: europe.parent_id, slug: 'world', name: 'World' }] })
  t.same((await app.inject(`/v1/posts/${a.id}?fields=%20title%20,,slug`)).json().data, { title: a.title, slug: a.slug }, 'spaces and empty parts are ignored')

  const full = (await app.inject(`/v1/posts/${a.id}`)).json().data
  t.ok('content_html' in full && 'seo' in full && 'author' in full, 'without fields: the whole post')

  const reader = keyAuth(app, 'read:drafts')
  const hidden = await app.inject({ url: `/v1/posts/${draft.id}?fields=status,title`, headers: reader })
  t.same(hidden.json().data, { status: 'draft', title: 'Embargoed' }, 'a key that reads drafts narrows them the same way')
})

t.test('fields on a single post: unknown or list-only fields are a 400 listing the allowed ones, before the post is looked up', async (t) => {
  const { app, a } = await seeded(t)
  problem(t, await app.inject(`/v1/posts/${a.id}?fields=title,colour`), ['"colour"', 'allowed: id, slug, title', 'primary_category', 'meta_title', 'seo'], 'an unknown field')
  problem(t, await app.inject(`/v1/posts/${a.id}?fields=snippet`), ['"snippet"'], 'snippet belongs to search results')
  problem(t, await app.inject(`/v1/posts/${a.id}?fields=,`), ['(none given)'], 'no field at all')
  problem(t, await app.inject('/v1/posts/no-such-post?fields=colour'), ['"colour"'], 'validation comes before the 404')
  t.equal((await app.inject('/v1/posts/no-such-post?fields=title')).statusCode, 404, 'a good fieldset for an unknown post')
  t.equal((await app.inject(`/v1/posts/${a.id}?fields=`)).statusCode, 400, 'an empty value')
})

t.test('a single post\'s cached answers are keyed by fields and dropped by a write', async (t) => {
  const { app, a } = await seeded(t)
  const get = (url: string) => app.inject(url)
  const titleOnly = `/v1/posts/${a.id}?fields=title`
  const slugOnly = `/v1/posts/${a.id}?fields=slug`
  t.equal((await get(titleOnly)).headers['x-cache'], 'MISS')
  t.equal((await get(titleOnly)).headers['x-cache'], 'HIT', 'cached')
  const other = await get(slugOnly)
  t.equal(other.headers['x-cache'], 'MISS', 'another fieldset is another entry')
  t.same(other.json().data, { slug: a.slug })
  await send(app, 'PATCH', `/v1/posts/${a.id}`, { title: 'Paris has voted' })
  const fresh = await get(titleOnly)
  t.equal(fresh.headers['x-cache'], 'MISS', 'a write drops it')
  t.same(fresh.json().data, { title: 'Paris has voted' })
})

t.test('GET /v1/posts/{ref}/related?fields= narrows each related post; keyed by the posts shown even without their ids', async (t) => {
  const { app, a, b } = await seeded(t)
  const url = `/v1/posts/${a.id}/related?fields=title,score`
  const res = await app.inject(url)
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.data.length, 1)
  t.same(Object.keys(body.data[0]).sort(), ['score', 'title'])
  t.equal(body.data[0].title, b.title)
  t.same(body.meta, { limit: 5, timed_out: false }, 'meta is whole')
  const cards = (await app.inject(`/v1/posts/${a.id}/related?fields=primary_category,reasons`)).json().data
  t.same(Object.keys(cards[0]).sort(), ['primary_category', 'reasons'])
  t.ok('content_html' in (await app.inject(`/v1/posts/${a.id}`)).json().data)
  problem(t, await app.inject(`/v1/posts/${a.id}/related?fields=content_html`), ['"content_html"', 'score', 'reasons'], 'related posts carry no body')
  problem(t, await app.inject(`/v1/posts/${a.id}/related?fields=nope`), ['"nope"'], 'an unknown field')
  const full = (await app.inject(`/v1/posts/${a.id}/related`)).json().data[0]
  t.ok('author' in full && 'reasons' in full && 'url' in full, 'without fields: every field')

  t.equal((await app.inject(url)).headers['x-cache'], 'HIT')
  await send(app, 'PATCH', `/v1/posts/${b.id}`, { title: 'Lyon votes today, a second round' })
  const after = await app.inject(url)
  t.equal(after.headers['x-cache'], 'MISS', 'a write of a post it shows drops it, though its id was not asked for')
  t.equal(after.json().data[0].title, 'Lyon votes today, a second round')
})

t.test('the category, tag and author lists take fields', async (t) => {
  const { app, world, europe } = await seeded(t)
  const categories = (await app.inject('/v1/categories?fields=slug,path')).json()
  t.same(categories.data, [
    { slug: 'europe', path: [{ id: world.id, slug: 'world', name: 'World' }] },
    { slug: 'world', path: [] }
  ], 'categories: only slug and path')
  t.equal(categories.meta.total, 2, 'the meta is whole')
  t.same((await app.inject(`/v1/categories?parent=${world.id}&fields=id`)).json().data, [{ id: europe.id }], 'with the other parameters')
  t.same((await app.inject('/v1/tags?fields=name,post_count')).json().data, [{ name: 'Elections', post_count: 2 }], 'tags')
  t.same((await app.inject('/v1/authors?fields=name')).json().data, [{ name: 'Ann Writer' }], 'authors')
  problem(t, await app.inject('/v1/authors?fields=name,email'), ['"email"', 'allowed: id, slug, name'], 'an author\'s e-mail is never a field')
  problem(t, await app.inject('/v1/categories?fields=parent'), ['"parent"', 'parent_id', 'path', 'post_count'], 'categories list their own fields')
  problem(t, await app.inject('/v1/tags?fields=path'), ['"path"'], 'tags have no path')
  await app.inject('/v1/tags?fields=name')
  const first = await app.inject('/v1/tags?fields=name')
  const second = await app.inject('/v1/tags?fields=slug')
  t.equal(first.headers['x-cache'], 'HIT', 'cached')
  t.equal(second.headers['x-cache'], 'MISS', 'keyed by fields')
  t.same(second.json().data, [{ slug: 'elections' }])
  const full = (await app.inject('/v1/categories')).json().data[0]
  t.same(Object.keys(full).sort(), ['created_at', 'description', 'id', 'name', 'parent_id', 'path', 'post_count', 'slug', 'updated_at'], 'without fields: every field')
})
