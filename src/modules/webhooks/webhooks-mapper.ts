import type { DeliveryRow, WebhookRow } from './webhooks-repository.js'
import type { Webhook, WebhookDelivery } from './webhooks-schemas.js'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** Row → API webhook; the secrets never leave through here. */
export function toWebhook (row: WebhookRow, now = Date.now()): Webhook {
  const graceUntil = row.previousSecret !== null && row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt > now ? row.previousSecretExpiresAt : null
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    active: row.active,
    previous_secret_expires_at: iso(graceUntil),
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString()
  }
}

/** Row → delivery log entry (without the payload). */
export function toDelivery (row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    webhook_id: row.webhookId,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? iso(row.nextAttemptAt) : null,
    last_status_code: row.lastStatusCode,
    last_error: row.lastError,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
    delivered_at: iso(row.deliveredAt)
  }
}
