import t from 'tap'
import { sql } from 'drizzle-orm'
import { openPg, runPgMigrations, type PgDb } from '../../src/db/pg/client.js'
import { LISTENER_APPLICATION_NAME, createPgInvalidationListener, parseInvalidationPayload, setInvalidationOrigin, type NotifiedCause } from '../../src/db/pg/notify.js'
import * as pgs from '../../src/db/pg/schema.js'
import { withPgTransaction } from '../../src/db/pg/transaction.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// Invalidations across machines on PostgreSQL: the trigger of migrations/pg/0007 notifies each
// committed `invalidations` row; src/db/pg/notify.ts listens. Two "servers": a writer's pool
// and the listeners' own connections.

interface Heard { keys: readonly string[], cause: NotifiedCause, at?: number | null }

/** A listener's notifications as a queue: `next` waits for the next one, failing after `ms`. */
function inbox () {
  const heard: Heard[] = []
  const waiting: Array<(h: Heard) => void> = []
  return {
    push (keys: readonly string[], cause: NotifiedCause, at: number | null) {
      const h: Heard = { keys, cause }
      if (cause === 'write') h.at = at
      const w = waiting.shift()
      if (w !== undefined) w(h)
      else heard.push(h)
    },
    async next (ms: number): Promise<Heard> {
      const h = heard.shift()
      if (h !== undefined) return h
      return await new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(done), 1)
          reject(new Error(`nothing heard within ${ms} ms`))
        }, ms)
        const done = (h: Heard) => { clearTimeout(timer); resolve(h) }
        waiting.push(done)
      })
    },
    pending: () => heard.length
  }
}

/** Reads notifications until one carries `key`, returning all read. */
async function until (box: ReturnType<typeof inbox>, key: string): Promise<Heard[]> {
  const read: Heard[] = []
  for (;;) {
    const h = await box.next(1000)
    read.push(h)
    if (h.keys.includes(key)) return read
  }
}

t.test('payloads not in the trigger\'s form are read as all', async (t) => {
  t.same(parseInvalidationPayload('srv 1780272000000\npost-1 posts'), { origin: 'srv', at: 1780272000000, keys: ['post-1', 'posts'] })
  t.same(parseInvalidationPayload('srv\npost-1'), { origin: 'srv', at: null, keys: ['post-1'] }, 'no time: null')
  t.same(parseInvalidationPayload('no newline').keys, ['all'])
  t.same(parseInvalidationPayload('srv\n').keys, ['all'])
  t.same(parseInvalidationPayload(undefined).keys, ['all'])
})

t.test('LISTEN/NOTIFY invalidations', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('notify')
  await runPgMigrations(url)
  const writer: PgDb = openPg(url, { max: 2 })
  t.teardown(async () => { await writer.$client.end() })

  // Server B hears everything; server A is the writer's own process (origin server-a).
  const b = inbox()
  const listenerB = createPgInvalidationListener({ url, origin: 'server-b', onKeys: b.push, reconnectBaseMs: 20, reconnectMaxMs: 100 })
  const a = inbox()
  const listenerA = createPgInvalidationListener({ url, origin: 'server-a', onKeys: a.push, reconnectBaseMs: 20, reconnectMaxMs: 100 })
  await Promise.all([listenerA.start(), listenerB.start()])
  t.teardown(async () => { await listenerA.stop(); await listenerB.stop() })

  const record = async (keys: string, opts: { origin?: string, rollback?: boolean } = {}): Promise<number> => {
    const at = Date.now()
    await withPgTransaction(writer, async (tx) => {
      if (opts.origin !== undefined) await setInvalidationOrigin(tx, opts.origin)
      await tx.insert(pgs.invalidations).values({ at, keys })
      if (opts.rollback === true) throw new Error('rolled back on purpose')
    }).catch((e: unknown) => { if (opts.rollback !== true) throw e })
    return at
  }

  t.test('a committed write on one connection is heard on another within 1 s', async (t) => {
    const started = performance.now()
    const at = await record('post-1 posts')
    const heard = await b.next(1000)
    t.same(heard, { keys: ['post-1', 'posts'], cause: 'write', at }, 'the keys and the write\'s time')
    t.comment(`heard ${(performance.now() - started).toFixed(1)} ms after the write started`)
    t.same(await a.next(1000), heard, 'and by the other listener')
  })

  t.test('a rolled-back write is not heard', async (t) => {
    await record('rolled-back', { rollback: true })
    await record('marker')
    t.same((await b.next(1000)).keys, ['marker'], 'the next notification is the committed marker')
    t.same((await a.next(1000)).keys, ['marker'])
    t.equal(b.pending(), 0)
  })

  t.test('rows migrate-to copies (broadsheet.copying) are not sent: they are old writes', async (t) => {
    await withPgTransaction(writer, async (tx) => {
      await tx.execute(sql`select set_config('broadsheet.copying', 'on', true)`)
      await tx.insert(pgs.invalidations).values({ at: 1, keys: 'copied' })
    })
    await record('marker-copy')
    t.same((await b.next(1000)).keys, ['marker-copy'])
    t.same((await a.next(1000)).keys, ['marker-copy'])
  })

  t.test('a process does not hear its own writes (it applied them at commit)', async (t) => {
    await record('post-7', { origin: 'server-a' })
    t.match(await b.next(1000), { keys: ['post-7'], cause: 'write' }, 'the other server hears it')
    await record('marker-2')
    t.same((await a.next(1000)).keys, ['marker-2'], 'the writer\'s own listener skipped it')
    await b.next(1000)
    t.equal(a.pending() + b.pending(), 0)
  })

  t.test('a key set over the payload limit arrives in parts whose union is the whole', async (t) => {
    const keys = Array.from({ length: 3000 }, (_, i) => `post-${100000 + i}`)
    t.ok(keys.join(' ').length > 8000 * 3, `${keys.join(' ').length} bytes of keys`)
    await record(keys.join(' '), { origin: 'server-c' })
    const got: string[] = []
    let parts = 0
    while (got.length < keys.length) {
      const h = await b.next(1000)
      t.equal(h.cause, 'write')
      t.ok(h.keys.join(' ').length + `server-c ${h.at}\n`.length < 8000, 'each part under 8000 bytes')
      got.push(...h.keys)
      parts++
    }
    t.ok(parts >= 4, `${parts} parts`)
    t.same(got.sort(), [...keys].sort(), 'every key, once')
    await record('marker-3')
    t.same((await b.next(1000)).keys, ['marker-3'], 'and nothing else')
    await until(a, 'marker-3')
  })

  t.test('a key set too large to send, or a key too long, falls back to all', async (t) => {
    const huge = Array.from({ length: 30000 }, (_, i) => `post-${1000000 + i}`).join(' ')
    await record(huge)
    t.same((await b.next(1000)).keys, ['all'], 'a huge set: all')
    await record(`post-1 ${'x'.repeat(9000)} post-2`)
    const parts = await until(b, 'all')
    t.same(parts[parts.length - 1].keys, ['all'], 'a key longer than a payload: all (after any part already sent)')
    await record('marker-4')
    t.same((await b.next(1000)).keys, ['marker-4'])
    await until(a, 'marker-4')
  })

  t.test('a lost connection is re-established and reported as a gap (all); writes are heard again', async (t) => {
    const killed = await writer.execute<{ n: number }>(sql`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = ${LISTENER_APPLICATION_NAME}`)
    t.equal(killed.rows[0].n, 2, 'both listeners\' connections terminated')
    t.same(await b.next(5000), { keys: ['all'], cause: 'gap' }, 'B reconnected and dropped everything')
    t.same(await a.next(5000), { keys: ['all'], cause: 'gap' }, 'A too')
    t.ok(listenerB.listening())
    await record('after-reconnect')
    t.same((await b.next(1000)).keys, ['after-reconnect'])
    t.same((await a.next(1000)).keys, ['after-reconnect'])
  })

  t.test('stop closes the connection', async (t) => {
    await listenerA.stop()
    t.notOk(listenerA.listening())
    // The server lists a closed session until its backend has exited: looked at a few times.
    let left = 0
    for (let i = 0; i < 40; i++) {
      left = (await writer.execute<{ n: number }>(sql`select count(*)::int as n from pg_stat_activity where application_name = ${LISTENER_APPLICATION_NAME}`)).rows[0].n
      if (left === 1) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    t.equal(left, 1, 'only B\'s connection remains')
  })
})
