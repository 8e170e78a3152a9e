import t from 'tap'
import { openDatabase } from '../../../src/db/client.js'
import { runMigrations } from '../../../src/db/migrate.js'
import * as s from '../../../src/db/schema.js'
import { createTermVisibility } from '../../../src/db/term-visibility.js'
import { createChangesRepository } from '../../../src/modules/changes/changes-repository.js'
import { CHANGE_ROWS, changeLogCases } from '../../helpers/changes-cases.js'

// The change log's reads on SQLite; the same cases run on PostgreSQL in test/db/pg-changes.test.ts.

t.test('change log reads on SQLite', async (t) => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.$client.close())
  runMigrations(db)
  db.insert(s.authors).values(CHANGE_ROWS.authors).run()
  db.insert(s.categories).values(CHANGE_ROWS.categories).run()
  db.insert(s.tags).values(CHANGE_ROWS.tags).run()
  db.insert(s.posts).values(CHANGE_ROWS.posts).run()
  db.insert(s.postCategories).values(CHANGE_ROWS.postCategories).run()
  db.insert(s.postTags).values(CHANGE_ROWS.postTags).run()
  db.insert(s.postAuthors).values(CHANGE_ROWS.postAuthors).onConflictDoNothing().run()
  db.delete(s.changes).run()
  db.insert(s.changes).values(CHANGE_ROWS.changes).run()
  await changeLogCases(t, createChangesRepository({ engine: 'sqlite', db }, createTermVisibility(db)))
})
