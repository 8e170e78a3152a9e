import t from 'tap'
import { eq, sql } from 'drizzle-orm'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase, type Db } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { tags } from '../../src/db/schema.js'

// Statements are prepared at their first run (issue 15, start-up): a Drizzle `.prepare()`
// builds neither the SQL text nor SQLite's program until the statement is used.

/** Counts the statements SQLite compiles on this connection. */
function countCompiles (db: Db): { readonly n: number } {
  const client = db.$client
  const prepare = client.prepare.bind(client)
  const counter = { n: 0 }
  client.prepare = ((source: string) => { counter.n++; return prepare(source) }) as typeof client.prepare
  return counter
}

const p = (name: string) => sql.placeholder(name)

t.test('a prepared statement is compiled at its first run, once, and answers as an eager one', (t) => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.$client.close())
  // Built before its table exists: nothing is compiled yet, so nothing fails.
  const bySlug = db.select({ id: tags.id, name: tags.name }).from(tags).where(eq(tags.slug, p('slug'))).prepare()
  const insert = db.insert(tags).values({ slug: p('slug'), name: p('name'), createdAt: 0, updatedAt: 0 } as unknown as typeof tags.$inferInsert).prepare()
  const all = db.select().from(tags).orderBy(tags.id).prepare()
  const values = db.select({ slug: tags.slug }).from(tags).orderBy(tags.id).prepare()
  runMigrations(db)
  const compiles = countCompiles(db)
  t.equal(compiles.n, 0)
  t.equal(insert.run({ slug: 'harbour', name: 'Harbour' }).changes, 1)
  insert.run({ slug: 'ferries', name: 'Ferries' })
  t.equal(compiles.n, 1, 'the insert compiled once for two runs')
  t.same(bySlug.get({ slug: 'ferries' }), { id: 2, name: 'Ferries' }, 'selected fields mapped from a raw row')
  t.equal(bySlug.get({ slug: 'none' }), undefined)
  t.same(all.all().map((row) => row.slug), ['harbour', 'ferries'])
  t.same(values.values(), [['harbour'], ['ferries']])
  t.equal(compiles.n, 4)
  t.same(db.select({ id: tags.id }).from(tags).where(eq(tags.slug, 'harbour')).toSQL(), { sql: 'select "id" from "tags" where "tags"."slug" = ?', params: ['harbour'] }, 'toSQL gives the built text and values')
  t.same(db.all(sql`SELECT count(*) AS n FROM tags`), [{ n: 2 }], 'one-shot queries run at once')
  t.end()
})

t.test('a wrong statement throws at its first run; with lazyStatements false, where it is built', (t) => {
  const lazy = openDatabase(':memory:')
  t.teardown(() => lazy.$client.close())
  const stmt = lazy.select().from(tags).prepare()
  t.throws(() => stmt.all(), /no such table: tags/)
  const eager = openDatabase(':memory:', 'normal', { lazyStatements: false })
  t.teardown(() => eager.$client.close())
  t.throws(() => eager.select().from(tags).prepare(), /no such table: tags/)
  t.end()
})

t.test('a statement first run inside a transaction that rolls back keeps working after it', (t) => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.$client.close())
  runMigrations(db)
  const insert = db.insert(tags).values({ slug: p('slug'), name: 'x', createdAt: 0, updatedAt: 0 } as unknown as typeof tags.$inferInsert).prepare()
  const count = db.select({ n: sql<number>`count(*)` }).from(tags).prepare()
  t.throws(() => db.transaction(() => {
    insert.run({ slug: 'a' })
    t.equal(count.get()?.n, 1, 'seen inside')
    throw new Error('roll back')
  }), /roll back/)
  t.equal(count.get()?.n, 0, 'rolled back')
  insert.run({ slug: 'b' })
  t.equal(count.get()?.n, 1)
  t.end()
})

t.test('every statement the app prepares at build compiles (built eagerly), and a lazy build compiles few', async (t) => {
  const config = loadConfig({ DATABASE_PATH: ':memory:', SITE_URL: 'https://news.example.com', LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0' })
  const built: Record<string, number> = {}
  for (const lazyStatements of [false, true]) {
    const db = openDatabase(':memory:', 'normal', { lazyStatements })
    runMigrations(db)
    const compiles = countCompiles(db)
    const app = await buildApp(config, { db })
    await app.ready()
    built[String(lazyStatements)] = compiles.n
    t.equal((await app.inject('/v1/posts')).statusCode, 200)
    await app.close()
  }
  t.ok(built.false > 250, `eager: ${built.false} statements compiled at build`)
  t.ok(built.true < built.false / 4, `lazy: ${built.true} compiled at build`)
})
