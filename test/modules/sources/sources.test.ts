import t from 'tap'
import http from 'node:http'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { buildTestApp, adminAuth, keyAuth } from '../../helper.js'
import { makeAuthor, makeCategory } from '../../helpers/factories.js'
import { backoffMs, retryAfterMs } from '../../../src/modules/sources/sources-poller.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
type Test = Parameters<typeof buildTestApp>[0]
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void

const FIXTURES = join(import.meta.dirname, '../../fixtures/feeds')
const RSS = readFileSync(join(FIXTURES, 'rss2.xml'), 'utf8')
const ATOM = readFileSync(join(FIXTURES, 'atom-base.xml'), 'utf8')

/** The RSS fixture with one more item at the top. */
function grown (guid: string, title: string, feed = RSS): string {
  return feed.replace('<item>', `<item><title>${title}</title><link>https://partner.example.com/news/${guid}</link><guid isPermaLink="false">${guid}</guid><description>New.</description></item>\n  <item>`)
}

/** A feed server whose answer each test sets; it records what it was asked. */
async function feedServer (t: Test) {
  const seen: Array<{ url: string, headers: http.IncomingHttpHeaders }> = []
  const state: { handler: Handler, delayMs: number } = {
    handler: (_req, res) => { res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS) },
    delayMs: 0
  }
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers })
    if (state.delayMs > 0) setTimeout(() => state.handler(req, res), state.delayMs)
    else state.handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { base, url: `${base}/feed.xml`, seen, state }
}

/** An app whose poller only runs when the test ticks it. */
async function quietApp (t: Test, env: Record<string, string> = {}): Promise<App> {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true', ...env })
  await app.core.workers.sources.stop()
  return app
}

async function createSource (app: App, body: Record<string, unknown>) {
  return await app.inject({ method: 'POST', url: '/v1/sources', headers: adminAuth, payload: body })
}

/** Makes every source due now (the test stands in for the passing of time). */
function makeDue (app: App): void {
  app.db.$client.prepare('UPDATE sources SET next_poll_at = 0').run()
}

function importedPosts (app: App) {
  return app.db.$client.prepare("SELECT id, title, status, import_key, source_url, source_name, canonical_url, author_id FROM posts WHERE import_key LIKE 'source:%' ORDER BY id").all() as Array<Record<string, unknown>>
}

async function runs (app: App, id: number) {
  return (await app.inject({ url: `/v1/sources/${id}/runs`, headers: adminAuth })).json().data
}

async function source (app: App, id: number) {
  return (await app.inject({ url: `/v1/sources/${id}`, headers: adminAuth })).json().data
}

t.test('a source is checked by fetching the feed once; refusals are 422s that say why', async (t) => {
  const app = await quietApp(t)
  const feed = await feedServer(t)
  const writer = keyAuth(app, 'write:content')
  const reader = keyAuth(app, 'read:drafts')
  const body = { feed_url: feed.url, name: 'Partner' }
  t.equal((await app.inject({ method: 'POST', url: '/v1/sources', payload: body })).statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: '/v1/sources', headers: reader, payload: body })).statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: '/v1/sources', headers: { ...writer, 'content-type': 'text/plain' }, payload: 'x' })).statusCode, 415)
  const tooOften = await app.inject({ method: 'POST', url: '/v1/sources', headers: writer, payload: { ...body, interval_minutes: 4 } })
  t.equal(tooOften.statusCode, 400)
  t.match(tooOften.body, /interval_minutes/)

  feed.state.handler = (_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Hello</body></html>') }
  const html = await createSource(app, body)
  t.equal(html.statusCode, 422)
  t.match(html.json().detail, /text\/html, not a feed/)
  feed.state.handler = (_req, res) => { res.writeHead(200, { 'content-type': 'application/xml' }).end('<rss><channel><item><title>Broken</ti') }
  const broken = await createSource(app, body)
  t.equal(broken.statusCode, 422)
  t.match(broken.json(), { code: 'NOT_A_FEED', detail: /not a readable feed/ })
  feed.state.handler = (_req, res) => { res.writeHead(404).end() }
  t.match((await createSource(app, body)).json(), { status: 422, detail: /answered HTTP 404/ })
  const closed = await createSource(app, { ...body, feed_url: 'http://127.0.0.1:9/feed.xml' })
  t.equal(closed.statusCode, 422, 'unreachable')

  const unknown = await createSource(app, { ...body, category_ids: [999], author_id: 998 })
  t.equal(unknown.statusCode, 422)
  t.match(unknown.body, /no author has id 998/)
  t.match(unknown.body, /no category has id 999/)
  t.equal(await app.core.repos.sources.count(), 0, 'nothing stored')

  const strict = await buildTestApp(t)
  const priv = await strict.inject({ method: 'POST', url: '/v1/sources', headers: adminAuth, payload: body })
  t.equal(priv.statusCode, 422, 'a private address, with the SSRF guard of imports and webhooks')
  t.match(priv.json().detail, /refused/)
  t.equal(feed.seen.filter((s) => s.url === '/feed.xml').length, 3, 'the private address was never fetched')

  feed.state.handler = (_req, res) => { res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS) }
  const ok = await app.inject({ method: 'POST', url: '/v1/sources', headers: writer, payload: body })
  t.equal(ok.statusCode, 201)
  t.equal(ok.headers.location, `/v1/sources/${ok.json().data.id}`)
  t.match(ok.json().data, { feed_url: feed.url, name: 'Partner', status: 'draft', interval_minutes: 30, enabled: true, category_ids: [], tag_ids: [], author_id: null, consecutive_failures: 0, last_polled_at: null })
  t.equal((await app.inject({ url: '/v1/sources', headers: writer })).json().meta.total, 1)
})

t.test('polls import new items once, answer 304s cheaply, and update drafts only', async (t) => {
  const app = await quietApp(t)
  const feed = await feedServer(t)
  const author = makeAuthor(app.db, { name: 'Wire Desk' })
  const cat = makeCategory(app.db, { name: 'Partners' })
  const tag = (await app.inject({ method: 'POST', url: '/v1/tags', headers: adminAuth, payload: { name: 'Syndicated' } })).json().data
  let etag = '"v1"'
  let body = RSS
  feed.state.handler = (req, res) => {
    if (req.headers['if-none-match'] === etag) return res.writeHead(304, { etag }).end()
    res.writeHead(200, { 'content-type': 'application/rss+xml', etag, 'last-modified': 'Mon, 03 Jun 2024 10:00:00 GMT' }).end(body)
  }
  const created = (await createSource(app, { feed_url: feed.url, name: 'Partner', author_id: author.id, category_ids: [cat.id], tag_ids: [tag.id], attribution: { name: 'Partner News Agency' } })).json().data
  t.ok(Date.parse(created.next_poll_at) <= Date.now(), 'due at once')

  t.same(await app.core.workers.sources.tick(), { polled: 1, failed: 0 })
  const posts = importedPosts(app)
  t.equal(posts.length, 3, 'every item became a post')
  t.match(posts[0], { title: 'Bridge reopens', status: 'draft', import_key: `source:${created.id}:partner-1001`, source_name: 'Partner News Agency', canonical_url: `${feed.base}/news/bridge-reopens`, source_url: `${feed.base}/news/bridge-reopens`, author_id: author.id })
  const api = (await app.inject({ url: `/v1/posts/${posts[0].id as number}`, headers: adminAuth })).json().data
  t.same(api.categories.map((c: { id: number }) => c.id), [cat.id])
  t.ok(api.tags.some((x: { id: number }) => x.id === tag.id), 'the source\'s tag')
  t.ok(api.tags.some((x: { name: string }) => x.name === 'Transport'), 'and the item\'s own categories as tags')
  let log = await runs(app, created.id)
  t.match(log[0], { http_status: 200, items_seen: 3, items_new: 3, items_updated: 0, items_skipped: 0, error: null, url: feed.url })
  t.type(log[0].duration_ms, 'number')
  const after = await source(app, created.id)
  t.type(after.last_polled_at, 'string')
  t.ok(Date.parse(after.next_poll_at) - Date.now() > 29 * 60_000, 'next poll an interval later')

  t.same(await app.core.workers.sources.tick(), { polled: 0, failed: 0 }, 'never more often than its interval')
  makeDue(app)
  await app.core.workers.sources.tick()
  const conditional = feed.seen.at(-1)!.headers
  t.equal(conditional['if-none-match'], '"v1"', 'the validators of the last answer')
  t.equal(conditional['if-modified-since'], 'Mon, 03 Jun 2024 10:00:00 GMT')
  t.match(conditional['user-agent'], /^Broadsheet-Feeds\//)
  log = await runs(app, created.id)
  t.match(log[0], { http_status: 304, items_seen: 0, items_new: 0, error: null })
  t.equal(importedPosts(app).length, 3)

  // The feed grows, and an item is edited; an editor has published one of the drafts.
  app.db.$client.prepare("UPDATE posts SET status = 'published', published_at = 1 WHERE import_key = ?").run(`source:${created.id}:https://partner.example.com/news/no-guid`)
  etag = '"v2"'
  body = grown('partner-1002', 'Tunnel opens').replace('Bridge reopens', 'Bridge reopens at last').replace('No guid here', 'Edited after publishing')
  makeDue(app)
  await app.core.workers.sources.tick()
  const now = importedPosts(app)
  t.equal(now.length, 4, 'the new item, once')
  t.equal(now[3].title, 'Tunnel opens')
  t.equal(now[0].title, 'Bridge reopens at last', 'an edited item updates its post while it is a draft')
  t.equal(now[1].title, 'No guid here', 'but not once it was published')
  log = await runs(app, created.id)
  t.match(log[0], { http_status: 200, items_seen: 4, items_new: 1, items_updated: 1, items_skipped: 2 })

  // Again, after a restart of the server (a new app on the same rows): nothing new.
  etag = '"v3"'
  makeDue(app)
  await app.core.workers.sources.tick()
  t.equal(importedPosts(app).length, 4, 'no duplicate when the whole feed is fetched again')
  t.match((await runs(app, created.id))[0], { items_seen: 4, items_new: 0, items_updated: 0, items_skipped: 4 })
  t.equal((await app.inject({ url: `/v1/sources/${created.id}/runs?per_page=2`, headers: adminAuth })).json().meta.total, 4)
})

t.test('redirects: a permanent one moves the source, a temporary one does not', async (t) => {
  const app = await quietApp(t)
  const feed = await feedServer(t)
  feed.state.handler = (req, res) => {
    if (req.url === '/old.xml') return res.writeHead(301, { location: '/feed.xml' }).end()
    if (req.url === '/mirror.xml') return res.writeHead(302, { location: '/feed.xml' }).end()
    if (req.url === '/loop.xml') return res.writeHead(307, { location: '/loop.xml' }).end()
    res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(ATOM)
  }
  const moved = (await createSource(app, { feed_url: `${feed.base}/old.xml`, name: 'Moved' })).json().data
  const temp = (await createSource(app, { feed_url: `${feed.base}/mirror.xml`, name: 'Temporary' })).json().data
  await app.core.workers.sources.tick()
  t.equal((await source(app, moved.id)).feed_url, feed.url, '301: the new URL is kept')
  t.equal((await source(app, temp.id)).feed_url, `${feed.base}/mirror.xml`, '302: the old one stays')
  t.match((await runs(app, temp.id))[0], { http_status: 200, url: feed.url })
  t.ok(importedPosts(app).length > 0)
  makeDue(app)
  const before = feed.seen.length
  await app.core.workers.sources.tick()
  t.notOk(feed.seen.slice(before).some((s) => s.url === '/old.xml'), 'the moved source asks the new URL directly')

  feed.state.handler = (req, res) => { res.writeHead(307, { location: req.url ?? '/' }).end() }
  makeDue(app)
  await app.core.workers.sources.tick()
  t.match((await runs(app, moved.id))[0], { error: /too many redirects/ })
})

t.test('failures back off with jitter, honour Retry-After, and disable the source after N in a row', async (t) => {
  const app = await quietApp(t, { SOURCE_MAX_FAILURES: '3' })
  const feed = await feedServer(t)
  const src = (await createSource(app, { feed_url: feed.url, name: 'Flaky', interval_minutes: 10 })).json().data

  feed.state.handler = (_req, res) => { res.writeHead(429, { 'retry-after': '7200' }).end('slow down') }
  let before = Date.now()
  t.same(await app.core.workers.sources.tick(), { polled: 1, failed: 1 })
  let s = await source(app, src.id)
  t.match(s, { consecutive_failures: 1, last_error: 'HTTP 429', enabled: true })
  t.ok(Date.parse(s.next_poll_at) - before >= 7200_000, 'Retry-After: two hours, longer than the backoff')
  t.match((await runs(app, src.id))[0], { http_status: 429, error: 'HTTP 429', items_seen: 0 })
  const poll = await app.inject({ method: 'POST', url: `/v1/sources/${src.id}/poll`, headers: adminAuth })
  t.equal(poll.statusCode, 202)
  t.ok(Date.parse(poll.json().data.next_poll_at) - before >= 7200_000, 'poll now does not jump the wait the feed asked for')
  t.same(await app.core.workers.sources.tick(), { polled: 0, failed: 0 })

  feed.state.handler = (_req, res) => { res.writeHead(200, { 'content-type': 'application/rss+xml' }).end('<rss><channel><item><title>Half') }
  makeDue(app)
  before = Date.now()
  await app.core.workers.sources.tick()
  s = await source(app, src.id)
  t.match(s, { consecutive_failures: 2, last_error: /not a readable feed/, enabled: true })
  const wait = Date.parse(s.next_poll_at) - before
  t.ok(wait >= 20 * 60_000 && wait <= 40 * 60_000 + 1000, `malformed XML: backoff of 2–4 intervals after 2 failures (${wait} ms)`)

  feed.state.handler = (_req, res) => { res.writeHead(503).end() }
  makeDue(app)
  await app.core.workers.sources.tick()
  s = await source(app, src.id)
  t.match(s, { enabled: false, consecutive_failures: 3, next_poll_at: null, disabled_reason: /3 failed polls in a row; the last: HTTP 503/ })
  makeDue(app)
  t.same(await app.core.workers.sources.tick(), { polled: 0, failed: 0 }, 'a disabled source is not polled')
  t.equal((await app.inject({ method: 'POST', url: `/v1/sources/${src.id}/poll`, headers: adminAuth })).statusCode, 409)

  feed.state.handler = (_req, res) => { res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS) }
  const enabled = (await app.inject({ method: 'PATCH', url: `/v1/sources/${src.id}`, headers: adminAuth, payload: { enabled: true } })).json().data
  t.match(enabled, { enabled: true, consecutive_failures: 0, disabled_reason: null })
  t.same(await app.core.workers.sources.tick(), { polled: 1, failed: 0 }, 'enabling polls at once')
  t.match(await source(app, src.id), { consecutive_failures: 0, last_error: null })

  feed.state.handler = (_req, res) => { res.writeHead(410).end() }
  makeDue(app)
  await app.core.workers.sources.tick()
  t.match(await source(app, src.id), { enabled: false, disabled_reason: /gone \(HTTP 410\)/ }, '410 Gone disables at once')
})

t.test('poll now, and the rest of the API', async (t) => {
  const app = await quietApp(t)
  const feed = await feedServer(t)
  const src = (await createSource(app, { feed_url: feed.url, name: 'Wire', status: 'published' })).json().data
  await app.core.workers.sources.tick()
  t.ok(importedPosts(app).every((p) => p.status === 'published'), 'status: published')
  t.equal((await app.inject({ method: 'POST', url: `/v1/sources/${src.id}/poll`, headers: keyAuth(app, 'read:drafts') })).statusCode, 403)
  const poll = await app.inject({ method: 'POST', url: `/v1/sources/${src.id}/poll`, headers: adminAuth })
  t.equal(poll.statusCode, 202)
  t.ok(Date.parse(poll.json().data.next_poll_at) <= Date.now())
  t.same(await app.core.workers.sources.tick(), { polled: 1, failed: 0 })
  t.equal((await runs(app, src.id)).length, 2)
  t.equal((await app.inject({ method: 'POST', url: '/v1/sources/999/poll', headers: adminAuth })).statusCode, 404)

  const patched = await app.inject({ method: 'PATCH', url: `/v1/sources/${src.id}`, headers: adminAuth, payload: { interval_minutes: 60, name: 'Wire service', attribution: { url: 'https://wire.example' } } })
  t.match(patched.json().data, { interval_minutes: 60, name: 'Wire service', attribution: { name: null, url: 'https://wire.example' } })
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/sources/${src.id}`, headers: adminAuth, payload: { tag_ids: [555] } })).statusCode, 422)
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/sources/${src.id}`, headers: adminAuth, payload: {} })).statusCode, 400)
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/sources/${src.id}`, headers: adminAuth, payload: { feed_url: 'http://127.0.0.1:9/x' } })).statusCode, 422)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/sources/${src.id}`, headers: adminAuth })).statusCode, 204)
  t.equal((await app.inject({ url: `/v1/sources/${src.id}`, headers: adminAuth })).statusCode, 404)
  t.equal((await app.inject({ url: `/v1/sources/${src.id}/runs`, headers: adminAuth })).statusCode, 404)
  t.equal(importedPosts(app).length, 3, 'the posts it imported stay')
})

t.test('two server processes on one database file poll each source once and never duplicate a post', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-sources-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_PATH: join(dir, 'db.sqlite') }
  const a = await quietApp(t, env)
  const b = await quietApp(t, env)
  const feed = await feedServer(t)
  for (let i = 0; i < 6; i++) t.equal((await createSource(a, { feed_url: `${feed.url}?n=${i}`, name: `Feed ${i}` })).statusCode, 201)
  const fetchesBefore = feed.seen.length
  feed.state.delayMs = 50
  const [ra, rb] = await Promise.all([a.core.workers.sources.tick(), b.core.workers.sources.tick(), a.core.workers.sources.tick(), b.core.workers.sources.tick()])
  t.ok(ra.polled + rb.polled <= 6)
  await Promise.all([a.core.workers.sources.tick(), b.core.workers.sources.tick()])
  t.equal(feed.seen.length - fetchesBefore, 6, 'each source fetched once: the lease keeps the other process off')
  t.equal(importedPosts(a).length, 18, 'three posts per source')
  const perSource = a.db.$client.prepare('SELECT source_id, count(*) AS n FROM source_runs GROUP BY source_id').all() as Array<{ n: number }>
  t.same(perSource.map((r) => r.n), [1, 1, 1, 1, 1, 1])

  // The worst interleaving: a poller stalls past its lease, the other process takes the source
  // over, and both import the same grown feed.
  feed.state.handler = (_req, res) => { res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(grown('late-1', 'Late story')) }
  feed.state.delayMs = 300
  makeDue(a)
  a.db.$client.prepare('UPDATE sources SET enabled = 0 WHERE id > 1').run()
  const slow = a.core.workers.sources.tick()
  const deadline = Date.now() + 5000
  while (feed.seen.length < fetchesBefore + 7 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  a.db.$client.prepare('UPDATE sources SET lease_until = 1 WHERE id = 1').run()
  const [first, second] = await Promise.all([slow, b.core.workers.sources.tick()])
  t.equal(first.polled + second.polled, 2, 'both polled it')
  const keys = importedPosts(a).map((p) => p.import_key)
  t.equal(keys.length, 19, 'the new item once')
  t.equal(new Set(keys).size, keys.length, 'no duplicate keys')
  t.equal((a.db.$client.prepare('SELECT count(*) AS n FROM source_runs WHERE source_id = 1').get() as { n: number }).n, 2,
    'the stalled poll\'s run is not recorded over the newer one')
})

t.test('Retry-After and backoff arithmetic', async (t) => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  t.equal(retryAfterMs('120', now), 120_000)
  t.equal(retryAfterMs('Thu, 01 Jan 2026 00:05:00 GMT', now), 300_000, 'an HTTP date')
  t.equal(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now), 0, 'a past date')
  t.equal(retryAfterMs('99999999999', now), null, 'too many digits')
  t.equal(retryAfterMs('9999999999', now), 7 * 24 * 3600_000, 'capped at a week')
  t.equal(retryAfterMs('soon', now), null)
  t.equal(retryAfterMs(undefined, now), null)
  const interval = 30 * 60_000
  t.equal(backoffMs(1, interval, () => 0), interval, 'never sooner than the interval')
  t.equal(backoffMs(1, interval, () => 1), 2 * interval)
  t.equal(backoffMs(3, interval, () => 0), 4 * interval)
  t.equal(backoffMs(3, interval, () => 1), 8 * interval)
  t.equal(backoffMs(20, interval, () => 1), 24 * 3600_000, 'at most a day')
  const samples = Array.from({ length: 200 }, () => backoffMs(2, interval))
  t.ok(samples.every((s) => s >= 2 * interval && s <= 4 * interval))
  t.ok(new Set(samples).size > 50, 'jittered')
})
