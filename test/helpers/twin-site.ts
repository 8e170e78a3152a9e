import { readFileSync } from 'node:fs'
import type { Test } from 'tap'
import { openPg, runPgMigrations, type PgDb } from '../../src/db/pg/client.js'
import { copySqliteToPg } from '../../src/db/pg/copy.js'
import { seedDemo } from '../../src/demo/seed-demo.js'
import { adminAuth, buildTestApp } from '../helper.js'
import type { PgCluster } from './pg-cluster.js'

// One site on both engines, for answers compared byte for byte: made on SQLite through the app
// (the demo content, then two WordPress files imported: threads, co-authors, pages, menus, SEO),
// then copied into PostgreSQL by `migrate-to`'s copy (src/db/pg/copy.ts), which verifies every
// table by count and hash.

export type TwinApp = Awaited<ReturnType<typeof buildTestApp>>

/** The SQLite app (open until the test ends) and a pool on its PostgreSQL copy. */
export async function twinSite (t: Test, cluster: PgCluster, name: string): Promise<{ app: TwinApp, pg: PgDb }> {
  const app = await buildTestApp(t)
  await seedDemo(app.core)
  for (const file of ['blog-1.1.xml', 'markup-1.2.xml', 'pages-menus-seo.xml']) {
    const body = readFileSync(new URL(`../fixtures/wxr/${file}`, import.meta.url))
    const res = await app.inject({ method: 'POST', url: '/v1/imports/wxr', headers: { ...adminAuth, 'content-type': 'application/xml', prefer: 'wait=60' }, payload: body })
    if (res.statusCode !== 200) throw new Error(`${file}: ${res.statusCode} ${res.body}`)
  }
  const url = await cluster.createDatabase(name)
  await runPgMigrations(url)
  const pg = openPg(url, { max: 4 })
  t.teardown(async () => { await pg.$client.end() })
  await copySqliteToPg(app.core.db, pg)
  return { app, pg }
}
