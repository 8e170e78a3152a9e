import t from 'tap'
import { openDatabase } from '../../../src/db/client.js'
import { runMigrations } from '../../../src/db/migrate.js'
import { authors, posts } from '../../../src/db/schema.js'
import { createFeedItemSources, createFeedsRepository } from '../../../src/modules/feeds/feeds-repository.js'
import { FEED_ROWS, feedsRepositoryCases } from '../../helpers/feeds-cases.js'

// The feeds repository on SQLite; the same cases run on PostgreSQL in test/db/pg-feeds.test.ts.

t.test('feeds repository on SQLite', async (t) => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.$client.close())
  runMigrations(db)
  db.insert(authors).values(FEED_ROWS.authors).run()
  db.insert(posts).values(FEED_ROWS.posts).run()
  await feedsRepositoryCases(t, createFeedsRepository({ engine: 'sqlite', db }))

  t.test('the synchronous reads of the write path give the same answers', async (t) => {
    const sync = createFeedItemSources(db)
    const repo = createFeedsRepository({ engine: 'sqlite', db })
    t.strictSame(sync.bodySizes([1, 2, 3, 4]), await repo.bodySizes([1, 2, 3, 4]))
    t.strictSame(sync.wxrImportKeys([1, 2, 5]), await repo.wxrImportKeys([1, 2, 5]))
    t.equal(sync.idBase('tag:third.example.com,2026:'), 'tag:news.example.com,2026:')
  })
})
