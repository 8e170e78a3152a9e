import t from 'tap'
import { openPg, runPgMigrations } from '../../src/db/pg/client.js'
import * as pgs from '../../src/db/pg/schema.js'
import { createRedirectsRepository } from '../../src/modules/redirects/redirects-repository.js'
import { REDIRECT_ROWS, redirectsRepositoryCases } from '../helpers/redirects-cases.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// The redirects repository on PostgreSQL: the cases test/modules/redirects/ runs on SQLite.

t.test('redirects repository on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('redirects')
  await runPgMigrations(url)
  const db = openPg(url, { max: 2 })
  t.teardown(async () => { await db.$client.end() })
  await db.insert(pgs.authors).values(REDIRECT_ROWS.authors)
  await db.insert(pgs.posts).values(REDIRECT_ROWS.posts)
  await db.insert(pgs.legacyUrls).values(REDIRECT_ROWS.legacyUrls)
  await redirectsRepositoryCases(t, createRedirectsRepository({ engine: 'postgres', db }))
})
