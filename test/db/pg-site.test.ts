import t from 'tap'
import { asc, sql } from 'drizzle-orm'
import { pgChangeLogListener } from '../../src/db/pg/change-log.js'
import { openPg, runPgMigrations } from '../../src/db/pg/client.js'
import * as pgs from '../../src/db/pg/schema.js'
import { createPgChangeBus } from '../../src/db/pg/write.js'
import { createEngineWriter } from '../../src/db/engine-write.js'
import { keysForChanges } from '../../src/modules/cache-keys.js'
import { createSiteRepository } from '../../src/modules/site/site-repository.js'
import { siteCases } from '../helpers/site-cases.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// The site module on PostgreSQL through the engine-neutral writer: the cases test/modules/site/
// runs on SQLite, with the change log written under its turn (src/db/pg/change-log.ts) and the
// invalidations row of the PostgreSQL writer.

t.test('site repository and service on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('site')
  await runPgMigrations(url)
  const db = openPg(url, { max: 4 })
  t.teardown(async () => { await db.$client.end() })
  await db.insert(pgs.siteSettings).values({ id: 1, title: 'Broadsheet', updatedAt: Date.now() })
  const bus = createPgChangeBus()
  bus.onSettle(pgChangeLogListener())
  const told: string[][] = []
  const { write } = createEngineWriter({
    engine: 'postgres',
    db,
    bus,
    keysOf: keysForChanges,
    origin: 'site-test',
    invalidations: { committed: (keys) => { if (keys.length > 0) told.push([...keys]) } }
  })
  const repo = createSiteRepository({ engine: 'postgres', db })
  await siteCases(t, {
    repo,
    write,
    told,
    changeLog: async () => await db.select({ resource: pgs.changes.resource, resourceId: pgs.changes.resourceId, action: pgs.changes.action, changedAt: pgs.changes.changedAt }).from(pgs.changes).orderBy(asc(pgs.changes.id)),
    invalidationRows: async () => (await db.select({ keys: pgs.invalidations.keys }).from(pgs.invalidations).orderBy(asc(pgs.invalidations.id))).map((r) => r.keys)
  })

  // SQLite's writes take turns on the file; here two servers' writes run at once, so the read a
  // write merges into must hold the row, or the second write stores the first one's stale fields.
  t.test('a write\'s read holds the row: a second write reads it only once the first committed', async (t) => {
    let holdFirst!: () => void
    const held = new Promise<void>((resolve) => { holdFirst = resolve })
    let firstRead!: () => void
    const read = new Promise<void>((resolve) => { firstRead = resolve })
    const first = write(async (tx, emit, now) => {
      const row = await repo.read(tx)
      firstRead()
      await held
      await repo.update(tx, { ...row, title: 'First', updatedAt: now })
      emit({ kind: 'site' })
    })
    await read
    const second = write(async (tx, emit, now) => {
      const row = await repo.read(tx)
      await repo.update(tx, { ...row, description: 'Second', updatedAt: now })
      emit({ kind: 'site' })
    })
    let waited = false
    for (let i = 0; i < 200 && !waited; i++) {
      const [r] = (await db.execute<{ n: number }>(sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)).rows
      waited = r.n > 0
      if (!waited) await new Promise((resolve) => setTimeout(resolve, 10))
    }
    t.ok(waited, 'the second write waits on the row')
    holdFirst()
    await Promise.all([first, second])
    t.match(await repo.read(), { title: 'First', description: 'Second' }, 'neither lost')
  })
})
