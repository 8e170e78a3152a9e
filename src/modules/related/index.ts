import fp from 'fastify-plugin'
import relatedRoutes from './related-routes.js'
import { relatedSchemas } from './related-schemas.js'
import type { RelatedService } from './related-service.js'

export { createRelatedRepository, createRelatedWriter, type RelatedRepository } from './related-repository.js'
export { createRelatedIndexer, VECTOR_VERSION, type RelatedIndexer } from './related-index.js'
export { createRelatedService, DEFAULT_TUNING, type RelatedService, type RelatedServiceDeps, type RelatedTuning } from './related-service.js'

/**
 * The related-posts module: adds its schemas and registers GET /v1/posts/{ref}/related, given
 * the related service. Needs the posts module first (its schemas embed TermRef and the post
 * fields).
 */
export default fp<{ service: RelatedService }>(async (app, { service }) => {
  for (const schema of relatedSchemas) app.addSchema(schema)
  await app.register(relatedRoutes, { service, prefix: '/v1' })
}, { name: 'related', dependencies: ['posts'] })
