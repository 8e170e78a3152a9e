import t from 'tap'
import { openPg, runPgMigrations } from '../../src/db/pg/client.js'
import * as pgs from '../../src/db/pg/schema.js'
import { createChangeLogReads } from '../../src/modules/changes/changes-repository.js'
import { CHANGE_ROWS, changeLogCases } from '../helpers/changes-cases.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// The change log's reads on PostgreSQL: the cases test/modules/changes/ runs on SQLite.

t.test('change log reads on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('changes')
  await runPgMigrations(url)
  const db = openPg(url, { max: 2 })
  t.teardown(async () => { await db.$client.end() })
  await db.insert(pgs.authors).values(CHANGE_ROWS.authors)
  await db.insert(pgs.categories).values(CHANGE_ROWS.categories)
  await db.insert(pgs.tags).values(CHANGE_ROWS.tags)
  await db.insert(pgs.posts).values(CHANGE_ROWS.posts)
  await db.insert(pgs.postCategories).values(CHANGE_ROWS.postCategories)
  await db.insert(pgs.postTags).values(CHANGE_ROWS.postTags)
  await db.insert(pgs.postAuthors).values(CHANGE_ROWS.postAuthors).onConflictDoNothing()
  await db.delete(pgs.changes)
  await db.insert(pgs.changes).values(CHANGE_ROWS.changes)
  await changeLogCases(t, createChangeLogReads({ engine: 'postgres', db }))
})
