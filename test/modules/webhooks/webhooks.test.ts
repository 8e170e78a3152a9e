import t from 'tap'
import { buildTestApp, adminAuth, TEST_SITE_URL } from '../../helper.js'
import { makeAuthor, makeCategory } from '../../helpers/factories.js'
import { deliveryBody, retryDelay, signDelivery, signingSecrets } from '../../../src/modules/webhooks/webhooks-worker.js'
import { createHmac } from 'node:crypto'

type App = Awaited<ReturnType<typeof buildTestApp>>

const ALL_EVENTS = ['post.published', 'post.updated', 'post.unpublished', 'post.deleted', 'comment.created', 'comment.approved']

async function createHook (app: App, body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/v1/webhooks', payload: body, headers: adminAuth })
}

/** An app whose background worker is stopped, so deliveries stay queued for inspection. */
async function quietApp (t: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}) {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true', COMMENT_RATE_LIMIT: '100', ...env })
  await app.core.workers.webhooks.stop()
  return app
}

function queued (app: App) {
  return app.db.$client.prepare('SELECT webhook_id, event, payload, status, attempts FROM webhook_deliveries ORDER BY id').all() as Array<{ webhook_id: number, event: string, payload: string, status: string, attempts: number }>
}

t.test('every webhook route needs an admin key: 401 without one, 403 with a weaker one', async (t) => {
  const app = await quietApp(t)
  const writer = { authorization: `Bearer ${app.core.repos.keys.createSync('w', ['write:content', 'moderate:comments', 'read:drafts']).key}` }
  const routes: Array<[string, string, unknown]> = [
    ['GET', '/v1/webhooks', undefined],
    ['POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: ['post.published'] }],
    ['GET', '/v1/webhooks/1', undefined],
    ['PATCH', '/v1/webhooks/1', { active: false }],
    ['DELETE', '/v1/webhooks/1', undefined],
    ['GET', '/v1/webhooks/1/deliveries', undefined],
    ['POST', '/v1/webhooks/1/deliveries/1/retry', undefined]
  ]
  for (const [method, url, payload] of routes) {
    const anon = await app.inject({ method: method as 'GET', url, payload: payload as object })
    t.equal(anon.statusCode, 401, `${method} ${url} without a key`)
    t.match(anon.headers['www-authenticate'], /^Bearer/)
    const weak = await app.inject({ method: method as 'GET', url, payload: payload as object, headers: writer })
    t.equal(weak.statusCode, 403, `${method} ${url} without admin`)
    t.match(weak.headers['content-type'], /^application\/problem\+json/)
  }
  t.equal(app.core.repos.webhooks.sync.count(), 0, 'nothing was created')
})

t.test('the secret is returned by create only, never again', async (t) => {
  const app = await quietApp(t)
  const secret = 'partner-shared-secret-0001'
  const res = await createHook(app, { url: 'http://127.0.0.1:9/hook', events: ['post.published'], secret, description: 'Partner' })
  t.equal(res.statusCode, 201)
  t.equal(res.headers.location, `/v1/webhooks/${res.json().data.id}`)
  const hook = res.json().data
  t.equal(hook.secret, secret)
  t.same(hook.events, ['post.published'])
  t.equal(hook.active, true)
  t.equal(hook.description, 'Partner')
  const generated = (await createHook(app, { url: 'http://127.0.0.1:9/other', events: ['post.updated'] })).json().data
  t.match(generated.secret, /^whsec_[A-Za-z0-9_-]{32}$/, 'a strong secret is generated when none is given')
  const views = [
    await app.inject({ url: '/v1/webhooks', headers: adminAuth }),
    await app.inject({ url: `/v1/webhooks/${hook.id}`, headers: adminAuth }),
    await app.inject({ method: 'PATCH', url: `/v1/webhooks/${hook.id}`, payload: { description: 'Renamed' }, headers: adminAuth }),
    await app.inject({ method: 'PATCH', url: `/v1/webhooks/${hook.id}`, payload: { secret: 'rotated-secret-value-0002' }, headers: adminAuth })
  ]
  for (const v of views) {
    t.equal(v.statusCode, 200)
    t.notMatch(v.body, secret)
    t.notMatch(v.body, generated.secret)
    t.notMatch(v.body, 'rotated-secret-value-0002')
    t.notMatch(v.body, /"secret"/)
    t.equal(v.headers['cache-control'], 'private, no-store')
  }
  t.equal(views[0].json().meta.total, 2)
  t.equal(views[0].headers['x-total-count'], '2')
  t.equal(views[2].json().data.description, 'Renamed')
  t.equal(app.core.repos.webhooks.sync.findById(hook.id)?.secret, 'rotated-secret-value-0002', 'PATCH rotates the secret')
  const short = await createHook(app, { url: 'http://127.0.0.1:9/x', events: ['post.published'], secret: 'too-short' })
  t.equal(short.statusCode, 400)
  t.equal(short.json().errors[0].path, 'secret')
})

t.test('validation: events, unknown fields, unknown ids', async (t) => {
  const app = await quietApp(t)
  t.equal((await createHook(app, { url: 'http://127.0.0.1:9/x', events: [] })).statusCode, 400)
  t.equal((await createHook(app, { url: 'http://127.0.0.1:9/x', events: ['post.exploded'] })).statusCode, 400)
  t.equal((await createHook(app, { url: 'http://127.0.0.1:9/x', events: ['post.published'], colour: 'red' })).statusCode, 400)
  t.equal((await app.inject({ url: '/v1/webhooks/99', headers: adminAuth })).statusCode, 404)
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/webhooks/99', payload: { active: false }, headers: adminAuth })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/webhooks/99', headers: adminAuth })).statusCode, 404)
  t.equal((await app.inject({ url: '/v1/webhooks/99/deliveries', headers: adminAuth })).statusCode, 404)
  const hook = (await createHook(app, { url: 'http://127.0.0.1:9/x', events: ['post.published'] })).json().data
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/webhooks/${hook.id}`, payload: {}, headers: adminAuth })).statusCode, 400)
  t.equal((await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/deliveries/5/retry`, headers: adminAuth })).statusCode, 404)
  const del = await app.inject({ method: 'DELETE', url: `/v1/webhooks/${hook.id}`, headers: adminAuth })
  t.equal(del.statusCode, 204)
  t.equal((await app.inject({ url: `/v1/webhooks/${hook.id}`, headers: adminAuth })).statusCode, 404)
})

t.test('SSRF: loopback, private, link-local and metadata targets are refused with a 422 naming the URL', async (t) => {
  const app = await buildTestApp(t)
  const refused = [
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.7/hook',
    'http://192.168.1.20/hook',
    'http://172.16.5.4/hook',
    'http://[::1]:3000/hook',
    'http://0.0.0.0/hook',
    'ftp://example.com/hook',
    'http://user:pass@example.com/hook',
    'not a url'
  ]
  for (const url of refused) {
    const res = await createHook(app, { url, events: ['post.published'] })
    t.equal(res.statusCode, 422, url)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.equal(res.json().code, 'TARGET_REFUSED')
    t.ok(res.json().detail.includes(url), `the problem names ${url}`)
  }
  t.equal(app.core.repos.webhooks.sync.count(), 0)
  // A webhook that exists cannot be pointed somewhere private either.
  const hook = app.core.repos.webhooks.sync.create({ url: 'https://partner.example.com/hook', events: ['post.published'], secret: 'x'.repeat(20), description: '', active: true }, Date.now())
  const patch = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${hook.id}`, payload: { url: 'http://169.254.169.254/' }, headers: adminAuth })
  t.equal(patch.statusCode, 422)
  t.equal(app.core.repos.webhooks.sync.findById(hook.id)?.url, 'https://partner.example.com/hook', 'unchanged')
})

t.test('ALLOW_PRIVATE_TARGETS=true lets a local receiver be registered', async (t) => {
  const app = await quietApp(t)
  const res = await createHook(app, { url: 'http://127.0.0.1:4000/hook', events: ['post.published'] })
  t.equal(res.statusCode, 201)
  t.equal(res.json().data.url, 'http://127.0.0.1:4000/hook')
})

t.test('writes queue the right events for the subscribed, active webhooks, with public payloads', async (t) => {
  const app = await quietApp(t)
  const author = makeAuthor(app.db, { slug: 'maria', name: 'Maria' })
  const cat = makeCategory(app.db, { slug: 'politics', name: 'Politics' })
  const all = (await createHook(app, { url: 'http://127.0.0.1:9/all', events: ALL_EVENTS })).json().data
  const onlyPublished = (await createHook(app, { url: 'http://127.0.0.1:9/pub', events: ['post.published'] })).json().data
  const paused = (await createHook(app, { url: 'http://127.0.0.1:9/paused', events: ALL_EVENTS, active: false })).json().data

  const draft = await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: 'Draft', author_id: author.id, content_html: '<p>Secret draft</p>' } })
  t.equal(queued(app).length, 0, 'a draft is not an event')
  const id = draft.json().data.id
  await app.inject({ method: 'PATCH', url: `/v1/posts/${id}`, headers: adminAuth, payload: { status: 'published', category_ids: [cat.id] } })
  const afterPublish = queued(app)
  t.same(afterPublish.map((d) => [d.webhook_id, d.event]), [[all.id, 'post.published'], [onlyPublished.id, 'post.published']], 'one delivery per subscribed, active webhook')
  const payload = JSON.parse(afterPublish[0].payload)
  t.same(Object.keys(payload).sort(), ['created_at', 'data', 'event'], 'stored without the id, which is the row\'s')
  t.equal(payload.event, 'post.published')
  const publicPost = (await app.inject(`/v1/posts/${id}`)).json().data
  t.same(payload.data.post, publicPost, 'the post as the public API shows it')
  t.equal(payload.data.post.url, `${TEST_SITE_URL}/politics/draft`)

  await app.inject({ method: 'PATCH', url: `/v1/posts/${id}`, headers: adminAuth, payload: { title: 'Edited' } })
  await app.inject({ method: 'PATCH', url: `/v1/posts/${id}`, headers: adminAuth, payload: { status: 'archived' } })
  await app.inject({ method: 'PATCH', url: `/v1/posts/${id}`, headers: adminAuth, payload: { status: 'published' } })
  const comment = await app.inject({ method: 'POST', url: `/v1/posts/${id}/comments`, payload: { author_name: 'Sam', author_email: 'sam@example.com', content: 'Nice piece' } })
  t.equal(comment.statusCode, 201)
  await app.inject({ method: 'POST', url: `/v1/posts/${id}/comments`, payload: { author_name: 'Bot', author_email: 'bot@example.com', content: 'Buy now', website: 'http://spam.example' } })
  await app.inject({ method: 'PATCH', url: `/v1/comments/${comment.json().data.id}`, headers: adminAuth, payload: { status: 'approved' } })
  await app.inject({ method: 'DELETE', url: `/v1/posts/${id}`, headers: adminAuth })

  const events = queued(app).filter((d) => d.webhook_id === all.id).map((d) => d.event)
  t.same(events, [
    'post.published', 'post.updated', 'post.unpublished', 'post.published',
    'comment.created', 'comment.approved', 'post.updated', 'post.deleted'
  ], 'spam makes no event; approving a comment updates its post (comment_count)')
  t.same(queued(app).filter((d) => d.webhook_id === onlyPublished.id).map((d) => d.event), ['post.published', 'post.published'])
  t.equal(queued(app).filter((d) => d.webhook_id === paused.id).length, 0, 'an inactive webhook gets nothing queued')

  const byEvent = (e: string) => JSON.parse(queued(app).find((d) => d.webhook_id === all.id && d.event === e)!.payload)
  t.same(byEvent('post.unpublished').data, { post: { id, slug: 'draft', status: 'archived' } }, 'an unpublished post is not sent in full')
  t.same(byEvent('post.deleted').data, { post: { id, slug: 'draft' } })
  const created = byEvent('comment.created').data.comment
  t.equal(created.status, 'pending')
  t.equal(created.author_name, 'Sam')
  t.equal(created.post_id, id)
  t.notMatch(JSON.stringify(queued(app)), /sam@example\.com/, 'no e-mail in any payload')
  t.equal(byEvent('comment.approved').data.comment.status, 'approved')
  t.equal(JSON.parse(queued(app).filter((d) => d.webhook_id === all.id)[1].payload).data.post.title, 'Edited')
})

t.test('the delivery log is paginated, filterable and shows what happened', async (t) => {
  const app = await quietApp(t)
  const author = makeAuthor(app.db)
  const hook = (await createHook(app, { url: 'http://127.0.0.1:9/all', events: ['post.published'] })).json().data
  for (let i = 0; i < 3; i++) {
    await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: `Post ${i}`, author_id: author.id, status: 'published' } })
  }
  const page1 = await app.inject({ url: `/v1/webhooks/${hook.id}/deliveries?per_page=2`, headers: adminAuth })
  t.equal(page1.statusCode, 200)
  t.same(page1.json().meta, { page: 1, per_page: 2, total: 3, total_pages: 2 })
  t.match(page1.headers.link, /rel="next"/)
  const d = page1.json().data[0]
  t.match(d, { webhook_id: hook.id, event: 'post.published', status: 'pending', attempts: 0, last_status_code: null, last_error: null, delivered_at: null })
  t.type(d.next_attempt_at, 'string')
  t.ok(page1.json().data[0].id > page1.json().data[1].id, 'newest first')
  const page2 = await app.inject({ url: `/v1/webhooks/${hook.id}/deliveries?per_page=2&page=2`, headers: adminAuth })
  t.equal(page2.json().data.length, 1)
  t.equal((await app.inject({ url: `/v1/webhooks/${hook.id}/deliveries?status=failed`, headers: adminAuth })).json().meta.total, 0)
  t.equal((await app.inject({ url: `/v1/webhooks/${hook.id}/deliveries?status=lost`, headers: adminAuth })).statusCode, 400)
  const retry = await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/deliveries/${d.id}/retry`, headers: adminAuth })
  t.equal(retry.statusCode, 409, 'a pending delivery is already queued')
})

t.test('signatures and backoff', async (t) => {
  const body = '{"id":7,"event":"post.published"}'
  const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex')
  t.equal(signDelivery(body, ['secret-secret-secret'], 1700000000), `t=1700000000,v1=${hmac('secret-secret-secret', `1700000000.${body}`)}`,
    'Stripe\'s scheme: the HMAC of "<t>.<body>"')
  t.not(signDelivery(body, ['secret-secret-secret'], 1700000000), signDelivery(body + ' ', ['secret-secret-secret'], 1700000000), 'any change to the body changes it')
  t.not(signDelivery(body, ['secret-secret-secret'], 1700000000), signDelivery(body, ['secret-secret-secret'], 1700000001), 'and to the timestamp')
  t.equal(signDelivery(body, ['new-secret-0123456789', 'old-secret-0123456789'], 5),
    `t=5,v1=${hmac('new-secret-0123456789', `5.${body}`)},v1=${hmac('old-secret-0123456789', `5.${body}`)}`, 'one v1= per secret, the new one first')
  const hook = { secret: 'new', previousSecret: 'old', previousSecretExpiresAt: 1000 }
  t.same(signingSecrets(hook, 999), ['new', 'old'], 'both during the grace time')
  t.same(signingSecrets(hook, 1000), ['new'], 'the old one stops when it ends')
  t.same(signingSecrets({ ...hook, previousSecret: null, previousSecretExpiresAt: null }, 0), ['new'])
  t.equal(deliveryBody(42, '{"event":"post.published","data":{}}'), '{"id":42,"event":"post.published","data":{}}', 'the id goes first')
  t.equal(deliveryBody(42, '{}'), '{"id":42}')
  t.equal(retryDelay(1, 4000, () => 0), 2000, 'first retry after 2–4 s with the default base')
  t.equal(retryDelay(1, 4000, () => 1), 4000)
  t.equal(retryDelay(2, 4000, () => 0), 8000)
  t.equal(retryDelay(3, 4000, () => 1), 64000)
  t.equal(retryDelay(30, 4000, () => 1), 6 * 3600 * 1000, 'capped at six hours')
  const samples = Array.from({ length: 200 }, () => retryDelay(1, 4000))
  t.ok(samples.every((s) => s >= 2000 && s <= 4000))
  t.ok(new Set(samples).size > 50, 'jittered')
})

t.test('categories, tags and authors have events as the public sees them; the site has site.updated', async (t) => {
  const app = await quietApp(t)
  const TERM_EVENTS = ['category.created', 'category.updated', 'category.deleted', 'tag.created', 'tag.updated', 'tag.deleted',
    'author.created', 'author.updated', 'author.deleted', 'site.updated']
  const hook = (await createHook(app, { url: 'http://127.0.0.1:9/terms', events: [...TERM_EVENTS, 'post.published', 'post.unpublished'] })).json().data
  const events = () => queued(app).filter((d) => d.webhook_id === hook.id).map((d) => ({ event: d.event, data: JSON.parse(d.payload).data }))
  const write = async (method: string, url: string, payload?: unknown) => {
    const res = await app.inject({ method: method as 'POST', url, headers: adminAuth, payload: payload as Record<string, unknown> })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.body}`)
    return res.statusCode === 204 ? null : res.json().data
  }

  const world = await write('POST', '/v1/categories', { name: 'World' })
  const europe = await write('POST', '/v1/categories', { name: 'Europe', parent_id: world.id })
  const embargo = await write('POST', '/v1/tags', { name: 'Treaty signed' })
  const author = await write('POST', '/v1/authors', { name: 'Maria Lopez', email: 'maria@example.com' })
  await write('PATCH', `/v1/tags/${embargo.id}`, { description: 'Embargoed until Friday' })
  t.same(events(), [], 'terms without a live post are not announced, not even their edits')

  const draft = await write('POST', '/v1/posts', { title: 'Treaty', author_id: author.id, category_ids: [europe.id], tag_ids: [embargo.id] })
  t.same(events(), [], 'nor by a draft')
  await write('PATCH', `/v1/posts/${draft.id}`, { status: 'published' })
  t.same(events().map((e) => e.event), ['category.created', 'category.created', 'tag.created', 'author.created', 'post.published'],
    'the terms appear with their first live post, before it (the parent category too)')
  const created = events()
  t.same(created.map((e) => e.data.category?.slug ?? e.data.tag?.slug ?? e.data.author?.slug ?? e.data.post.slug), ['world', 'europe', 'treaty-signed', 'maria-lopez', 'treaty'])
  t.same(Object.keys(created[1].data.category).sort(), ['created_at', 'description', 'id', 'name', 'parent_id', 'path', 'slug', 'updated_at'])
  t.equal(created[1].data.category.parent_id, world.id)
  t.same(created[1].data.category.path, [{ id: world.id, slug: world.slug, name: world.name }], 'a category payload carries its path, as GET /v1/categories/{ref}')
  t.notMatch(JSON.stringify(created), /maria@example\.com/, 'never an e-mail')

  const before = events().length
  await write('POST', '/v1/posts', { title: 'Second', author_id: author.id, category_ids: [europe.id], tag_ids: [embargo.id], status: 'published' })
  t.same(events().slice(before).map((e) => e.event), ['post.published'], 'a second post brings no term event')

  await write('PATCH', `/v1/categories/${europe.id}`, { name: 'Europe and Central Asia' })
  await write('PATCH', `/v1/authors/${author.id}`, { bio: 'Diplomatic correspondent' })
  await write('PATCH', '/v1/site', { title: 'The Daily' })
  const edits = events().slice(before + 1)
  t.same(edits.map((e) => e.event), ['category.updated', 'author.updated', 'site.updated'])
  t.equal(edits[0].data.category.name, 'Europe and Central Asia')
  t.equal(edits[1].data.author.bio, 'Diplomatic correspondent')
  t.equal(edits[2].data.site.title, 'The Daily')
  t.same(edits[2].data.site, (await app.inject('/v1/site')).json().data, 'the site as GET /v1/site shows it')
  await write('PATCH', '/v1/site', { navigation: { primary: [{ label: 'Europe', category_id: europe.id }, { label: 'Contact', url: '/contact' }] } })
  const menu = events().at(-1)!
  t.equal(menu.event, 'site.updated')
  t.same(menu.data.site.navigation.primary.map((i: { label: string, url: string }) => [i.label, i.url]), [['Europe', `${TEST_SITE_URL}/europe`], ['Contact', '/contact']], 'its menus resolved')
  t.same(menu.data.site, (await app.inject('/v1/site')).json().data, 'as GET /v1/site shows them')

  // The tag's posts go: unpublishing the last one takes it out of the public view.
  const mark = events().length
  for (const post of (await app.inject({ url: `/v1/posts?tag=${embargo.id}&status=any`, headers: adminAuth })).json().data) {
    await write('PATCH', `/v1/posts/${post.id}`, { tag_ids: [] })
  }
  t.same(events().slice(mark).filter((e) => e.event.startsWith('tag.')), [{ event: 'tag.deleted', data: { tag: { id: embargo.id, slug: 'treaty-signed' } } }],
    'the tag left the public view with its last post')
  await write('DELETE', `/v1/tags/${embargo.id}`)
  t.equal(events().filter((e) => e.event === 'tag.deleted').length, 1, 'deleting a tag the public no longer sees says nothing more')

  // A public category deleted (its posts moved to its parent): deleted, and the parent stays public.
  const mark2 = events().length
  await write('DELETE', `/v1/categories/${europe.id}?reassign=${world.id}`)
  t.same(events().slice(mark2).filter((e) => e.event.startsWith('category.')).map((e) => [e.event, e.data.category.id]), [['category.deleted', europe.id]])
})

t.test('a scheduled post announces its new terms at its go-live time, not when it is written', async (t) => {
  const app = await quietApp(t)
  const hook = (await createHook(app, { url: 'http://127.0.0.1:9/terms', events: ['tag.created', 'post.published'] })).json().data
  const events = () => queued(app).filter((d) => d.webhook_id === hook.id).map((d) => d.event)
  const author = makeAuthor(app.db)
  const tag = (await app.inject({ method: 'POST', url: '/v1/tags', headers: adminAuth, payload: { name: 'Launch' } })).json().data
  const at = Date.now() + 60_000
  const res = await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: 'Launch day', author_id: author.id, tag_ids: [tag.id], status: 'scheduled', published_at: new Date(at).toISOString() } })
  t.equal(res.statusCode, 201)
  t.same(events(), [], 'nothing while it waits')
  t.equal(app.core.listeners.webhookEvents.promoteDue(at - 1), 0)
  t.equal(app.core.listeners.webhookEvents.promoteDue(at + 10), 2)
  t.same(events(), ['tag.created', 'post.published'])
  t.equal(JSON.parse(queued(app).find((d) => d.event === 'tag.created')!.payload).data.tag.slug, 'launch')
})
