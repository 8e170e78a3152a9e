import { and, asc, count, desc, eq, isNull, lt, lte, min, or, sql } from 'drizzle-orm'
import { isOpen, type Db } from '../../db/client.js'
import { authors, categories, sourceRuns, sources, tags } from '../../db/schema.js'
import { placeholderOf } from '../../db/placeholders.js'

export type SourceRow = typeof sources.$inferSelect
export type SourceRunRow = typeof sourceRuns.$inferSelect
/** What the API sets on a source. */
export type SourceInput = Pick<SourceRow, 'feedUrl' | 'name' | 'categoryIds' | 'tagIds' | 'authorId' | 'status' | 'intervalMinutes' | 'enabled' | 'attributionName' | 'attributionUrl'>
/** What a finished poll writes back. */
export interface PollOutcome {
  feedUrl: string
  etag: string | null
  lastModified: string | null
  nextPollAt: number
  consecutiveFailures: number
  lastError: string | null
  enabled: boolean
  disabledReason: string | null
}
export type RunInput = Omit<SourceRunRow, 'id'>

/**
 * All database access for feed subscriptions and their poll history. A poller leases a due
 * source by setting `lease_until` in an IMMEDIATE transaction (two processes on one file
 * never take the same one) and writes its result only while the lease is still the one it
 * took, so a poller that stalled past its lease cannot overwrite a newer poll.
 */
export function createSourcesRepository (db: Db) {
  const ph = sql.placeholder
  const s = sources
  const r = sourceRuns
  const st = {
    insert: db.insert(s).values({
      feedUrl: ph('feedUrl'),
      name: ph('name'),
      categoryIds: ph('categoryIds'),
      tagIds: ph('tagIds'),
      authorId: ph('authorId'),
      status: ph('status'),
      intervalMinutes: ph('intervalMinutes'),
      enabled: ph('enabled'),
      attributionName: ph('attributionName'),
      attributionUrl: ph('attributionUrl'),
      nextPollAt: ph('now'),
      createdAt: ph('now'),
      updatedAt: ph('now')
    }).returning().prepare(),
    update: db.update(s).set({
      feedUrl: placeholderOf(s.feedUrl, 'feedUrl'),
      name: placeholderOf(s.name, 'name'),
      categoryIds: placeholderOf(s.categoryIds, 'categoryIds'),
      tagIds: placeholderOf(s.tagIds, 'tagIds'),
      authorId: placeholderOf(s.authorId, 'authorId'),
      status: placeholderOf(s.status, 'status'),
      intervalMinutes: placeholderOf(s.intervalMinutes, 'intervalMinutes'),
      enabled: placeholderOf(s.enabled, 'enabled'),
      attributionName: placeholderOf(s.attributionName, 'attributionName'),
      attributionUrl: placeholderOf(s.attributionUrl, 'attributionUrl'),
      nextPollAt: placeholderOf(s.nextPollAt, 'nextPollAt'),
      consecutiveFailures: placeholderOf(s.consecutiveFailures, 'consecutiveFailures'),
      disabledReason: placeholderOf(s.disabledReason, 'disabledReason'),
      updatedAt: placeholderOf(s.updatedAt, 'now')
    }).where(eq(s.id, ph('id'))).returning().prepare(),
    byId: db.select().from(s).where(eq(s.id, ph('id'))).prepare(),
    list: db.select().from(s).orderBy(asc(s.id)).limit(ph('limit')).offset(ph('offset')).prepare(),
    count: db.select({ n: count() }).from(s).prepare(),
    remove: db.delete(s).where(eq(s.id, ph('id'))).prepare(),
    pollNow: db.update(s).set({ nextPollAt: placeholderOf(s.nextPollAt, 'at'), updatedAt: placeholderOf(s.updatedAt, 'now') })
      .where(eq(s.id, ph('id'))).returning().prepare(),
    due: db.select({ id: s.id }).from(s)
      .where(and(eq(s.enabled, true), lte(s.nextPollAt, ph('now')), or(isNull(s.leaseUntil), lt(s.leaseUntil, ph('now')))))
      .orderBy(asc(s.nextPollAt), asc(s.id)).limit(ph('limit')).prepare(),
    lease: db.update(s).set({ leaseUntil: placeholderOf(s.leaseUntil, 'until') })
      .where(and(eq(s.id, ph('id')), or(isNull(s.leaseUntil), lt(s.leaseUntil, ph('now'))))).returning().prepare(),
    finish: db.update(s).set({
      feedUrl: placeholderOf(s.feedUrl, 'feedUrl'),
      etag: placeholderOf(s.etag, 'etag'),
      lastModified: placeholderOf(s.lastModified, 'lastModified'),
      nextPollAt: placeholderOf(s.nextPollAt, 'nextPollAt'),
      consecutiveFailures: placeholderOf(s.consecutiveFailures, 'consecutiveFailures'),
      lastError: placeholderOf(s.lastError, 'lastError'),
      enabled: placeholderOf(s.enabled, 'enabled'),
      disabledReason: placeholderOf(s.disabledReason, 'disabledReason'),
      lastPolledAt: placeholderOf(s.lastPolledAt, 'now'),
      leaseUntil: null,
      updatedAt: placeholderOf(s.updatedAt, 'now')
    }).where(and(eq(s.id, ph('id')), eq(s.leaseUntil, ph('lease')))).prepare(),
    nextDue: db.select({ at: min(s.nextPollAt) }).from(s).where(eq(s.enabled, true)).prepare(),
    insertRun: db.insert(r).values({
      sourceId: ph('sourceId'),
      startedAt: ph('startedAt'),
      url: ph('url'),
      httpStatus: ph('httpStatus'),
      itemsSeen: ph('itemsSeen'),
      itemsNew: ph('itemsNew'),
      itemsUpdated: ph('itemsUpdated'),
      itemsSkipped: ph('itemsSkipped'),
      durationMs: ph('durationMs'),
      error: ph('error')
    }).prepare(),
    runs: db.select().from(r).where(eq(r.sourceId, ph('sourceId'))).orderBy(desc(r.id)).limit(ph('limit')).offset(ph('offset')).prepare(),
    countRuns: db.select({ n: count() }).from(r).where(eq(r.sourceId, ph('sourceId'))).prepare(),
    authorExists: db.select({ id: authors.id }).from(authors).where(eq(authors.id, ph('id'))).prepare(),
    categoryExists: db.select({ id: categories.id }).from(categories).where(eq(categories.id, ph('id'))).prepare(),
    tagExists: db.select({ id: tags.id }).from(tags).where(eq(tags.id, ph('id'))).prepare()
  }

  return {
    create (input: SourceInput, now: number): SourceRow {
      return st.insert.get({ ...input, now })!
    },

    /** Writes the API's fields; `nextPollAt`, failures and the disabled reason as the service decided. */
    update (id: number, input: SourceInput & Pick<SourceRow, 'nextPollAt' | 'consecutiveFailures' | 'disabledReason'>, now: number): SourceRow | undefined {
      return st.update.get({ ...input, id, now })
    },

    findById (id: number): SourceRow | undefined {
      return st.byId.get({ id })
    },

    list (limit: number, offset: number): SourceRow[] {
      return st.list.all({ limit, offset })
    },

    count (): number {
      return st.count.get()!.n
    },

    /** Deletes a source and its runs; the posts it imported stay. */
    remove (id: number): boolean {
      return st.remove.run({ id }).changes > 0
    },

    /** Makes a source due at `at`. */
    pollAt (id: number, at: number, now: number): SourceRow | undefined {
      return st.pollNow.get({ id, at, now })
    },

    /** Leases up to `limit` due sources until `now + leaseMs`, in one IMMEDIATE transaction. */
    claim (now: number, limit: number, leaseMs: number): SourceRow[] {
      return db.transaction(() => {
        const out: SourceRow[] = []
        for (const { id } of st.due.all({ now, limit })) {
          const row = st.lease.get({ id, now, until: now + leaseMs })
          if (row !== undefined) out.push(row)
        }
        return out
      }, { behavior: 'immediate' })
    },

    /** Records a poll: the source's new state and the run, in one transaction; false (nothing written) when the lease was lost. */
    finish (id: number, lease: number, outcome: PollOutcome, run: RunInput, now: number): boolean {
      return db.transaction(() => {
        if (st.finish.run({ ...outcome, id, lease, now }).changes === 0) return false
        st.insertRun.run(run)
        return true
      }, { behavior: 'immediate' })
    },

    /** When the earliest enabled source is due, if any. */
    nextDue (): number | null {
      return st.nextDue.get()?.at ?? null
    },

    runs (sourceId: number, limit: number, offset: number): SourceRunRow[] {
      return st.runs.all({ sourceId, limit, offset })
    },

    countRuns (sourceId: number): number {
      return st.countRuns.get({ sourceId })!.n
    },

    /** Which of the given ids name no author, category or tag. */
    missing (kind: 'author' | 'category' | 'tag', ids: number[]): number[] {
      const q = kind === 'author' ? st.authorExists : kind === 'category' ? st.categoryExists : st.tagExists
      return ids.filter((id) => q.get({ id }) === undefined)
    },

    isOpen (): boolean {
      return isOpen(db)
    }
  }
}
export type SourcesRepository = ReturnType<typeof createSourcesRepository>
