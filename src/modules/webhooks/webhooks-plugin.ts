import fp from 'fastify-plugin'
import type { WebhooksRepository } from './webhooks-repository.js'
import { createWebhookWorker, type WebhookWorker, type WebhookWorkerOptions } from './webhooks-worker.js'
import type { WebhookEvents } from './webhooks-events.js'
import { createWebhooksService, type WebhooksService } from './webhooks-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: { repo: WebhooksRepository, worker: WebhookWorker, events: WebhookEvents, service: WebhooksService }
  }
}

/**
 * The webhook delivery worker of this process: started once the app is ready, woken when a
 * write in this process queues deliveries, and stopped (waiting briefly for requests in
 * flight) when the app closes. Every process sharing the database runs one; leases keep
 * them from sending a delivery twice. The one webhooks repository is the app's
 * (`app.repos.webhooks`), which the change-bus listener also writes through.
 */
export default fp<Omit<WebhookWorkerOptions, 'log'>>(async (app, opts) => {
  const repo = app.repos.webhooks
  const events = app.writes.webhookEvents
  const worker = createWebhookWorker(repo, events, { ...opts, log: app.log })
  const service = createWebhooksService({ repo, worker, allowPrivate: opts.allowPrivate })
  app.decorate('webhooks', { repo, worker, events, service })
  app.bus.onCommitted(() => {
    if (events.takeEnqueued()) worker.wake()
  })
  app.addHook('onReady', async () => { worker.start() })
  app.addHook('onClose', async () => { await worker.stop() })
}, { name: 'webhooks', dependencies: ['db', 'repositories', 'writes'] })
