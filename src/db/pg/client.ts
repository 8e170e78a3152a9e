import pg from 'pg'
import { sql } from 'drizzle-orm'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import { projectPath } from '../../lib/project-root.js'
import * as schema from './schema.js'

// PostgreSQL through the `pg` driver (node-postgres: the driver drizzle-kit and drizzle's
// node-postgres migrator use, a pool, LISTEN/NOTIFY for the invalidation port to come).

export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool }

/** Folder of the drizzle-kit migrations of src/db/pg/schema.ts. */
export const PG_MIGRATIONS_FOLDER = projectPath('migrations', 'pg')

/**
 * The session-level advisory lock every migrator takes first: servers starting together on one
 * database queue on it, the first applies the migrations, the others then find nothing to do.
 * A fixed 64-bit key, the ASCII of "bsmigrat"; held by the connection, so released by
 * PostgreSQL if the process dies while migrating.
 */
export const MIGRATION_LOCK_KEY = '7094362462219612532'

/** A pool over DATABASE_URL wrapped in Drizzle with the PostgreSQL schema. */
export function openPg (url: string, options: { max?: number } = {}): PgDb {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 })
  return drizzle(pool, { schema }) as PgDb
}

/**
 * Applies pending migrations of migrations/pg/ under MIGRATION_LOCK_KEY, on a connection of its
 * own (a session lock belongs to one connection; the migrator's transaction runs on it too).
 * Returns the number of migrations this call applied.
 */
export async function runPgMigrations (url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const db = drizzle(client)
    await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY}::bigint)`)
    try {
      const before = await appliedMigrations(db)
      await migrate(db, { migrationsFolder: PG_MIGRATIONS_FOLDER })
      return (await appliedMigrations(db)) - before
    } finally {
      await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY}::bigint)`)
    }
  } finally {
    await client.end()
  }
}

/** Rows of drizzle's migrations table (0 before the first migration made it). */
async function appliedMigrations (db: NodePgDatabase): Promise<number> {
  const exists = await db.execute<{ t: string | null }>(sql`select to_regclass('drizzle.__drizzle_migrations')::text as t`)
  if (exists.rows[0]?.t == null) return 0
  const rows = await db.execute<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)
  return rows.rows[0].n
}
