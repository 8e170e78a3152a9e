import { createHmac } from 'node:crypto'
import { safeRequest } from '../../lib/safe-http.js'
import { createTickLoop } from '../../lib/tick-loop.js'
import type { ClaimedDelivery, WebhooksRepository } from './webhooks-repository.js'

/**
 * What turns due scheduled go-lives into deliveries (webhooks-events.ts's `promoteDue`, on
 * SQLite; on PostgreSQL nothing yet: the scheduler is not ported, engine-port.ts).
 */
export interface DuePromoter { promoteDue: (now: number) => number | Promise<number> }

export const WEBHOOK_USER_AGENT = 'Broadsheet-Webhooks/1.0 (+https://broadsheet.dev/webhooks)'

/** Longest wait between two retries. */
const MAX_RETRY_DELAY_MS = 6 * 60 * 60 * 1000
/** Each retry waits this many times longer than the one before. */
const BACKOFF_FACTOR = 4
/** A lease outlives the request timeout by this much, so a live sender never loses it. */
const LEASE_MARGIN_MS = 30_000
const MAX_RESPONSE_BYTES = 1024 * 1024

export interface WebhookWorkerOptions {
  maxAttempts: number
  timeoutMs: number
  /** The first retry waits about this long (half to all of it); later ones 4× longer each. */
  retryBaseMs: number
  allowPrivate: boolean
  /** Longest sleep between two looks at the queue (other processes may have queued work). */
  pollMs?: number
  /** Deliveries sent at once per tick. */
  batchSize?: number
  log?: { error: (obj: object, msg: string) => void, warn: (obj: object, msg: string) => void, debug: (obj: object, msg: string) => void }
  /** The clock (tests); Date.now by default. */
  now?: () => number
}

export interface TickResult {
  /** Deliveries queued for scheduled posts that went live. */
  promoted: number
  attempted: number
  succeeded: number
  /** Failed attempts, whether retried later or given up. */
  failed: number
}

/**
 * Delay before the next attempt after `attempts` failed ones: exponential (×4) with "equal
 * jitter" (half fixed, half random), so receivers recovering from an outage are not hit by
 * every queued delivery in the same second. With a 4 s base: 2–4 s, 8–16 s, 32–64 s, …
 */
export function retryDelay (attempts: number, baseMs: number, random: () => number = Math.random): number {
  const exp = Math.min(baseMs * BACKOFF_FACTOR ** Math.max(0, attempts - 1), MAX_RETRY_DELAY_MS)
  return Math.round(exp / 2 + (exp / 2) * random())
}

/** The body as sent: the stored payload (`{"event",…}`) with the delivery's id put first. */
export function deliveryBody (id: number, payload: string): string {
  const rest = payload.slice(1).trimStart()
  return rest === '}' ? `{"id":${id}}` : `{"id":${id},${rest}`
}

/**
 * The X-Broadsheet-Signature value, Stripe's scheme: `t=<unix seconds>` and, for each secret
 * that signs now, `v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. The timestamp is signed with the
 * body, so a receiver that refuses old timestamps refuses replays; during a secret rotation
 * both secrets sign (two v1= entries, the new one first) and either verifies.
 */
export function signDelivery (body: string, secrets: readonly string[], unixSeconds: number): string {
  const signed = `${unixSeconds}.${body}`
  return [`t=${unixSeconds}`, ...secrets.map((secret) => 'v1=' + createHmac('sha256', secret).update(signed).digest('hex'))].join(',')
}

/** The secrets that sign a delivery sent at `now`: the current one, and the previous one during its grace time. */
export function signingSecrets (hook: Pick<ClaimedDelivery, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>, now: number): string[] {
  const { secret, previousSecret, previousSecretExpiresAt } = hook
  return previousSecret !== null && previousSecretExpiresAt !== null && previousSecretExpiresAt > now ? [secret, previousSecret] : [secret]
}

function describeError (err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  const code = (err as { code?: unknown }).code
  return (typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message).slice(0, 500)
}

/**
 * The delivery worker. Each tick turns due scheduled events into deliveries, leases the due
 * deliveries (so processes sharing the database never send one twice), POSTs them with a
 * timeout through the SSRF-safe client, and records the outcome: succeeded on 2xx, else a
 * retry after `retryDelay`, or failed after `maxAttempts`. `start` runs ticks in the
 * background until `stop`; `tick` runs one (tests).
 */
export function createWebhookWorker (repo: WebhooksRepository, events: DuePromoter, opts: WebhookWorkerOptions) {
  const pollMs = opts.pollMs ?? 1000
  const batchSize = opts.batchSize ?? 20
  const clock = opts.now ?? Date.now

  async function send (d: ClaimedDelivery): Promise<boolean> {
    const body = deliveryBody(d.id, d.payload)
    const sentAt = clock()
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': WEBHOOK_USER_AGENT,
      'x-broadsheet-event': d.event,
      'x-broadsheet-delivery': String(d.id),
      'x-broadsheet-signature': signDelivery(body, signingSecrets(d, sentAt), Math.floor(sentAt / 1000))
    }
    let code: number | null = null
    let error: string
    try {
      const res = await safeRequest(d.url, {
        method: 'POST',
        headers,
        body,
        timeoutMs: opts.timeoutMs,
        maxBytes: MAX_RESPONSE_BYTES,
        maxRedirects: 0,
        allowPrivate: opts.allowPrivate,
        log: opts.log
      })
      code = res.status
      if (code >= 200 && code < 300) {
        if (repo.isOpen()) await repo.succeed(d, code, Date.now())
        return true
      }
      const text = res.body.toString('utf8', 0, Math.min(res.body.length, 200)).trim()
      error = `HTTP ${code}${text ? `: ${text}` : ''}`
    } catch (err) {
      error = describeError(err)
    }
    const now = Date.now()
    const next = d.attempts >= opts.maxAttempts ? null : now + retryDelay(d.attempts, opts.retryBaseMs)
    // Ids, the status and our own account of the failure: never the secret, the payload or the
    // receiver's answer (it may echo either).
    opts.log?.warn({
      webhook_id: d.webhookId,
      delivery_id: d.id,
      event: d.event,
      attempt: d.attempts,
      status_code: code,
      reason: code === null ? error : `HTTP ${code}`,
      next_attempt_at: next === null ? null : new Date(next).toISOString()
    }, next === null ? 'webhook delivery failed: given up' : 'webhook delivery failed: will retry')
    // The app may have closed while the request was out; the lease then runs out and a later
    // run tries again, so nothing is lost.
    if (repo.isOpen()) await repo.fail(d, code, error, next, now)
    return false
  }

  async function tick (now = Date.now()): Promise<TickResult> {
    const promoted = await events.promoteDue(now)
    const claimed = await repo.claim(now, batchSize, opts.timeoutMs + LEASE_MARGIN_MS)
    const results = await Promise.all(claimed.map(send))
    const succeeded = results.filter(Boolean).length
    return { promoted, attempted: claimed.length, succeeded, failed: claimed.length - succeeded }
  }

  // When the loop looks next: read at the end of each background tick (the loop asks right after
  // it, synchronously; the repository answers a Promise). Null (poll) when it could not be read.
  let due: number | null = null
  const loop = createTickLoop({
    name: 'webhook worker',
    // A full batch means more deliveries are probably due: look again at once.
    tick: async () => {
      due = null
      const full = (await tick()).attempted === batchSize
      if (repo.isOpen()) due = await repo.nextDue()
      return full
    },
    nextDue: () => due,
    isOpen: () => repo.isOpen(),
    pollMs,
    clock,
    log: opts.log
  })

  return { tick, ...loop }
}
export type WebhookWorker = ReturnType<typeof createWebhookWorker>
