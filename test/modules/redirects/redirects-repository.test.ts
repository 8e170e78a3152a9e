import t from 'tap'
import { openDatabase } from '../../../src/db/client.js'
import { runMigrations } from '../../../src/db/migrate.js'
import { authors, legacyUrls, posts } from '../../../src/db/schema.js'
import { createRedirectsRepository } from '../../../src/modules/redirects/redirects-repository.js'
import { REDIRECT_ROWS, redirectsRepositoryCases } from '../../helpers/redirects-cases.js'

// The redirects repository on SQLite; the same cases run on PostgreSQL in test/db/pg-redirects.test.ts.

t.test('redirects repository on SQLite', async (t) => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.$client.close())
  runMigrations(db)
  db.insert(authors).values(REDIRECT_ROWS.authors).run()
  db.insert(posts).values(REDIRECT_ROWS.posts).run()
  db.insert(legacyUrls).values(REDIRECT_ROWS.legacyUrls).run()
  await redirectsRepositoryCases(t, createRedirectsRepository({ engine: 'sqlite', db }))
})
