import t from 'tap'
import { asc, eq, sql } from 'drizzle-orm'
import type { ContentChange } from '../../src/db/change-bus.js'
import { createEngineWriter } from '../../src/db/engine-write.js'
import { pgChangeLogListener } from '../../src/db/pg/change-log.js'
import { openPg, runPgMigrations, type PgDb } from '../../src/db/pg/client.js'
import * as pgs from '../../src/db/pg/schema.js'
import { createPgChangeBus } from '../../src/db/pg/write.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// The engine-neutral writer on PostgreSQL (src/db/engine-write.ts) over createPgWriter: the bus
// listeners run on `tx` after the write's function, in emit order, once per attempt; a write
// run again after a deadlock leaves one attempt's change-log entries and tells its process once.

const NOW = Date.UTC(2026, 5, 1)
const stamp = { createdAt: NOW, updatedAt: NOW }
const comment = (id: number): ContentChange => ({ kind: 'comment', id, postId: 1, before: null, after: 'approved' })

t.test('the engine writer on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('enginewrite')
  await runPgMigrations(url)
  const a: PgDb = openPg(url, { max: 2 })
  const b: PgDb = openPg(url, { max: 2 })
  t.teardown(async () => { await a.$client.end(); await b.$client.end() })
  await a.insert(pgs.authors).values([{ id: 1, slug: 'one', name: 'One', ...stamp }, { id: 2, slug: 'two', name: 'Two', ...stamp }])

  const heard: string[] = []
  const retries: string[] = []
  const told: Array<{ server: string, changes: number[] }> = []
  const writerOf = (db: PgDb, server: string) => {
    const bus = createPgChangeBus()
    bus.on(async (change, _now, tx) => {
      // A listener reads through the write's handle: it sees the write's own rows.
      const [row] = await tx.select({ name: pgs.authors.name }).from(pgs.authors).where(eq(pgs.authors.id, 1))
      heard.push(`${server}:${change.kind === 'comment' ? change.id : 0}:${row.name}`)
    })
    bus.onSettle(pgChangeLogListener())
    bus.onCommitted((changes) => { told.push({ server, changes: changes.map((c) => c.kind === 'comment' ? c.id : 0) }) })
    return createEngineWriter({ engine: 'postgres', db, bus, keysOf: (changes) => changes.map((c) => c.kind), origin: server, transaction: { onRetry: (e, n) => { retries.push(`${server}#${n}: ${String((e as Error).message)}`) } } }).write
  }
  const writeA = writerOf(a, 'a')
  const writeB = writerOf(b, 'b')
  const log = async () => (await a.select({ id: pgs.changes.resourceId }).from(pgs.changes).orderBy(asc(pgs.changes.id))).map((r) => r.id)

  t.test('listeners run after the function, in emit order, seeing the write\'s rows through tx', async (t) => {
    await writeA(async (tx, emit) => {
      if (tx.engine !== 'postgres') throw new Error('a PostgreSQL handle')
      emit(comment(1))
      t.same(heard, [], 'not at emit')
      await tx.db.update(pgs.authors).set({ name: 'Renamed' }).where(eq(pgs.authors.id, 1))
      emit(comment(2))
    })
    t.same(heard, ['a:1:Renamed', 'a:2:Renamed'])
    t.same(await log(), [1, 2], 'the change log, under its turn')
    t.same(told, [{ server: 'a', changes: [1, 2] }])
    heard.length = 0
    told.length = 0
  })

  t.test('two writers deadlock: the one run again runs its listeners again, leaves one attempt\'s entries, tells once', async (t) => {
    let arrived = 0
    let release!: () => void
    const bothHoldOne = new Promise<void>((resolve) => { release = resolve })
    const attempts = { a: 0, b: 0 }
    const run = (server: 'a' | 'b', first: number, second: number) => (server === 'a' ? writeA : writeB)(async (tx, emit) => {
      if (tx.engine !== 'postgres') throw new Error('a PostgreSQL handle')
      attempts[server]++
      await tx.db.execute(sql`set local deadlock_timeout = '50ms'`)
      emit(comment(first * 100 + second))
      await tx.db.update(pgs.authors).set({ name: server }).where(eq(pgs.authors.id, first))
      if (attempts[server] === 1) {
        if (++arrived === 2) release()
        await bothHoldOne
      }
      await tx.db.update(pgs.authors).set({ name: server }).where(eq(pgs.authors.id, second))
    })
    const before = (await log()).length
    await Promise.all([run('a', 1, 2), run('b', 2, 1)])
    // At least three: a retried attempt may meet the other write again (the row it waited for
    // can go to it before the other writer takes it), and then deadlock once more.
    t.ok(attempts.a + attempts.b >= 3, 'one of them ran again', { retries })
    t.equal(told.length, 2, 'each told its process once')
    for (const write of told) t.equal(write.changes.length, 1, `${write.server}: one attempt's change`)
    const entries = (await log()).slice(before)
    t.same(entries.sort(), [102, 201], 'one change-log entry each: the aborted attempt left none')
  })
})
