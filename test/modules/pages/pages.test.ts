import t from 'tap'
import { adminAuth, buildTestApp, keyAuth, TEST_SITE_URL } from '../../helper.js'
import { buildPageTree } from '../../../src/modules/pages/pages-service.js'
import { keysForChanges } from '../../../src/modules/cache-keys.js'
import { eventually, until } from '../../helpers/wait.js'

type App = Awaited<ReturnType<typeof buildTestApp>>

async function create (app: App, body: object, headers: Record<string, string> = adminAuth) {
  const res = await app.inject({ method: 'POST', url: '/v1/pages', payload: body, headers })
  return res
}
const patch = (app: App, ref: string | number, body: object, headers: Record<string, string> = adminAuth) =>
  app.inject({ method: 'PATCH', url: `/v1/pages/${ref}`, payload: body, headers })

t.test('pages: a tree with paths, menu order, public reads of live pages only', async (t) => {
  const app = await buildTestApp(t)
  const about = (await create(app, { title: 'About us', slug: 'about', status: 'published', content_html: '<p>Hello <script>alert(1)</script><b onclick="x()">there</b></p>' })).json().data
  t.equal(about.content_html, '<p>Hello <b>there</b></p>', 'the body is sanitized as post bodies are')
  t.equal(about.excerpt, 'Hello there', 'the excerpt is derived')
  const team = (await create(app, { title: 'Team', parent_id: about.id, menu_order: 2, status: 'published' })).json().data
  const jobs = (await create(app, { title: 'Jobs', parent_id: about.id, menu_order: 1, status: 'published' })).json().data
  const draft = (await create(app, { title: 'Secret plans', parent_id: about.id })).json().data
  const underDraft = (await create(app, { title: 'Under the draft', parent_id: draft.id, status: 'published' })).json().data
  const contact = (await create(app, { title: 'Contact', menu_order: -1, status: 'published' })).json().data
  t.equal(team.path, 'about/team')
  t.equal(team.url, `${TEST_SITE_URL}/about/team`)
  t.equal(draft.status, 'draft')

  const list = await app.inject('/v1/pages')
  t.equal(list.statusCode, 200)
  t.same(list.json().data.map((p: { path: string }) => p.path), ['contact', 'about', 'about/jobs', 'about/team'], 'depth first, siblings by menu_order; drafts and pages under them hidden')
  t.equal(list.headers['x-total-count'], '4')
  t.notOk('content_html' in list.json().data[0], 'lists leave bodies out')
  t.match(list.headers['surrogate-key'], /pages/)

  t.same((await app.inject('/v1/pages?parent=about')).json().data.map((p: { slug: string }) => p.slug), ['jobs', 'team'])
  t.same((await app.inject('/v1/pages?parent=0')).json().data.map((p: { slug: string }) => p.slug), ['contact', 'about'])
  const byPath = await app.inject('/v1/pages?path=about/team')
  t.same(byPath.json().data.map((p: { id: number }) => p.id), [team.id])
  t.equal((await app.inject('/v1/pages?path=team')).statusCode, 404, 'a path must be the full path')
  t.equal((await app.inject(`/v1/pages?path=about/${draft.slug}/${underDraft.slug}`)).statusCode, 404)
  t.equal((await app.inject('/v1/pages?parent=nope')).statusCode, 404)

  const one = await app.inject('/v1/pages/team')
  t.equal(one.statusCode, 200)
  t.equal(one.json().data.id, team.id)
  t.match(one.headers['surrogate-key'], new RegExp(`page-${team.id}`))
  t.equal((await app.inject(`/v1/pages/${team.id}`)).json().data.slug, 'team')
  t.equal((await app.inject(`/v1/pages/${draft.id}`)).statusCode, 404, 'a draft is a 404 to the public')
  t.equal((await app.inject(`/v1/pages/${underDraft.id}`)).statusCode, 404, 'a published page under a draft is hidden too')
  t.equal((await app.inject({ url: `/v1/pages/${draft.id}`, headers: keyAuth(app, 'read:drafts') })).statusCode, 200)
  t.equal((await app.inject('/v1/pages?status=draft')).statusCode, 401, 'drafts need a key')
  const drafts = await app.inject({ url: '/v1/pages?status=draft', headers: keyAuth(app, 'read:drafts') })
  t.same(drafts.json().data.map((p: { id: number }) => p.id), [draft.id])
  t.equal((await app.inject({ url: '/v1/pages?status=draft', headers: keyAuth(app, 'write:content') })).statusCode, 403)
  t.equal(contact.menu_order, -1)
  t.equal(jobs.parent_id, about.id)
})

t.test('pages: cycles refused, parents checked, slugs, scheduled pages, deleting a parent', async (t) => {
  const app = await buildTestApp(t)
  const writer = keyAuth(app, 'write:content')
  const a = (await create(app, { title: 'A', status: 'published' })).json().data
  const b = (await create(app, { title: 'B', parent_id: a.id, status: 'published' })).json().data
  const c = (await create(app, { title: 'C', parent_id: b.id, status: 'published', menu_order: 3 })).json().data
  const d = (await create(app, { title: 'D', parent_id: b.id, status: 'published', menu_order: 1 })).json().data

  const cycle = await patch(app, a.id, { parent_id: c.id })
  t.equal(cycle.statusCode, 422)
  t.match(cycle.json().errors[0], { path: 'parent_id', message: /cycle/ })
  t.equal((await patch(app, a.id, { parent_id: a.id })).statusCode, 422, 'not its own parent')
  const unknown = await create(app, { title: 'X', parent_id: 999 })
  t.equal(unknown.statusCode, 422)
  t.match(unknown.json().errors[0], { path: 'parent_id', message: /999/ })
  t.equal((await create(app, { title: 'Other', slug: 'a' })).statusCode, 409)
  t.equal((await create(app, { title: 'A' })).json().data.slug, 'a-2')
  t.equal((await create(app, { title: 'x', slug: '123' })).statusCode, 400)
  t.equal((await create(app, { title: 'x', nope: 1 })).statusCode, 400)
  t.equal((await create(app, { title: 'x' }, {})).statusCode, 401)
  t.equal((await create(app, { title: 'x' }, keyAuth(app, 'read:drafts'))).statusCode, 403)

  const receipt = await create(app, { title: 'By a writer' }, writer)
  t.equal(receipt.statusCode, 201)
  t.same(Object.keys(receipt.json().data).sort(), ['id', 'published_at', 'slug', 'status', 'updated_at'], 'a write key gets a receipt, not the draft')
  t.equal(receipt.headers.location, `/v1/pages/${receipt.json().data.id}`)

  const future = new Date(Date.now() + 3_600_000).toISOString()
  const scheduled = (await create(app, { title: 'Soon', status: 'scheduled', published_at: future })).json().data
  t.equal(scheduled.status, 'scheduled')
  t.equal((await app.inject(`/v1/pages/${scheduled.id}`)).statusCode, 404)
  t.equal((await create(app, { title: 'Past', status: 'scheduled', published_at: '2001-01-01T00:00:00Z' })).statusCode, 422)

  const renamed = await patch(app, b.id, { slug: 'bee', menu_order: 4 })
  t.equal(renamed.json().data.path, 'a/bee')
  t.equal((await app.inject(`/v1/pages/${c.id}`)).json().data.path, 'a/bee/c', 'children follow a renamed parent')

  t.equal((await app.inject({ method: 'DELETE', url: `/v1/pages/${b.id}`, headers: writer })).statusCode, 204)
  const moved = (await app.inject('/v1/pages?parent=a')).json().data
  t.same(moved.map((p: { slug: string }) => p.slug), ['d', 'c'], 'children move up to the deleted page\'s parent, keeping their order')
  t.equal((await app.inject(`/v1/pages/${c.id}`)).json().data.path, 'a/c')
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/pages/${b.id}`, headers: writer })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/pages/${a.id}`, headers: writer })).statusCode, 204)
  t.equal((await app.inject(`/v1/pages/${d.id}`)).json().data.path, 'd', 'to the top when the parent was at the top')
})

t.test('pages: the change log and webhooks carry page changes', async (t) => {
  const app = await buildTestApp(t)
  // Stopped, so the deliveries stay queued for the test to read.
  await app.core.workers.webhooks.stop()
  const hook = app.core.repos.webhooks.sync.create({ url: 'https://hooks.example.com/x', events: ['page.published', 'page.updated', 'page.unpublished', 'page.deleted'], secret: 'a-long-random-shared-secret', description: '', active: true }, Date.now())
  const page = (await create(app, { title: 'About', status: 'published' })).json().data
  await patch(app, page.id, { title: 'About us' })
  await patch(app, page.id, { status: 'draft' })
  await patch(app, page.id, { status: 'published' })
  await app.inject({ method: 'DELETE', url: `/v1/pages/${page.id}`, headers: adminAuth })
  const changes = (await app.inject('/v1/changes')).json().data.filter((c: { resource: string }) => c.resource === 'page')
  t.same(changes.map((c: { action: string }) => c.action), ['upsert', 'upsert', 'delete', 'upsert', 'delete'])
  const events = app.core.repos.webhooks.sync.deliveries(hook.id, undefined, 10, 0).map((d) => d.event)
  t.same([...events].sort(), ['page.deleted', 'page.published', 'page.published', 'page.unpublished', 'page.updated'])
  const draft = (await create(app, { title: 'Hidden' })).json().data
  t.equal((await app.inject('/v1/changes')).json().data.filter((c: { id: number, resource: string }) => c.resource === 'page' && c.id === draft.id).length, 0, 'a draft is not logged')
})

t.test('buildPageTree: paths, depth-first order and visibility are linear in the pages', async (t) => {
  const now = Date.now()
  const node = (id: number, parentId: number | null, status: 'draft' | 'published' = 'published') =>
    ({ id, slug: `p${id}`, title: `P${id}`, parentId, menuOrder: 0, status, publishedAt: status === 'published' ? now - 1 : null, updatedAt: now, noindex: false })
  // A chain 5,000 deep: no recursion to overflow the stack.
  const chain = Array.from({ length: 5000 }, (_, i) => node(i + 1, i === 0 ? null : i))
  const tree = buildPageTree(chain, now)
  t.equal(tree.order.length, 5000)
  t.equal(tree.depth.get(5000), 4999)
  t.equal(tree.live.size, 5000)
  const cut = buildPageTree([node(1, null), node(2, 1, 'draft'), node(3, 2), node(4, 1)], now)
  t.same([...cut.live].sort(), [1, 4])
  t.same(cut.order, [1, 2, 3, 4])
  t.equal(cut.path.get(3), 'p1/p2/p3')
})

t.test('a page write purges page reads; the change log only when the page was or is live', async (t) => {
  const now = Date.now()
  const state = (status: 'draft' | 'published', publishedAt: number | null) => ({ slug: 'p', status, publishedAt })
  t.same(keysForChanges([{ kind: 'page', id: 4, before: null, after: state('draft', null) }], now), ['page-4', 'pages'])
  t.same(keysForChanges([{ kind: 'page', id: 4, before: null, after: state('published', now + 60_000) }], now), ['page-4', 'pages'], 'scheduled: invalidated again at its time')
  t.same(keysForChanges([{ kind: 'page', id: 4, before: state('draft', null), after: state('published', now) }], now), ['changes', 'page-4', 'pages'])
  t.same(keysForChanges([{ kind: 'page', id: 4, before: state('published', now - 1), after: null }], now), ['changes', 'page-4', 'pages'])
})

t.test('a scheduled page shows in cached page reads at its time, with no write', async (t) => {
  const app = await buildTestApp(t)
  const soon = Date.now() + 1500
  const page = (await create(app, { title: 'Soon', status: 'scheduled', published_at: new Date(soon).toISOString() })).json().data
  const before = await app.inject('/v1/pages')
  t.same(before.json().data, [], 'not live yet')
  t.equal((await app.inject('/v1/pages')).statusCode, 200)
  await until(soon)
  await eventually('the go-live', async () => (await app.inject('/v1/pages')).json().data.length === 1)
  const after = await app.inject('/v1/pages')
  t.same(after.json().data.map((p: { id: number }) => p.id), [page.id], 'the cached list and the remembered tree were invalidated at its time')
  t.equal((await app.inject(`/v1/pages/${page.id}`)).json().data.status, 'published')
})
