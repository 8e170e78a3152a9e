import t from 'tap'
import { openPg, runPgMigrations, type PgDb } from '../../src/db/pg/client.js'
import { createPgInvalidations, type PgInvalidations } from '../../src/db/pg/invalidations.js'
import * as pgs from '../../src/db/pg/schema.js'
import { withPgTransaction } from '../../src/db/pg/transaction.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// src/db/pg/invalidations.ts: the surface of src/db/invalidations.ts on PostgreSQL, for two
// servers on one database. A write's keys are applied and announced (purged) by its server at
// commit, applied (not announced) by the other from its notification; memo stamps move; a
// scheduled post goes live on both at its time, by their timers.

const goLiveKeys = (ids: number[]) => [...ids.map((id) => `post-${id}`), 'posts']

/** Waits until `check` holds, looking every 10 ms for up to `ms`. */
async function until (check: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; !check() && waited < ms; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10))
  return check()
}

t.test('invalidations across two servers on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('invalidations')
  await runPgMigrations(url)
  const servers = ['a', 'b'].map((origin) => {
    const db: PgDb = openPg(url, { max: 2 })
    const inv: PgInvalidations = createPgInvalidations(db, { url, origin, goLiveKeys, onError: (e) => { t.fail(e.message) } })
    const applied: Array<{ keys: readonly string[], cause: string }> = []
    const purged: Array<readonly string[]> = []
    inv.onInvalidated((keys, cause) => applied.push({ keys, cause }))
    inv.onAnnounced((keys) => purged.push(keys))
    return { origin, db, inv, applied, purged }
  })
  const [a, b] = servers
  await Promise.all(servers.map(async (s) => { await s.inv.start() }))
  t.teardown(async () => {
    for (const s of servers) {
      await s.inv.stop()
      await s.db.$client.end()
    }
  })
  const clear = () => { for (const s of servers) { s.applied.length = 0; s.purged.length = 0 } }
  const NOW = Date.now()
  await a.db.insert(pgs.authors).values({ id: 1, slug: 'a', name: 'A', createdAt: NOW, updatedAt: NOW })

  t.test('a write: applied and purged by its server at commit, applied by the other within 1 s', async (t) => {
    const stampB = b.inv.stampFor(['post-1'])
    const otherStampB = b.inv.stampFor(['tags'])
    const before = [stampB(), otherStampB()]
    const keys = ['post-1', 'posts']
    await withPgTransaction(a.db, async (tx) => {
      await tx.insert(pgs.posts).values({ id: 1, slug: 'p1', title: 'P1', status: 'published', publishedAt: NOW - 1000, authorId: 1, createdAt: NOW, updatedAt: NOW })
      await a.inv.record(tx, keys, Date.now())
    })
    a.inv.committed(keys)
    t.same(a.applied, [{ keys, cause: 'write' }], 'its server at once')
    t.same(a.purged, [keys], 'and purged by it')
    t.ok(await until(() => b.applied.length > 0, 1000), 'the other server within 1 s')
    t.same(b.applied, [{ keys, cause: 'write' }])
    t.same(b.purged, [], 'not purged twice')
    t.not(stampB(), before[0], 'a memo stamped by post-1 moved')
    t.equal(otherStampB(), before[1], 'one stamped by other keys did not')
    await Promise.all(servers.map(async (s) => { await s.inv.settled() }))
    t.equal(a.applied.length + b.applied.length, 2, 'no go-live invented for a post already live')
    clear()
  })

  t.test('a scheduled post goes live on both servers at its time', async (t) => {
    const at = Date.now() + 1500
    const keys = ['post-2', 'posts']
    await withPgTransaction(a.db, async (tx) => {
      await tx.insert(pgs.posts).values({ id: 2, slug: 'p2', title: 'P2', status: 'published', publishedAt: at, authorId: 1, createdAt: NOW, updatedAt: NOW })
      await a.inv.record(tx, keys, Date.now())
    })
    a.inv.committed(keys)
    t.ok(await until(() => servers.every((s) => s.applied.some((x) => x.cause === 'time')), 10_000), 'both applied the go-live')
    t.ok(Date.now() >= at, 'not before its time')
    for (const s of servers) t.same(s.applied.filter((x) => x.cause === 'time'), [{ keys: ['post-2', 'posts'], cause: 'time' }], `server ${s.origin}`)
    clear()
  })

  t.test('invalidate outside a write reaches the other server', async (t) => {
    await b.inv.invalidate(['site'])
    t.same(b.purged, [['site']])
    t.ok(await until(() => a.applied.length > 0, 1000))
    t.same(a.applied, [{ keys: ['site'], cause: 'write' }])
    t.same(a.purged, [])
  })
})
