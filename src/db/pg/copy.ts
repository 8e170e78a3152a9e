import { createHash } from 'node:crypto'
import { eq, getTableColumns, gt, sql, type SQL } from 'drizzle-orm'
import { getTableConfig as pgConfig, type PgColumn } from 'drizzle-orm/pg-core'
import { getTableConfig as sqliteConfig, integer, sqliteTable, text, type SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '../client.js'
import type { PgDb } from './client.js'
import { twinTables, type TwinTable } from './twin.js'

// `npm run cli -- migrate-to DATABASE_URL` (issue 20): copies every table of src/db/schema.ts
// from a SQLite site into a migrated, empty PostgreSQL database through both engines' query
// builders, parents first, in batches, in one PostgreSQL transaction (a failure leaves the
// target empty), from one SQLite read snapshot; then moves each identity past the highest id
// SQLite ever handed out and verifies every table by row count and content hash.
//
// Not copied, because they are derived and rebuilt from the copied rows: the read model (search
// index, related-post vectors, stored documents; src/db/read-model.ts). PostgreSQL's triggers
// fill the search rows and the documents' queues as the posts arrive. Not in the database at
// all: the commenter-address key file (DATABASE_PATH.key) and the media files (MEDIA_PATH).

/** SQLite's record of the highest id each AUTOINCREMENT table handed out (kept after deletes). */
const sqliteSequence = sqliteTable('sqlite_sequence', { name: text('name').notNull(), seq: integer('seq').notNull() })

/** Rows per batch: bounded by PostgreSQL's 65,535 bind parameters and by memory for large bodies. */
function batchRows (columns: number): number {
  return Math.max(1, Math.min(500, Math.floor(30_000 / columns)))
}

export interface TableReport {
  table: string
  sqliteRows: number
  pgRows: number
  sqliteHash: string
  pgHash: string
  ok: boolean
}

export interface CopyReport {
  tables: TableReport[]
  ok: boolean
  rows: number
  ms: number
}

/** The target already holds rows: a copy would mix two sites. */
export class TargetNotEmptyError extends Error {
  constructor (readonly tables: Array<{ table: string }>) {
    super(`the target database is not empty (rows in ${tables.map((t) => t.table).join(', ')}): migrate-to copies into an empty, migrated database only; create a new database (createdb) and run it again`)
  }
}

const MOD = 1n << 256n

/**
 * A content hash of a table that both engines compute the same way: each row as the JSON array
 * of its values in column order (the values drizzle maps the row to: numbers, strings,
 * booleans, null, parsed JSON), hashed with SHA-256, summed modulo 2^256. A sum does not depend
 * on row order, so neither engine's collation matters; count and hash are compared together.
 */
class TableHash {
  sum = 0n
  rows = 0
  constructor (private readonly keys: string[]) {}
  add (row: Record<string, unknown>): void {
    const digest = createHash('sha256').update(JSON.stringify(this.keys.map((k) => row[k] ?? null))).digest('hex')
    this.sum = (this.sum + BigInt(`0x${digest}`)) % MOD
    this.rows++
  }

  hex (): string {
    return this.sum.toString(16).padStart(64, '0')
  }
}

/** The primary key columns of a table, in order, on each engine. */
function keyColumns (twin: TwinTable): { sqlite: SQLiteColumn[], pg: PgColumn[], keys: string[] } {
  const columns = getTableColumns(twin.sqlite)
  const pgColumns = getTableColumns(twin.pg)
  const config = sqliteConfig(twin.sqlite)
  const names = config.primaryKeys.length > 0 ? config.primaryKeys[0].columns.map((c) => c.name) : config.columns.filter((c) => c.primary).map((c) => c.name)
  const keys = names.map((n) => Object.entries(columns).find(([, c]) => c.name === n)![0])
  return { sqlite: keys.map((k) => columns[k]), pg: keys.map((k) => pgColumns[k]), keys }
}

/** `(a, b) > (x, y)`: the keyset condition after the last row of a batch (row values: SQLite ≥ 3.15 and PostgreSQL). */
function after (columns: Array<SQLiteColumn | PgColumn>, values: unknown[]): SQL {
  if (columns.length === 1) return gt(columns[0], values[0])
  return sql`(${sql.join(columns, sql`, `)}) > (${sql.join(values.map((v) => sql`${v}`), sql`, `)})`
}

/** Reads a SQLite table in primary-key order, batch by batch. */
function * sqliteBatches (source: Db, twin: TwinTable, size: number): Generator<Array<Record<string, unknown>>> {
  const key = keyColumns(twin)
  let last: unknown[] | null = null
  for (;;) {
    const rows = source.select().from(twin.sqlite).where(last === null ? undefined : after(key.sqlite, last)).orderBy(...key.sqlite).limit(size).all() as Array<Record<string, unknown>>
    if (rows.length === 0) return
    yield rows
    if (rows.length < size) return
    last = key.keys.map((k) => rows[rows.length - 1][k])
  }
}

/** Reads a PostgreSQL table in primary-key order, batch by batch. */
async function * pgBatches (target: PgDb, twin: TwinTable, size: number): AsyncGenerator<Array<Record<string, unknown>>> {
  const key = keyColumns(twin)
  let last: unknown[] | null = null
  for (;;) {
    const rows = await target.select().from(twin.pg).where(last === null ? undefined : after(key.pg, last)).orderBy(...key.pg).limit(size) as Array<Record<string, unknown>>
    if (rows.length === 0) return
    yield rows
    if (rows.length < size) return
    last = key.keys.map((k) => rows[rows.length - 1][k])
  }
}

/** The tables of the target that hold rows (empty: a copy may go ahead). */
export async function nonEmptyTables (target: Pick<PgDb, 'select'>): Promise<Array<{ table: string }>> {
  const found: Array<{ table: string }> = []
  for (const twin of twinTables()) {
    const rows = await target.select({ one: sql<number>`1` }).from(twin.pg).limit(1)
    if (rows.length > 0) found.push({ table: twin.name })
  }
  return found
}

/** A foreign key of a table to itself (parent_id), by its JS key and the referenced key, or null. */
function selfReference (twin: TwinTable): { column: string, references: string } | null {
  const columns = getTableColumns(twin.sqlite)
  const keyOf = (name: string): string => Object.entries(columns).find(([, c]) => c.name === name)![0]
  for (const fk of sqliteConfig(twin.sqlite).foreignKeys) {
    const ref = fk.reference()
    if (ref.foreignTable !== twin.sqlite) continue
    if (ref.columns.length !== 1) throw new Error(`${twin.name}: a composite foreign key to itself cannot be copied`)
    return { column: keyOf(ref.columns[0].name), references: keyOf(ref.foreignColumns[0].name) }
  }
  return null
}

/**
 * Copies every table from `source` into `target` and verifies the copy. Throws
 * TargetNotEmptyError, before writing anything, when the target holds rows.
 */
export async function copySqliteToPg (source: Db, target: PgDb, options: { onTable?: (table: string, rows: number) => void, batch?: number } = {}): Promise<CopyReport> {
  const started = performance.now()
  const tables = twinTables()
  // One read snapshot of the SQLite file for the copy and the verification, whatever other
  // processes write meanwhile (stop the servers first all the same: later writes are not copied).
  source.run(sql`BEGIN`)
  try {
    await target.transaction(async (tx) => {
      const filled = await nonEmptyTables(tx)
      if (filled.length > 0) throw new TargetNotEmptyError(filled)
      // The trigger that writes post_authors position 0 for each new post stands aside (the
      // copy brings SQLite's rows, position 0 included); the others fire and build the search
      // keys, facets and queues of the copied posts (migrations/pg/0004_read_model_triggers.sql).
      await tx.execute(sql`select set_config('broadsheet.copying', 'on', true)`)
      const sequences = new Map(source.select().from(sqliteSequence).all().map((r) => [r.name, r.seq]))
      for (const twin of tables) {
        const columns = Object.keys(getTableColumns(twin.sqlite))
        const self = selfReference(twin)
        const pending: Array<{ id: unknown, parent: unknown }> = []
        const pgColumns = getTableColumns(twin.pg)
        let rows = 0
        for (const batch of sqliteBatches(source, twin, options.batch ?? batchRows(columns.length))) {
          const values = batch.map((row) => {
            if (self === null) return row
            const parent = row[self.column] as number | null
            // A parent later in id order is not copied yet: link it once the table is in.
            if (parent !== null && parent >= (row[self.references] as number)) {
              pending.push({ id: row[self.references], parent })
              return { ...row, [self.column]: null }
            }
            return row
          })
          await tx.insert(twin.pg).values(values)
          rows += batch.length
        }
        for (const { id, parent } of pending) {
          await tx.update(twin.pg).set({ [self!.column]: parent }).where(eq(pgColumns[self!.references], id))
        }
        // The next id is past the highest SQLite ever gave (AUTOINCREMENT never reuses one).
        for (const column of pgConfig(twin.pg).columns.filter((c) => c.generatedIdentity !== undefined)) {
          const [{ max }] = await tx.select({ max: sql<number | null>`max(${column})` }).from(twin.pg)
          const next = Math.max(Number(max ?? 0), sequences.get(twin.name) ?? 0) + 1
          await tx.execute(sql`select setval(pg_get_serial_sequence(${twin.name}, ${column.name}), ${next}, false)`)
        }
        options.onTable?.(twin.name, rows)
      }
    })
    const report = await verifyCopy(source, target, options.batch)
    return { ...report, ms: Math.round(performance.now() - started) }
  } finally {
    source.run(sql`ROLLBACK`)
  }
}

/** Compares every table of both databases by row count and content hash (`batch`: rows per read, for tests). */
export async function verifyCopy (source: Db, target: PgDb, batch?: number): Promise<Omit<CopyReport, 'ms'>> {
  const report: TableReport[] = []
  for (const twin of twinTables()) {
    const keys = Object.keys(getTableColumns(twin.sqlite))
    const size = batch ?? batchRows(keys.length)
    const sqliteHash = new TableHash(keys)
    for (const batch of sqliteBatches(source, twin, size)) for (const row of batch) sqliteHash.add(row)
    const pgHash = new TableHash(keys)
    for await (const batch of pgBatches(target, twin, size)) for (const row of batch) pgHash.add(row)
    report.push({ table: twin.name, sqliteRows: sqliteHash.rows, pgRows: pgHash.rows, sqliteHash: sqliteHash.hex(), pgHash: pgHash.hex(), ok: sqliteHash.rows === pgHash.rows && sqliteHash.sum === pgHash.sum })
  }
  return { tables: report, ok: report.every((r) => r.ok), rows: report.reduce((n, r) => n + r.sqliteRows, 0) }
}

/** The report as the command line prints it: one line per table. */
export function formatCopyReport (report: CopyReport): string {
  const width = Math.max(...report.tables.map((r) => r.table.length))
  const lines = report.tables.map((r) => `${r.table.padEnd(width)}  ${String(r.sqliteRows).padStart(8)} → ${String(r.pgRows).padStart(8)}  ${r.sqliteHash.slice(0, 16)} ${r.ok ? '=' : '≠'} ${r.pgHash.slice(0, 16)}  ${r.ok ? 'ok' : 'MISMATCH'}`)
  return [`${'table'.padEnd(width)}  ${'sqlite'.padStart(8)}   ${'postgres'.padStart(8)}  content hash (sha-256 sum, first 16 hex)`, ...lines].join('\n')
}
