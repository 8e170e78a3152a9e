import t from 'tap'
import { asc, gt, sql } from 'drizzle-orm'
import { takeChangeLogTurn } from '../../src/db/pg/change-log.js'
import { openPg, runPgMigrations, type PgDb } from '../../src/db/pg/client.js'
import * as pgs from '../../src/db/pg/schema.js'
import { withPgTransaction, type PgTx } from '../../src/db/pg/transaction.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// The change log's turn (src/db/pg/change-log.ts): why it is needed — without it a reader
// following ids skips a row committed after a higher one — and that with it ids and times
// follow commit order.

const row = (resourceId: number, changedAt: number) => ({ resource: 'post' as const, resourceId, action: 'upsert' as const, changedAt })

t.test('the change log in commit order', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('changelog')
  await runPgMigrations(url)
  const a: PgDb = openPg(url, { max: 3 })
  const b: PgDb = openPg(url, { max: 3 })
  t.teardown(async () => { await a.$client.end(); await b.$client.end() })
  const read = async (after: number) => await a.select({ id: pgs.changes.id, resourceId: pgs.changes.resourceId, changedAt: pgs.changes.changedAt })
    .from(pgs.changes).where(gt(pgs.changes.id, after)).orderBy(asc(pgs.changes.id))
  /** Waits until a session of this application waits on a lock. */
  const blocked = async (): Promise<boolean> => {
    for (let i = 0; i < 200; i++) {
      const [r] = (await a.execute<{ n: number }>(sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)).rows
      if (r.n > 0) return true
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    return false
  }
  /** A transaction on `db` held open until `finish` is called; `inside` runs first. */
  const held = (db: PgDb, inside: (tx: PgTx) => Promise<void>) => {
    let finish!: () => void
    const finished = new Promise<void>((resolve) => { finish = resolve })
    let started!: () => void
    const ready = new Promise<void>((resolve) => { started = resolve })
    const done = withPgTransaction(db, async (tx) => { await inside(tx); started(); await finished })
    return { ready, finish, done }
  }

  t.test('without the turn, a reader following ids skips a row committed after a higher one', async (t) => {
    const x = held(a, async (tx) => { await tx.insert(pgs.changes).values(row(1, 1)) })
    await x.ready
    await b.insert(pgs.changes).values(row(2, 2))
    const seen = await read(0)
    t.same(seen.map((r) => r.resourceId), [2], 'the reader sees the later id first…')
    x.finish()
    await x.done
    t.same((await read(seen[seen.length - 1].id)).map((r) => r.resourceId), [], '…and, continuing after it, never the earlier one')
    await a.delete(pgs.changes)
  })

  t.test('with the turn, the second writer waits for the first to commit: ids and times in commit order', async (t) => {
    const x = held(a, async (tx) => {
      const at = await takeChangeLogTurn(tx)
      await tx.insert(pgs.changes).values(row(1, at))
    })
    await x.ready
    let yDone = false
    const y = withPgTransaction(b, async (tx) => {
      const at = await takeChangeLogTurn(tx)
      await tx.insert(pgs.changes).values(row(2, at))
    }).then(() => { yDone = true })
    t.ok(await blocked(), 'the second writer waits on the turn')
    t.notOk(yDone)
    t.same(await read(0), [], 'and no one sees a change yet')
    x.finish()
    await Promise.all([x.done, y])
    const rows = await read(0)
    t.same(rows.map((r) => r.resourceId), [1, 2], 'ids in commit order')
    t.ok(rows[0].changedAt <= rows[1].changedAt, 'times too')
  })

  t.test('the time is never before the newest committed row\'s whose time has come', async (t) => {
    const [{ clock }] = (await a.execute<{ clock: string }>(sql`select (extract(epoch from clock_timestamp()) * 1000)::bigint as clock`)).rows
    // Dated a little ahead of the clock by the time the turn is taken it is not: a row written
    // under another clock (a step back since) is not followed by an earlier time.
    const recent = Number(clock) + 200
    await a.insert(pgs.changes).values(row(3, recent))
    await new Promise((resolve) => setTimeout(resolve, 300))
    const at = await withPgTransaction(a, async (tx) => await takeChangeLogTurn(tx))
    t.ok(at >= recent, 'not before the newest row')
    t.type(at, 'number')
    // A scheduled go-live's entry is dated ahead on purpose: later writes keep their own time.
    const future = Date.now() + 3_600_000
    await a.insert(pgs.changes).values(row(4, future))
    const next = await withPgTransaction(a, async (tx) => await takeChangeLogTurn(tx))
    t.ok(next < future, 'a row dated ahead (a go-live) does not date later writes after it')
    t.ok(next >= recent)
  })
})
