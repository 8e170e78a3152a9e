import t from 'tap'
import { openPg, runPgMigrations } from '../../src/db/pg/client.js'
import { createKeysRepository } from '../../src/modules/keys/keys-repository.js'
import { keysCases } from '../helpers/keys-cases.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// The API keys module on PostgreSQL: the cases test/modules/keys/ runs on SQLite, then what only
// several servers on one database do: count one key's requests at the same time.

t.test('keys repository, quotas and routes on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('keys')
  await runPgMigrations(url)
  const db = openPg(url, { max: 4 })
  t.teardown(async () => { await db.$client.end() })
  const repo = createKeysRepository({ engine: 'postgres', db })
  await keysCases(t, repo)

  t.test('two servers (two pools) counting one key at once: the quota holds exactly', async (t) => {
    const other = openPg(url, { max: 4 })
    t.teardown(async () => { await other.$client.end() })
    const second = createKeysRepository({ engine: 'postgres', db: other })
    const now = Date.UTC(2026, 10, 30, 12, 0, 10)
    const { row } = await repo.create('shared', ['read:drafts'], now)
    const limits = { perMinute: 15, perDay: 25 }
    // 40 requests over 8 connections, in two rounds of different minutes: the minute quota
    // first (15 of 20), then the day's (10 more of 20).
    const round = async (at: number) => await Promise.all(Array.from({ length: 20 }, async (_, i) => await (i % 2 === 0 ? repo : second).consume(row.id, limits, at + i)))
    const first = await round(now)
    t.equal(first.filter((a) => a.allowed).length, 15, 'the minute\'s 15')
    const next = await round(now + 60_000)
    t.equal(next.filter((a) => a.allowed).length, 10, 'then what is left of the day\'s 25')
    const day = Math.floor(now / 86_400_000) * 86_400_000
    t.strictSame(await repo.usage(row.id, day), [{ start: day, requests: 25, limited: 15 }])
  })
})
