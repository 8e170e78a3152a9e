import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestApp, adminAuth } from '../helper.js'
import { policyHeader, rateLimitHeader } from '../../src/plugins/quotas.js'

type App = Awaited<ReturnType<typeof buildTestApp>>

/** Counting is per clock minute: start a burst early in one, so it does not straddle two. */
async function earlyInAMinute (): Promise<void> {
  const into = Date.now() % 60_000
  if (into > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - into + 50))
}

async function newKey (app: App, body: Record<string, unknown> = {}) {
  const res = await app.inject({ method: 'POST', url: '/v1/keys', headers: adminAuth, payload: { name: 'partner', scopes: ['read:drafts'], ...body } })
  if (res.statusCode !== 201) throw new Error(res.body)
  const data = res.json().data
  return { id: data.id as number, data, auth: { authorization: `Bearer ${data.key as string}` } }
}

t.test('a key\'s per-minute quota: RateLimit headers on every answer, then a 429 with Retry-After', async (t) => {
  const app = await buildTestApp(t)
  const key = await newKey(app, { rate_limit_per_minute: 3 })
  t.match(key.data, { rate_limit_per_minute: 3, rate_limit_per_day: null })
  await earlyInAMinute()
  const remaining: string[] = []
  for (let i = 0; i < 3; i++) {
    const res = await app.inject({ url: '/v1/posts', headers: key.auth })
    t.equal(res.statusCode, 200, 'reads count too')
    t.equal(res.headers['ratelimit-policy'], '"minute";q=3;w=60')
    remaining.push(String(res.headers.ratelimit))
  }
  t.match(remaining, [/^"minute";r=2;t=\d+$/, /^"minute";r=1;t=\d+$/, /^"minute";r=0;t=\d+$/])
  const over = await app.inject({ url: '/v1/posts', headers: key.auth })
  t.equal(over.statusCode, 429)
  t.match(over.headers['content-type'], /application\/problem\+json/)
  t.match(over.json(), { status: 429, code: 'RATE_LIMITED', detail: /This API key has used its quota \(3 requests per minute\)/ })
  const wait = Number(over.headers['retry-after'])
  t.ok(wait >= 1 && wait <= 60, `Retry-After ${wait} s: the end of the minute`)
  t.match(over.headers.ratelimit, /^"minute";r=0;t=\d+$/)
  t.equal(over.headers['ratelimit-policy'], '"minute";q=3;w=60')
  t.equal((await app.inject({ url: '/v1/posts?per_page=many', headers: key.auth })).statusCode, 429, 'after auth and scope, before validation')

  const free = await newKey(app)
  const res = await app.inject({ url: '/v1/posts', headers: free.auth })
  t.equal(res.headers.ratelimit, undefined, 'a key without quotas has no headers')
  t.equal((await app.inject({ url: '/v1/posts', headers: adminAuth })).headers.ratelimit, undefined, 'nor ADMIN_TOKEN')
  t.equal((await app.inject({ url: '/v1/posts' })).headers.ratelimit, undefined, 'nor anonymous reads while PUBLIC_RATE_LIMIT is off')
})

t.test('a per-day quota, and both at once', async (t) => {
  const app = await buildTestApp(t)
  const key = await newKey(app, { rate_limit_per_minute: 100, rate_limit_per_day: 2 })
  await earlyInAMinute()
  const first = await app.inject({ url: '/v1/site', headers: key.auth })
  t.equal(first.headers['ratelimit-policy'], '"minute";q=100;w=60, "day";q=2;w=86400')
  t.match(first.headers.ratelimit, /^"minute";r=99;t=\d+, "day";r=1;t=\d+$/)
  await app.inject({ url: '/v1/site', headers: key.auth })
  const over = await app.inject({ url: '/v1/site', headers: key.auth })
  t.equal(over.statusCode, 429)
  t.match(over.json().detail, /2 requests per day/)
  const wait = Number(over.headers['retry-after'])
  t.ok(wait > 0 && wait <= 86400, 'until the UTC day ends')
  t.equal(wait, Number(/"day";r=0;t=(\d+)/.exec(String(over.headers.ratelimit))![1]))
})

t.test('quotas are set and lifted by PATCH /v1/keys/{id}', async (t) => {
  const app = await buildTestApp(t)
  const key = await newKey(app)
  const patched = await app.inject({ method: 'PATCH', url: `/v1/keys/${key.id}`, headers: adminAuth, payload: { rate_limit_per_minute: 1 } })
  t.equal(patched.statusCode, 200)
  t.match(patched.json().data, { rate_limit_per_minute: 1, rate_limit_per_day: null, name: 'partner' })
  await earlyInAMinute()
  t.equal((await app.inject({ url: '/v1/site', headers: key.auth })).statusCode, 200)
  t.equal((await app.inject({ url: '/v1/site', headers: key.auth })).statusCode, 429)
  await app.inject({ method: 'PATCH', url: `/v1/keys/${key.id}`, headers: adminAuth, payload: { rate_limit_per_minute: null } })
  const lifted = await app.inject({ url: '/v1/site', headers: key.auth })
  t.equal(lifted.statusCode, 200)
  t.equal(lifted.headers.ratelimit, undefined)
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/keys/${key.id}`, headers: adminAuth, payload: { rate_limit_per_minute: 0 } })).statusCode, 400)
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/keys/${key.id}`, headers: adminAuth, payload: {} })).statusCode, 400)
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/keys/999', headers: adminAuth, payload: { name: 'x' } })).statusCode, 404)
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/keys/${key.id}`, headers: key.auth, payload: { rate_limit_per_minute: null } })).statusCode, 403)
})

t.test('processes sharing the database share the quota', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-quotas-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_PATH: join(dir, 'db.sqlite') }
  const a = await buildTestApp(t, env)
  const b = await buildTestApp(t, env)
  const key = await newKey(a, { rate_limit_per_minute: 4 })
  await earlyInAMinute()
  const codes: number[] = []
  for (const app of [a, b, a, b, a, b]) codes.push((await app.inject({ url: '/v1/site', headers: key.auth })).statusCode)
  t.same(codes, [200, 200, 200, 200, 429, 429])
})

t.test('GET /v1/keys/{id}/usage: requests and 429s per day for 30 days, and when it was last used', async (t) => {
  const app = await buildTestApp(t)
  const key = await newKey(app, { rate_limit_per_day: 3 })
  for (let i = 0; i < 5; i++) await app.inject({ url: '/v1/posts', headers: key.auth })
  // Yesterday, as another process would have counted it.
  const yesterday = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000
  app.db.$client.prepare("INSERT INTO key_usage (key_id, window, start, requests, limited) VALUES (?, 'd', ?, 7, 1)").run(key.id, yesterday)
  const res = await app.inject({ url: `/v1/keys/${key.id}/usage`, headers: adminAuth })
  t.equal(res.statusCode, 200)
  const usage = res.json().data
  t.equal(usage.days.length, 30)
  t.equal(usage.days[29].date, new Date().toISOString().slice(0, 10), 'today last')
  t.same(usage.days[29], { date: usage.days[29].date, requests: 3, rate_limited: 2 })
  t.same(usage.days[28], { date: new Date(yesterday).toISOString().slice(0, 10), requests: 7, rate_limited: 1 })
  t.same(usage.days[0], { date: usage.days[0].date, requests: 0, rate_limited: 0 })
  t.same(usage.totals, { requests: 10, rate_limited: 3 })
  t.type(usage.last_used_at, 'string')
  t.equal(usage.rate_limit_per_day, 3)
  t.equal((await app.inject({ url: '/v1/keys/999/usage', headers: adminAuth })).statusCode, 404)
  t.equal((await app.inject({ url: `/v1/keys/${key.id}/usage`, headers: key.auth })).statusCode, 403)
})

t.test('PUBLIC_RATE_LIMIT: anonymous reads per client address, cached answers included', async (t) => {
  const app = await buildTestApp(t, { PUBLIC_RATE_LIMIT: '2', TRUST_PROXY: 'true' })
  await earlyInAMinute()
  const from = (ip: string) => ({ 'x-forwarded-for': ip })
  const first = await app.inject({ url: '/v1/posts', headers: from('203.0.113.7') })
  t.equal(first.headers['ratelimit-policy'], '"public";q=2;w=60')
  t.match(first.headers.ratelimit, /^"public";r=1;t=\d+$/)
  t.equal((await app.inject({ url: '/v1/posts', headers: from('203.0.113.7') })).statusCode, 200)
  const over = await app.inject({ url: '/v1/posts', headers: from('203.0.113.7') })
  t.equal(over.statusCode, 429, 'though the answer is in the response cache')
  t.match(over.json().detail, /This client has used its quota/)
  t.ok(Number(over.headers['retry-after']) >= 1)
  t.equal((await app.inject({ url: '/v1/posts', headers: from('198.51.100.9') })).statusCode, 200, 'another client (as TRUST_PROXY resolves it) has its own count')
  t.equal((await app.inject({ url: '/v1/posts', headers: { ...from('203.0.113.7'), ...adminAuth } })).statusCode, 200, 'requests with a key are not anonymous')
  t.equal((await app.inject({ url: '/health', headers: from('203.0.113.7') })).statusCode, 200, 'health probes are not limited')
})

t.test('the header syntax of the IETF draft', async (t) => {
  const policies = [{ name: 'minute', quota: 60, window: 60, remaining: 12, reset: 7 }, { name: 'day', quota: 1000, window: 86400, remaining: 500, reset: 3600 }]
  t.equal(policyHeader(policies), '"minute";q=60;w=60, "day";q=1000;w=86400')
  t.equal(rateLimitHeader(policies), '"minute";r=12;t=7, "day";r=500;t=3600')
})
