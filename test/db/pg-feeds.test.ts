import t from 'tap'
import { openPg, runPgMigrations } from '../../src/db/pg/client.js'
import * as pgs from '../../src/db/pg/schema.js'
import { createFeedsRepository } from '../../src/modules/feeds/feeds-repository.js'
import { FEED_ROWS, feedsRepositoryCases } from '../helpers/feeds-cases.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// The feeds repository on PostgreSQL: the cases test/modules/feeds/ runs on SQLite.

t.test('feeds repository on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('feeds')
  await runPgMigrations(url)
  const db = openPg(url, { max: 2 })
  t.teardown(async () => { await db.$client.end() })
  await db.insert(pgs.authors).values(FEED_ROWS.authors)
  await db.insert(pgs.posts).values(FEED_ROWS.posts)
  await feedsRepositoryCases(t, createFeedsRepository({ engine: 'postgres', db }))

  t.test('two servers minting at once read the same id base', async (t) => {
    const url = await cluster.createDatabase('feeds_mint')
    await runPgMigrations(url)
    const db = openPg(url, { max: 4 })
    t.teardown(async () => { await db.$client.end() })
    const repo = createFeedsRepository({ engine: 'postgres', db })
    const bases = await Promise.all(['a', 'b', 'c', 'd'].map(async (host) => await repo.idBase(`tag:${host}.example.com,2026:`)))
    t.equal(new Set(bases).size, 1, bases.join(' '))
  })
})
