import t from 'tap'
import { buildTestApp } from '../../helper.js'

t.test('liveness and readiness answer ok, never cached', async (t) => {
  const app = await buildTestApp(t)
  for (const url of ['/health', '/ready']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 200, url)
    t.same(res.json(), { status: 'ok' })
    t.equal(res.headers['cache-control'], 'no-store')
  }
})

t.test('readiness is a 503 problem when the database does not answer', async (t) => {
  const app = await buildTestApp(t)
  app.db.$client.close()
  const res = await app.inject('/ready')
  t.equal(res.statusCode, 503)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.equal((await app.inject('/health')).statusCode, 200, 'the process still answers')
})
