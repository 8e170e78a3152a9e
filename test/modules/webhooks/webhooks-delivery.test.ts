import t from 'tap'
import http from 'node:http'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../../src/app.js'
import { loadConfig } from '../../../src/config.js'
import { buildTestApp, adminAuth, TEST_ADMIN_TOKEN, TEST_SITE_URL } from '../../helper.js'
import { makeAuthor } from '../../helpers/factories.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
type Test = Parameters<typeof buildTestApp>[0]

interface Hit { headers: http.IncomingHttpHeaders, body: string, at: number }

/** A webhook receiver on 127.0.0.1 answering each request with `respond(n)` (n counts from 1). */
async function receiver (t: Test, respond: (n: number) => number | 'hang' = () => 200) {
  const hits: Hit[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() })
      const answer = respond(hits.length)
      if (answer === 'hang') return
      res.statusCode = answer
      res.end(answer >= 400 ? 'receiver is down' : 'ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const port = (server.address() as AddressInfo).port
  return { url: `http://127.0.0.1:${port}/hook`, port, hits }
}

async function waitFor (what: string, check: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Verifies a delivery the way a receiver should: HMAC of "<t>.<raw body>", any v1= may match, compared in constant time. */
function verify (secret: string, rawBody: string, header: string | string[] | undefined): boolean {
  const parts = String(header ?? '').split(',').map((p) => p.split('='))
  const ts = parts.find(([k]) => k === 't')?.[1] ?? ''
  const expected = Buffer.from(createHmac('sha256', secret).update(`${ts}.${rawBody}`).digest('hex'))
  return parts.filter(([k]) => k === 'v1').some(([, v]) => {
    const given = Buffer.from(v ?? '')
    return given.length === expected.length && timingSafeEqual(given, expected)
  })
}

async function publish (app: App, title: string, extra: Record<string, unknown> = {}) {
  const author = makeAuthor(app.db)
  const res = await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title, author_id: author.id, status: 'published', content_html: '<p>Body</p>', ...extra } })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().data
}

async function subscribe (app: App, url: string, events: string[], secret = 'receiver-secret-0123456789') {
  const res = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: adminAuth, payload: { url, events, secret } })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().data
}

function deliveries (app: App, webhookId: number) {
  return app.db.$client.prepare('SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id').all(webhookId) as Array<Record<string, any>>
}

t.test('a delivery is a signed JSON POST the receiver can verify, sent right after the write', async (t) => {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true' })
  const rx = await receiver(t)
  const secret = 'receiver-secret-0123456789'
  const hook = await subscribe(app, rx.url, ['post.published'], secret)
  const started = Date.now()
  const post = await publish(app, 'Signed news')
  const published = Date.now()
  await waitFor('the delivery', () => rx.hits.length === 1)
  // The worker also polls every second; a delivery left to a retry or a stuck queue would take
  // far longer. Measured from the write's answer, so a write slowed by a busy machine does not count.
  t.ok(rx.hits[0].at - published < 5000, `delivered ${rx.hits[0].at - published} ms after the write answered`)
  const hit = rx.hits[0]
  t.ok(verify(secret, hit.body, hit.headers['x-broadsheet-signature']), 'the signature verifies with the secret')
  t.notOk(verify('another-secret-0123456789', hit.body, hit.headers['x-broadsheet-signature']), 'and not with another secret')
  t.match(hit.headers['content-type'], /^application\/json/)
  t.match(hit.headers['user-agent'], /^Broadsheet-Webhooks\//)
  t.equal(hit.headers['x-broadsheet-event'], 'post.published')
  const payload = JSON.parse(hit.body)
  t.equal(hit.headers['x-broadsheet-delivery'], String(payload.id), 'one id: the header, the payload…')
  t.equal(Object.keys(payload)[0], 'id', 'first in the payload')
  t.equal(payload.event, 'post.published')
  t.ok(Math.abs(Date.parse(payload.created_at) - started) < 5000)
  t.same(payload.data.post, (await app.inject(`/v1/posts/${post.id}`)).json().data)
  t.equal(payload.data.post.url, `${TEST_SITE_URL}/signed-news`)
  await waitFor('the log', () => deliveries(app, hook.id)[0].status === 'succeeded')
  const log = (await app.inject({ url: `/v1/webhooks/${hook.id}/deliveries`, headers: adminAuth })).json().data
  t.match(log[0], { id: payload.id, event: 'post.published', status: 'succeeded', attempts: 1, last_status_code: 200, last_error: null, next_attempt_at: null })
  t.type(log[0].delivered_at, 'string')
})

t.test('a receiver that fails first (500) and then succeeds gets the same delivery again', async (t) => {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_BASE_MS: '200' })
  const rx = await receiver(t, (n) => (n === 1 ? 500 : 204))
  const hook = await subscribe(app, rx.url, ['post.published'])
  await publish(app, 'Retried')
  await waitFor('the first attempt to be recorded', () => deliveries(app, hook.id)[0]?.attempts === 1 && deliveries(app, hook.id)[0]?.last_status_code === 500)
  const failed = (await app.inject({ url: `/v1/webhooks/${hook.id}/deliveries`, headers: adminAuth })).json().data[0]
  t.match(failed, { status: 'pending', attempts: 1, last_status_code: 500, last_error: 'HTTP 500: receiver is down' })
  t.type(failed.next_attempt_at, 'string', 'a retry is scheduled')
  await waitFor('the retry', () => rx.hits.length === 2)
  const gap = rx.hits[1].at - rx.hits[0].at
  t.ok(gap >= 90 && gap < 3000, `retried after backoff (${gap} ms; base 200 ms)`)
  t.equal(rx.hits[1].body, rx.hits[0].body, 'the same body')
  t.equal(rx.hits[1].headers['x-broadsheet-delivery'], rx.hits[0].headers['x-broadsheet-delivery'], 'the same delivery id')
  t.ok(verify('receiver-secret-0123456789', rx.hits[1].body, rx.hits[1].headers['x-broadsheet-signature']))
  await waitFor('success to be logged', () => deliveries(app, hook.id)[0].status === 'succeeded')
  t.match(deliveries(app, hook.id)[0], { attempts: 2, last_status_code: 204, last_error: null })
})

t.test('after WEBHOOK_MAX_ATTEMPTS the delivery is failed; the retry endpoint sends it again', async (t) => {
  let down = true
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_MAX_ATTEMPTS: '3' })
  const rx = await receiver(t, () => (down ? 503 : 200))
  const hook = await subscribe(app, rx.url, ['post.published'])
  await publish(app, 'Given up')
  await waitFor('the delivery to fail', () => deliveries(app, hook.id)[0]?.status === 'failed')
  t.equal(rx.hits.length, 3, 'three attempts, no more')
  const failed = (await app.inject({ url: `/v1/webhooks/${hook.id}/deliveries?status=failed`, headers: adminAuth })).json()
  t.equal(failed.meta.total, 1)
  t.match(failed.data[0], { status: 'failed', attempts: 3, last_status_code: 503, next_attempt_at: null, delivered_at: null })
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(rx.hits.length, 3, 'a failed delivery is not tried again by itself')
  down = false
  const retry = await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/deliveries/${failed.data[0].id}/retry`, headers: adminAuth })
  t.equal(retry.statusCode, 202)
  t.match(retry.json().data, { status: 'pending', attempts: 0 })
  await waitFor('the redelivery', () => deliveries(app, hook.id)[0].status === 'succeeded')
  t.equal(rx.hits.length, 4)
  t.equal(rx.hits[3].headers['x-broadsheet-delivery'], rx.hits[0].headers['x-broadsheet-delivery'])
  t.match(deliveries(app, hook.id)[0], { attempts: 1, last_status_code: 200 })
})

t.test('a receiver that does not answer in WEBHOOK_TIMEOUT_MS counts as a failed attempt', async (t) => {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT_MS: '200' })
  await app.core.workers.webhooks.stop()
  const rx = await receiver(t, () => 'hang')
  const hook = await subscribe(app, rx.url, ['post.published'])
  await publish(app, 'Slow receiver')
  const started = Date.now()
  const result = await app.core.workers.webhooks.tick()
  t.ok(Date.now() - started < 2000, 'the attempt is cut off')
  t.match(result, { attempted: 1, succeeded: 0, failed: 1 })
  const d = deliveries(app, hook.id)[0]
  t.match(d, { status: 'pending', attempts: 1, last_status_code: null })
  t.match(d.last_error, /timed out after \d+ ms/)
  const wait = d.next_attempt_at - Date.now()
  t.ok(wait > 500 && wait <= 4000, `first retry within seconds (${wait} ms)`)
})

t.test('SSRF is enforced at send time too: a stored private URL is not contacted without the flag', async (t) => {
  const app = await buildTestApp(t)
  await app.core.workers.webhooks.stop()
  const rx = await receiver(t)
  // As if the address had changed after the check (DNS rebinding): store the URLs directly.
  // On port 80 the refusal comes from the connect-time address check (nothing listens there:
  // a connection attempt would read "refused"); on the receiver's port, from the port rule.
  const atConnect = app.core.repos.webhooks.sync.create({ url: 'http://localhost/hook', events: ['post.published'], secret: 's'.repeat(20), description: '', active: true }, Date.now())
  const onPort = app.core.repos.webhooks.sync.create({ url: `http://localhost:${rx.port}/hook`, events: ['post.published'], secret: 's'.repeat(20), description: '', active: true }, Date.now())
  await publish(app, 'Not for localhost')
  const result = await app.core.workers.webhooks.tick()
  t.match(result, { attempted: 2, failed: 2 })
  t.equal(rx.hits.length, 0, 'the receiver was never contacted')
  t.equal(deliveries(app, atConnect.id)[0].last_error, 'its host is not a public internet address', 'no resolved address in the log either')
  t.equal(deliveries(app, onPort.id)[0].last_error, 'only ports 80 and 443 are allowed')
})

t.test('two processes on one database never send the same delivery twice', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-hooks-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_PATH: join(dir, 'db.sqlite'), SITE_URL: TEST_SITE_URL, ADMIN_TOKEN: TEST_ADMIN_TOKEN, ALLOW_PRIVATE_TARGETS: 'true', MAX_EVENT_LOOP_DELAY_MS: '0' }
  const a = await buildApp(loadConfig(env))
  await a.ready()
  t.teardown(() => a.close())
  const b = await buildApp(loadConfig(env))
  await b.ready()
  t.teardown(() => b.close())
  await a.core.workers.webhooks.stop()
  await b.core.workers.webhooks.stop()
  const rx = await receiver(t)
  await subscribe(a, rx.url, ['post.published'])
  for (let i = 0; i < 5; i++) await publish(a, `Race ${i}`)
  const [ra, rb] = await Promise.all([a.core.workers.webhooks.tick(), b.core.workers.webhooks.tick()])
  t.equal(ra.attempted + rb.attempted, 5, 'each delivery was taken by exactly one of them')
  t.equal(rx.hits.length, 5)
  t.equal(new Set(rx.hits.map((h) => h.headers['x-broadsheet-delivery'])).size, 5, 'no delivery twice')
})

t.test('a restart in the middle of a retry schedule loses nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-hooks-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_PATH: join(dir, 'db.sqlite'), SITE_URL: TEST_SITE_URL, ADMIN_TOKEN: TEST_ADMIN_TOKEN, ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_BASE_MS: '600', MAX_EVENT_LOOP_DELAY_MS: '0' }
  const rx = await receiver(t, (n) => (n === 1 ? 500 : 200))
  const first = await buildApp(loadConfig(env))
  await first.ready()
  const hook = await subscribe(first, rx.url, ['post.published'])
  await publish(first, 'Survives a restart')
  await waitFor('the failed first attempt', () => deliveries(first, hook.id)[0]?.attempts === 1 && deliveries(first, hook.id)[0]?.last_status_code === 500)
  t.equal(deliveries(first, hook.id)[0].status, 'pending')
  await first.close()
  t.equal(rx.hits.length, 1, 'closed before the retry was due')

  const second = await buildApp(loadConfig(env))
  await second.ready()
  t.teardown(() => second.close())
  await waitFor('the retry from the new process', () => rx.hits.length === 2)
  await waitFor('success to be logged', () => deliveries(second, hook.id)[0].status === 'succeeded')
  t.match(deliveries(second, hook.id)[0], { attempts: 2, last_status_code: 200 })
  t.equal(rx.hits[1].body, rx.hits[0].body)
  t.ok(verify('receiver-secret-0123456789', rx.hits[1].body, rx.hits[1].headers['x-broadsheet-signature']))
})

t.test('a scheduled post fires post.published at its time, once, following reschedules', async (t) => {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true' })
  const rx = await receiver(t)
  await subscribe(app, rx.url, ['post.published', 'post.updated', 'post.unpublished'])
  const author = makeAuthor(app.db)
  const scheduledEvents = () => app.db.$client.prepare('SELECT post_id, event, due_at FROM scheduled_events').all() as Array<{ post_id: number, event: string, due_at: number }>
  const later = new Date(Date.now() + 60_000).toISOString()
  const created = await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: 'Tomorrow', author_id: author.id, status: 'scheduled', published_at: later } })
  t.equal(created.statusCode, 201)
  const id = created.json().data.id
  t.same(scheduledEvents().map((e) => [e.post_id, e.event, e.due_at]), [[id, 'post.published', Date.parse(later)]])
  const soon = new Date(Date.now() + 2000).toISOString()
  await app.inject({ method: 'PATCH', url: `/v1/posts/${id}`, headers: adminAuth, payload: { published_at: soon, title: 'Soon' } })
  t.same(scheduledEvents().map((e) => e.due_at), [Date.parse(soon)], 'replaced, not added')
  const other = await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: 'Called off', author_id: author.id, status: 'scheduled', published_at: soon } })
  await app.inject({ method: 'PATCH', url: `/v1/posts/${other.json().data.id}`, headers: adminAuth, payload: { status: 'draft' } })
  t.equal(scheduledEvents().length, 1, 'unscheduling drops the event')
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(rx.hits.length, 0, 'nothing before its time')
  await waitFor('the go-live delivery', () => rx.hits.length === 1)
  t.ok(rx.hits[0].at >= Date.parse(soon), 'not early')
  t.ok(rx.hits[0].at - Date.parse(soon) < 3000, `on time (${rx.hits[0].at - Date.parse(soon)} ms late)`)
  const payload = JSON.parse(rx.hits[0].body)
  t.equal(payload.event, 'post.published')
  t.equal(payload.data.post.id, id)
  t.equal(payload.data.post.title, 'Soon')
  t.equal(payload.data.post.status, 'published')
  t.same(scheduledEvents(), [])
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(rx.hits.length, 1, 'the cancelled post never fired')
  await app.inject({ method: 'PATCH', url: `/v1/posts/${id}`, headers: adminAuth, payload: { title: 'Soon, edited' } })
  await waitFor('the update', () => rx.hits.length === 2)
  t.equal(rx.hits[1].headers['x-broadsheet-event'], 'post.updated', 'once live, an edit is an update')
})

t.test('a paused webhook holds its queued deliveries until it is active again', async (t) => {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true' })
  await app.core.workers.webhooks.stop()
  const rx = await receiver(t)
  const hook = await subscribe(app, rx.url, ['post.published'])
  await publish(app, 'Queued before the pause')
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${hook.id}`, headers: adminAuth, payload: { active: false } })
  await publish(app, 'Published while paused')
  t.match(await app.core.workers.webhooks.tick(), { attempted: 0 })
  t.equal(rx.hits.length, 0)
  t.equal(deliveries(app, hook.id).length, 1, 'no event is queued while paused')
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${hook.id}`, headers: adminAuth, payload: { active: true } })
  t.match(await app.core.workers.webhooks.tick(), { attempted: 1, succeeded: 1 })
  t.equal(JSON.parse(rx.hits[0].body).data.post.title, 'Queued before the pause')
})
