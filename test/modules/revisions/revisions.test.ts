import t from 'tap'
import { adminAuth, buildTestApp, keyAuth } from '../../helper.js'
import { makeAuthor } from '../../helpers/factories.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
type Headers = Record<string, string>

async function newPost (app: App, body: object = {}, headers: Headers = adminAuth) {
  const author = makeAuthor(app.db)
  const res = await app.inject({ method: 'POST', url: '/v1/posts', headers, payload: { title: 'First title', author_id: author.id, content_html: '<p>One</p>', ...body } })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().data as { id: number, slug: string }
}
const patch = (app: App, url: string, payload: object, headers: Headers = adminAuth) => app.inject({ method: 'PATCH', url, headers, payload })
const get = (app: App, url: string, headers: Headers = adminAuth) => app.inject({ method: 'GET', url, headers })
const restore = (app: App, url: string, headers: Headers = adminAuth) => app.inject({ method: 'POST', url, headers })

t.test('revisions: one per editorial change, numbered from the creation, with the changed fields and the key', async (t) => {
  const app = await buildTestApp(t)
  const editor = keyAuth(app, 'write:content', 'read:drafts')
  const post = await newPost(app, {}, editor)
  await patch(app, `/v1/posts/${post.id}`, { title: 'Second title', meta_title: 'SEO title' }, editor)
  await patch(app, `/v1/posts/${post.id}`, { content_html: '<p>Two</p>' })
  await patch(app, `/v1/posts/${post.id}`, { comment_status: 'closed' }, editor)
  await patch(app, `/v1/posts/${post.id}`, { status: 'published' })

  const list = await get(app, `/v1/posts/${post.slug}/revisions`)
  t.equal(list.statusCode, 200)
  t.equal(list.headers['cache-control'], 'private, no-store')
  t.equal(list.headers['x-total-count'], '4', 'a change of no editorial field (comment_status) stores none')
  const data = list.json().data
  t.same(data.map((r: { number: number }) => r.number), [4, 3, 2, 1], 'newest first')
  t.same(data[3].changed.length, 15, 'revision 1 (the creation) names every field')
  t.same(data[2].changed, ['title', 'meta_title'])
  t.same(data[1].changed, ['excerpt', 'content_html'], 'a derived excerpt that follows the body counts as changed')
  t.same(data[0].changed, ['status', 'published_at'])
  const prefix = app.db.$client.prepare("SELECT prefix FROM api_keys WHERE name = 'test'").pluck().get()
  t.match(data[2].key, { id: Number, prefix: String, name: 'test' })
  t.equal(data[2].key.prefix, prefix, 'the key prefix, never the secret')
  t.ok(editor.authorization.endsWith(data[2].key.prefix) === false && !list.body.includes(editor.authorization.slice(7)), 'the secret appears nowhere')
  t.same(data[1].key, { id: null, prefix: null, name: 'ADMIN_TOKEN' })
  t.notOk('fields' in data[0], 'lists leave the fields out')

  const one = await get(app, `/v1/posts/${post.id}/revisions/2`)
  t.equal(one.statusCode, 200)
  t.equal(one.headers['cache-control'], 'private, no-store')
  t.match(one.json().data, { number: 2, changed: ['title', 'meta_title'], restored_from: null, fields: { title: 'Second title', meta_title: 'SEO title', content_html: '<p>One</p>', status: 'draft', published_at: null, noindex: false } })
  t.equal((await get(app, `/v1/posts/${post.id}/revisions/9`)).statusCode, 404)
  t.equal((await get(app, '/v1/posts/no-such-post/revisions')).statusCode, 404)
  t.equal((await get(app, `/v1/posts/${post.id}/revisions/0`)).statusCode, 400)

  const paged = await get(app, `/v1/posts/${post.id}/revisions?per_page=3&page=2`)
  t.same(paged.json().data.map((r: { number: number }) => r.number), [1])
  t.same(paged.json().meta, { page: 2, per_page: 3, total: 4, total_pages: 2 })
  t.match(paged.headers.link, /rel="first"/)
})

t.test('revisions: reading needs read:drafts (401 before 403), restoring write:content; never public', async (t) => {
  const app = await buildTestApp(t)
  const post = await newPost(app, { status: 'published' })
  const writer = keyAuth(app, 'write:content')
  const reader = keyAuth(app, 'read:drafts')
  for (const url of [`/v1/posts/${post.id}/revisions`, `/v1/posts/${post.id}/revisions/1`]) {
    const anonymous = await app.inject(url)
    t.equal(anonymous.statusCode, 401, `${url} without a key`)
    t.match(anonymous.headers['content-type'], /application\/problem\+json/)
    t.equal((await get(app, url, { authorization: 'Bearer nope' })).statusCode, 401)
    t.equal((await get(app, url, writer)).statusCode, 403, 'write:content does not read revisions')
    t.equal((await get(app, url, reader)).statusCode, 200)
  }
  const url = `/v1/posts/${post.id}/revisions/1/restore`
  t.equal((await restore(app, url, {})).statusCode, 401)
  t.equal((await restore(app, url, reader)).statusCode, 403, 'read:drafts does not restore')
  t.equal((await restore(app, '/v1/posts/999/revisions/1/restore', {})).statusCode, 401, 'auth comes before the lookup')
  t.equal((await restore(app, url, writer)).statusCode, 201)
  const pub = await app.inject(`/v1/posts/${post.id}`)
  t.notMatch(pub.body, /revision/i, 'the public read shows no revisions')
})

t.test('revisions: only the newest REVISIONS_KEEP are kept, pruned in the write', async (t) => {
  const app = await buildTestApp(t, { REVISIONS_KEEP: '3' })
  const post = await newPost(app)
  for (let i = 2; i <= 6; i++) await patch(app, `/v1/posts/${post.id}`, { title: `Title ${i}` })
  const list = (await get(app, `/v1/posts/${post.id}/revisions`)).json()
  t.same(list.data.map((r: { number: number }) => r.number), [6, 5, 4], 'numbers go on; the oldest are gone')
  t.equal(list.meta.total, 3)
  t.equal(app.db.$client.prepare('SELECT count(*) FROM revisions WHERE post_id = ?').pluck().get(post.id), 3, 'and gone from the table')
  t.equal((await get(app, `/v1/posts/${post.id}/revisions/3`)).statusCode, 404)
  t.same((await get(app, `/v1/posts/${post.id}/revisions/4`)).json().data.changed, ['title'], 'the diff is against the one before, pruned or not')
})

t.test('revisions: deleted with their post or page', async (t) => {
  const app = await buildTestApp(t)
  const post = await newPost(app)
  await patch(app, `/v1/posts/${post.id}`, { title: 'Again' })
  const page = (await app.inject({ method: 'POST', url: '/v1/pages', headers: adminAuth, payload: { title: 'About' } })).json().data
  const count = (column: string, id: number) => app.db.$client.prepare(`SELECT count(*) FROM revisions WHERE ${column} = ?`).pluck().get(id)
  t.equal(count('post_id', post.id), 2)
  t.equal(count('page_id', page.id), 1)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/posts/${post.id}`, headers: adminAuth })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/pages/${page.id}`, headers: adminAuth })).statusCode, 204)
  t.equal(count('post_id', post.id), 0, 'the foreign key cascades')
  t.equal(count('page_id', page.id), 0)
  t.equal((await get(app, `/v1/posts/${post.id}/revisions`)).statusCode, 404)
})

t.test('restore: writes the fields back through the ordinary update, as a new revision, with the change log and webhooks', async (t) => {
  const app = await buildTestApp(t)
  await app.core.workers.webhooks.stop()
  const hook = app.core.repos.webhooks.sync.create({ url: 'https://hooks.example.com/x', events: ['post.updated'], secret: 'a-long-random-shared-secret', description: '', active: true }, Date.now())
  const post = await newPost(app, { status: 'published', excerpt: 'Hand written', meta_title: 'Old SEO' })
  await patch(app, `/v1/posts/${post.id}`, { title: 'Bad title', content_html: '<p>Broken</p>', meta_title: null, noindex: true })
  const publicBefore = await app.inject(`/v1/posts/${post.id}`)
  t.equal(publicBefore.json().data.title, 'Bad title')
  t.equal(publicBefore.headers['x-cache'], 'MISS')
  const changesBefore = (await app.inject('/v1/changes')).json().data.length
  const deliveriesBefore = app.core.repos.webhooks.sync.deliveries(hook.id, undefined, 50, 0).length

  const writer = keyAuth(app, 'write:content')
  const res = await restore(app, `/v1/posts/${post.slug}/revisions/1/restore`, writer)
  t.equal(res.statusCode, 201)
  t.equal(res.headers.location, `/v1/posts/${post.id}/revisions/3`)
  t.match(res.headers.etag, /^"p\d+\.3\.[0-9a-z]+"$/, 'the post\'s new ETag')
  t.match(res.json().data, { number: 3, restored_from: 1, key: { name: 'test' }, changed: ['title', 'content_html', 'meta_title', 'noindex'], fields: { title: 'First title', excerpt: 'Hand written' } })

  const now = await app.inject(`/v1/posts/${post.id}`)
  t.equal(now.headers['x-cache'], 'MISS', 'the cached public read was invalidated')
  t.match(now.json().data, { title: 'First title', content_html: '<p>One</p>', excerpt: 'Hand written', meta_title: 'Old SEO', noindex: false })
  t.ok((await app.inject('/v1/changes')).json().data.length > changesBefore, 'the change log has the update')
  t.ok(app.core.repos.webhooks.sync.deliveries(hook.id, undefined, 50, 0).length > deliveriesBefore, 'post.updated is queued')
  const current = await get(app, `/v1/posts/${post.id}`)
  t.equal(current.headers.etag, res.headers.etag, 'the ETag a read with a key gives')

  const again = await restore(app, `/v1/posts/${post.id}/revisions/3/restore`, writer)
  t.equal(again.statusCode, 201)
  t.match(again.json().data, { number: 4, restored_from: 3, changed: [] }, 'a restore that changes nothing still stores its revision')
  t.equal((await restore(app, `/v1/posts/${post.id}/revisions/99/restore`, writer)).statusCode, 404)
})

t.test('restore: a status and published_at come back as they were (a draft unpublishes)', async (t) => {
  const app = await buildTestApp(t)
  const post = await newPost(app)
  await patch(app, `/v1/posts/${post.id}`, { status: 'published' })
  t.equal((await app.inject(`/v1/posts/${post.id}`)).statusCode, 200)
  t.equal((await restore(app, `/v1/posts/${post.id}/revisions/1/restore`)).statusCode, 201)
  t.equal((await app.inject(`/v1/posts/${post.id}`)).statusCode, 404, 'back to a draft: gone from public reads')
  const future = new Date(Date.now() + 86_400_000).toISOString()
  await patch(app, `/v1/posts/${post.id}`, { status: 'scheduled', published_at: future })
  await patch(app, `/v1/posts/${post.id}`, { status: 'draft' })
  t.equal((await restore(app, `/v1/posts/${post.id}/revisions/4/restore`)).statusCode, 201)
  t.match((await get(app, `/v1/posts/${post.id}`)).json().data, { status: 'scheduled', published_at: future })
})

t.test('pages: the same revisions, restore and key', async (t) => {
  const app = await buildTestApp(t)
  const editor = keyAuth(app, 'write:content', 'read:drafts')
  const page = (await app.inject({ method: 'POST', url: '/v1/pages', headers: editor, payload: { title: 'About', content_html: '<p>We</p>' } })).json().data
  await patch(app, `/v1/pages/${page.id}`, { title: 'About us', og_title: 'Us' }, editor)
  await patch(app, `/v1/pages/${page.id}`, { menu_order: 4 }, editor)
  const list = (await get(app, `/v1/pages/${page.slug}/revisions`)).json()
  t.same(list.data.map((r: { number: number, changed: string[] }) => [r.number, r.changed.length]), [[2, 2], [1, 15]], 'menu_order is not an editorial field')
  t.same(list.data[0].changed, ['title', 'og_title'])
  t.equal(list.data[0].key.name, 'test')
  const res = await restore(app, `/v1/pages/${page.id}/revisions/1/restore`, editor)
  t.equal(res.statusCode, 201)
  t.equal(res.headers.location, `/v1/pages/${page.id}/revisions/3`)
  t.match((await get(app, `/v1/pages/${page.id}`)).json().data, { title: 'About', og_title: null, menu_order: 4 })
  t.equal((await app.inject(`/v1/pages/${page.id}/revisions`)).statusCode, 401)
})

t.test('imports: an imported post gets revision 1, made by no key', async (t) => {
  const app = await buildTestApp(t)
  const author = makeAuthor(app.db)
  const id = app.core.writes.posts.create({ title: 'Imported', author_id: author.id, content_html: '<p>x</p>', import_key: 'wxr:1' })
  const list = (await get(app, `/v1/posts/${id}/revisions`)).json().data
  t.same(list.map((r: { number: number, key: unknown }) => [r.number, r.key]), [[1, null]])
})
