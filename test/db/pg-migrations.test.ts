import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { is } from 'drizzle-orm'
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core'
import { MIGRATION_LOCK_KEY, PG_MIGRATIONS_FOLDER, runPgMigrations } from '../../src/db/pg/client.js'
import * as readModel from '../../src/db/pg/read-model.js'
import { pgTables } from '../../src/db/pg/twin.js'
import { PG_SKIP, startPgCluster, type PgCluster } from '../helpers/pg-cluster.js'

// The PostgreSQL migrations (migrations/pg/, drizzle-kit) against a throwaway cluster.

const journal = JSON.parse(readFileSync(join(PG_MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
const MIGRATIONS = journal.entries.length

async function query<T> (url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(text, values)).rows as T[]
  } finally {
    await client.end()
  }
}

t.test('PostgreSQL migrations', { skip: PG_SKIP }, async (t) => {
  const cluster: PgCluster = await startPgCluster()
  t.teardown(cluster.stop)

  // The twin schema and the read model's tables (hand-written in 0004, declared in read-model.ts).
  const allTables = new Map([...pgTables(), ...Object.values(readModel).filter((v) => is(v, PgTable)).map((table) => [getTableConfig(table).name, table] as const)])

  t.test('an empty database gets every table and column of the twin schema and the read model, once', async (t) => {
    const url = await cluster.createDatabase('empty')
    t.equal(await runPgMigrations(url), MIGRATIONS, 'applies every migration')
    t.equal(await runPgMigrations(url), 0, 'a second run finds nothing to do')
    const columns = await query<{ table_name: string, column_name: string, data_type: string, is_nullable: string }>(url,
      "select table_name, column_name, data_type, is_nullable from information_schema.columns where table_schema = 'public'")
    for (const [name, table] of allTables) {
      const config = getTableConfig(table)
      const found = columns.filter((c) => c.table_name === name)
      t.same(found.map((c) => c.column_name).sort(), config.columns.map((c) => c.name).sort(), `${name}: its columns`)
      for (const column of config.columns) {
        const row = found.find((c) => c.column_name === column.name)
        t.equal(row?.is_nullable, column.notNull ? 'NO' : 'YES', `${name}.${column.name} nullability`)
        t.equal(row?.data_type, column.getSQLType(), `${name}.${column.name} type`)
      }
    }
    const tables = new Set(columns.map((c) => c.table_name))
    t.same([...tables].sort(), [...allTables.keys()].sort(), 'no other table')
    t.ok(allTables.size > pgTables().size, 'the read model is included')
    const indexes = await query<{ indexname: string }>(url, "select indexname from pg_indexes where schemaname = 'public'")
    for (const table of pgTables().values()) {
      for (const index of getTableConfig(table).indexes) t.ok(indexes.some((i) => i.indexname === index.config.name), `index ${index.config.name}`)
    }
  })

  t.test('two servers migrating at once: both succeed, each migration is applied once', async (t) => {
    const url = await cluster.createDatabase('race')
    const applied = await Promise.all([runPgMigrations(url), runPgMigrations(url), runPgMigrations(url)])
    t.same(applied.slice().sort(), [0, 0, MIGRATIONS], 'one migrator applied them all, the others none')
    const rows = await query<{ hash: string }>(url, 'select hash from drizzle.__drizzle_migrations')
    t.equal(rows.length, MIGRATIONS, 'one row per migration')
    t.equal(new Set(rows.map((r) => r.hash)).size, MIGRATIONS)
  })

  t.test('a migrator waits for the lock another connection holds', async (t) => {
    const url = await cluster.createDatabase('locked')
    const holder = new pg.Client({ connectionString: url })
    await holder.connect()
    t.teardown(() => holder.end())
    await holder.query('select pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY])
    const migrating = runPgMigrations(url)
    // Deterministic, not timed: wait until PostgreSQL shows the migrator queued on the lock.
    let waiting = 0
    for (let i = 0; i < 200 && waiting === 0; i++) {
      waiting = (await query<{ n: number }>(url, "select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted"))[0].n
      if (waiting === 0) await new Promise((resolve) => setTimeout(resolve, 25))
    }
    t.equal(waiting, 1, 'the migrator is queued on the advisory lock')
    t.same(await query(url, "select to_regclass('public.posts') as t"), [{ t: null }], 'and has created nothing yet')
    await holder.query('select pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY])
    t.equal(await migrating, MIGRATIONS, 'then migrates')
  })
})
