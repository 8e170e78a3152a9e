import type { DeliveryRow, WebhookRow } from './webhooks-repository.js'
import type { Webhook, WebhookDelivery } from './webhooks-schemas.js'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** Row → API webhook; the secret never leaves through here. */
export function toWebhook (row: WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    active: row.active,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!
  }
}

/** Row → delivery log entry (without the payload). */
export function toDelivery (row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    uuid: row.uuid,
    webhook_id: row.webhook_id,
    event: row.event as WebhookDelivery['event'],
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
    delivered_at: iso(row.delivered_at)
  }
}
