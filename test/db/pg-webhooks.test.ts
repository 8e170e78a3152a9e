import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { eq } from 'drizzle-orm'
import { openPg, type PgDb } from '../../src/db/pg/client.js'
import * as pgs from '../../src/db/pg/schema.js'
import { createWebhooksRepository, type WebhookEvent } from '../../src/modules/webhooks/webhooks-repository.js'
import { createWebhookWorker } from '../../src/modules/webhooks/webhooks-worker.js'
import { pgHarness } from '../helpers/engine-harness.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'
import { webhooksCases } from '../helpers/webhooks-cases.js'

// Webhooks on PostgreSQL: the cases test/modules/webhooks/webhooks-engine.test.ts runs on
// SQLite, through the engine-neutral writer; then two servers (two pools, two repositories and
// two workers on one database) draining one queue at once: each delivery claimed, and sent, once.

t.test('webhooks repository and service on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('webhooks')
  const h = await pgHarness(t, url, 'webhooks-test')
  const { db } = h
  const enqueue = async (webhookId: number, event: WebhookEvent, at: number) => (await db.insert(pgs.webhookDeliveries).values({
    webhookId, event, payload: JSON.stringify({ event }), status: 'pending', attempts: 0, nextAttemptAt: at, createdAt: at, updatedAt: at
  }).returning({ id: pgs.webhookDeliveries.id }))[0].id
  await webhooksCases(t, { ...h, enqueue })

  t.test('two servers claiming at once: each delivery claimed once', async (t) => {
    const a: PgDb = openPg(url, { max: 3 })
    const b: PgDb = openPg(url, { max: 3 })
    t.teardown(async () => { await a.$client.end(); await b.$client.end() })
    const repoA = createWebhooksRepository({ engine: 'postgres', db: a })
    const repoB = createWebhooksRepository({ engine: 'postgres', db: b })
    const now = Date.now()
    const [hook] = await db.insert(pgs.webhooks).values({ url: 'https://93.184.216.34/hook', events: ['post.published'], secret: 's'.repeat(20), createdAt: now, updatedAt: now }).returning()
    const N = 200
    await db.insert(pgs.webhookDeliveries).values(Array.from({ length: N }, (_, i) => ({
      webhookId: hook.id, event: 'post.published' as const, payload: '{"event":"post.published"}', nextAttemptAt: now - i, createdAt: now, updatedAt: now
    })))
    const drain = async (repo: typeof repoA) => {
      const ids: number[] = []
      for (let got = await repo.claim(now, 9, 60_000); got.length > 0; got = await repo.claim(now, 9, 60_000)) ids.push(...got.map((d) => d.id))
      return ids
    }
    const [byA, byB] = await Promise.all([drain(repoA), drain(repoB)])
    t.equal(byA.filter((id) => byB.includes(id)).length, 0, 'no delivery claimed by both')
    t.equal(new Set([...byA, ...byB]).size, N, 'every delivery claimed')
    t.equal(byA.length + byB.length, N, 'each once')
    t.ok(byA.length > 0 && byB.length > 0, `both claimed (${byA.length} and ${byB.length})`)
    await db.delete(pgs.webhooks).where(eq(pgs.webhooks.id, hook.id))
  })

  t.test('two workers sending at once: each delivery sent once, and recorded', async (t) => {
    const received: number[] = []
    const server = createServer((req, res) => {
      received.push(Number(req.headers['x-broadsheet-delivery']))
      req.resume()
      req.on('end', () => { setTimeout(() => { res.writeHead(204).end() }, 5) })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.teardown(() => { server.close() })
    const port = (server.address() as AddressInfo).port
    const a: PgDb = openPg(url, { max: 3 })
    const b: PgDb = openPg(url, { max: 3 })
    t.teardown(async () => { await a.$client.end(); await b.$client.end() })
    const options = { maxAttempts: 3, timeoutMs: 5000, retryBaseMs: 1000, allowPrivate: true, batchSize: 7 }
    const none = { promoteDue: () => 0 }
    const workerA = createWebhookWorker(createWebhooksRepository({ engine: 'postgres', db: a }), none, options)
    const workerB = createWebhookWorker(createWebhooksRepository({ engine: 'postgres', db: b }), none, options)
    const now = Date.now()
    const [hook] = await db.insert(pgs.webhooks).values({ url: `http://127.0.0.1:${port}/hook`, events: ['post.published'], secret: 's'.repeat(20), createdAt: now, updatedAt: now }).returning()
    const N = 60
    await db.insert(pgs.webhookDeliveries).values(Array.from({ length: N }, (_, i) => ({
      webhookId: hook.id, event: 'post.published' as const, payload: '{"event":"post.published"}', nextAttemptAt: now - i, createdAt: now, updatedAt: now
    })))
    const run = async (worker: typeof workerA) => {
      let sent = 0
      for (let r = await worker.tick(); r.attempted > 0; r = await worker.tick()) sent += r.succeeded
      return sent
    }
    const [sentA, sentB] = await Promise.all([run(workerA), run(workerB)])
    t.equal(sentA + sentB, N, `every delivery sent (${sentA} by one, ${sentB} by the other)`)
    t.equal(received.length, N, 'the receiver got each once')
    t.equal(new Set(received).size, N, 'no delivery sent twice')
    const rows = await db.select().from(pgs.webhookDeliveries).where(eq(pgs.webhookDeliveries.webhookId, hook.id))
    t.ok(rows.every((r) => r.status === 'succeeded' && r.attempts === 1 && r.lastStatusCode === 204), 'each succeeded at its first attempt')
  })
})
