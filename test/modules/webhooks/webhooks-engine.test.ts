import t from 'tap'
import { webhookDeliveries } from '../../../src/db/schema.js'
import { adminAuth, buildTestApp } from '../../helper.js'
import { sqliteHarness } from '../../helpers/engine-harness.js'
import { webhooksCases } from '../../helpers/webhooks-cases.js'

// Webhooks' engine-neutral repository and service on SQLite; the same cases run on PostgreSQL
// in test/db/pg-webhooks.test.ts.

t.test('webhooks repository and service on SQLite', async (t) => {
  const h = sqliteHarness(t)
  const { db } = h
  await webhooksCases(t, {
    ...h,
    enqueue: async (webhookId, event, at) => db.insert(webhookDeliveries).values({
      webhookId, event, payload: JSON.stringify({ event }), status: 'pending', attempts: 0, nextAttemptAt: at, createdAt: at, updatedAt: at
    }).returning({ id: webhookDeliveries.id }).get().id
  })
})

t.test('over HTTP: NUL is a 400 on writes, ids past the integer range 404s, never a 500', async (t) => {
  const app = await buildTestApp(t)
  await app.core.workers.webhooks.stop()
  const made = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: adminAuth, payload: { url: 'https://93.184.216.34/hook', events: ['post.published'] } })
  t.equal(made.statusCode, 201, made.body)
  const { id } = made.json().data
  const bad = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${id}`, headers: adminAuth, payload: { description: 'a\u0000b' } })
  t.equal(bad.statusCode, 400, 'a PATCH holding NUL')
  t.match(bad.headers['content-type'], /^application\/problem\+json/)
  for (const [method, url] of [['GET', '/v1/webhooks/2147483648'], ['DELETE', '/v1/webhooks/9007199254740991'], ['GET', '/v1/webhooks/2147483648/deliveries'],
    ['POST', `/v1/webhooks/${id}/deliveries/2147483648/retry`], ['POST', '/v1/webhooks/2147483648/rotate-secret']] as const) {
    const res = await app.inject({ method, url, headers: adminAuth })
    t.equal(res.statusCode, 404, `${method} ${url}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
  }
})
