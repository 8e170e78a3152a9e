import t from 'tap'
import { eq, inArray, sql } from 'drizzle-orm'
import { openPg, runPgMigrations, type PgDb } from '../../src/db/pg/client.js'
import * as pgs from '../../src/db/pg/schema.js'
import { PgTransactionAbortedError, pgErrorCode, withPgTransaction } from '../../src/db/pg/transaction.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// withPgTransaction (src/db/pg/transaction.ts): a real deadlock and a real serialization
// failure between two connections are run again to success; any other error is thrown at once;
// attempts are bounded; an error the function swallowed never commits.

const NOW = Date.UTC(2026, 5, 1)
const stamp = { createdAt: NOW, updatedAt: NOW }

/** A promise two parties wait on until both have arrived. */
function barrier (parties: number): () => Promise<void> {
  let arrived = 0
  let open!: () => void
  const opened = new Promise<void>((resolve) => { open = resolve })
  return async () => {
    if (++arrived === parties) open()
    await opened
  }
}

t.test('withPgTransaction', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('tx')
  await runPgMigrations(url)
  // Two pools: two "servers".
  const a: PgDb = openPg(url, { max: 3 })
  const b: PgDb = openPg(url, { max: 3 })
  t.teardown(async () => { await a.$client.end(); await b.$client.end() })
  await a.insert(pgs.authors).values([{ id: 1, slug: 'one', name: 'One', ...stamp }, { id: 2, slug: 'two', name: 'Two', ...stamp }])
  const names = async () => (await a.select({ id: pgs.authors.id, name: pgs.authors.name }).from(pgs.authors)
    .where(inArray(pgs.authors.id, [1, 2])).orderBy(pgs.authors.id)).map((r) => r.name)

  t.test('a deadlock between two transactions: PostgreSQL aborts one, which is run again and succeeds', async (t) => {
    const bothHoldOne = barrier(2)
    const retried: Array<{ who: string, code: string | undefined, attempt: number, delay: number }> = []
    const attempts = { A: 0, B: 0 }
    // A locks author 1 then 2, B locks 2 then 1: once each holds its first row, each waits for
    // the other's. Only on the first attempt do they wait for each other before the second row.
    const run = (who: 'A' | 'B', db: PgDb, first: number, second: number) => withPgTransaction(db, async (tx, attempt) => {
      attempts[who] = attempt
      // Found in 50 ms instead of the default second; superuser-only, which the tests are.
      await tx.execute(sql`set local deadlock_timeout = '50ms'`)
      await tx.update(pgs.authors).set({ name: who }).where(eq(pgs.authors.id, first))
      if (attempt === 1) await bothHoldOne()
      await tx.update(pgs.authors).set({ name: who }).where(eq(pgs.authors.id, second))
      return who
    }, { onRetry: (error, attempt, delay) => retried.push({ who, code: pgErrorCode(error), attempt, delay }) })
    const results = await Promise.all([run('A', a, 1, 2), run('B', b, 2, 1)])
    t.same(results, ['A', 'B'], 'both transactions returned')
    t.equal(retried.length, 1, 'exactly one was aborted and run again')
    t.match(retried[0], { code: '40P01', attempt: 1 }, 'by a deadlock, after its first attempt')
    t.ok(retried[0].delay >= 0 && retried[0].delay <= 10, `backoff within the first step's bound (${retried[0].delay} ms)`)
    const victim = retried[0].who as 'A' | 'B'
    t.equal(attempts[victim], 2, 'the victim succeeded on its second attempt')
    t.equal(attempts[victim === 'A' ? 'B' : 'A'], 1, 'the other on its first')
    t.same(await names(), [victim, victim], 'the retried transaction committed last: both rows are its')
  })

  t.test('a serialization failure at REPEATABLE READ is run again on a fresh snapshot', async (t) => {
    const seen: string[] = []
    const retried: Array<string | undefined> = []
    const result = await withPgTransaction(a, async (tx, attempt) => {
      const [row] = await tx.select({ name: pgs.authors.name }).from(pgs.authors).where(eq(pgs.authors.id, 1))
      seen.push(row.name)
      // Another server changes the row after this snapshot was taken, on the first attempt only.
      if (attempt === 1) await b.update(pgs.authors).set({ name: 'other' }).where(eq(pgs.authors.id, 1))
      await tx.update(pgs.authors).set({ name: `${row.name}+` }).where(eq(pgs.authors.id, 1))
      return attempt
    }, { isolation: 'repeatable read', onRetry: (error) => retried.push(pgErrorCode(error)) })
    t.equal(result, 2, 'succeeded on the second attempt')
    t.same(retried, ['40001'])
    t.equal(seen[1], 'other', 'the second attempt read the other server\'s committed row')
    t.equal((await names())[0], 'other+', 'and its write built on it: no lost update')
  })

  t.test('any other error is thrown at once, after one attempt, and nothing is written', async (t) => {
    let calls = 0
    const error = await withPgTransaction(a, async (tx) => {
      calls++
      await tx.update(pgs.authors).set({ name: 'half' }).where(eq(pgs.authors.id, 2))
      await tx.insert(pgs.authors).values({ id: 1, slug: 'dup', name: 'Dup', ...stamp })
    }).then(() => null, (e: unknown) => e)
    t.equal(calls, 1, 'not run again')
    t.equal(pgErrorCode(error), '23505', 'the unique violation itself is thrown')
    t.not((await names())[1], 'half', 'the first statement was rolled back')
  })

  t.test('retries are bounded: the last retryable error is thrown after maxAttempts', async (t) => {
    let calls = 0
    const delays: number[] = []
    const error = await withPgTransaction(a, async (tx) => {
      calls++
      await tx.execute(sql`do $$ begin raise exception 'lost again' using errcode = 'serialization_failure'; end $$`)
    }, { maxAttempts: 3, baseDelayMs: 4, maxDelayMs: 6, onRetry: (_e, _n, delay) => delays.push(delay) }).then(() => null, (e: unknown) => e)
    t.equal(calls, 3, 'three attempts in all')
    t.equal(pgErrorCode(error), '40001')
    t.equal(delays.length, 2, 'two waits between them')
    t.ok(delays[0] <= 4 && delays[1] <= 6, `each within its bound (${delays.join(', ')} ms)`)
  })

  t.test('an error the function caught still aborts: rolled back and thrown, not committed', async (t) => {
    let calls = 0
    const error = await withPgTransaction(a, async (tx) => {
      calls++
      await tx.update(pgs.authors).set({ name: 'swallowed' }).where(eq(pgs.authors.id, 2))
      try {
        await tx.insert(pgs.authors).values({ id: 2, slug: 'dup2', name: 'Dup', ...stamp })
      } catch {}
    }).then(() => null, (e: unknown) => e)
    t.ok(error instanceof PgTransactionAbortedError, 'PgTransactionAbortedError')
    t.equal(calls, 1)
    t.not((await names())[1], 'swallowed', 'nothing written')
  })

  t.test('every connection is back in its pool', async (t) => {
    for (const db of [a, b]) {
      t.equal(db.$client.waitingCount, 0)
      t.equal(db.$client.idleCount, db.$client.totalCount, 'none held')
    }
  })
})
