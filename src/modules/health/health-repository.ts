import { sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'

/** What readiness asks of the database. */
export function createHealthRepository (db: Db) {
  return {
    /** Throws when the database does not answer (closed, gone). Prepared per call: probes are rare. */
    ping (): void {
      db.get(sql`SELECT 1`)
    }
  }
}
export type HealthRepository = ReturnType<typeof createHealthRepository>
