import { max, sql } from 'drizzle-orm'
import type { ContentChange } from '../change-bus.js'
import type { PgTx } from './transaction.js'
import { changes } from './schema.js'

// The change log in commit order on PostgreSQL (issue 20). Readers of GET /v1/changes continue
// after the last row they saw, by (changed_at, id). On SQLite writers take turns on the file's
// lock, so ids and times follow commit order. PostgreSQL hands out identity values at insert:
// writer X inserts id 10, writer Y inserts id 11 and commits, a reader sees 11 and moves past
// it, X commits — and 10 is never read. So a write takes the change log's turn right before
// inserting its rows: a transaction advisory lock on one key, held until its COMMIT, so writers
// queue only for the end of their transactions (their rows to COMMIT), and ids are given in
// commit order. The time is the database's clock read under the lock, never before the newest
// row's (so neither the clocks of several API machines nor a clock stepping back can reorder).

/** The advisory lock key of the change log's turn: the ASCII of "bschange" as a 64-bit integer. */
export const CHANGE_LOG_LOCK_KEY = '7094123138001037157'

/**
 * Takes the change log's turn for this transaction (released at its COMMIT or ROLLBACK) and
 * returns the time to stamp its change rows with: after every committed row's.
 */
export async function takeChangeLogTurn (tx: Pick<PgTx, 'execute' | 'select'>): Promise<number> {
  await tx.execute(sql`select pg_advisory_xact_lock(${CHANGE_LOG_LOCK_KEY}::bigint)`)
  // A statement after the lock's: at READ COMMITTED its snapshot holds the previous holder's rows.
  const [row] = await tx.select({
    at: sql<number>`greatest((extract(epoch from clock_timestamp()) * 1000)::bigint, coalesce(${max(changes.changedAt)}, 0))`.mapWith(Number)
  }).from(changes)
  return row.at
}

type ChangeLogRow = Pick<typeof changes.$inferInsert, 'resource' | 'resourceId' | 'slug' | 'action' | 'postId'>

/**
 * The change-log entries of one change, as the SQLite listener (src/modules/changes) writes
 * them, for the kinds whose modules are ported: the site, and comments (their entries need no
 * lookup). Posts, pages and terms ask which terms are public; they come with their modules'
 * port, and until then such a change is refused rather than logged wrongly.
 */
export function changeLogRows (change: ContentChange): ChangeLogRow[] {
  switch (change.kind) {
    case 'site':
      return [{ resource: 'site', resourceId: 1, slug: null, action: 'upsert', postId: null }]
    case 'comment': {
      if (change.after === 'approved') return [{ resource: 'comment', resourceId: change.id, slug: null, action: 'upsert', postId: change.postId }]
      if (change.before === 'approved') return [{ resource: 'comment', resourceId: change.id, slug: null, action: 'delete', postId: change.postId }]
      return []
    }
    default:
      throw new Error(`the change log of ${change.kind} changes on PostgreSQL comes with the port of that module (src/db/engine-port.ts §5)`)
  }
}

/**
 * The change log as a settle listener of the PostgreSQL change bus (createPgChangeBus), added
 * last: a write's entries are inserted at the very end of its transaction, under the change
 * log's turn and stamped with its time, so writers queue on the turn only from there to COMMIT.
 * A write that logs nothing does not take the turn.
 */
export function pgChangeLogListener () {
  return async (written: readonly ContentChange[], _now: number, tx: PgTx): Promise<void> => {
    const rows = written.flatMap(changeLogRows)
    if (rows.length === 0) return
    const at = await takeChangeLogTurn(tx)
    await tx.insert(changes).values(rows.map((row) => ({ ...row, changedAt: at })))
  }
}
