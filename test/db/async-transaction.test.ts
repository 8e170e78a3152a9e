import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { asc } from 'drizzle-orm'
import { SqliteTransactionAwaitedError, createSqliteTransactor } from '../../src/db/async-transaction.js'
import { openDatabase } from '../../src/db/client.js'
import { settled } from '../../src/db/engine-port.js'
import { runMigrations } from '../../src/db/migrate.js'
import { authors } from '../../src/db/schema.js'

// Async write transactions on SQLite (src/db/async-transaction.ts): a function that awaits only
// its own (settled) statements commits within one macrotask; one that awaits real I/O is rolled
// back at once, cannot write afterwards, and fails; transactions queue; nested ones are savepoints.

const NOW = Date.UTC(2026, 5, 1)

t.test('SQLite async transactions', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-async-tx-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'site.db')
  const db = openDatabase(path)
  t.teardown(() => db.$client.close())
  runMigrations(db)
  const transaction = createSqliteTransactor(db)
  // A ported repository's method: the statement runs now, the answer is a settled Promise.
  const add = async (slug: string) => await settled(() => db.insert(authors).values({ slug, name: slug, createdAt: NOW, updatedAt: NOW }).run())
  const slugs = () => db.select({ slug: authors.slug }).from(authors).orderBy(asc(authors.id)).all().map((r) => r.slug)
  const clear = () => db.delete(authors).run()

  t.test('awaiting its own statements: committed, within the macrotask that started it', async (t) => {
    clear()
    let nextMacrotask = false
    setImmediate(() => { nextMacrotask = true })
    const result = await transaction(async () => {
      for (let i = 0; i < 100; i++) await add(`a${i}`)
      return nextMacrotask
    })
    t.equal(result, false, 'a hundred awaited statements ran before the next macrotask')
    t.equal(slugs().length, 100)
    t.notOk(db.$client.inTransaction)
  })

  t.test('a rejection rolls everything back', async (t) => {
    clear()
    const error = await transaction(async () => {
      await add('x')
      throw new Error('no')
    }).catch((e: unknown) => e)
    t.match(error, { message: 'no' })
    t.same(slugs(), [])
  })

  t.test('awaiting I/O: rolled back at once, lock released, later writes refused, rejected', async (t) => {
    clear()
    const other = new Database(path, { timeout: 0 })
    t.teardown(() => other.close())
    let laterWrite: unknown = null
    const error = await transaction(async () => {
      await add('before')
      await new Promise((resolve) => setTimeout(resolve, 5))
      // Another process writes while this function waits: the lock was given back.
      other.prepare('INSERT INTO authors (slug, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run('other', 'Other', NOW, NOW)
      try {
        await add('after')
      } catch (e) {
        laterWrite = e
      }
      return 'done'
    }).catch((e: unknown) => e)
    t.ok(error instanceof SqliteTransactionAwaitedError, 'SqliteTransactionAwaitedError')
    t.match(laterWrite, { code: 'SQLITE_READONLY' }, 'its write after the await failed instead of landing outside a transaction')
    t.same(slugs(), ['other'], 'nothing of it kept; the other process\'s write is')
    await transaction(async () => { await add('next') })
    t.same(slugs(), ['other', 'next'], 'the connection writes again afterwards')
  })

  t.test('two transactions at once run one after the other', async (t) => {
    clear()
    await Promise.all(['a', 'b'].map(async (who) => await transaction(async () => {
      await add(`${who}1`)
      await add(`${who}2`)
    })))
    t.same(slugs(), ['a1', 'a2', 'b1', 'b2'], 'not interleaved')
  })

  t.test('a transaction inside one is a savepoint: its failure undoes only itself', async (t) => {
    clear()
    await transaction(async () => {
      await add('outer')
      await transaction(async () => { await add('kept') })
      await transaction(async () => {
        await add('undone')
        await transaction(async () => { await add('undone too') })
        throw new Error('inner')
      }).catch(() => {})
      await add('outer again')
    })
    t.same(slugs(), ['outer', 'kept', 'outer again'])
    t.notOk(db.$client.inTransaction)
  })
})
