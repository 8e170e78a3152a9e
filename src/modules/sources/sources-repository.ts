import { and, asc, count, desc, eq, isNull, lt, lte, min, or, sql } from 'drizzle-orm'
import { createSqliteTransactor } from '../../db/async-transaction.js'
import { isOpen, type Db } from '../../db/client.js'
import { settled, type EngineDb, type EngineTx } from '../../db/engine-port.js'
import type { PgDb } from '../../db/pg/client.js'
import { claimSources, releaseSource } from '../../db/pg/leases.js'
import * as pgs from '../../db/pg/schema.js'
import { withPgTransaction } from '../../db/pg/transaction.js'
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
 * All database access for feed subscriptions and their poll history on SQLite, synchronously:
 * what the engine-neutral repository (below) answers through `settled`. A poller leases a due
 * source by setting `lease_until` in an IMMEDIATE transaction (two processes on one file
 * never take the same one) and writes its result only while the lease is still the one it
 * took, so a poller that stalled past its lease cannot overwrite a newer poll.
 */
function createSourcesSyncRepository (db: Db) {
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

/**
 * Feed subscriptions on either engine (engine-port.ts): reads answer Promises; the API's writes
 * take the open write's `tx` (src/db/engine-write.ts), so the service's checks and its write
 * are one transaction. The poller's claim and its record are each a transaction of their own,
 * announcing no change: on SQLite an IMMEDIATE transaction (one writer per file), run when no
 * other context's async write is open on the connection (it must not join one); on PostgreSQL
 * the claim is one statement `FOR UPDATE SKIP LOCKED` (src/db/pg/leases.ts), so several servers
 * on one database poll each source once. A poll's record is fenced by the lease it took on both.
 */
export interface SourcesRepository {
  findById: (id: number, tx?: EngineTx) => Promise<SourceRow | undefined>
  list: (limit: number, offset: number) => Promise<SourceRow[]>
  count: () => Promise<number>
  runs: (sourceId: number, limit: number, offset: number) => Promise<SourceRunRow[]>
  countRuns: (sourceId: number) => Promise<number>
  /** When the earliest enabled source is due, if any. */
  nextDue: () => Promise<number | null>
  /** Which of the given ids name no author, category or tag (through `tx` inside a write). */
  missing: (kind: 'author' | 'category' | 'tag', ids: number[], tx?: EngineTx) => Promise<number[]>
  create: (tx: EngineTx, input: SourceInput, now: number) => Promise<SourceRow>
  /** Writes the API's fields; `nextPollAt`, failures and the disabled reason as the service decided. */
  update: (tx: EngineTx, id: number, input: SourceInput & Pick<SourceRow, 'nextPollAt' | 'consecutiveFailures' | 'disabledReason'>, now: number) => Promise<SourceRow | undefined>
  /** Deletes a source and its runs; the posts it imported stay. False when there was none. */
  remove: (tx: EngineTx, id: number) => Promise<boolean>
  /** Makes a source due at `at`. */
  pollAt: (tx: EngineTx, id: number, at: number, now: number) => Promise<SourceRow | undefined>
  /** Leases up to `limit` due, enabled sources until `now + leaseMs`, the longest due first. */
  claim: (now: number, limit: number, leaseMs: number) => Promise<SourceRow[]>
  /** Records a poll (the source's new state and its run) while `lease` is still its lease; false, nothing written, when it was lost. */
  finish: (id: number, lease: number, outcome: PollOutcome, run: RunInput, now: number) => Promise<boolean>
  /** False once the database is closed (the poller stops). */
  isOpen: () => boolean
}

export function createSourcesRepository (edb: EngineDb): SourcesRepository {
  if (edb.engine === 'postgres') return pgSourcesRepository(edb.db)
  const sync = createSourcesSyncRepository(edb.db)
  // The connection's async transactor, shared with the engine-neutral writer: the poller's
  // transactions are its own, so they wait for another context's open async write (resumed
  // among its microtasks) to end instead of joining it. Run at once in the common case.
  const transactor = createSqliteTransactor(edb.db)
  async function alone<T> (step: () => T): Promise<T> {
    while (transactor.busy() && !transactor.inside()) await transactor.idle()
    return step()
  }
  // One connection: the API's writes' statements are this connection's, inside the writer's
  // transaction, `tx` or not.
  return {
    findById: async (id) => await settled(() => sync.findById(id)),
    list: async (limit, offset) => await settled(() => sync.list(limit, offset)),
    count: async () => await settled(() => sync.count()),
    runs: async (sourceId, limit, offset) => await settled(() => sync.runs(sourceId, limit, offset)),
    countRuns: async (sourceId) => await settled(() => sync.countRuns(sourceId)),
    nextDue: async () => await settled(() => sync.nextDue()),
    missing: async (kind, ids) => await settled(() => sync.missing(kind, ids)),
    create: async (_tx, input, now) => await settled(() => sync.create(input, now)),
    update: async (_tx, id, input, now) => await settled(() => sync.update(id, input, now)),
    remove: async (_tx, id) => await settled(() => sync.remove(id)),
    pollAt: async (_tx, id, at, now) => await settled(() => sync.pollAt(id, at, now)),
    claim: async (now, limit, leaseMs) => await alone(() => sync.claim(now, limit, leaseMs)),
    finish: async (id, lease, outcome, run, now) => await alone(() => sync.finish(id, lease, outcome, run, now)),
    isOpen: () => sync.isOpen()
  }
}

/**
 * Whether an id can name a row on PostgreSQL: ids are `integer` there, and a parameter past its
 * range fails the query (a 500 for a client's large id) instead of matching nothing.
 */
const isRowId = (id: number) => Number.isSafeInteger(id) && id >= -2_147_483_648 && id <= 2_147_483_647

function pgSourcesRepository (db: PgDb): SourcesRepository {
  const s = pgs.sources
  const r = pgs.sourceRuns
  const on = (tx: EngineTx) => {
    if (tx.engine !== 'postgres') throw new Error('a SQLite write handle given to the PostgreSQL sources repository')
    return tx.db
  }
  const ph = sql.placeholder
  // Named: each pooled connection parses them once.
  const byId = db.select().from(s).where(eq(s.id, ph('id'))).prepare('sources_by_id')
  const list = db.select().from(s).orderBy(asc(s.id)).limit(ph('limit')).offset(ph('offset')).prepare('sources_list')
  const runs = db.select().from(r).where(eq(r.sourceId, ph('sourceId'))).orderBy(desc(r.id)).limit(ph('limit')).offset(ph('offset')).prepare('sources_runs')
  const tables = { author: pgs.authors, category: pgs.categories, tag: pgs.tags }

  return {
    async findById (id, tx) {
      if (!isRowId(id)) return undefined
      if (tx === undefined) return (await byId.execute({ id }))[0]
      return (await on(tx).select().from(s).where(eq(s.id, id)))[0]
    },
    async list (limit, offset) {
      return await list.execute({ limit, offset })
    },
    async count () {
      return (await db.select({ n: count() }).from(s))[0]?.n ?? 0
    },
    async runs (sourceId, limit, offset) {
      if (!isRowId(sourceId)) return []
      return await runs.execute({ sourceId, limit, offset })
    },
    async countRuns (sourceId) {
      if (!isRowId(sourceId)) return 0
      return (await db.select({ n: count() }).from(r).where(eq(r.sourceId, sourceId)))[0]?.n ?? 0
    },
    async nextDue () {
      return (await db.select({ at: min(s.nextPollAt) }).from(s).where(eq(s.enabled, true)))[0]?.at ?? null
    },
    async missing (kind, ids, tx) {
      const asked = ids.filter(isRowId)
      if (asked.length === 0) return [...ids]
      const table = tables[kind]
      const found = await (tx === undefined ? db : on(tx)).select({ id: table.id }).from(table)
        .where(sql`${table.id} = any(${sql.param(asked)}::int[])`)
      const known = new Set(found.map((row) => row.id))
      return ids.filter((id) => !known.has(id))
    },
    async create (tx, input, now) {
      const [row] = await on(tx).insert(s).values({ ...input, nextPollAt: now, createdAt: now, updatedAt: now }).returning()
      return row
    },
    async update (tx, id, input, now) {
      if (!isRowId(id)) return undefined
      const { feedUrl, name, categoryIds, tagIds, authorId, status, intervalMinutes, enabled, attributionName, attributionUrl, nextPollAt, consecutiveFailures, disabledReason } = input
      const [row] = await on(tx).update(s).set({
        feedUrl, name, categoryIds, tagIds, authorId, status, intervalMinutes, enabled, attributionName, attributionUrl, nextPollAt, consecutiveFailures, disabledReason, updatedAt: now
      }).where(eq(s.id, id)).returning()
      return row
    },
    async remove (tx, id) {
      if (!isRowId(id)) return false
      return (await on(tx).delete(s).where(eq(s.id, id)).returning({ id: s.id })).length > 0
    },
    async pollAt (tx, id, at, now) {
      if (!isRowId(id)) return undefined
      const [row] = await on(tx).update(s).set({ nextPollAt: at, updatedAt: now }).where(eq(s.id, id)).returning()
      return row
    },
    async claim (now, limit, leaseMs) {
      // One statement: autocommitted, its row locks held only while it runs.
      return await claimSources(db, now, limit, leaseMs)
    },
    async finish (id, lease, outcome, run, now) {
      return await withPgTransaction(db, async (tx) => {
        if (!await releaseSource(tx, id, lease, outcome, now)) return false
        await tx.insert(r).values(run)
        return true
      })
    },
    isOpen: () => !db.$client.ended && !db.$client.ending
  }
}
