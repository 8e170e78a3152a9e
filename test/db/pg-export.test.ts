import t from 'tap'
import { openPg, runPgMigrations } from '../../src/db/pg/client.js'
import { createExportRepository } from '../../src/modules/export/export-repository.js'
import { exportDatabase, exportRepositoryCases, exportText, seedExportPg } from '../helpers/export-cases.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'
import { twinSite } from '../helpers/twin-site.js'

// The export repository on PostgreSQL: the cases test/modules/export/ runs on SQLite, and the
// whole WXR file compared byte for byte with SQLite's over the same rows.

t.test('export repository on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)

  t.test('the shared cases', async (t) => {
    const url = await cluster.createDatabase('export')
    await runPgMigrations(url)
    const db = openPg(url, { max: 2 })
    t.teardown(async () => { await db.$client.end() })
    await seedExportPg(db)
    const repo = createExportRepository({ engine: 'postgres', db })
    await exportRepositoryCases(t, repo)

    const lite = exportDatabase()
    t.teardown(() => lite.$client.close())
    t.equal(await exportText(repo), await exportText(createExportRepository({ engine: 'sqlite', db: lite })), 'the same file as SQLite, byte for byte')
  })

  t.test('a whole site copied from SQLite exports the same file', async (t) => {
    const { app, pg } = await twinSite(t, cluster, 'export_site')
    const fromPg = await exportText(createExportRepository({ engine: 'postgres', db: pg }))
    const fromSqlite = await exportText(createExportRepository({ engine: 'sqlite', db: app.core.db }))
    t.ok((fromSqlite.match(/<item>/g) ?? []).length > 20, 'posts, pages and attachments')
    t.match(fromSqlite, /<wp:comment>/)
    t.equal(fromPg, fromSqlite, 'byte for byte')
  })
})
