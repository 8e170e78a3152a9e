import type { Test } from 'tap'
import type { EngineDb } from '../../src/db/engine-port.js'
import type { EngineWrite } from '../../src/db/engine-write.js'
import type { DeliveryRow, WebhookEvent, WebhooksRepository } from '../../src/modules/webhooks/webhooks-repository.js'
import { createWebhooksRepository } from '../../src/modules/webhooks/webhooks-repository.js'
import { createWebhooksService } from '../../src/modules/webhooks/webhooks-service.js'
import { signingSecrets } from '../../src/modules/webhooks/webhooks-worker.js'

// Webhooks (src/modules/webhooks) on either engine, run on SQLite by
// test/modules/webhooks/webhooks-engine.test.ts and on PostgreSQL by test/db/pg-webhooks.test.ts:
// subscriptions through the service (CRUD, target checks, NUL, secret rotation and its grace),
// the delivery queue through the repository (due order, inactive webhooks passed over, a lease
// an attempt that hides the delivery until it runs out, results fenced by the attempt, backoff,
// giving up, a manual retry), and ids past PostgreSQL's integer range (404s, never 500s).

/** What each engine's test gives: an empty migrated database, its writer, and raw seeding. */
export interface WebhooksHarness {
  edb: EngineDb
  write: EngineWrite
  /** Inserts a pending delivery due at `at` (what the change-bus listener queues on SQLite). */
  enqueue: (webhookId: number, event: WebhookEvent, at: number) => Promise<number>
}

/** The HTTP status a call is refused with (undefined when it succeeds). */
async function statusOf (call: Promise<unknown>): Promise<number | undefined> {
  return await call.then(() => undefined, (err: { statusCode?: number }) => err.statusCode ?? 500)
}

const LEASE = 60_000
const BEYOND_INT = 2 ** 31
const log = { debug: () => {} }

export async function webhooksCases (t: Test, h: WebhooksHarness): Promise<void> {
  const repo: WebhooksRepository = createWebhooksRepository(h.edb)
  let woken = 0
  const service = createWebhooksService({ repo, write: h.write, worker: { wake: () => { woken++ } }, allowPrivate: false, secretGraceSeconds: 3600 })
  // Public address literals: checked without a DNS lookup.
  const target = (n: number) => `https://93.184.216.${n}/hook`

  t.test('create, read, list, update, delete', async (t) => {
    const made = await service.create({ url: target(1), events: ['post.published', 'post.updated'], description: 'One' }, log)
    t.match(made.secret, /^whsec_[\w-]{32}$/, 'a generated secret')
    t.match(made.row, { url: target(1), events: ['post.published', 'post.updated'], description: 'One', active: true, secret: made.secret, previousSecret: null, previousSecretExpiresAt: null })
    t.equal(made.row.createdAt, made.row.updatedAt)
    const answer = repo.findById(made.row.id)
    t.ok(answer instanceof Promise, 'answers a Promise')
    t.same(await answer, made.row, 'the stored row, with the same value types')
    const second = await service.create({ url: target(2), events: ['comment.created'], secret: 'a-given-secret-of-length', active: false }, log)
    t.equal(second.secret, 'a-given-secret-of-length')
    t.equal(second.row.active, false)
    t.equal(second.row.description, '')
    t.same((await repo.list(10, 0)).map((r) => r.id), [made.row.id, second.row.id], 'oldest first')
    t.same((await repo.list(1, 1)).map((r) => r.id), [second.row.id], 'offset pages')
    t.equal(await repo.count(), 2)

    const wokenBefore = woken
    const updated = await service.update(second.row.id, { url: target(3), events: ['page.published'], description: 'Two', active: true }, log)
    t.match(updated, { id: second.row.id, url: target(3), events: ['page.published'], description: 'Two', active: true, secret: 'a-given-secret-of-length' })
    t.equal(woken, wokenBefore + 1, 'resuming a paused webhook wakes the worker')
    t.same(await repo.findById(second.row.id), updated)
    await service.update(second.row.id, { description: 'Still two' }, log)
    t.equal(woken, wokenBefore + 1, 'other changes do not')

    await service.remove(second.row.id)
    t.equal(await repo.findById(second.row.id), undefined)
    t.equal(await statusOf(service.remove(second.row.id)), 404, 'deleted once')
    t.equal(await statusOf(service.load(second.row.id)), 404)
    t.equal(await repo.count(), 1)
    await service.remove(made.row.id)
  })

  t.test('validation: bad and private URLs are 422s, NUL a 400, nothing stored', async (t) => {
    for (const url of ['not a url', 'ftp://93.184.216.1/x', 'http://127.0.0.1/hook', 'https://10.0.0.1/hook', 'http://169.254.169.254/latest', 'https://93.184.216.1:8443/hook']) {
      t.equal(await statusOf(service.create({ url, events: ['post.published'] }, log)), 422, url)
    }
    t.equal(await statusOf(service.create({ url: target(1) + '\u0000', events: ['post.published'] }, log)), 400, 'NUL in the URL')
    t.equal(await statusOf(service.create({ url: target(1), events: ['post.published'], description: 'a\u0000b' }, log)), 400, 'NUL in the description')
    t.equal(await statusOf(service.create({ url: target(1), events: ['post.published'], secret: 'sixteen-chars-and\u0000' }, log)), 400, 'NUL in the secret')
    t.equal(await repo.count(), 0, 'nothing was created')
    const { row } = await service.create({ url: target(4), events: ['post.published'] }, log)
    t.equal(await statusOf(service.update(row.id, { url: 'http://192.168.1.1/x' }, log)), 422, 'a PATCH to a private target')
    t.equal(await statusOf(service.update(row.id, { description: 'x\u0000' }, log)), 400, 'a PATCH holding NUL')
    t.match(await repo.findById(row.id), { url: target(4), description: '' }, 'unchanged')
    await service.remove(row.id)
  })

  t.test('secret rotation: the previous secret signs during its grace; a PATCH of the secret drops it', async (t) => {
    const { row, secret: first } = await service.create({ url: target(5), events: ['post.published'] }, log)
    const before = Date.now()
    const rotated = await service.rotateSecret(row.id, {})
    t.not(rotated.secret, first)
    t.match(rotated.row, { secret: rotated.secret, previousSecret: first })
    t.ok(rotated.row.previousSecretExpiresAt! >= before + 3_600_000 && rotated.row.previousSecretExpiresAt! <= Date.now() + 3_600_000, 'the default grace')
    t.same(signingSecrets(rotated.row, Date.now()), [rotated.secret, first], 'both sign, the new one first')
    t.same(signingSecrets(rotated.row, rotated.row.previousSecretExpiresAt!), [rotated.secret], 'the new one alone once the grace is over')

    const again = await service.rotateSecret(row.id, { secret: 'the-third-secret-value', grace_seconds: 10 })
    t.match(again.row, { secret: 'the-third-secret-value', previousSecret: rotated.secret }, 'rotating again drops the older one')
    t.ok(again.row.previousSecretExpiresAt! <= Date.now() + 10_000)

    const deliveryId = await h.enqueue(row.id, 'post.published', Date.now() - 1)
    const [claimed] = await repo.claim(Date.now(), 10, LEASE)
    t.match(claimed, { id: deliveryId, url: target(5), secret: 'the-third-secret-value', previousSecret: rotated.secret, previousSecretExpiresAt: again.row.previousSecretExpiresAt }, 'a claimed delivery carries both secrets')

    const patched = await service.update(row.id, { secret: 'replaced-at-once-secret' }, log)
    t.match(patched, { secret: 'replaced-at-once-secret', previousSecret: null, previousSecretExpiresAt: null })
    t.equal(await statusOf(service.rotateSecret(BEYOND_INT, {})), 404)
    t.equal(await statusOf(service.rotateSecret(999_999, {})), 404)
    await service.remove(row.id)
  })

  t.test('the queue: due order, leases, fenced results, backoff, giving up, retry', async (t) => {
    const NOW = Date.now()
    const { row: hook } = await service.create({ url: target(6), events: ['post.published'] }, log)
    const { row: paused } = await service.create({ url: target(7), events: ['post.published'], active: false }, log)
    const late = await h.enqueue(hook.id, 'post.published', NOW - 100)
    const early = await h.enqueue(hook.id, 'post.published', NOW - 200)
    const tie = await h.enqueue(hook.id, 'post.updated', NOW - 100)
    const future = await h.enqueue(hook.id, 'post.published', NOW + 10 * LEASE)
    const held = await h.enqueue(paused.id, 'post.published', NOW - 1000)
    t.equal(await repo.nextDue(), NOW - 200, 'the earliest due delivery of an active webhook (a paused one\'s waits)')

    const first = await repo.claim(NOW, 2, LEASE)
    t.same(first.map((d) => d.id), [late, early], 'the oldest due (ties by id) up to the limit, answered in id order')
    t.match(first[1], { attempts: 1, nextAttemptAt: NOW + LEASE, status: 'pending', url: target(6) }, 'a lease is an attempt')
    t.same((await repo.claim(NOW, 10, LEASE)).map((d) => d.id), [tie], 'the rest; the paused webhook\'s and the future one wait')
    t.same(await repo.claim(NOW + LEASE - 1, 10, LEASE), [], 'leased deliveries are not due again before the lease ends')

    // Results: fenced by the attempt count.
    const [l, e] = first
    t.equal(await repo.succeed(e, 204, NOW + 10), true)
    t.match(await repo.delivery(hook.id, early), { status: 'succeeded', lastStatusCode: 204, lastError: null, nextAttemptAt: null, deliveredAt: NOW + 10 })
    t.equal(await repo.succeed(e, 200, NOW + 11), false, 'a finished delivery takes no other result')
    t.equal(await repo.fail(l, 500, 'HTTP 500', NOW + 1000, NOW + 20), true, 'a failure retried later')
    t.match(await repo.delivery(hook.id, late), { status: 'pending', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500', nextAttemptAt: NOW + 1000 })
    t.same((await repo.claim(NOW + 999, 10, LEASE)).map((d) => d.id), [], 'not before its backoff')
    const [retried] = await repo.claim(NOW + 1000, 10, LEASE)
    t.match(retried, { id: late, attempts: 2 })
    t.equal(await repo.fail(l, null, 'stale', null, NOW + 1001), false, 'a stalled worker\'s result (an older attempt) is refused')
    t.equal(await repo.fail(retried, null, 'ECONNREFUSED', null, NOW + 1002), true, 'given up')
    t.match(await repo.delivery(hook.id, late), { status: 'failed', attempts: 2, lastStatusCode: null, lastError: 'ECONNREFUSED', nextAttemptAt: null })

    // A lease that ran out: the delivery is due again, as another attempt.
    const [again] = await repo.claim(NOW + LEASE, 10, LEASE)
    t.match(again, { id: tie, attempts: 2 }, 'the lease of a worker that never answered ran out')
    t.equal(await repo.succeed({ id: tie, attempts: 1 }, 200, NOW + LEASE), false, 'the first attempt\'s late answer is fenced')
    t.equal(await repo.succeed(again, 200, NOW + LEASE), true)

    // The delivery log and the manual retry.
    t.same((await repo.deliveries(hook.id, undefined, 10, 0)).map((d) => d.id), [future, tie, early, late].sort((a, b) => b - a), 'newest first')
    t.same((await repo.deliveries(hook.id, 'failed', 10, 0)).map((d) => d.id), [late])
    t.equal(await repo.countDeliveries(hook.id, undefined), 4)
    t.equal(await repo.countDeliveries(hook.id, 'succeeded'), 2)
    t.equal(await repo.countDeliveries(hook.id, 'pending'), 1)
    const wokenBefore = woken
    const requeued: DeliveryRow = await service.retry(hook.id, late)
    t.match(requeued, { id: late, status: 'pending', attempts: 0 })
    t.ok(requeued.nextAttemptAt! >= NOW, 'due at once')
    t.equal(woken, wokenBefore + 1, 'the worker is woken')
    t.equal(await statusOf(service.retry(hook.id, late)), 409, 'a pending delivery is a 409')
    t.equal(await statusOf(service.retry(paused.id, late)), 404, 'a delivery of another webhook')
    t.equal(await statusOf(service.retry(hook.id, 999_999)), 404)

    // A paused webhook's deliveries wait; resumed, they are due.
    await service.update(paused.id, { active: true }, log)
    const resumed = await repo.claim(Date.now(), 10, LEASE)
    t.same(resumed.map((d) => d.id), [late, held], 'the resumed webhook\'s delivery and the retried one; the future one waits')
    t.equal(await repo.nextDue(), Math.min(...resumed.map((d) => d.nextAttemptAt!)), 'next: the end of a lease')

    await service.remove(hook.id)
    t.same(await repo.deliveries(hook.id, undefined, 10, 0), [], 'deliveries go with their webhook')
    await service.remove(paused.id)
    t.equal(await repo.nextDue(), null, 'nothing queued')
  })

  t.test('ids past the integer range name nothing: 404s, never a 500', async (t) => {
    const { row } = await service.create({ url: target(8), events: ['post.published'] }, log)
    for (const id of [BEYOND_INT, Number.MAX_SAFE_INTEGER]) {
      t.equal(await repo.findById(id), undefined)
      t.equal(await statusOf(service.load(id)), 404)
      t.equal(await statusOf(service.update(id, { description: 'x' }, log)), 404)
      t.equal(await statusOf(service.remove(id)), 404)
      t.equal(await statusOf(service.retry(id, 1)), 404)
      t.equal(await statusOf(service.retry(row.id, id)), 404)
      t.same(await repo.deliveries(id, undefined, 10, 0), [])
      t.equal(await repo.countDeliveries(id, 'pending'), 0)
      t.equal(await repo.delivery(row.id, id), undefined)
    }
    await service.remove(row.id)
  })
}
