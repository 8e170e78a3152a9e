import t from 'tap'
import { openDatabase } from '../../../src/db/client.js'
import { runMigrations } from '../../../src/db/migrate.js'
import { authors, categories, postCategories, posts, postSeo } from '../../../src/db/schema.js'
import { createSitemapsRepository } from '../../../src/modules/sitemaps/sitemaps-repository.js'
import { SITEMAP_ROWS, sitemapsRepositoryCases } from '../../helpers/sitemaps-cases.js'

// The sitemaps repository on SQLite; the same cases run on PostgreSQL in test/db/pg-sitemaps.test.ts.

t.test('sitemaps repository on SQLite', async (t) => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.$client.close())
  runMigrations(db)
  db.insert(authors).values(SITEMAP_ROWS.authors).run()
  db.insert(categories).values(SITEMAP_ROWS.categories).run()
  db.insert(posts).values(SITEMAP_ROWS.posts).run()
  db.insert(postSeo).values(SITEMAP_ROWS.postSeo).run()
  db.insert(postCategories).values(SITEMAP_ROWS.postCategories).run()
  await sitemapsRepositoryCases(t, createSitemapsRepository({ engine: 'sqlite', db }))
})
