import t from 'tap'
import { openPg, runPgMigrations } from '../../src/db/pg/client.js'
import * as pgs from '../../src/db/pg/schema.js'
import { createSitemapsRepository } from '../../src/modules/sitemaps/sitemaps-repository.js'
import { SITEMAP_ROWS, sitemapsRepositoryCases } from '../helpers/sitemaps-cases.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// The sitemaps repository on PostgreSQL: the cases test/modules/sitemaps/ runs on SQLite.

t.test('sitemaps repository on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('sitemaps')
  await runPgMigrations(url)
  const db = openPg(url, { max: 2 })
  t.teardown(async () => { await db.$client.end() })
  await db.insert(pgs.authors).values(SITEMAP_ROWS.authors)
  await db.insert(pgs.categories).values(SITEMAP_ROWS.categories)
  await db.insert(pgs.posts).values(SITEMAP_ROWS.posts)
  await db.insert(pgs.postSeo).values(SITEMAP_ROWS.postSeo)
  await db.insert(pgs.postCategories).values(SITEMAP_ROWS.postCategories)
  await sitemapsRepositoryCases(t, createSitemapsRepository({ engine: 'postgres', db }))
})
