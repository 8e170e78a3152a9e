import fp from 'fastify-plugin'
import { createWebhooksRepository, type WebhooksRepository } from './webhooks-repository.js'
import { createWebhookWorker, type WebhookWorker, type WebhookWorkerOptions } from './webhooks-worker.js'
import type { WebhookEvents } from './webhooks-events.js'

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: { repo: WebhooksRepository, worker: WebhookWorker, events: WebhookEvents }
  }
}

/**
 * The webhook delivery worker of this process: started once the app is ready, woken when a
 * write in this process queues deliveries, and stopped (waiting briefly for requests in
 * flight) when the app closes. Every process sharing the database runs one; leases keep
 * them from sending a delivery twice.
 */
export default fp<Omit<WebhookWorkerOptions, 'log'>>(async (app, opts) => {
  const events = app.writes.webhookEvents
  const worker = createWebhookWorker(app.db, events, { ...opts, log: app.log })
  app.decorate('webhooks', { repo: createWebhooksRepository(app.db), worker, events })
  app.bus.onCommitted(() => {
    if (events.takeEnqueued()) worker.wake()
  })
  app.addHook('onReady', async () => { worker.start() })
  app.addHook('onClose', async () => { await worker.stop() })
}, { name: 'webhooks', dependencies: ['db', 'writes'] })
