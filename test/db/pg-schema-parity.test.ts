import t from 'tap'
import { getTableColumns } from 'drizzle-orm'
import { getTableConfig as pgConfig, pgTable, bigint as pgBigint, integer as pgInteger, text as pgText, type PgTable } from 'drizzle-orm/pg-core'
import { getTableConfig as sqliteConfig, sqliteTable, integer as sqliteInteger, text as sqliteText, type SQLiteTable } from 'drizzle-orm/sqlite-core'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { SQLITE_ONLY } from '../../src/db/pg/sqlite-only.js'
import { pgTables, sqliteTables, twinTables } from '../../src/db/pg/twin.js'

// The two schema definitions (src/db/schema.ts for SQLite, src/db/pg/schema.ts for PostgreSQL)
// describe the same database: this compares what drizzle knows of each, table by table.

/** The engine-neutral kind of a column type, per engine; a type not listed fails the test. */
const SQLITE_KINDS: Record<string, string> = { SQLiteInteger: 'integer', SQLiteBoolean: 'boolean', SQLiteText: 'text', SQLiteTextJson: 'json', SQLiteReal: 'real' }
const PG_KINDS: Record<string, string> = { PgInteger: 'integer', PgBigInt53: 'integer', PgBoolean: 'boolean', PgText: 'text', PgJson: 'json', PgDoublePrecision: 'real' }
/** Integer columns holding milliseconds since the epoch: beyond a 32-bit integer, so bigint in PostgreSQL. */
const TIME_COLUMN = /(_at|_until)$|^(start|at)$/

interface Shape {
  columns: Record<string, unknown>
  primaryKey: string[]
  foreignKeys: unknown[]
  indexes: unknown[]
  uniques: unknown[]
  problems: string[]
}

type AnyColumn = { name: string, columnType: string, notNull: boolean, primary: boolean, default: unknown, enumValues?: string[] }

function columnShape (key: string, c: AnyColumn, kinds: Record<string, string>, identity: boolean, problems: string[]) {
  const kind = kinds[c.columnType]
  if (kind === undefined) problems.push(`${c.name}: column type ${c.columnType} has no counterpart rule`)
  // The default's value, not drizzle's hasDefault: SQLite counts every INTEGER PRIMARY KEY (a
  // rowid) as having one; identity is compared on its own (AUTOINCREMENT ↔ generated identity).
  return { key, kind, notNull: c.notNull, primary: c.primary, identity, default: c.default ?? null, enumValues: c.enumValues ?? null }
}

function sqliteShape (table: SQLiteTable): Shape {
  const config = sqliteConfig(table)
  const problems: string[] = []
  const columns = Object.fromEntries(Object.entries(getTableColumns(table)).map(([key, c]) => [c.name, columnShape(key, c, SQLITE_KINDS, (c as { autoIncrement?: boolean }).autoIncrement === true, problems)]))
  return {
    columns,
    primaryKey: config.primaryKeys.length > 0 ? config.primaryKeys[0].columns.map((c) => c.name) : config.columns.filter((c) => c.primary).map((c) => c.name),
    foreignKeys: config.foreignKeys.map((fk) => {
      const ref = fk.reference()
      return { name: fk.getName(), columns: ref.columns.map((c) => c.name), table: sqliteConfig(ref.foreignTable).name, foreignColumns: ref.foreignColumns.map((c) => c.name), onDelete: fk.onDelete ?? 'no action', onUpdate: fk.onUpdate ?? 'no action' }
    }).sort(byName),
    indexes: config.indexes.map((i) => ({ name: i.config.name, columns: i.config.columns.map((c) => (c as { name: string }).name), unique: i.config.unique, where: i.config.where === undefined ? null : 'partial' })).sort(byName),
    uniques: config.uniqueConstraints.map((u) => ({ name: u.getName(), columns: u.columns.map((c) => c.name) })).sort(byName),
    problems
  }
}

function pgShape (table: PgTable): Shape {
  const config = pgConfig(table)
  const problems: string[] = []
  const columns = Object.fromEntries(Object.entries(getTableColumns(table)).map(([key, c]) => {
    if (TIME_COLUMN.test(c.name) && c.columnType !== 'PgBigInt53') problems.push(`${c.name}: a time in ms must be bigint (mode number), is ${c.columnType}`)
    return [c.name, columnShape(key, c, PG_KINDS, c.generatedIdentity !== undefined, problems)]
  }))
  return {
    columns,
    primaryKey: config.primaryKeys.length > 0 ? config.primaryKeys[0].columns.map((c) => c.name) : config.columns.filter((c) => c.primary).map((c) => c.name),
    foreignKeys: config.foreignKeys.map((fk) => {
      const ref = fk.reference()
      return { name: fk.getName(), columns: ref.columns.map((c) => c.name), table: pgConfig(ref.foreignTable).name, foreignColumns: ref.foreignColumns.map((c) => c.name), onDelete: fk.onDelete ?? 'no action', onUpdate: fk.onUpdate ?? 'no action' }
    }).sort(byName),
    indexes: config.indexes.map((i) => ({ name: i.config.name, columns: i.config.columns.map((c) => (c as { name: string }).name), unique: i.config.unique, where: i.config.where === undefined ? null : 'partial' })).sort(byName),
    uniques: config.uniqueConstraints.map((u) => ({ name: u.getName(), columns: u.columns.map((c) => c.name) })).sort(byName),
    problems
  }
}

function byName (a: { name?: string }, b: { name?: string }): number {
  return (a.name ?? '').localeCompare(b.name ?? '')
}

/** What differs between the two shapes of one table, as readable lines (empty: the same). */
function differences (name: string, a: Shape, b: Shape): string[] {
  const out = [...a.problems.map((p) => `${name} (sqlite) ${p}`), ...b.problems.map((p) => `${name} (pg) ${p}`)]
  const columnNames = [...new Set([...Object.keys(a.columns), ...Object.keys(b.columns)])]
  for (const column of columnNames) {
    if (!(column in a.columns)) out.push(`${name}.${column}: only in PostgreSQL`)
    else if (!(column in b.columns)) out.push(`${name}.${column}: only in SQLite`)
    else if (JSON.stringify(a.columns[column]) !== JSON.stringify(b.columns[column])) out.push(`${name}.${column}: sqlite ${JSON.stringify(a.columns[column])} ≠ pg ${JSON.stringify(b.columns[column])}`)
  }
  if (JSON.stringify(Object.keys(a.columns)) !== JSON.stringify(Object.keys(b.columns))) out.push(`${name}: column order differs`)
  for (const part of ['primaryKey', 'foreignKeys', 'indexes', 'uniques'] as const) {
    if (JSON.stringify(a[part]) !== JSON.stringify(b[part])) out.push(`${name} ${part}: sqlite ${JSON.stringify(a[part])} ≠ pg ${JSON.stringify(b[part])}`)
  }
  return out
}

t.test('both engines declare the same tables', async (t) => {
  t.same([...pgTables().keys()].sort(), [...sqliteTables().keys()].sort())
  t.ok(sqliteTables().size >= 25, `all of schema.ts is seen (${sqliteTables().size} tables)`)
})

t.test('every table has the same columns, types, nullability, defaults, keys, foreign keys and indexes', async (t) => {
  for (const { name, sqlite, pg } of twinTables()) {
    const found = differences(name, sqliteShape(sqlite), pgShape(pg))
    t.same(found, [], name)
  }
})

t.test('tables are ordered parents first, for a copy', async (t) => {
  const order = twinTables().map((x) => x.name)
  for (const [child, parent] of [['posts', 'authors'], ['comments', 'posts'], ['post_tags', 'tags'], ['webhook_deliveries', 'webhooks'], ['post_featured_media', 'media'], ['key_usage', 'api_keys'], ['source_runs', 'sources']]) {
    t.ok(order.indexOf(parent) < order.indexOf(child), `${parent} before ${child}`)
  }
})

t.test('the comparison fails when one side gains or changes something', async (t) => {
  const base = sqliteShape(sqliteTable('x', { id: sqliteInteger('id').primaryKey({ autoIncrement: true }), at: sqliteInteger('created_at').notNull() }))
  const same = pgShape(pgTable('x', { id: pgInteger('id').primaryKey().generatedByDefaultAsIdentity(), at: pgBigint('created_at', { mode: 'number' }).notNull() }))
  t.same(differences('x', base, same), [], 'the control is equal')
  const extra = pgShape(pgTable('x', { id: pgInteger('id').primaryKey().generatedByDefaultAsIdentity(), at: pgBigint('created_at', { mode: 'number' }).notNull(), more: pgText('more') }))
  t.match(differences('x', base, extra).join('\n'), /x\.more: only in PostgreSQL/)
  const int4Time = pgShape(pgTable('x', { id: pgInteger('id').primaryKey().generatedByDefaultAsIdentity(), at: pgInteger('created_at').notNull() }))
  t.match(differences('x', base, int4Time).join('\n'), /created_at: a time in ms must be bigint/)
  const nullable = pgShape(pgTable('x', { id: pgInteger('id').primaryKey().generatedByDefaultAsIdentity(), at: pgBigint('created_at', { mode: 'number' }) }))
  t.match(differences('x', base, nullable).join('\n'), /x\.created_at: sqlite .*"notNull":true.* ≠ pg .*"notNull":false/)
  const noIdentity = pgShape(pgTable('x', { id: pgInteger('id').primaryKey(), at: pgBigint('created_at', { mode: 'number' }).notNull() }))
  t.match(differences('x', base, noIdentity).join('\n'), /x\.id:/)
  const withText = sqliteShape(sqliteTable('x', { id: sqliteInteger('id').primaryKey({ autoIncrement: true }), at: sqliteInteger('created_at').notNull(), more: sqliteText('more') }))
  t.match(differences('x', withText, same).join('\n'), /x\.more: only in SQLite/)
})

t.test('every SQLite object outside the twin has a planned PostgreSQL counterpart', async (t) => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.$client.close())
  runMigrations(db)
  const objects = db.$client.prepare("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ type: string, name: string }>
  const twin = pgTables()
  const unplanned = objects.filter((o) => !(o.type === 'table' && twin.has(o.name)) && !SQLITE_ONLY.some((rule) => rule.match.test(o.name)))
  t.same(unplanned.map((o) => `${o.type} ${o.name}`), [], 'add it to src/db/pg/sqlite-only.ts with its plan')
  t.ok(objects.some((o) => o.type === 'trigger'), 'triggers are seen')
  t.ok(SQLITE_ONLY.every((rule) => objects.some((o) => rule.match.test(o.name))), 'no rule names something that no longer exists')
})
