import { and, count, desc, eq, getTableColumns, lte, min, ne, sql } from 'drizzle-orm'
import { createSqliteTransactor } from '../../db/async-transaction.js'
import { isOpen, type Db } from '../../db/client.js'
import { settled, type EngineDb, type EngineTx } from '../../db/engine-port.js'
import type { PgDb } from '../../db/pg/client.js'
import { claimDeliveries, settleDelivery } from '../../db/pg/leases.js'
import * as pgs from '../../db/pg/schema.js'
import { scheduledEvents, scheduledPageEvents, webhookDeliveries, webhooks, WEBHOOK_EVENTS, type WebhookEvent } from '../../db/schema.js'
import { placeholderOf } from '../../db/placeholders.js'

export { WEBHOOK_EVENTS, type WebhookEvent }

export type WebhookRow = typeof webhooks.$inferSelect
export type DeliveryRow = typeof webhookDeliveries.$inferSelect
export type DeliveryStatus = DeliveryRow['status']
/** A delivery claimed by a worker, with what it needs to send it. */
export type ClaimedDelivery = DeliveryRow & Pick<WebhookRow, 'url' | 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>
export type WebhookInput = Pick<WebhookRow, 'url' | 'events' | 'secret' | 'description' | 'active'>
/** What an update writes: the input and the previous secret (a PATCH of `secret` drops it at once). */
export type WebhookUpdate = WebhookInput & Pick<WebhookRow, 'id' | 'previousSecret' | 'previousSecretExpiresAt'>

/**
 * All database access for webhooks, their delivery queue and scheduled events on SQLite,
 * synchronously. The queue lives in the database, so a restart or a crash loses nothing; a
 * delivery being sent is leased by pushing its next_attempt_at past the request timeout, and
 * `attempts` fences the result so a worker whose lease ran out cannot overwrite a newer
 * attempt. What the engine-neutral repository (below) answers through `settled` on SQLite, and
 * what the callers not yet ported use (`.sync`): the change-bus listener that queues deliveries
 * inside a write (webhooks-events.ts: subscribers, enqueue, the scheduled go-lives) and its
 * `promoteDue`, and tests that seed synchronously.
 */
export function createWebhooksSyncRepository (db: Db) {
  const ph = sql.placeholder
  const d = webhookDeliveries
  const w = webhooks
  const s = {
    insert: db.insert(w).values({
      url: ph('url'), events: ph('events'), secret: ph('secret'), description: ph('description'), active: ph('active'), createdAt: ph('now'), updatedAt: ph('now')
    }).returning().prepare(),
    update: db.update(w).set({
      url: placeholderOf(w.url, 'url'),
      events: placeholderOf(w.events, 'events'),
      secret: placeholderOf(w.secret, 'secret'),
      previousSecret: placeholderOf(w.previousSecret, 'previousSecret'),
      previousSecretExpiresAt: placeholderOf(w.previousSecretExpiresAt, 'previousSecretExpiresAt'),
      description: placeholderOf(w.description, 'description'),
      active: placeholderOf(w.active, 'active'),
      updatedAt: placeholderOf(w.updatedAt, 'now')
    }).where(eq(w.id, ph('id'))).returning().prepare(),
    byId: db.select().from(w).where(eq(w.id, ph('id'))).prepare(),
    rotate: db.update(w).set({
      previousSecret: w.secret,
      previousSecretExpiresAt: placeholderOf(w.previousSecretExpiresAt, 'until'),
      secret: placeholderOf(w.secret, 'secret'),
      updatedAt: placeholderOf(w.updatedAt, 'now')
    }).where(eq(w.id, ph('id'))).returning().prepare(),
    list: db.select().from(w).orderBy(w.id).limit(ph('limit')).offset(ph('offset')).prepare(),
    count: db.select({ n: count() }).from(w).prepare(),
    remove: db.delete(w).where(eq(w.id, ph('id'))).prepare(),
    active: db.select({ id: w.id, events: w.events }).from(w).where(eq(w.active, true)).orderBy(w.id).prepare(),
    enqueue: db.insert(d).values({
      webhookId: ph('webhookId'), event: ph('event'), payload: ph('payload'), status: 'pending', attempts: 0, nextAttemptAt: ph('now'), createdAt: ph('now'), updatedAt: ph('now')
    }).prepare(),
    deliveries: db.select().from(d).where(eq(d.webhookId, ph('webhook'))).orderBy(desc(d.id)).limit(ph('limit')).offset(ph('offset')).prepare(),
    deliveriesIn: db.select().from(d).where(and(eq(d.webhookId, ph('webhook')), eq(d.status, ph('status')))).orderBy(desc(d.id)).limit(ph('limit')).offset(ph('offset')).prepare(),
    countDeliveries: db.select({ n: count() }).from(d).where(eq(d.webhookId, ph('webhook'))).prepare(),
    countDeliveriesIn: db.select({ n: count() }).from(d).where(and(eq(d.webhookId, ph('webhook')), eq(d.status, ph('status')))).prepare(),
    delivery: db.select().from(d).where(and(eq(d.id, ph('id')), eq(d.webhookId, ph('webhook')))).prepare(),
    requeue: db.update(d).set({ status: 'pending', attempts: 0, nextAttemptAt: placeholderOf(d.nextAttemptAt, 'now'), updatedAt: placeholderOf(d.updatedAt, 'now') })
      .where(and(eq(d.id, ph('id')), ne(d.status, 'pending'))).prepare(),
    // A paused (inactive) webhook keeps its deliveries queued until it is active again.
    due: db.select({ id: d.id }).from(d).innerJoin(w, eq(w.id, d.webhookId))
      .where(and(eq(d.status, 'pending'), lte(d.nextAttemptAt, ph('now')), eq(w.active, true)))
      .orderBy(d.nextAttemptAt, d.id).limit(ph('limit')).prepare(),
    lease: db.update(d).set({ attempts: sql`${d.attempts} + 1`, nextAttemptAt: placeholderOf(d.nextAttemptAt, 'until'), updatedAt: placeholderOf(d.updatedAt, 'now') })
      .where(and(eq(d.id, ph('id')), eq(d.status, 'pending'), lte(d.nextAttemptAt, ph('now')))).prepare(),
    claimed: db.select({ ...getTableColumns(d), url: w.url, secret: w.secret, previousSecret: w.previousSecret, previousSecretExpiresAt: w.previousSecretExpiresAt }).from(d).innerJoin(w, eq(w.id, d.webhookId))
      .where(eq(d.id, ph('id'))).prepare(),
    succeed: db.update(d).set({
      status: 'succeeded',
      lastStatusCode: placeholderOf(d.lastStatusCode, 'code'),
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: placeholderOf(d.deliveredAt, 'now'),
      updatedAt: placeholderOf(d.updatedAt, 'now')
    }).where(and(eq(d.id, ph('id')), eq(d.attempts, ph('attempts')), eq(d.status, 'pending'))).prepare(),
    fail: db.update(d).set({
      status: placeholderOf(d.status, 'status'),
      lastStatusCode: placeholderOf(d.lastStatusCode, 'code'),
      lastError: placeholderOf(d.lastError, 'error'),
      nextAttemptAt: placeholderOf(d.nextAttemptAt, 'next'),
      updatedAt: placeholderOf(d.updatedAt, 'now')
    }).where(and(eq(d.id, ph('id')), eq(d.attempts, ph('attempts')), eq(d.status, 'pending'))).prepare(),
    // The earliest due delivery of an active webhook, and the earliest scheduled event.
    nextDue: db.select({ at: min(d.nextAttemptAt) }).from(d).innerJoin(w, eq(w.id, d.webhookId))
      .where(and(eq(d.status, 'pending'), eq(w.active, true)))
      .unionAll(db.select({ at: min(scheduledEvents.dueAt) }).from(scheduledEvents))
      .unionAll(db.select({ at: min(scheduledPageEvents.dueAt) }).from(scheduledPageEvents)).prepare(),
    clearScheduled: db.delete(scheduledEvents).where(eq(scheduledEvents.postId, ph('postId'))).prepare(),
    schedule: db.insert(scheduledEvents).values({ postId: ph('postId'), event: ph('event'), dueAt: ph('dueAt') }).prepare(),
    takeScheduled: db.delete(scheduledEvents).where(lte(scheduledEvents.dueAt, ph('now')))
      .returning({ postId: scheduledEvents.postId, event: scheduledEvents.event, dueAt: scheduledEvents.dueAt }).prepare(),
    clearScheduledPage: db.delete(scheduledPageEvents).where(eq(scheduledPageEvents.pageId, ph('pageId'))).prepare(),
    schedulePage: db.insert(scheduledPageEvents).values({ pageId: ph('pageId'), event: ph('event'), dueAt: ph('dueAt') }).prepare(),
    takeScheduledPages: db.delete(scheduledPageEvents).where(lte(scheduledPageEvents.dueAt, ph('now')))
      .returning({ pageId: scheduledPageEvents.pageId, event: scheduledPageEvents.event, dueAt: scheduledPageEvents.dueAt }).prepare()
  }

  return {
    create (input: WebhookInput, now: number): WebhookRow {
      return s.insert.get({ ...input, now })!
    },

    update (row: WebhookUpdate, now: number): WebhookRow {
      return s.update.get({ ...row, now })!
    },

    findById (id: number): WebhookRow | undefined {
      return s.byId.get({ id })
    },

    /** A new signing secret; the current one keeps signing too until `previousUntil`. */
    rotate (id: number, secret: string, previousUntil: number, now: number): WebhookRow | undefined {
      return s.rotate.get({ id, secret, until: previousUntil, now })
    },

    list (limit: number, offset: number): WebhookRow[] {
      return s.list.all({ limit, offset })
    },

    count (): number {
      return s.count.get()!.n
    },

    /** Deletes a webhook; its deliveries go with it (foreign key cascade). */
    remove (id: number): boolean {
      return s.remove.run({ id }).changes > 0
    },

    /** Ids of the active webhooks subscribed to an event. */
    subscribers (event: WebhookEvent): number[] {
      return s.active.all().filter((hook) => hook.events.includes(event)).map((hook) => hook.id)
    },

    /**
     * Queues one delivery, due at once; runs inside the write's transaction. `payload` is the
     * body without its `id` (deliveryBody puts the row's id in when it is sent).
     */
    enqueue (webhookId: number, event: WebhookEvent, payload: string, now: number): void {
      s.enqueue.run({ webhookId, event, payload, now })
    },

    deliveries (webhookId: number, status: DeliveryStatus | undefined, limit: number, offset: number): DeliveryRow[] {
      const page = { webhook: webhookId, limit, offset }
      return status === undefined ? s.deliveries.all(page) : s.deliveriesIn.all({ ...page, status })
    },

    countDeliveries (webhookId: number, status: DeliveryStatus | undefined): number {
      return (status === undefined ? s.countDeliveries.get({ webhook: webhookId }) : s.countDeliveriesIn.get({ webhook: webhookId, status }))!.n
    },

    delivery (webhookId: number, id: number): DeliveryRow | undefined {
      return s.delivery.get({ id, webhook: webhookId })
    },

    /** Puts a finished delivery back in the queue with a fresh retry schedule; false when it is still pending. */
    requeue (id: number, now: number): boolean {
      return s.requeue.run({ id, now }).changes > 0
    },

    /**
     * Leases up to `limit` due deliveries for `leaseMs` in one IMMEDIATE transaction, so two
     * workers (or processes) never take the same one. Each lease counts as an attempt.
     */
    claim (now: number, limit: number, leaseMs: number): ClaimedDelivery[] {
      return db.transaction(() => {
        const out: ClaimedDelivery[] = []
        for (const { id } of s.due.all({ now, limit })) {
          if (s.lease.run({ id, now, until: now + leaseMs }).changes === 1) out.push(s.claimed.get({ id })!)
        }
        return out
      }, { behavior: 'immediate' })
    },

    /** Records a 2xx answer; false when the lease was lost to a newer attempt. */
    succeed (delivery: Pick<DeliveryRow, 'id' | 'attempts'>, code: number, now: number): boolean {
      return s.succeed.run({ id: delivery.id, attempts: delivery.attempts, code, now }).changes > 0
    },

    /** Records a failed attempt: retried at `next`, or given up when `next` is null. */
    fail (delivery: Pick<DeliveryRow, 'id' | 'attempts'>, code: number | null, error: string, next: number | null, now: number): boolean {
      const status: DeliveryStatus = next === null ? 'failed' : 'pending'
      return s.fail.run({ id: delivery.id, attempts: delivery.attempts, code, error, next, status, now }).changes > 0
    },

    /** When the worker next has something to do (a delivery or scheduled event), if ever. */
    nextDue (): number | null {
      let next: number | null = null
      for (const { at } of s.nextDue.all()) if (at !== null && (next === null || at < next)) next = at
      return next
    },

    /** Replaces a post's pending go-live event; runs inside the write's transaction. */
    reschedule (postId: number, dueAt: number | null): void {
      s.clearScheduled.run({ postId })
      if (dueAt !== null) s.schedule.run({ postId, event: 'post.published', dueAt })
    },

    /** Replaces a page's pending go-live event; runs inside the write's transaction. */
    reschedulePage (pageId: number, dueAt: number | null): void {
      s.clearScheduledPage.run({ pageId })
      if (dueAt !== null) s.schedulePage.run({ pageId, event: 'page.published', dueAt })
    },

    /** Removes and returns the scheduled page events due by `now`, each once; call inside a transaction. */
    takeScheduledPages (now: number): Array<{ pageId: number, event: WebhookEvent, dueAt: number }> {
      return s.takeScheduledPages.all({ now })
    },

    /** Removes and returns the scheduled events due by `now`; call inside a transaction. */
    takeScheduled (now: number): Array<{ postId: number, event: WebhookEvent, dueAt: number }> {
      return s.takeScheduled.all({ now })
    },

    /** Runs `fn` as one IMMEDIATE transaction. */
    transaction<T> (fn: () => T): T {
      return db.transaction(() => fn(), { behavior: 'immediate' })
    },

    /** Whether the database is still open (the app may close while a delivery is out). */
    isOpen (): boolean {
      return isOpen(db)
    }
  }
}
export type WebhooksSyncRepository = ReturnType<typeof createWebhooksSyncRepository>

/**
 * Webhooks on either engine (src/db/engine-port.ts): every method answers a Promise, settled at
 * once on SQLite. Reads take no handle, or the open write's `tx` to read as that write sees;
 * writes take the write's `tx`. The queue's claims and results are writes of their own (a
 * worker's, outside any content write): on PostgreSQL one statement each, `FOR UPDATE SKIP
 * LOCKED` (src/db/pg/leases.ts), so several servers on one database send each delivery once.
 */
export interface WebhooksRepository {
  findById: (id: number, tx?: EngineTx) => Promise<WebhookRow | undefined>
  /** Oldest first. */
  list: (limit: number, offset: number) => Promise<WebhookRow[]>
  count: () => Promise<number>
  create: (tx: EngineTx, input: WebhookInput, now: number) => Promise<WebhookRow>
  /** Undefined when the webhook is gone. */
  update: (tx: EngineTx, row: WebhookUpdate, now: number) => Promise<WebhookRow | undefined>
  /** A new signing secret; the current one keeps signing too until `previousUntil`. */
  rotate: (tx: EngineTx, id: number, secret: string, previousUntil: number, now: number) => Promise<WebhookRow | undefined>
  /** Deletes a webhook; its deliveries go with it (foreign key cascade). */
  remove: (tx: EngineTx, id: number) => Promise<boolean>
  /** A webhook's delivery log, newest first. */
  deliveries: (webhookId: number, status: DeliveryStatus | undefined, limit: number, offset: number) => Promise<DeliveryRow[]>
  countDeliveries: (webhookId: number, status: DeliveryStatus | undefined) => Promise<number>
  delivery: (webhookId: number, id: number, tx?: EngineTx) => Promise<DeliveryRow | undefined>
  /** Puts a finished delivery back in the queue with a fresh retry schedule; false when it is still pending. */
  requeue: (tx: EngineTx, id: number, now: number) => Promise<boolean>
  /**
   * Leases up to `limit` due deliveries of active webhooks for `leaseMs`, the oldest due first
   * (ties by id), so two workers (or processes, or servers) never take the same one. Each lease
   * counts as an attempt. Answered in id order on both engines (the batch is sent at once).
   */
  claim: (now: number, limit: number, leaseMs: number) => Promise<ClaimedDelivery[]>
  /** Records a 2xx answer; false when the lease was lost to a newer attempt. */
  succeed: (delivery: Pick<DeliveryRow, 'id' | 'attempts'>, code: number, now: number) => Promise<boolean>
  /** Records a failed attempt: retried at `next`, or given up when `next` is null; false when the lease was lost. */
  fail: (delivery: Pick<DeliveryRow, 'id' | 'attempts'>, code: number | null, error: string, next: number | null, now: number) => Promise<boolean>
  /** When the worker next has something to do (a delivery or scheduled event), if ever. */
  nextDue: () => Promise<number | null>
  /** Whether the database is still open (the app may close while a delivery is out). */
  isOpen: () => boolean
}

/**
 * On SQLite, the engine-neutral repository and its synchronous twin (`sync`) for the callers
 * not yet ported: the change-bus listener (webhooks-events.ts) and synchronous seeding.
 */
export type SqliteWebhooksRepository = WebhooksRepository & { sync: WebhooksSyncRepository }

export function createWebhooksRepository (edb: Extract<EngineDb, { engine: 'sqlite' }>): SqliteWebhooksRepository
export function createWebhooksRepository (edb: EngineDb): WebhooksRepository
export function createWebhooksRepository (edb: EngineDb): WebhooksRepository {
  if (edb.engine === 'postgres') return pgWebhooksRepository(edb.db)
  const { db } = edb
  const sync = createWebhooksSyncRepository(db)
  // The queue's claims and results are the worker's own writes, outside any content write: they
  // must not join another context's open async write (resumed among its microtasks), so they
  // run at once when none is open (the common case), else after the open ones ended (as keys).
  const transactor = createSqliteTransactor(db)
  async function alone<T> (step: () => T): Promise<T> {
    while (transactor.busy() && !transactor.inside()) await transactor.idle()
    return step()
  }
  const repo: SqliteWebhooksRepository = {
    findById: async (id) => await settled(() => sync.findById(id)),
    list: async (limit, offset) => await settled(() => sync.list(limit, offset)),
    count: async () => await settled(() => sync.count()),
    create: async (_tx, input, now) => await settled(() => sync.create(input, now)),
    update: async (_tx, row, now) => await settled(() => sync.update(row, now)),
    rotate: async (_tx, id, secret, until, now) => await settled(() => sync.rotate(id, secret, until, now)),
    remove: async (_tx, id) => await settled(() => sync.remove(id)),
    deliveries: async (webhookId, status, limit, offset) => await settled(() => sync.deliveries(webhookId, status, limit, offset)),
    countDeliveries: async (webhookId, status) => await settled(() => sync.countDeliveries(webhookId, status)),
    delivery: async (webhookId, id) => await settled(() => sync.delivery(webhookId, id)),
    requeue: async (_tx, id, now) => await settled(() => sync.requeue(id, now)),
    claim: async (now, limit, leaseMs) => await alone(() => sync.claim(now, limit, leaseMs).sort((a, b) => a.id - b.id)),
    succeed: async (delivery, code, now) => await alone(() => sync.succeed(delivery, code, now)),
    fail: async (delivery, code, error, next, now) => await alone(() => sync.fail(delivery, code, error, next, now)),
    nextDue: async () => await settled(() => sync.nextDue()),
    isOpen: () => sync.isOpen(),
    sync
  }
  return repo
}

/**
 * Whether an id can name a row on PostgreSQL: ids are `integer` there, and a parameter past its
 * range fails the query (a 500 for a client's large id) instead of matching nothing.
 */
const isRowId = (id: number) => Number.isSafeInteger(id) && id >= -2_147_483_648 && id <= 2_147_483_647

function pgWebhooksRepository (db: PgDb): WebhooksRepository {
  const pw = pgs.webhooks
  const pd = pgs.webhookDeliveries
  const on = (tx: EngineTx) => {
    if (tx.engine !== 'postgres') throw new Error('a SQLite write handle given to the PostgreSQL webhooks repository')
    return tx.db
  }
  const handle = (tx?: EngineTx) => tx === undefined ? db : on(tx)
  // Named: each pooled connection parses them once.
  const byId = db.select().from(pw).where(eq(pw.id, sql.placeholder('id'))).prepare('webhooks_by_id')
  const ofHook = (webhookId: number, status: DeliveryStatus | undefined) =>
    and(eq(pd.webhookId, webhookId), status === undefined ? undefined : eq(pd.status, status))

  return {
    async findById (id, tx) {
      if (!isRowId(id)) return undefined
      return tx === undefined ? (await byId.execute({ id }))[0] : (await on(tx).select().from(pw).where(eq(pw.id, id)))[0]
    },
    async list (limit, offset) {
      return await db.select().from(pw).orderBy(pw.id).limit(limit).offset(offset)
    },
    async count () {
      return (await db.select({ n: count() }).from(pw))[0]?.n ?? 0
    },
    async create (tx, input, now) {
      const [row] = await on(tx).insert(pw).values({ ...input, createdAt: now, updatedAt: now }).returning()
      return row
    },
    async update (tx, row, now) {
      if (!isRowId(row.id)) return undefined
      const { id, url, events, secret, previousSecret, previousSecretExpiresAt, description, active } = row
      const [saved] = await on(tx).update(pw).set({ url, events, secret, previousSecret, previousSecretExpiresAt, description, active, updatedAt: now })
        .where(eq(pw.id, id)).returning()
      return saved
    },
    async rotate (tx, id, secret, previousUntil, now) {
      if (!isRowId(id)) return undefined
      // SET's right-hand sides read the row as it was: the previous secret is the current one.
      const [row] = await on(tx).update(pw).set({ previousSecret: pw.secret, previousSecretExpiresAt: previousUntil, secret, updatedAt: now })
        .where(eq(pw.id, id)).returning()
      return row
    },
    async remove (tx, id) {
      if (!isRowId(id)) return false
      return (await on(tx).delete(pw).where(eq(pw.id, id)).returning({ id: pw.id })).length > 0
    },
    async deliveries (webhookId, status, limit, offset) {
      if (!isRowId(webhookId)) return []
      return await db.select().from(pd).where(ofHook(webhookId, status)).orderBy(desc(pd.id)).limit(limit).offset(offset)
    },
    async countDeliveries (webhookId, status) {
      if (!isRowId(webhookId)) return 0
      return (await db.select({ n: count() }).from(pd).where(ofHook(webhookId, status)))[0]?.n ?? 0
    },
    async delivery (webhookId, id, tx) {
      if (!isRowId(webhookId) || !isRowId(id)) return undefined
      return (await handle(tx).select().from(pd).where(and(eq(pd.id, id), eq(pd.webhookId, webhookId))))[0]
    },
    async requeue (tx, id, now) {
      if (!isRowId(id)) return false
      const rows = await on(tx).update(pd).set({ status: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now })
        .where(and(eq(pd.id, id), ne(pd.status, 'pending'))).returning({ id: pd.id })
      return rows.length > 0
    },
    async claim (now, limit, leaseMs) {
      return await claimDeliveries(db, now, limit, leaseMs)
    },
    async succeed (delivery, code, now) {
      return await settleDelivery(db, delivery, { status: 'succeeded', code }, now)
    },
    async fail (delivery, code, error, next, now) {
      return await settleDelivery(db, delivery, { status: next === null ? 'failed' : 'pending', code, error, next }, now)
    },
    async nextDue () {
      // The earliest due delivery of an active webhook, and the earliest scheduled events.
      const rows = await db.select({ at: min(pd.nextAttemptAt) }).from(pd).innerJoin(pw, eq(pw.id, pd.webhookId))
        .where(and(eq(pd.status, 'pending'), eq(pw.active, true)))
        .unionAll(db.select({ at: min(pgs.scheduledEvents.dueAt) }).from(pgs.scheduledEvents))
        .unionAll(db.select({ at: min(pgs.scheduledPageEvents.dueAt) }).from(pgs.scheduledPageEvents))
      let next: number | null = null
      for (const { at } of rows) if (at !== null && (next === null || Number(at) < next)) next = Number(at)
      return next
    },
    // The pool being ended is the app closing: a delivery out then is tried again after its lease.
    isOpen: () => !db.$client.ending && !db.$client.ended
  }
}
