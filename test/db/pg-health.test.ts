import t from 'tap'
import { openPg, runPgMigrations } from '../../src/db/pg/client.js'
import { createHealthRepository } from '../../src/modules/health/health-repository.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// Readiness on PostgreSQL (src/modules/health, ported to both engines): the ping answers while
// the database does, and says no — within its bound, not after a hang — when every connection is
// taken or the pool is closed. test/modules/health/ runs the route on SQLite.

t.test('health repository on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('health')
  await runPgMigrations(url)
  const db = openPg(url, { max: 1 })
  const repo = createHealthRepository({ engine: 'postgres', db }, { timeoutMs: 200 })

  await t.resolves(repo.ping(), 'answers while the database does')
  const busy = await db.$client.connect()
  await t.rejects(repo.ping(), /did not answer within 200 ms/, 'every connection taken: no, within the bound')
  busy.release()
  await t.resolves(repo.ping(), 'and yes again once one is free')
  await db.$client.end()
  await t.rejects(repo.ping(), 'a closed pool: no')
})
