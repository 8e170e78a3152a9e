import { randomBytes } from 'node:crypto'
import { DeliveryPending, NotFound, TargetRefused } from '../../errors.js'
import { assertPublicTarget, TargetError, type DebugLog } from '../../lib/safe-http.js'
import type { DeliveryRow, WebhookRow, WebhooksRepository } from './webhooks-repository.js'
import type { WebhookWorker } from './webhooks-worker.js'
import type { CreateWebhookBodyType, RotateSecretBodyType, UpdateWebhookBodyType } from './webhooks-schemas.js'

function generateSecret (): string {
  return 'whsec_' + randomBytes(24).toString('base64url')
}

/**
 * Webhook subscriptions as the admin API changes them: target URLs are checked before they
 * are stored, and the worker is woken when there is something new to send.
 */
export function createWebhooksService (deps: {
  repo: WebhooksRepository
  worker: Pick<WebhookWorker, 'wake'>
  allowPrivate: boolean
  /** WEBHOOK_SECRET_GRACE_SECONDS: how long the old secret still signs after a rotation, unless the request says. */
  secretGraceSeconds: number
}) {
  const { repo, worker } = deps

  /**
   * A URL a webhook may target: well-formed http(s) and (unless allowed) on port 80 or 443 and
   * resolving to public addresses only; else a 422 that names the URL but not what it resolved to.
   */
  async function checkTarget (text: string, log: DebugLog): Promise<string> {
    try {
      const url = await assertPublicTarget(text, deps.allowPrivate, log)
      return url.toString()
    } catch (err) {
      if (err instanceof TargetError) throw new TargetRefused(`The webhook URL ${text} is refused: ${err.message}`)
      throw err
    }
  }

  function load (id: number): WebhookRow {
    const row = repo.findById(id)
    if (row === undefined) throw new NotFound('Webhook', String(id))
    return row
  }

  return {
    load,

    /** Stores a webhook; returns it with its secret (generated when not given), shown this once. */
    async create (body: CreateWebhookBodyType, log: DebugLog): Promise<{ row: WebhookRow, secret: string }> {
      const url = await checkTarget(body.url, log)
      const secret = body.secret ?? generateSecret()
      const row = repo.create({ url, events: body.events, secret, description: body.description ?? '', active: body.active ?? true }, Date.now())
      return { row, secret }
    },

    /** Changes what the body names; resuming a paused webhook wakes the worker for its queue. */
    async update (id: number, body: UpdateWebhookBodyType, log: DebugLog): Promise<WebhookRow> {
      const row = load(id)
      const next = { ...row }
      if (body.url !== undefined) next.url = await checkTarget(body.url, log)
      if (body.events !== undefined) next.events = body.events
      if (body.secret !== undefined) {
        // Replaced at once: a secret changed this way may have leaked, so the old one stops now.
        next.secret = body.secret
        next.previousSecret = null
        next.previousSecretExpiresAt = null
      }
      if (body.description !== undefined) next.description = body.description
      if (body.active !== undefined) next.active = body.active
      const saved = repo.update(next, Date.now())
      if (saved.active && !row.active) worker.wake()
      return saved
    },

    /**
     * A new signing secret (generated unless given), shown this once. The old one keeps signing
     * beside it (a second `v1=`) for the grace time, so receivers can switch without losing a
     * delivery; rotating again within it drops the older of the two.
     */
    rotateSecret (id: number, body: RotateSecretBodyType): { row: WebhookRow, secret: string } {
      load(id)
      const now = Date.now()
      const secret = body.secret ?? generateSecret()
      const graceMs = (body.grace_seconds ?? deps.secretGraceSeconds) * 1000
      const row = repo.rotate(id, secret, now + graceMs, now)
      if (row === undefined) throw new NotFound('Webhook', String(id))
      return { row, secret }
    },

    remove (id: number): void {
      if (!repo.remove(id)) throw new NotFound('Webhook', String(id))
    },

    /** Puts a finished delivery back in the queue; a pending one is a 409. */
    retry (webhookId: number, deliveryId: number): DeliveryRow {
      const hook = load(webhookId)
      const delivery = repo.delivery(hook.id, deliveryId)
      if (delivery === undefined) throw new NotFound('Delivery', String(deliveryId))
      if (!repo.requeue(delivery.id, Date.now())) throw new DeliveryPending(String(delivery.id))
      worker.wake()
      return repo.delivery(hook.id, delivery.id)!
    }
  }
}
export type WebhooksService = ReturnType<typeof createWebhooksService>
