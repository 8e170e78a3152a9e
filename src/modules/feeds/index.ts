import fp from 'fastify-plugin'
import feedsRoutes, { type FeedsRoutesOptions } from './feeds-routes.js'

export { createFeedsRepository, type FeedsRepository } from './feeds-repository.js'
export { createFeedsService, chooseBodies, FEED_BODY_BYTES, type FeedsService, type FeedData } from './feeds-service.js'
export type { FeedsRoutesOptions } from './feeds-routes.js'

/**
 * The feeds module: RSS, Atom and JSON Feed documents under /feeds, given the feeds service and
 * the configured site and API URLs. It has no $id'd schemas (the documents are text).
 */
export default fp<FeedsRoutesOptions>(async (app, opts) => {
  await app.register(feedsRoutes, { ...opts, prefix: '/feeds' })
}, { name: 'feeds' })
