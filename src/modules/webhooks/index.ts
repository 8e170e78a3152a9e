import fp from 'fastify-plugin'
import type { WebhooksRepository } from './webhooks-repository.js'
import type { WebhooksService } from './webhooks-service.js'
import webhooksRoutes from './webhooks-routes.js'
import { webhookSchemas } from './webhooks-schemas.js'

export interface WebhooksModuleOptions {
  repo: WebhooksRepository
  service: WebhooksService
  /** Where the routes live; /v1/webhooks unless told. */
  prefix?: string
}

/** The webhooks module: its schemas, subscriptions and the delivery log (admin). */
export default fp<WebhooksModuleOptions>(async (app, opts) => {
  for (const schema of webhookSchemas) app.addSchema(schema)
  await app.register(webhooksRoutes, { prefix: opts.prefix ?? '/v1/webhooks', repo: opts.repo, service: opts.service })
}, { name: 'webhooks-module' })
