import t from 'tap'
import { createExportRepository } from '../../../src/modules/export/export-repository.js'
import { exportDatabase, exportRepositoryCases } from '../../helpers/export-cases.js'

// The export repository on SQLite; the same cases run on PostgreSQL in test/db/pg-export.test.ts.

t.test('export repository on SQLite', async (t) => {
  const db = exportDatabase()
  t.teardown(() => db.$client.close())
  await exportRepositoryCases(t, createExportRepository({ engine: 'sqlite', db }))
})
