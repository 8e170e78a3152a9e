import t from 'tap'
import { openPg } from '../../src/db/pg/client.js'
import { createSourcePoller } from '../../src/modules/sources/sources-poller.js'
import { createSourcesRepository } from '../../src/modules/sources/sources-repository.js'
import { pgHarness } from '../helpers/engine-harness.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'
import { emptySummary, feedServer, seedSource, sourcesCases } from '../helpers/sources-cases.js'

// Feed subscriptions on PostgreSQL: the cases test/modules/sources/sources-engine.test.ts runs on
// SQLite, then two servers' pollers (two pools) on one database: each due source
// is claimed, and fetched, once per turn.

t.test('sources repository, service and poller on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('sources')
  const h = await pgHarness(t, url, 'sources-a')
  await sourcesCases(t, h)

  await t.test('two servers polling one database claim and fetch each due source once per turn', async (t) => {
    const other = openPg(url, { max: 4 })
    t.teardown(async () => { await other.$client.end() })
    const repoA = createSourcesRepository(h.edb)
    const repoB = createSourcesRepository({ engine: 'postgres', db: other })
    const feed = await feedServer(t)
    const now = Date.now()
    const SOURCES = 24
    for (let i = 0; i < SOURCES; i++) await seedSource(h, repoA, now - 1000 - i, { feedUrl: `${feed.base}/${i}.xml`, name: `S${i}` })

    // The claims alone, many at once from both pools.
    const claims = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      return await (i % 2 === 0 ? repoA : repoB).claim(now, 4, 60_000)
    }))
    const ids = claims.flat().map((r) => r.id)
    t.equal(new Set(ids).size, ids.length, 'no source claimed twice')
    t.equal(ids.length, SOURCES, 'every due source claimed')
    t.same(await repoB.claim(now, 100, 60_000), [], 'all leased')

    // Then whole pollers: the leases above have run out by their clock.
    const clock = () => now + 120_000
    const opts = { allowPrivate: true, maxFailures: 3, timeoutMs: 5000, batchSize: 5, now: clock }
    const pollers = [createSourcePoller(repoA, async () => emptySummary(), opts), createSourcePoller(repoB, async () => emptySummary(), opts)]
    let polled = 0
    for (let turn = 0; turn < 10; turn++) {
      const done = await Promise.all([...pollers, ...pollers].map(async (p) => await p.tick()))
      const n = done.reduce((sum, d) => sum + d.polled, 0)
      polled += n
      if (n === 0) break
    }
    t.equal(polled, SOURCES, 'each source polled once')
    t.equal(feed.total(), SOURCES, 'each feed fetched once')
    t.ok([...feed.state.hits.values()].every((n) => n === 1))
    const rows = await repoA.list(100, 0)
    t.ok(rows.every((r) => r.leaseUntil === null && r.lastPolledAt === clock() && r.consecutiveFailures === 0), 'every lease released with its result')
    t.equal((await Promise.all(rows.map(async (r) => await repoA.countRuns(r.id)))).reduce((a, b) => a + b, 0), SOURCES, 'one run each')
  })
})
