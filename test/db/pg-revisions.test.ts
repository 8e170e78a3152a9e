import t from 'tap'
import { revisionsCases } from '../helpers/revisions-cases.js'
import { pgHarness } from '../helpers/engine-harness.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// Revisions on PostgreSQL: the cases test/modules/revisions/revisions-engine.test.ts runs on
// SQLite, through the engine-neutral writer.

t.test('revisions repository on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('revisions')
  await revisionsCases(t, await pgHarness(t, url, 'revisions-test'))
})
