import { and, asc, eq, getTableColumns, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { PgDb } from './client.js'
import { scheduledEvents, sources, webhookDeliveries as d, webhooks as w } from './schema.js'

// Leases on PostgreSQL (issue 20), the counterparts of the claims of
// src/modules/webhooks/webhooks-repository.ts and src/modules/sources/sources-repository.ts,
// for the async port. On SQLite a claim is a read and an update in one IMMEDIATE transaction:
// the file's single writer makes them atomic. Here several API processes share the database,
// so a claim is one statement: the due rows are picked and locked `FOR UPDATE SKIP LOCKED` (a
// row another claimer holds is passed over, not waited for) and leased by the same UPDATE. Two
// claimers running at once therefore get disjoint rows, and neither waits for the other.
// The results are fenced as on SQLite: a delivery by its attempt count, a source by its lease,
// so a worker that stalled past its lease cannot overwrite a newer attempt.

/** A database or a transaction: the functions run in the caller's transaction when given one. */
export type PgExecutor = Pick<PgDb, '$with' | 'with' | 'select' | 'update' | 'delete'>

export type PgDeliveryRow = typeof d.$inferSelect
export type PgClaimedDelivery = PgDeliveryRow & Pick<typeof w.$inferSelect, 'url' | 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>

/**
 * Leases up to `limit` due deliveries of active webhooks until `now + leaseMs`, oldest due
 * first, and returns them with their webhook's URL and secrets. Each lease counts as an attempt.
 */
export async function claimDeliveries (db: PgExecutor, now: number, limit: number, leaseMs: number): Promise<PgClaimedDelivery[]> {
  const due = db.$with('due').as(db.select({ id: d.id }).from(d).innerJoin(w, eq(w.id, d.webhookId))
    .where(and(eq(d.status, 'pending'), lte(d.nextAttemptAt, now), eq(w.active, true)))
    .orderBy(asc(d.nextAttemptAt), asc(d.id)).limit(limit)
    .for('update', { of: d, skipLocked: true }))
  const rows = await db.with(due).update(d)
    .set({ attempts: sql`${d.attempts} + 1`, nextAttemptAt: now + leaseMs, updatedAt: now })
    .from(w)
    .where(and(eq(w.id, d.webhookId), inArray(d.id, db.select({ id: due.id }).from(due))))
    .returning({ ...getTableColumns(d), url: w.url, secret: w.secret, previousSecret: w.previousSecret, previousSecretExpiresAt: w.previousSecretExpiresAt })
  return rows.sort((a, b) => (a.id - b.id))
}

/**
 * Records the outcome of a claimed attempt: delivered (`code` 2xx, next null), retried at `next`,
 * or given up (`failed`). False, and nothing written, when a newer attempt took the delivery.
 */
export async function settleDelivery (db: PgExecutor, delivery: Pick<PgDeliveryRow, 'id' | 'attempts'>, outcome:
{ status: 'succeeded', code: number } | { status: 'pending' | 'failed', code: number | null, error: string, next: number | null }, now: number): Promise<boolean> {
  const fence = and(eq(d.id, delivery.id), eq(d.attempts, delivery.attempts), eq(d.status, 'pending'))
  const set = outcome.status === 'succeeded'
    ? { status: 'succeeded' as const, lastStatusCode: outcome.code, lastError: null, nextAttemptAt: null, deliveredAt: now, updatedAt: now }
    : { status: outcome.status, lastStatusCode: outcome.code, lastError: outcome.error, nextAttemptAt: outcome.next, updatedAt: now }
  const rows = await db.update(d).set(set).where(fence).returning({ id: d.id })
  return rows.length === 1
}

export type PgSourceRow = typeof sources.$inferSelect

/** Leases up to `limit` due, enabled sources until `now + leaseMs`, the longest due first. */
export async function claimSources (db: PgExecutor, now: number, limit: number, leaseMs: number): Promise<PgSourceRow[]> {
  const free = or(isNull(sources.leaseUntil), lt(sources.leaseUntil, now))
  const due = db.$with('due').as(db.select({ id: sources.id }).from(sources)
    .where(and(eq(sources.enabled, true), lte(sources.nextPollAt, now), free))
    .orderBy(asc(sources.nextPollAt), asc(sources.id)).limit(limit)
    .for('update', { skipLocked: true }))
  const rows = await db.with(due).update(sources).set({ leaseUntil: now + leaseMs })
    .where(inArray(sources.id, db.select({ id: due.id }).from(due)))
    .returning()
  return rows.sort((a, b) => a.id - b.id)
}

/** Ends a source's lease with the poll's outcome; false, and nothing written, when the lease was lost. */
export async function releaseSource (db: PgExecutor, id: number, lease: number, outcome: Partial<Pick<PgSourceRow, 'feedUrl' | 'etag' | 'lastModified' | 'nextPollAt' | 'consecutiveFailures' | 'lastError' | 'enabled' | 'disabledReason'>>, now: number): Promise<boolean> {
  const rows = await db.update(sources).set({ ...outcome, lastPolledAt: now, leaseUntil: null, updatedAt: now })
    .where(and(eq(sources.id, id), eq(sources.leaseUntil, lease))).returning({ id: sources.id })
  return rows.length === 1
}

/**
 * Removes and returns the scheduled go-live events due by `now`, each to exactly one caller
 * however many servers tick at once: rows another caller is taking are skipped, not waited for.
 */
export async function takeScheduled (db: PgExecutor, now: number, limit = 1000): Promise<Array<Pick<typeof scheduledEvents.$inferSelect, 'postId' | 'event' | 'dueAt'>>> {
  const due = db.$with('due').as(db.select({ id: scheduledEvents.id }).from(scheduledEvents)
    .where(lte(scheduledEvents.dueAt, now)).orderBy(asc(scheduledEvents.dueAt), asc(scheduledEvents.id)).limit(limit)
    .for('update', { skipLocked: true }))
  return await db.with(due).delete(scheduledEvents)
    .where(inArray(scheduledEvents.id, db.select({ id: due.id }).from(due)))
    .returning({ postId: scheduledEvents.postId, event: scheduledEvents.event, dueAt: scheduledEvents.dueAt })
}
