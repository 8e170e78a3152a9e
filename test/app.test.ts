import t from 'tap'
import { buildTestApp } from './helper.js'

t.test('health and readiness', async (t) => {
  const app = await buildTestApp(t)
  const health = await app.inject('/health')
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'ok' })
  const ready = await app.inject('/ready')
  t.equal(ready.statusCode, 200)
  app.db.$client.close()
  const down = await app.inject('/ready')
  t.equal(down.statusCode, 503)
})

t.test('unknown routes are 404 problems', async (t) => {
  const app = await buildTestApp(t)
  for (const url of ['/nope', '/v1/unknown', '/v2/posts', '/v1/posts/x/y/z']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 404, url)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(res.json(), { type: /route-not-found$/, title: 'Not Found', status: 404, code: 'ROUTE_NOT_FOUND', detail: String })
  }
  const method = await app.inject({ method: 'PUT', url: '/v1/posts' })
  t.equal(method.statusCode, 404)
})

t.test('an unexpected error is a 500 problem without details or stack', async (t) => {
  const app = await buildTestApp(t)
  app.db.$client.prepare('DROP TABLE site_settings').run()
  const res = await app.inject('/v1/site')
  t.equal(res.statusCode, 500)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.notMatch(res.body, /site_settings|SqliteError|at .*\.ts/)
  t.type(res.json().request_id, 'string')
})

t.test('odd paths and Unicode never make a 500', async (t) => {
  const app = await buildTestApp(t)
  const urls = ['/v1/posts/%00', '/v1/posts/..%2F..%2Fetc%2Fpasswd', '/v1/posts/%E2%80%AE', '/v1/posts/' + 'a'.repeat(600),
    '/v1/posts/%FF', "/v1/posts/'%20OR%201=1", '/v1/categories/%F0%9F%98%80', '/v1/posts?tag=%00', '/v1/posts?category=' + 'x'.repeat(300)]
  for (const url of urls) {
    const res = await app.inject(url)
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${url.slice(0, 60)} → ${res.statusCode}`)
  }
})

t.test('CORS exposes the pagination headers', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ url: '/v1/posts', headers: { origin: 'https://front.example' } })
  t.equal(res.headers['access-control-allow-origin'], '*')
  t.match(res.headers['access-control-expose-headers'], /Link/)
  t.match(res.headers['access-control-expose-headers'], /X-Total-Count/)
  const limited = await buildTestApp(t, { CORS_ORIGINS: 'https://front.example' })
  const other = await limited.inject({ url: '/v1/posts', headers: { origin: 'https://evil.example' } })
  t.equal(other.headers['access-control-allow-origin'], undefined)
  const ok = await limited.inject({ url: '/v1/posts', headers: { origin: 'https://front.example' } })
  t.equal(ok.headers['access-control-allow-origin'], 'https://front.example')
})
