import t from 'tap'
import { asc, sql } from 'drizzle-orm'
import * as pgs from '../../src/db/pg/schema.js'
import { createPagesRepository } from '../../src/modules/pages/pages-repository.js'
import { createPagesService } from '../../src/modules/pages/pages-service.js'
import { pagesCases } from '../helpers/pages-cases.js'
import { pgHarness } from '../helpers/engine-harness.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// Pages on PostgreSQL: the cases test/modules/pages/pages-engine.test.ts runs on SQLite, through
// the engine-neutral writer, with the PostgreSQL change log wired (page entries by their own
// state, a scheduled page's future entry replaced by each write); then what only PostgreSQL
// can do: two writes open at once for one slug.

t.test('pages repository and service on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('pages')
  const h = await pgHarness(t, url, 'pages-test')
  await pagesCases(t, { ...h, recordedKeys: async () => (await h.db.select({ keys: pgs.invalidations.keys }).from(pgs.invalidations).orderBy(asc(pgs.invalidations.id))).map((r) => r.keys) })

  t.test('a slug a concurrent write took after the check is a 409 (the unique index), never a 500', async (t) => {
    const repo = createPagesRepository(h.edb)
    const service = createPagesService({ repo, write: h.write, stamp: () => String(Math.random()), iframeHosts: [] })
    let release!: () => void
    const gate = new Promise<void>((resolve) => { release = resolve })
    let inserted!: () => void
    const ready = new Promise<void>((resolve) => { inserted = resolve })
    // Holds its uncommitted row: the create below finds the slug free, then waits on the index.
    const held = h.write(async (tx, _emit, now) => {
      await repo.insert(tx, { title: 'Held', slug: 'held', contentHtml: '', excerpt: '', status: 'draft', publishedAt: null, createdAt: now, updatedAt: now })
      inserted()
      await gate
    })
    await ready
    const racing = service.create({ title: 'Racing', slug: 'held' }).then(() => undefined, (err: { statusCode?: number }) => err.statusCode ?? 500)
    let waiting = false
    for (let i = 0; i < 500 && !waiting; i++) {
      const [r] = (await h.db.execute<{ n: number }>(sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)).rows
      waiting = r.n > 0
      if (!waiting) await new Promise((resolve) => setTimeout(resolve, 10))
    }
    t.ok(waiting, 'the create waits on the held row')
    release()
    await held
    t.equal(await racing, 409)
    t.equal((await service.find('held', 'any', Date.now()))?.row.title, 'Held', 'the first write kept it')
  })
})
