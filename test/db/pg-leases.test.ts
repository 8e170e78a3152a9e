import t from 'tap'
import { eq, sql } from 'drizzle-orm'
import { openPg, runPgMigrations, type PgDb } from '../../src/db/pg/client.js'
import { claimDeliveries, claimSources, releaseSource, settleDelivery, takeScheduled, type PgExecutor } from '../../src/db/pg/leases.js'
import * as pgs from '../../src/db/pg/schema.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// Leases on PostgreSQL (src/db/pg/leases.ts): claimers on separate connections — as API
// processes on several machines would be — never get the same webhook delivery, feed source or
// scheduled event, and a claimer does not wait for rows another one holds (SKIP LOCKED).

const NOW = Date.UTC(2026, 5, 1)
const LEASE = 60_000
const stamp = { createdAt: NOW, updatedAt: NOW }

/** Claims with `claim` until it returns nothing, collecting the ids. */
async function drain (claim: () => Promise<Array<{ id: number }>>): Promise<number[]> {
  const ids: number[] = []
  for (;;) {
    const rows = await claim()
    if (rows.length === 0) return ids
    ids.push(...rows.map((r) => r.id))
  }
}

t.test('leases with FOR UPDATE SKIP LOCKED', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('leases')
  await runPgMigrations(url)
  // Two pools: two "servers", each with its own connections.
  const a: PgDb = openPg(url, { max: 2 })
  const b: PgDb = openPg(url, { max: 2 })
  t.teardown(async () => { await a.$client.end(); await b.$client.end() })

  await a.insert(pgs.webhooks).values([
    { id: 1, url: 'https://example.com/hook', events: ['post.published'], secret: 's1', ...stamp },
    { id: 2, url: 'https://example.com/paused', events: ['post.published'], secret: 's2', active: false, ...stamp }])
  const DELIVERIES = 300
  await a.insert(pgs.webhookDeliveries).values(Array.from({ length: DELIVERIES }, (_, i) => ({ webhookId: 1, event: 'post.published' as const, payload: '{}', nextAttemptAt: NOW - i, ...stamp })))
  await a.insert(pgs.webhookDeliveries).values({ webhookId: 2, event: 'post.published', payload: '{}', nextAttemptAt: NOW - 1000, ...stamp })

  t.test('two connections claiming deliveries at once never get the same one', async (t) => {
    const [byA, byB] = await Promise.all([
      drain(async () => await claimDeliveries(a, NOW, 7, LEASE)),
      drain(async () => await claimDeliveries(b, NOW, 7, LEASE))])
    t.equal(byA.filter((id) => byB.includes(id)).length, 0, 'no delivery claimed twice')
    t.equal(new Set([...byA, ...byB]).size, DELIVERIES, 'every due delivery of the active webhook claimed, once')
    t.equal(byA.length + byB.length, DELIVERIES)
    t.ok(byA.length > 0 && byB.length > 0, `both claimed some (${byA.length} and ${byB.length})`)
    const [row] = await a.select().from(pgs.webhookDeliveries).where(eq(pgs.webhookDeliveries.id, byA[0]))
    t.match(row, { attempts: 1, nextAttemptAt: NOW + LEASE, status: 'pending' }, 'a lease is an attempt and pushes the next one past the lease')
    t.same(await claimDeliveries(a, NOW, 10, LEASE), [], 'leased deliveries are not due again before the lease ends')
  })

  t.test('a claimer passes over the rows another holds instead of waiting, and gets them once released', async (t) => {
    const later = NOW + LEASE + 1 // every lease has run out
    const client = await a.$client.connect()
    try {
      await client.query('begin')
      // The holder claims inside an open transaction: its rows stay locked until it ends.
      const held = (await client.query('select id from webhook_deliveries where status = $1 and next_attempt_at <= $2 order by next_attempt_at, id limit 5 for update skip locked', ['pending', later])).rows.map((r: { id: number }) => r.id)
      t.equal(held.length, 5)
      const other = await b.transaction(async (tx) => {
        // Waiting would fail the test after 5 s instead of hanging it.
        await tx.execute(sql`set local lock_timeout = '5s'`)
        return await claimDeliveries(tx as unknown as PgExecutor, later, 5, LEASE)
      })
      t.equal(other.length, 5, 'the other claimer got five rows at once')
      t.same(other.filter((d) => held.includes(d.id)), [], 'none of the held ones')
      t.match(other[0], { url: 'https://example.com/hook', secret: 's1', attempts: 2 }, 'with the webhook\'s URL and secret')
      await client.query('rollback')
    } finally {
      client.release()
    }
    const after = await claimDeliveries(b, later, 5, LEASE)
    t.ok(after.length === 5, 'released rows are claimable again')
  })

  t.test('a paused webhook\'s deliveries wait; results are fenced by the attempt', async (t) => {
    const far = NOW + 10 * LEASE
    const all = await drain(async () => await claimDeliveries(a, far, 100, LEASE))
    t.equal(all.length, DELIVERIES, 'the paused webhook\'s delivery is never claimed')
    const [first] = await a.select().from(pgs.webhookDeliveries).where(eq(pgs.webhookDeliveries.id, all[0]))
    t.equal(await settleDelivery(a, { id: first.id, attempts: first.attempts - 1 }, { status: 'succeeded', code: 200 }, far), false, 'an older attempt cannot write')
    t.equal(await settleDelivery(a, first, { status: 'succeeded', code: 200 }, far), true, 'the current one can')
    t.equal(await settleDelivery(a, first, { status: 'failed', code: 500, error: 'x', next: null }, far), false, 'once only')
    const [done] = await a.select().from(pgs.webhookDeliveries).where(eq(pgs.webhookDeliveries.id, first.id))
    t.match(done, { status: 'succeeded', lastStatusCode: 200, deliveredAt: far, nextAttemptAt: null })
  })

  t.test('two connections claiming feed sources at once never get the same one; a lost lease cannot write', async (t) => {
    const SOURCES = 120
    await a.insert(pgs.sources).values(Array.from({ length: SOURCES }, (_, i) => ({ feedUrl: `https://example.com/${i}.xml`, name: `S${i}`, categoryIds: [], tagIds: [], nextPollAt: NOW - i, ...stamp })))
    await a.insert(pgs.sources).values({ feedUrl: 'https://example.com/off.xml', name: 'off', categoryIds: [], tagIds: [], enabled: false, nextPollAt: NOW - 1, ...stamp })
    const [byA, byB] = await Promise.all([
      drain(async () => await claimSources(a, NOW, 3, LEASE)),
      drain(async () => await claimSources(b, NOW, 3, LEASE))])
    t.equal(byA.filter((id) => byB.includes(id)).length, 0, 'no source claimed twice')
    t.equal(byA.length + byB.length, SOURCES, 'every enabled due source, once')
    t.ok(byA.length > 0 && byB.length > 0, `both claimed some (${byA.length} and ${byB.length})`)
    t.equal(await releaseSource(a, byA[0], NOW + LEASE + 1, { nextPollAt: NOW + 3_600_000 }, NOW), false, 'another lease\'s release writes nothing')
    t.equal(await releaseSource(a, byA[0], NOW + LEASE, { nextPollAt: NOW + 3_600_000, etag: '"e"' }, NOW), true)
    const [row] = await a.select().from(pgs.sources).where(eq(pgs.sources.id, byA[0]))
    t.match(row, { leaseUntil: null, etag: '"e"', lastPolledAt: NOW, nextPollAt: NOW + 3_600_000 })
    const expired = await claimSources(b, NOW + LEASE + 1, 500, LEASE)
    t.equal(expired.length, SOURCES - 1, 'leases that ran out are claimed again; the released source is not due')
  })

  t.test('scheduled events go live once however many servers tick at once', async (t) => {
    await a.insert(pgs.authors).values({ id: 1, slug: 'a', name: 'A', ...stamp })
    await a.insert(pgs.posts).values(Array.from({ length: 50 }, (_, i) => ({ id: i + 1, slug: `p${i}`, title: 'T', status: 'published' as const, publishedAt: NOW + i, authorId: 1, ...stamp })))
    await a.insert(pgs.scheduledEvents).values(Array.from({ length: 50 }, (_, i) => ({ postId: i + 1, event: 'post.published' as const, dueAt: NOW + i })))
    const taken = await Promise.all([a, b, a, b].map(async (db) => await drain(async () => (await takeScheduled(db, NOW + 100, 4)).map((e) => ({ id: e.postId })))))
    const all = taken.flat()
    t.equal(all.length, 50, 'fifty events taken')
    t.equal(new Set(all).size, 50, 'each once')
  })
})
