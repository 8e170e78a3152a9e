import { sql } from 'drizzle-orm'
import { settled, type EngineDb } from '../../db/engine-port.js'

/** How long readiness waits for PostgreSQL (a pool with every connection busy, a host gone) before saying no. */
export const PG_PING_TIMEOUT_MS = 2000

/** What readiness asks of the database, on either engine (src/db/engine-port.ts). */
export interface HealthRepository {
  /** Rejects when the database does not answer (closed, gone, or on PostgreSQL not within PG_PING_TIMEOUT_MS). */
  ping: () => Promise<void>
}

export function createHealthRepository (edb: EngineDb, options: { timeoutMs?: number } = {}): HealthRepository {
  if (edb.engine === 'sqlite') {
    const { db } = edb
    // Prepared per call: probes are rare.
    return { ping: async () => { await settled(() => { db.get(sql`SELECT 1`) }) } }
  }
  const { db } = edb
  const timeoutMs = options.timeoutMs ?? PG_PING_TIMEOUT_MS
  return {
    async ping () {
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => { reject(new Error(`PostgreSQL did not answer within ${timeoutMs} ms`)) }, timeoutMs)
      })
      try {
        await Promise.race([db.execute(sql`select 1`), late])
      } finally {
        clearTimeout(timer)
      }
    }
  }
}
