import t from 'tap'
import { eq, sql } from 'drizzle-orm'
import type { ContentChange } from '../../src/db/change-bus.js'
import { openPg, runPgMigrations, type PgDb } from '../../src/db/pg/client.js'
import { createPgInvalidationListener } from '../../src/db/pg/notify.js'
import * as pgs from '../../src/db/pg/schema.js'
import { createPgWriter } from '../../src/db/pg/write.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// The PostgreSQL write path (src/db/pg/write.ts) over the pieces it joins: a retried transaction
// (withPgTransaction), the invalidations row and its NOTIFY (migrations/pg/0007, notify.ts).
// A write's keys reach the other servers once, only when it commits, and a transaction run
// again after a deadlock hands on the changes of the attempt that committed, not of both.

const NOW = Date.UTC(2026, 5, 1)
const stamp = { createdAt: NOW, updatedAt: NOW }
const keysOf = (changes: readonly ContentChange[]) => [...new Set(changes.map((c) => c.kind === 'post' ? `post-${c.id}` : c.kind))].sort()
const postChange = (id: number): ContentChange => ({ kind: 'post', id, before: null, after: null })

t.test('the PostgreSQL writer', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('write')
  await runPgMigrations(url)
  const a: PgDb = openPg(url, { max: 2 })
  const b: PgDb = openPg(url, { max: 2 })
  t.teardown(async () => { await a.$client.end(); await b.$client.end() })
  await a.insert(pgs.authors).values([{ id: 1, slug: 'one', name: 'One', ...stamp }, { id: 2, slug: 'two', name: 'Two', ...stamp }])

  // A third server that only listens, and server A's own listener.
  const heardByC: string[][] = []
  const heardByA: string[][] = []
  const c = createPgInvalidationListener({ url, origin: 'c', onKeys: (keys) => { heardByC.push([...keys]) } })
  const ownA = createPgInvalidationListener({ url, origin: 'a', onKeys: (keys) => { heardByA.push([...keys]) } })
  await Promise.all([c.start(), ownA.start()])
  t.teardown(async () => { await c.stop(); await ownA.stop() })
  const until = async (heard: string[][], n: number) => {
    for (let i = 0; i < 100 && heard.length < n; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  }

  const committed: Array<{ server: string, keys: readonly string[], changes: readonly ContentChange[] }> = []
  const writerA = createPgWriter(a, { keysOf, origin: 'a', committed: (keys, changes) => committed.push({ server: 'a', keys, changes }) })
  const writerB = createPgWriter(b, { keysOf, origin: 'b', committed: (keys, changes) => committed.push({ server: 'b', keys, changes }) })

  t.test('a committed write records its keys, tells its process after commit and the others by NOTIFY', async (t) => {
    const result = await writerA(async (tx, emit) => {
      await tx.update(pgs.authors).set({ name: 'renamed' }).where(eq(pgs.authors.id, 1))
      emit(postChange(7))
      emit(postChange(7))
      return 'ok'
    })
    t.equal(result, 'ok')
    t.same(committed, [{ server: 'a', keys: ['post-7'], changes: [postChange(7), postChange(7)] }])
    const rows = await a.select({ keys: pgs.invalidations.keys }).from(pgs.invalidations)
    t.same(rows, [{ keys: 'post-7' }], 'one invalidations row')
    await until(heardByC, 1)
    t.same(heardByC, [['post-7']], 'the other server heard it')
    await writerB(async (_tx, emit) => { emit({ kind: 'site' }) })
    await until(heardByA, 1)
    t.same(heardByA, [['site']], 'server A\'s listener skipped its own write and heard B\'s')
    await until(heardByC, 2)
    t.same(heardByC, [['post-7'], ['site']], 'the third server heard both, in commit order')
    committed.length = 0
    heardByC.length = 0
    heardByA.length = 0
  })

  t.test('a failed write: nothing recorded, nothing told', async (t) => {
    const error = await writerA(async (_tx, emit) => {
      emit(postChange(8))
      throw new Error('refused')
    }).catch((e: unknown) => e)
    t.match(error, { message: 'refused' })
    t.same(committed, [])
    const rows = await a.select({ keys: pgs.invalidations.keys }).from(pgs.invalidations).where(eq(pgs.invalidations.keys, 'post-8'))
    t.same(rows, [])
    await writerA(async (_tx, emit) => { emit(postChange(9)) })
    await until(heardByC, 1)
    t.same(heardByC, [['post-9']], 'the next committed write is the next thing heard')
    committed.length = 0
    heardByC.length = 0
  })

  t.test('two writers deadlock: the one run again hands on one attempt\'s changes, recorded once', async (t) => {
    let arrived = 0
    let release!: () => void
    const bothHoldOne = new Promise<void>((resolve) => { release = resolve })
    const attempts = { a: 0, b: 0 }
    const run = (server: 'a' | 'b', first: number, second: number) => (server === 'a' ? writerA : writerB)(async (tx, emit) => {
      attempts[server]++
      await tx.execute(sql`set local deadlock_timeout = '50ms'`)
      emit(postChange(first * 100 + second))
      await tx.update(pgs.authors).set({ name: server }).where(eq(pgs.authors.id, first))
      if (attempts[server] === 1) {
        if (++arrived === 2) release()
        await bothHoldOne
      }
      await tx.update(pgs.authors).set({ name: server }).where(eq(pgs.authors.id, second))
    })
    const before = (await a.select({ n: sql<number>`count(*)::int` }).from(pgs.invalidations))[0].n
    await Promise.all([run('a', 1, 2), run('b', 2, 1)])
    t.equal(attempts.a + attempts.b, 3, 'one of them ran twice')
    t.equal(committed.length, 2, 'each told its process once')
    for (const write of committed) t.equal(write.changes.length, 1, `${write.server}: one attempt's change, not two`)
    const after = (await a.select({ n: sql<number>`count(*)::int` }).from(pgs.invalidations))[0].n
    t.equal(after - before, 2, 'two invalidations rows: the aborted attempt left none')
    await until(heardByC, 2)
    t.same(heardByC.map((k) => k.join(' ')).sort(), ['post-102', 'post-201'], 'the other server heard each once')
  })
})
