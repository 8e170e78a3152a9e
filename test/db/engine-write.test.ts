import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { asc } from 'drizzle-orm'
import { SqliteTransactionAwaitedError } from '../../src/db/async-transaction.js'
import { createChangeBus, type ContentChange } from '../../src/db/change-bus.js'
import { openDatabase } from '../../src/db/client.js'
import { settled } from '../../src/db/engine-port.js'
import { createEngineWriter } from '../../src/db/engine-write.js'
import { createInvalidations } from '../../src/db/invalidations.js'
import { runMigrations } from '../../src/db/migrate.js'
import { authors } from '../../src/db/schema.js'
import { createWriter } from '../../src/db/write.js'

// The engine-neutral writer on SQLite beside the synchronous writer of the modules not yet
// ported (src/db/engine-write.ts, src/db/write.ts): one connection, never interleaved. A
// synchronous write inside an async one joins it; one from another context while an async one
// is open runs alone and the async one is run again; an async write started inside a
// synchronous one waits for it; the tripwire still holds.

const NOW = Date.UTC(2026, 5, 1)
const change = (id: number): ContentChange => ({ kind: 'tag', id, slug: `t${id}`, action: 'upsert' })

t.test('the engine writer and the synchronous writer on one SQLite connection', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-engine-write-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const db = openDatabase(join(dir, 'site.db'))
  t.teardown(() => db.$client.close())
  runMigrations(db)
  const bus = createChangeBus()
  const heard: number[] = []
  bus.on((c) => { if (c.kind === 'tag') heard.push(c.id) })
  const committed: number[][] = []
  bus.onCommitted((changes) => { committed.push(changes.map((c) => c.kind === 'tag' ? c.id : 0)) })
  const invalidations = createInvalidations(db, { goLiveKeys: () => [] })
  const keysOf = (changes: readonly ContentChange[]) => changes.map((c) => c.kind === 'tag' ? `tag-${c.id}` : c.kind)
  const engine = createEngineWriter({ engine: 'sqlite', db, bus, invalidations, keysOf })
  const write = engine.write
  const writeSync = createWriter(db, bus, invalidations, keysOf, engine.gate)
  const addSync = (slug: string) => { db.insert(authors).values({ slug, name: slug, createdAt: NOW, updatedAt: NOW }).run() }
  const add = async (slug: string) => { await settled(() => addSync(slug)) }
  const slugs = () => db.select({ slug: authors.slug }).from(authors).orderBy(asc(authors.id)).all().map((r) => r.slug)
  const reset = () => {
    db.delete(authors).run()
    heard.length = 0
    committed.length = 0
  }

  t.test('a synchronous write inside an async one joins it: one transaction, one commit told', async (t) => {
    reset()
    await write(async (_tx, emit) => {
      await add('async')
      emit(change(1))
      writeSync((emitSync) => {
        addSync('sync')
        emitSync(change(2))
      })
      t.same(heard, [1, 2], 'the joined write\'s change reached the listeners inside the transaction')
      t.same(committed, [], 'nothing told yet')
    })
    t.same(slugs(), ['async', 'sync'])
    t.same(committed, [[1, 2]], 'one write, told once, with both changes')
    reset()
    const error = await write(async () => {
      writeSync(() => { addSync('sync') })
      throw new Error('outer')
    }).catch((e: unknown) => e)
    t.match(error, { message: 'outer' })
    t.same(slugs(), [], 'the joined write rolled back with the async one')
    t.same(committed, [])
  })

  t.test('a synchronous write from another context while an async one is open runs alone; the async one is run again after it', async (t) => {
    reset()
    let poke!: () => void
    // Resumed among the async write's microtasks, but in a context of its own.
    const other = new Promise<void>((resolve) => { poke = resolve }).then(() => {
      t.ok(db.$client.inTransaction, 'the async write is open when the synchronous one starts')
      writeSync((emit) => {
        addSync('sync')
        emit(change(9))
      })
      t.same(slugs(), ['sync'], 'it committed alone: nothing of the async write in it')
    })
    let runs = 0
    const result = await write(async (_tx, emit) => {
      runs++
      await add('a1')
      emit(change(1))
      poke()
      await add('a2')
      await add('a3')
      return runs
    })
    await other
    t.equal(result, 2, 'the async write ran twice')
    t.same(slugs(), ['sync', 'a1', 'a2', 'a3'], 'one after the other, never mixed')
    t.same(committed, [[9], [1]], 'each told once, the rolled-back attempt not at all')
    t.notOk(db.$client.inTransaction)
    t.equal(db.$client.pragma('query_only', { simple: true }), 0, 'the connection writes')
  })

  t.test('an async write started inside a synchronous one waits for its commit', async (t) => {
    reset()
    let started: Promise<void> | undefined
    writeSync(() => {
      addSync('sync')
      started = write(async () => { await add('async') })
      t.same(slugs(), ['sync'], 'not inside the synchronous write')
    })
    await started
    t.same(slugs(), ['sync', 'async'])
  })

  t.test('the tripwire holds through the writer: awaiting I/O rolls back and is not run again; synchronous writes meanwhile land', async (t) => {
    reset()
    let runs = 0
    let late: unknown = null
    const during = new Promise<void>((resolve) => setTimeout(() => {
      writeSync(() => { addSync('during') })
      resolve()
    }, 5))
    const error = await write(async () => {
      runs++
      await add('before')
      await new Promise((resolve) => setTimeout(resolve, 30))
      try { await add('late') } catch (e) { late = e }
    }).catch((e: unknown) => e)
    await during
    t.ok(error instanceof SqliteTransactionAwaitedError)
    t.equal(runs, 1, 'not run again')
    t.match(late, { code: 'SQLITE_READONLY' }, 'its write after the await failed')
    t.same(slugs(), ['during'], 'the synchronous write made while it waited landed; nothing of it did')
    await write(async () => { await add('next') })
    t.same(slugs(), ['during', 'next'], 'the connection writes again')
  })

  t.test('two async writes and a synchronous one at once: one after the other', async (t) => {
    reset()
    const both = Promise.all(['a', 'b'].map(async (who) => await write(async () => {
      await add(`${who}1`)
      await add(`${who}2`)
    })))
    writeSync(() => { addSync('s') })
    await both
    t.same(slugs(), ['s', 'a1', 'a2', 'b1', 'b2'])
  })
})
