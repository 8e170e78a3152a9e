import t from 'tap'
import { pagesCases } from '../helpers/pages-cases.js'
import { pgHarness } from '../helpers/engine-harness.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// Pages on PostgreSQL: the cases test/modules/pages/pages-engine.test.ts runs on SQLite, through
// the engine-neutral writer, with the PostgreSQL change log wired (page entries by their own
// state, a scheduled page's future entry replaced by each write).

t.test('pages repository and service on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('pages')
  await pagesCases(t, await pgHarness(t, url, 'pages-test'))
})
