import type { Db } from '../../db/client.js'

export const WEBHOOK_EVENTS = ['post.published', 'post.updated', 'post.unpublished', 'post.deleted', 'comment.created', 'comment.approved'] as const
export type WebhookEvent = typeof WEBHOOK_EVENTS[number]

export interface WebhookRow {
  id: number
  url: string
  events: WebhookEvent[]
  secret: string
  description: string
  active: boolean
  created_at: number
  updated_at: number
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed'

export interface DeliveryRow {
  id: number
  uuid: string
  webhook_id: number
  event: string
  payload: string
  status: DeliveryStatus
  attempts: number
  next_attempt_at: number | null
  last_status_code: number | null
  last_error: string | null
  created_at: number
  updated_at: number
  delivered_at: number | null
}

/** A delivery claimed by a worker, with what it needs to send it. */
export interface ClaimedDelivery extends DeliveryRow { url: string, secret: string }

interface StoredWebhook extends Omit<WebhookRow, 'events' | 'active'> { events: string, active: number }

function toRow (r: StoredWebhook): WebhookRow {
  return { ...r, events: JSON.parse(r.events) as WebhookEvent[], active: r.active === 1 }
}

const WEBHOOK_COLUMNS = 'id, url, events, secret, description, active, created_at, updated_at'
const DELIVERY_COLUMNS = `id, uuid, webhook_id, event, payload, status, attempts, next_attempt_at, last_status_code, last_error,
  created_at, updated_at, delivered_at`

/**
 * All database access for webhooks, their delivery queue and scheduled events. The queue
 * lives in SQLite, so a restart or a crash loses nothing; a delivery being sent is leased
 * by pushing its next_attempt_at past the request timeout, and `attempts` fences the
 * result so a worker whose lease ran out cannot overwrite a newer attempt.
 */
export function createWebhooksRepository (db: Db) {
  const client = db.$client
  const s = {
    insert: client.prepare(`INSERT INTO webhooks (url, events, secret, description, active, created_at, updated_at)
      VALUES (@url, @events, @secret, @description, @active, @now, @now) RETURNING ${WEBHOOK_COLUMNS}`),
    update: client.prepare(`UPDATE webhooks SET url = @url, events = @events, secret = @secret, description = @description,
      active = @active, updated_at = @now WHERE id = @id RETURNING ${WEBHOOK_COLUMNS}`),
    byId: client.prepare(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?`),
    list: client.prepare(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks ORDER BY id LIMIT ? OFFSET ?`),
    count: client.prepare('SELECT count(*) FROM webhooks').pluck(),
    remove: client.prepare('DELETE FROM webhooks WHERE id = ?'),
    active: client.prepare('SELECT id, events FROM webhooks WHERE active = 1 ORDER BY id'),
    enqueue: client.prepare(`INSERT INTO webhook_deliveries (uuid, webhook_id, event, payload, status, attempts, next_attempt_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)`),
    deliveries: client.prepare(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = @webhook
      AND (@status IS NULL OR status = @status) ORDER BY id DESC LIMIT @limit OFFSET @offset`),
    countDeliveries: client.prepare('SELECT count(*) FROM webhook_deliveries WHERE webhook_id = @webhook AND (@status IS NULL OR status = @status)').pluck(),
    delivery: client.prepare(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ? AND webhook_id = ?`),
    requeue: client.prepare(`UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = @now, updated_at = @now
      WHERE id = @id AND status != 'pending'`),
    // A paused (inactive) webhook keeps its deliveries queued until it is active again.
    due: client.prepare(`SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND w.active = 1 ORDER BY d.next_attempt_at, d.id LIMIT ?`).pluck(),
    lease: client.prepare(`UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = @until, updated_at = @now
      WHERE id = @id AND status = 'pending' AND next_attempt_at <= @now`),
    claimed: client.prepare(`SELECT ${DELIVERY_COLUMNS.split(',').map((c) => 'd.' + c.trim()).join(', ')}, w.url, w.secret
      FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?`),
    succeed: client.prepare(`UPDATE webhook_deliveries SET status = 'succeeded', last_status_code = @code, last_error = NULL,
      next_attempt_at = NULL, delivered_at = @now, updated_at = @now WHERE id = @id AND attempts = @attempts AND status = 'pending'`),
    fail: client.prepare(`UPDATE webhook_deliveries SET status = @status, last_status_code = @code, last_error = @error,
      next_attempt_at = @next, updated_at = @now WHERE id = @id AND attempts = @attempts AND status = 'pending'`),
    nextDue: client.prepare(`SELECT min(t) FROM (SELECT min(d.next_attempt_at) AS t FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
      WHERE d.status = 'pending' AND w.active = 1 UNION ALL SELECT min(due_at) FROM scheduled_events)`).pluck(),
    clearScheduled: client.prepare('DELETE FROM scheduled_events WHERE post_id = ?'),
    schedule: client.prepare('INSERT INTO scheduled_events (post_id, event, due_at) VALUES (?, ?, ?)'),
    takeScheduled: client.prepare('DELETE FROM scheduled_events WHERE due_at <= ? RETURNING post_id, event, due_at')
  }

  return {
    create (input: { url: string, events: WebhookEvent[], secret: string, description: string, active: boolean }, now: number): WebhookRow {
      const row = s.insert.get({ ...input, events: JSON.stringify(input.events), active: input.active ? 1 : 0, now }) as StoredWebhook
      return toRow(row)
    },

    update (row: WebhookRow, now: number): WebhookRow {
      return toRow(s.update.get({ ...row, events: JSON.stringify(row.events), active: row.active ? 1 : 0, now }) as StoredWebhook)
    },

    findById (id: number): WebhookRow | undefined {
      const row = s.byId.get(id) as StoredWebhook | undefined
      return row && toRow(row)
    },

    list (limit: number, offset: number): WebhookRow[] {
      return (s.list.all(limit, offset) as StoredWebhook[]).map(toRow)
    },

    count (): number {
      return s.count.get() as number
    },

    /** Deletes a webhook; its deliveries go with it (foreign key cascade). */
    remove (id: number): boolean {
      return s.remove.run(id).changes > 0
    },

    /** Ids of the active webhooks subscribed to an event. */
    subscribers (event: WebhookEvent): number[] {
      return (s.active.all() as Array<{ id: number, events: string }>)
        .filter((w) => (JSON.parse(w.events) as string[]).includes(event))
        .map((w) => w.id)
    },

    /** Queues one delivery, due at once; runs inside the write's transaction. */
    enqueue (uuid: string, webhookId: number, event: WebhookEvent, payload: string, now: number): void {
      s.enqueue.run(uuid, webhookId, event, payload, now, now, now)
    },

    deliveries (webhookId: number, status: DeliveryStatus | undefined, limit: number, offset: number): DeliveryRow[] {
      return s.deliveries.all({ webhook: webhookId, status: status ?? null, limit, offset }) as DeliveryRow[]
    },

    countDeliveries (webhookId: number, status: DeliveryStatus | undefined): number {
      return s.countDeliveries.get({ webhook: webhookId, status: status ?? null }) as number
    },

    delivery (webhookId: number, id: number): DeliveryRow | undefined {
      return s.delivery.get(id, webhookId) as DeliveryRow | undefined
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
      return client.transaction(() => {
        const out: ClaimedDelivery[] = []
        for (const id of s.due.all(now, limit) as number[]) {
          if (s.lease.run({ id, now, until: now + leaseMs }).changes === 1) out.push(s.claimed.get(id) as ClaimedDelivery)
        }
        return out
      }).immediate()
    },

    /** Records a 2xx answer; false when the lease was lost to a newer attempt. */
    succeed (d: Pick<DeliveryRow, 'id' | 'attempts'>, code: number, now: number): boolean {
      return s.succeed.run({ id: d.id, attempts: d.attempts, code, now }).changes > 0
    },

    /** Records a failed attempt: retried at `next`, or given up when `next` is null. */
    fail (d: Pick<DeliveryRow, 'id' | 'attempts'>, code: number | null, error: string, next: number | null, now: number): boolean {
      return s.fail.run({ id: d.id, attempts: d.attempts, code, error, next, status: next === null ? 'failed' : 'pending', now }).changes > 0
    },

    /** When the worker next has something to do (a delivery or scheduled event), if ever. */
    nextDue (): number | null {
      return s.nextDue.get() as number | null
    },

    /** Replaces a post's pending go-live event; runs inside the write's transaction. */
    reschedule (postId: number, dueAt: number | null): void {
      s.clearScheduled.run(postId)
      if (dueAt !== null) s.schedule.run(postId, 'post.published', dueAt)
    },

    /** Removes and returns the scheduled events due by `now`; call inside a transaction. */
    takeScheduled (now: number): Array<{ post_id: number, event: string, due_at: number }> {
      return s.takeScheduled.all(now) as Array<{ post_id: number, event: string, due_at: number }>
    },

    /** Runs `fn` as one IMMEDIATE transaction. */
    transaction<T> (fn: () => T): T {
      return client.transaction(fn).immediate()
    }
  }
}
export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>
