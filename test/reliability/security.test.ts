import t from 'tap'
import { Writable } from 'node:stream'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { LOG_REDACT } from '../../src/plugins/security.js'
import { adminAuth, buildTestApp, TEST_ADMIN_TOKEN } from '../helper.js'

t.test('security headers on API answers, problems and the docs', async (t) => {
  const app = await buildTestApp(t)
  const apiUrls = ['/v1/posts', '/v1/posts/nope', '/feeds/rss.xml', '/openapi.json', '/health']
  await app.inject('/v1/posts')
  for (const url of [...apiUrls, '/v1/posts?again', '/docs', '/docs/static/index.html']) {
    const res = await app.inject(url.replace('?again', ''))
    const label = url === '/v1/posts?again' ? '/v1/posts from the cache' : url
    const csp = String(res.headers['content-security-policy'])
    if (url.startsWith('/docs')) {
      t.match(csp, /default-src 'self'/, `${label}: a CSP for Swagger UI`)
      t.match(csp, /script-src 'self'(;|$)/, `${label}: no inline or foreign script`)
      t.match(csp, /object-src 'none'/, `${label}: no plugins`)
      t.notMatch(csp, /upgrade-insecure-requests/, `${label}: plain-http deployments keep working`)
      t.equal(res.headers['x-frame-options'], 'SAMEORIGIN', `${label}: no framing by other sites`)
    } else {
      t.equal(csp, "default-src 'none';frame-ancestors 'none'", `${label}: an API answer may load nothing and be framed nowhere`)
      t.equal(res.headers['x-frame-options'], 'DENY', `${label}: no framing`)
      t.notOk(res.headers['x-dns-prefetch-control'], `${label}: no headers that only govern HTML documents`)
    }
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${label}: nosniff`)
    t.match(String(res.headers['strict-transport-security']), /max-age=\d+/, `${label}: HSTS`)
    t.equal(res.headers['referrer-policy'], 'no-referrer', `${label}: no referrer`)
    t.equal(res.headers['cross-origin-resource-policy'], 'cross-origin', `${label}: readable from other origins through CORS`)
    t.notOk(res.headers['x-powered-by'], `${label}: no X-Powered-By`)
  }
})

t.test('CORS follows CORS_ORIGINS', async (t) => {
  const open = await buildTestApp(t)
  const any = await open.inject({ method: 'OPTIONS', url: '/v1/posts', headers: { origin: 'https://anywhere.example', 'access-control-request-method': 'GET' } })
  t.equal(any.headers['access-control-allow-origin'], '*', 'the default allows any origin')
  const closed = await buildTestApp(t, { CORS_ORIGINS: 'https://front.example.com' })
  const allowed = await closed.inject({ method: 'OPTIONS', url: '/v1/posts', headers: { origin: 'https://front.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } })
  t.equal(allowed.headers['access-control-allow-origin'], 'https://front.example.com', 'a listed origin is allowed')
  t.match(String(allowed.headers['access-control-allow-headers']), /authorization/i, 'with the Authorization header')
  const refused = await closed.inject({ method: 'GET', url: '/v1/posts', headers: { origin: 'https://evil.example' } })
  t.notOk(refused.headers['access-control-allow-origin'], 'another origin gets no CORS grant')
})

// under-pressure compares the mean delay of a sample period, so one stall among many quick
// turns is not saturation: it takes turn after turn of over a second, as when every request
// runs a runaway query.
async function saturate (): Promise<void> {
  for (let turn = 0; turn < 3; turn++) {
    const until = Date.now() + 1_200
    while (Date.now() < until) { /* hold the event loop */ }
    await new Promise((resolve) => setImmediate(resolve))
  }
}

t.test('a saturated event loop is answered with 503 problems and Retry-After, /health still answers', { timeout: 30_000 }, async (t) => {
  // The configured default (1000 ms), as production runs it.
  const app = await buildTestApp(t, { MAX_EVENT_LOOP_DELAY_MS: '1000' })
  // Shedding starts two samples after ready, so start-up work never counts as load.
  await new Promise((resolve) => setTimeout(resolve, 2_100))
  t.equal((await app.inject('/v1/posts')).statusCode, 200, 'an idle server answers')
  await saturate()
  // A response already in the cache costs a map lookup, so it is still served; shedding
  // protects the work behind a miss.
  const hit = await app.inject('/v1/posts')
  t.equal(hit.statusCode, 200, 'a cached response is still served')
  t.equal(hit.headers['x-cache'], 'HIT')
  const shed = await app.inject('/v1/posts?per_page=3')
  t.equal(shed.statusCode, 503, 'a request right after the stall is shed')
  t.equal(shed.headers['retry-after'], '10', 'with Retry-After')
  t.match(String(shed.headers['content-type']), /^application\/problem\+json/, 'as a problem')
  t.match(shed.json(), { status: 503, code: 'SERVICE_UNAVAILABLE', type: 'https://broadsheet.dev/problems/service-unavailable' })
  t.equal(shed.headers['cache-control'], 'no-store', 'never cached')
  t.equal((await app.inject('/health')).statusCode, 200, 'the liveness probe still answers')
  await new Promise((resolve) => setTimeout(resolve, 2_100))
  t.equal((await app.inject('/v1/posts')).statusCode, 200, 'once the loop is free again, requests are served')
})

t.test('load shedding is off with MAX_EVENT_LOOP_DELAY_MS=0', { timeout: 30_000 }, async (t) => {
  const app = await buildTestApp(t, { MAX_EVENT_LOOP_DELAY_MS: '0' })
  await new Promise((resolve) => setTimeout(resolve, 2_100))
  await saturate()
  t.equal((await app.inject('/v1/posts')).statusCode, 200)
})

t.test('no secret, e-mail or stack trace in public responses or in any log line', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(...chunk.toString().split('\n').filter(Boolean)); done() } })
  // Load shedding off, as in buildTestApp: on a busy machine it would answer 503 here.
  const config = loadConfig({ DATABASE_PATH: ':memory:', ADMIN_TOKEN: TEST_ADMIN_TOKEN, LOG_LEVEL: 'trace', LOG_REQUESTS: 'true', COMMENT_RATE_LIMIT: '100', MAX_EVENT_LOOP_DELAY_MS: '0' })
  const app = await buildApp(config, { logger: { level: 'trace', redact: LOG_REDACT, stream } })
  app.get('/v1/boom', { schema: { hide: true } }, async () => { throw new Error('database exploded') })
  await app.ready()
  t.teardown(() => app.close())

  const secrets: string[] = [TEST_ADMIN_TOKEN]
  const emails = ['ada.secret@example.com', 'reader.secret@example.com']
  const send = (method: string, url: string, payload?: object, headers: Record<string, string> = adminAuth) => app.inject({ method: method as 'GET', url, payload, headers })
  const key = (await send('POST', '/v1/keys', { name: 'editor', scopes: ['write:content'] })).json().data.key as string
  secrets.push(key)
  const author = (await send('POST', '/v1/authors', { name: 'Ada', email: emails[0] }, { authorization: `Bearer ${key}` })).json().data as { id: number }
  const post = (await send('POST', '/v1/posts', { title: 'Public', author_id: author.id, status: 'published' })).json().data as { id: number }
  const hookSecret = 'whsec-do-not-log-0123456789abcdef'
  secrets.push(hookSecret)
  await send('POST', '/v1/webhooks', { url: 'https://93.184.215.14/hook', events: ['post.published'], secret: hookSecret, active: false })
  await send('PATCH', '/v1/site', { comments: { moderation: 'none' } })
  const comment = await send('POST', `/v1/posts/${post.id}/comments`, { author_name: 'Reader', author_email: emails[1], content: 'Nice' }, {})
  t.equal(comment.statusCode, 201)
  await send('GET', '/v1/posts', undefined, { authorization: `Bearer ${key}x` })
  await send('GET', '/v1/posts', undefined, { authorization: 'Basic dXNlcjpwYXNz' })
  await send('GET', `/v1/keys?token=${encodeURIComponent('not-a-secret')}`)

  const boom = await send('GET', '/v1/boom', undefined, {})
  t.equal(boom.statusCode, 500)
  t.notMatch(boom.body, /exploded|at .+:\d+:\d+|\.ts\b|node_modules/, 'a 500 shows neither the message nor a stack')
  t.match(boom.json(), { code: 'INTERNAL', request_id: String })

  const publicBodies: string[] = [boom.body]
  for (const url of ['/v1/posts', `/v1/posts/${post.id}`, `/v1/posts/${post.id}/comments`, '/v1/authors', `/v1/authors/${author.id}`, '/v1/site', '/v1/changes', '/openapi.json', '/feeds/rss.xml', '/feeds/atom.xml', '/feeds/feed.json']) {
    const res = await app.inject(url)
    if (res.statusCode === 404 && url.startsWith('/feeds')) continue
    t.equal(res.statusCode, 200, `${url} answers`)
    publicBodies.push(res.body)
  }
  const submitted = comment.body
  for (const body of [...publicBodies, submitted]) {
    for (const secret of [...secrets, ...emails]) t.notOk(body.includes(secret), `no ${secret.slice(0, 12)}… in a public body`)
  }

  t.ok(lines.length > 10, `${lines.length} log lines captured`)
  const leaks = lines.filter((line) => [...secrets, ...emails].some((s) => line.includes(s)) || /bearer\s+\S{8,}/i.test(line))
  t.same(leaks.map((l) => l.slice(0, 200)), [], 'no log line holds a key, token, webhook secret or e-mail')
  t.ok(lines.some((l) => l.includes('unhandled error') && l.includes(boom.json().request_id)), 'the 500 is logged with its request id for the operator')
})
