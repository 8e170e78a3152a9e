import { and, count, desc, eq, getTableColumns, lte, min, ne, sql } from 'drizzle-orm'
import { isOpen, type Db } from '../../db/client.js'
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
 * All database access for webhooks, their delivery queue and scheduled events. The queue
 * lives in SQLite, so a restart or a crash loses nothing; a delivery being sent is leased
 * by pushing its next_attempt_at past the request timeout, and `attempts` fences the
 * result so a worker whose lease ran out cannot overwrite a newer attempt.
 */
export function createWebhooksRepository (db: Db) {
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
export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>
