import { and, eq, gt, lte, max, sql } from 'drizzle-orm'
import { isLive, isScheduled, type ContentChange } from '../change-bus.js'
import type { EngineTermVisibility } from '../term-visibility.js'
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
// row's whose time has come (so neither the clocks of several API machines nor a clock stepping
// back can reorder; a scheduled go-live's entry, dated ahead, does not drag later ones along).

/** The advisory lock key of the change log's turn: the ASCII of "bschange" as a 64-bit integer. */
export const CHANGE_LOG_LOCK_KEY = '7094123138001037157'

/**
 * Takes the change log's turn for this transaction (released at its COMMIT or ROLLBACK) and
 * returns the time to stamp its change rows with: after every committed row's.
 */
export async function takeChangeLogTurn (tx: Pick<PgTx, 'execute' | 'select'>): Promise<number> {
  await tx.execute(sql`select pg_advisory_xact_lock(${CHANGE_LOG_LOCK_KEY}::bigint)`)
  // A statement after the lock's: at READ COMMITTED its snapshot holds the previous holder's rows.
  // Only rows whose time has come hold the clock: a scheduled go-live's entry is dated ahead on
  // purpose (readers skip it until then), and following it would date every later write after
  // it, hidden until the go-live (SQLite stamps the write's own time).
  // (The filter on the statement's start, a stable value, so the index bounds it: the clock's is volatile.)
  const [row] = await tx.select({
    at: sql<number>`greatest((extract(epoch from clock_timestamp()) * 1000)::bigint, coalesce(${max(changes.changedAt)}, 0))`.mapWith(Number)
  }).from(changes).where(lte(changes.changedAt, sql`(extract(epoch from statement_timestamp()) * 1000)::bigint`))
  return row.at
}

type ChangeLogRow = Pick<typeof changes.$inferInsert, 'resource' | 'resourceId' | 'slug' | 'action' | 'postId'>

/**
 * The change-log entries of one change that need no lookup, as the SQLite listener
 * (src/modules/changes) writes them: the site and comments. Terms, and posts re-announced by a
 * term's write, and pages are logged by pgChangeLogListener (they ask the database or drop
 * entries); a post write's own entries come with that module's port, and until then such a
 * change is refused rather than logged wrongly.
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

/** A post or page whose entries not yet visible a write replaces. */
interface Future { resource: 'post' | 'page', id: number }

/** What a term's entry needs to know: whether a live post makes it public (src/db/term-visibility.ts). */
export type PgTermVisibility = Pick<EngineTermVisibility, 'hasLivePost'>

/**
 * The entries of one change that need the database: terms (logged only while the public may
 * see them, as the SQLite listener does) and a post re-announced unchanged by a term's write
 * (its terms' names or paths changed: no links). A post write's own change (with links: the
 * terms it makes public or hidden) comes with the posts module's port and is refused until then.
 * `dropFuture` lists the posts whose not-yet-visible entries are replaced.
 */
async function entriesOf (change: ContentChange, now: number, tx: PgTx, terms: PgTermVisibility | undefined): Promise<{ rows: Array<ChangeLogRow & { changedAt?: number }>, dropFuture?: Future }> {
  switch (change.kind) {
    case 'category':
    case 'tag':
    case 'author': {
      if (terms === undefined) throw new Error('the change log of terms on PostgreSQL needs the term visibility (pgChangeLogListener({ terms }))')
      const shown = change.action === 'upsert' ? await terms.hasLivePost(change.kind, change.id, now, 0, { engine: 'postgres', db: tx }) : change.wasPublic !== false
      return { rows: shown ? [{ resource: change.kind, resourceId: change.id, slug: change.slug, action: change.action, postId: null }] : [] }
    }
    case 'page':
    case 'post': {
      // A page is logged by its own state, as a post re-announced without links; one under a
      // parent that is not live is not readable while it is so, which a mirror learns on fetching.
      if (change.kind === 'post' && change.links !== undefined) return { rows: changeLogRows(change) }
      const resource = change.kind
      const { before, after } = change
      const slug = after?.slug ?? before?.slug ?? null
      const rows: Array<ChangeLogRow & { changedAt?: number }> = []
      if (isLive(after, now)) rows.push({ resource, resourceId: change.id, slug, action: 'upsert', postId: null })
      else if (isLive(before, now)) rows.push({ resource, resourceId: change.id, slug, action: 'delete', postId: null })
      if (isScheduled(after, now)) rows.push({ resource, resourceId: change.id, slug, action: 'upsert', postId: null, changedAt: after!.publishedAt! })
      return { rows, dropFuture: { resource, id: change.id } }
    }
    default:
      return { rows: changeLogRows(change) }
  }
}

/**
 * The change log as a settle listener of the PostgreSQL change bus (createPgChangeBus), added
 * last: a write's entries are inserted at the very end of its transaction, under the change
 * log's turn and stamped with its time, so writers queue on the turn only from there to COMMIT.
 * A write that logs nothing does not take the turn. `terms` answers whether a term is public
 * (createEngineTermVisibility), asked through the write's `tx` at the end of the write.
 */
export function pgChangeLogListener (opts: { terms?: PgTermVisibility } = {}) {
  return async (written: readonly ContentChange[], now: number, tx: PgTx): Promise<void> => {
    let rows: Array<ChangeLogRow & { changedAt?: number }> = []
    const dropFuture = new Map<string, Future>()
    for (const change of written) {
      const entries = await entriesOf(change, now, tx, opts.terms)
      const drop = entries.dropFuture
      if (drop !== undefined) {
        dropFuture.set(`${drop.resource}:${drop.id}`, drop)
        // As the SQLite listener's drop at each change: a later change of the same post or page
        // in this write replaces the future entry an earlier one collected.
        rows = rows.filter((row) => !(row.resource === drop.resource && row.resourceId === drop.id && row.changedAt !== undefined && row.changedAt > now))
      }
      rows.push(...entries.rows)
    }
    if (rows.length === 0 && dropFuture.size === 0) return
    const at = await takeChangeLogTurn(tx)
    // Entries not yet visible (a scheduled post's or page's future go-live) are replaced on every write.
    for (const { resource, id } of dropFuture.values()) {
      await tx.delete(changes).where(and(eq(changes.resource, resource), eq(changes.resourceId, id), gt(changes.changedAt, now)))
    }
    if (rows.length > 0) await tx.insert(changes).values(rows.map((row) => ({ ...row, changedAt: row.changedAt ?? at })))
  }
}
