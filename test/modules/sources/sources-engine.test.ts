import t from 'tap'
import { adminAuth, buildTestApp } from '../../helper.js'
import { sqliteHarness } from '../../helpers/engine-harness.js'
import { sourcesCases } from '../../helpers/sources-cases.js'

// Feed subscriptions' engine-neutral repository, service and poller on SQLite; the same cases
// run on PostgreSQL in test/db/pg-sources.test.ts.

t.test('sources repository, service and poller on SQLite', async (t) => {
  await sourcesCases(t, sqliteHarness(t))
})

t.test('over HTTP: NUL in a source is a 400, ids past the integer range a 404, never a 500', async (t) => {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true' })
  await app.core.workers.sources.stop()
  const nul = await app.inject({ method: 'POST', url: '/v1/sources', headers: adminAuth, payload: { feed_url: 'https://wire.example.com/feed.xml', name: 'a\u0000b' } })
  t.equal(nul.statusCode, 400)
  t.match(nul.headers['content-type'], /^application\/problem\+json/)
  for (const [method, url] of [['GET', '/v1/sources/2147483648'], ['PATCH', '/v1/sources/9007199254740991'], ['DELETE', '/v1/sources/2147483648'], ['POST', '/v1/sources/2147483648/poll'], ['GET', '/v1/sources/2147483648/runs']] as const) {
    const res = await app.inject({ method, url, headers: adminAuth, ...(method === 'PATCH' ? { payload: { name: 'x' } } : {}) })
    t.equal(res.statusCode, 404, `${method} ${url}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
  }
})
