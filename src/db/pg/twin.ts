import { is } from 'drizzle-orm'
import { PgTable, getTableConfig as pgTableConfig } from 'drizzle-orm/pg-core'
import { SQLiteTable, getTableConfig as sqliteTableConfig } from 'drizzle-orm/sqlite-core'
import * as sqliteSchema from '../schema.js'
import * as pgSchema from './schema.js'

/** One table of the content schema on both engines. */
export interface TwinTable {
  name: string
  sqlite: SQLiteTable
  pg: PgTable
}

function tablesOf<T> (schema: Record<string, unknown>, isTable: (value: unknown) => value is T, nameOf: (table: T) => string): Map<string, T> {
  const found = new Map<string, T>()
  for (const value of Object.values(schema)) if (isTable(value)) found.set(nameOf(value), value)
  return found
}

/** The tables of src/db/schema.ts by SQL name. */
export function sqliteTables (): Map<string, SQLiteTable> {
  return tablesOf(sqliteSchema, (v): v is SQLiteTable => is(v, SQLiteTable), (t) => sqliteTableConfig(t).name)
}

/** The tables of src/db/pg/schema.ts by SQL name. */
export function pgTables (): Map<string, PgTable> {
  return tablesOf(pgSchema, (v): v is PgTable => is(v, PgTable), (t) => pgTableConfig(t).name)
}

/**
 * Every table in both schemas, parents before the tables whose foreign keys point at them (a
 * table's own parent_id aside): the order a copy inserts in and a wipe deletes against.
 * Throws when a table is on one side only (the parity test says which).
 */
export function twinTables (): TwinTable[] {
  const sqlite = sqliteTables()
  const pg = pgTables()
  const names = [...new Set([...sqlite.keys(), ...pg.keys()])].sort()
  const lonely = names.filter((n) => !sqlite.has(n) || !pg.has(n))
  if (lonely.length > 0) throw new Error(`tables on one engine only: ${lonely.join(', ')} (src/db/schema.ts and src/db/pg/schema.ts must declare the same tables)`)
  const parents = new Map(names.map((name) => [name, new Set(sqliteTableConfig(sqlite.get(name)!).foreignKeys
    .map((fk) => sqliteTableConfig(fk.reference().foreignTable).name)
    .filter((parent) => parent !== name))]))
  const ordered: string[] = []
  const placed = new Set<string>()
  while (ordered.length < names.length) {
    const ready = names.filter((n) => !placed.has(n) && [...parents.get(n)!].every((p) => placed.has(p)))
    if (ready.length === 0) throw new Error('the foreign keys between tables form a cycle: no copy order exists')
    for (const n of ready) { ordered.push(n); placed.add(n) }
  }
  return ordered.map((name) => ({ name, sqlite: sqlite.get(name)!, pg: pg.get(name)! }))
}
