import t, { type Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Db } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { createInvalidations, type InvalidationCause, type InvalidationOptions } from '../../src/db/invalidations.js'
import { goLiveKeys, pageGoLiveKeys } from '../../src/modules/cache-keys.js'
import { pages } from '../../src/db/schema.js'
import { makePost } from '../helpers/factories.js'

// Invalidation by key across connections to one database file, as separate processes share it:
// a write's keys are recorded in its transaction, every connection reads the new rows once per
// event-loop turn, and scheduled posts going live are invalidated at their time.

const turn = () => new Promise((resolve) => setImmediate(resolve))

function shared (t: Test): () => Db {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-invalidations-'))
  const dbs: Db[] = []
  t.teardown(() => {
    for (const db of dbs) db.$client.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const path = join(dir, 'shared.db')
  return () => {
    const db = openDatabase(path)
    if (dbs.length === 0) runMigrations(db)
    dbs.push(db)
    return db
  }
}

function watched (db: Db, opts: Partial<InvalidationOptions> = {}) {
  const inv = createInvalidations(db, { goLiveKeys, ...opts })
  const seen: Array<{ keys: string[], cause: InvalidationCause }> = []
  const announced: string[][] = []
  inv.onInvalidated((keys, cause) => { seen.push({ keys: [...keys], cause }) })
  inv.onAnnounced((keys) => { announced.push([...keys]) })
  return { inv, seen, announced }
}

/** One write of `keys` through `inv`, as the writer records them: inside an IMMEDIATE transaction, then committed. */
function write (db: Db, inv: ReturnType<typeof createInvalidations>, keys: string[], body: () => void = () => {}) {
  db.transaction(() => {
    body()
    inv.record(keys, Date.now())
  }, { behavior: 'immediate' })
  inv.committed(keys)
}

t.test('another connection applies a write\'s keys from its next event-loop turn, in commit order', async (t) => {
  const open = shared(t)
  const dbA = open()
  const a = watched(dbA)
  const b = watched(open())
  b.inv.sync()
  write(dbA, a.inv, ['post-1', 'changes'])
  t.same(a.seen, [{ keys: ['post-1', 'changes'], cause: 'write' }], 'the writer applied its keys before returning')
  t.same(a.announced, [['post-1', 'changes']], 'and announced them (its purge)')
  b.inv.sync()
  t.same(b.seen, [], 'within the turn the other connection read in, it is not read again')
  write(dbA, a.inv, ['posts'])
  await turn()
  b.inv.sync()
  t.same(b.seen, [{ keys: ['post-1', 'changes'], cause: 'write' }, { keys: ['posts'], cause: 'write' }], 'the next turn: both writes, in order')
  t.same(b.announced, [], 'another process\'s writes are not purged again here')
  b.inv.sync()
  await turn()
  b.inv.sync()
  t.equal(b.seen.length, 2, 'nothing new: nothing applied')
  t.equal(b.inv.generation(), 2)
})

t.test('a write that rolls back records nothing', async (t) => {
  const open = shared(t)
  const db = open()
  const a = watched(db)
  const b = watched(open())
  t.throws(() => db.transaction(() => {
    a.inv.record(['post-9'], Date.now())
    throw new Error('refused')
  }, { behavior: 'immediate' }), /refused/)
  await turn()
  b.inv.sync()
  a.inv.sync()
  t.same(b.seen, [])
  t.same(a.seen, [])
  t.equal(db.$client.prepare('SELECT count(*) FROM invalidations').pluck().get(), 0)
})

t.test('rows are pruned; a process that missed pruned rows, or too many to go through, drops everything', async (t) => {
  const open = shared(t)
  const dbA = open()
  const a = createInvalidations(dbA, { goLiveKeys, keepRows: 10, keepMs: 0 })
  const b = watched(open())
  b.inv.sync()
  for (let i = 0; i < 300; i++) write(dbA, a, [`post-${i}`])
  const left = dbA.$client.prepare('SELECT count(*) FROM invalidations').pluck().get() as number
  t.ok(left < 300 && left >= 10, `old rows pruned (${left} left), the newest kept`)
  await turn()
  b.inv.sync()
  t.same(b.seen, [{ keys: ['all'], cause: 'write' }], 'pruned before it read them: everything is dropped')
  for (let i = 0; i < 2001; i++) write(dbA, a, ['posts'])
  await turn()
  b.inv.sync()
  t.same(b.seen.at(-1), { keys: ['all'], cause: 'write' }, 'more than 2,000 rows at once: one drop of everything')
  t.equal(b.seen.length, 2)
  write(dbA, a, ['site'])
  await turn()
  b.inv.sync()
  t.same(b.seen.at(-1), { keys: ['site'], cause: 'write' }, 'and precise again after')
})

t.test('a scheduled post goes live by time: each process invalidates it at that moment, no write needed', async (t) => {
  const open = shared(t)
  const dbA = open()
  const a = watched(dbA)
  const b = watched(open())
  b.inv.start()
  t.teardown(() => { b.inv.stop() })
  const soon = Date.now() + 1500
  let id = 0
  // Scheduled by a write of the first process: its keys say nothing public changed yet.
  write(dbA, a.inv, ['post-x'], () => { id = makePost(dbA, { status: 'published', publishedAt: soon }).id })
  await turn()
  b.inv.sync()
  t.same(b.seen.map((s) => s.cause), ['write'], 'the write itself')
  // No request reaches the second process: its timer wakes it at the go-live time.
  for (let i = 0; i < 500 && b.seen.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  t.ok(Date.now() >= soon)
  t.same(b.seen[1], { keys: goLiveKeys([id]), cause: 'time' }, 'the post\'s key, the lists, the terms and the change log')
  t.same(b.announced, [goLiveKeys([id])], 'purged at that moment (PURGE_URL)')
  // The first process, not started, learns it on its next look after the time.
  a.inv.sync()
  t.same(a.seen.at(-1), { keys: goLiveKeys([id]), cause: 'time' })
  a.inv.sync()
  await turn()
  a.inv.sync()
  t.equal(a.seen.filter((s) => s.cause === 'time').length, 1, 'once')
})

t.test('a scheduled page goes live by time too, when its keys are given', async (t) => {
  const open = shared(t)
  const dbA = open()
  const a = watched(dbA, { pageGoLiveKeys })
  const b = watched(open(), { pageGoLiveKeys })
  const without = watched(open())
  b.inv.start()
  t.teardown(() => { b.inv.stop() })
  const soon = Date.now() + 1500
  let id = 0
  write(dbA, a.inv, ['page-x'], () => {
    id = dbA.insert(pages).values({ slug: 'soon', title: 'Soon', status: 'published', publishedAt: soon, createdAt: Date.now(), updatedAt: Date.now() }).returning({ id: pages.id }).get().id
  })
  await turn()
  b.inv.sync()
  without.inv.sync()
  for (let i = 0; i < 500 && b.seen.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  t.ok(Date.now() >= soon)
  t.same(b.seen[1], { keys: pageGoLiveKeys([id]), cause: 'time' }, 'the page\'s key, the page reads and the change log')
  t.same(b.announced, [pageGoLiveKeys([id])], 'purged at that moment')
  await turn()
  without.inv.sync()
  t.same(without.seen.filter((s) => s.cause === 'time'), [], 'pages are looked for only with pageGoLiveKeys')
})

t.test('a post a write publishes now is not invalidated a second time as a go-live', async (t) => {
  const open = shared(t)
  const dbA = open()
  const a = watched(dbA)
  const b = watched(open())
  b.inv.sync()
  await new Promise((resolve) => setTimeout(resolve, 5))
  let id = 0
  write(dbA, a.inv, [], () => { id = makePost(dbA, { status: 'published', publishedAt: Date.now() - 1 }).id })
  write(dbA, a.inv, goLiveKeys([id]))
  await turn()
  b.inv.sync()
  t.same(b.seen.map((s) => s.cause), ['write'], 'the write covered it')
})

t.test('memo stamps move only with their keys', async (t) => {
  const open = shared(t)
  const db = open()
  const { inv } = watched(db)
  const membership = inv.stampFor(['posts', 'tags'])
  const site = inv.stampFor(['site'])
  const [m0, s0] = [membership(), site()]
  write(db, inv, ['post-3', 'changes'])
  t.equal(membership(), m0, 'a comment on one post leaves the list totals')
  write(db, inv, ['tags'])
  t.not(membership(), m0)
  t.equal(site(), s0)
  write(db, inv, ['all'])
  t.not(site(), s0, 'all moves every stamp')
})
