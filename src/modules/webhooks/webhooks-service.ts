import { randomBytes } from 'node:crypto'
import type { EngineTx } from '../../db/engine-port.js'
import type { EngineWrite } from '../../db/engine-write.js'
import { DeliveryPending, FieldError, NotFound, TargetRefused } from '../../errors.js'
import { assertPublicTarget, TargetError, type DebugLog } from '../../lib/safe-http.js'
import type { DeliveryRow, WebhookRow, WebhooksRepository } from './webhooks-repository.js'
import type { WebhookWorker } from './webhooks-worker.js'
import type { CreateWebhookBodyType, RotateSecretBodyType, UpdateWebhookBodyType } from './webhooks-schemas.js'

function generateSecret (): string {
  return 'whsec_' + randomBytes(24).toString('base64url')
}

/**
 * A text holding NUL is refused as a 400 on both engines (PostgreSQL text cannot store it):
 * HTTP bodies are refused before (plugins/validation.ts), this keeps the rule for every caller.
 */
function refuseNul (fields: Record<string, unknown>): void {
  const errors = Object.entries(fields).flatMap(([path, value]) => typeof value === 'string' && value.includes('\u0000')
    ? [{ in: 'body' as const, path, message: 'must not contain the NUL character (U+0000)' }]
    : [])
  if (errors.length > 0) throw new FieldError(errors)
}

/**
 * Webhook subscriptions as the admin API changes them, on either engine: target URLs are
 * checked (a DNS lookup) before the write opens, each change is one write of the engine-neutral
 * writer (src/db/engine-write.ts), and the worker is woken when there is something new to send.
 */
export function createWebhooksService (deps: {
  repo: WebhooksRepository
  write: EngineWrite
  worker: Pick<WebhookWorker, 'wake'>
  allowPrivate: boolean
  /** WEBHOOK_SECRET_GRACE_SECONDS: how long the old secret still signs after a rotation, unless the request says. */
  secretGraceSeconds: number
}) {
  const { repo, write, worker } = deps

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

  async function load (id: number, tx?: EngineTx): Promise<WebhookRow> {
    const row = await repo.findById(id, tx)
    if (row === undefined) throw new NotFound('Webhook', String(id))
    return row
  }

  return {
    load,

    /** Stores a webhook; returns it with its secret (generated when not given), shown this once. */
    async create (body: CreateWebhookBodyType, log: DebugLog): Promise<{ row: WebhookRow, secret: string }> {
      refuseNul({ url: body.url, secret: body.secret, description: body.description })
      const url = await checkTarget(body.url, log)
      const secret = body.secret ?? generateSecret()
      const input = { url, events: body.events, secret, description: body.description ?? '', active: body.active ?? true }
      const row = await write(async (tx, _emit, now) => await repo.create(tx, input, now))
      return { row, secret }
    },

    /** Changes what the body names; resuming a paused webhook wakes the worker for its queue. */
    async update (id: number, body: UpdateWebhookBodyType, log: DebugLog): Promise<WebhookRow> {
      refuseNul({ url: body.url, secret: body.secret, description: body.description })
      await load(id)
      // Checked before the write opens: a DNS lookup must not hold SQLite's write lock.
      const url = body.url === undefined ? undefined : await checkTarget(body.url, log)
      const { saved, resumed } = await write(async (tx, _emit, now) => {
        const row = await load(id, tx)
        const next = { ...row }
        if (url !== undefined) next.url = url
        if (body.events !== undefined) next.events = body.events
        if (body.secret !== undefined) {
          // Replaced at once: a secret changed this way may have leaked, so the old one stops now.
          next.secret = body.secret
          next.previousSecret = null
          next.previousSecretExpiresAt = null
        }
        if (body.description !== undefined) next.description = body.description
        if (body.active !== undefined) next.active = body.active
        const saved = await repo.update(tx, next, now)
        if (saved === undefined) throw new NotFound('Webhook', String(id))
        return { saved, resumed: saved.active && !row.active }
      })
      if (resumed) worker.wake()
      return saved
    },

    /**
     * A new signing secret (generated unless given), shown this once. The old one keeps signing
     * beside it (a second `v1=`) for the grace time, so receivers can switch without losing a
     * delivery; rotating again within it drops the older of the two.
     */
    async rotateSecret (id: number, body: RotateSecretBodyType): Promise<{ row: WebhookRow, secret: string }> {
      refuseNul({ secret: body.secret })
      const secret = body.secret ?? generateSecret()
      const graceMs = (body.grace_seconds ?? deps.secretGraceSeconds) * 1000
      const row = await write(async (tx, _emit, now) => await repo.rotate(tx, id, secret, now + graceMs, now))
      if (row === undefined) throw new NotFound('Webhook', String(id))
      return { row, secret }
    },

    async remove (id: number): Promise<void> {
      if (!await write(async (tx) => await repo.remove(tx, id))) throw new NotFound('Webhook', String(id))
    },

    /** Puts a finished delivery back in the queue; a pending one is a 409. */
    async retry (webhookId: number, deliveryId: number): Promise<DeliveryRow> {
      const delivery = await write(async (tx, _emit, now) => {
        const hook = await load(webhookId, tx)
        const delivery = await repo.delivery(hook.id, deliveryId, tx)
        if (delivery === undefined) throw new NotFound('Delivery', String(deliveryId))
        if (!await repo.requeue(tx, delivery.id, now)) throw new DeliveryPending(String(delivery.id))
        return (await repo.delivery(hook.id, delivery.id, tx))!
      })
      worker.wake()
      return delivery
    }
  }
}
export type WebhooksService = ReturnType<typeof createWebhooksService>
