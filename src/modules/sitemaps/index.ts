import fp from 'fastify-plugin'
import sitemapsRoutes, { type SitemapsRoutesOptions } from './sitemaps-routes.js'

export { createSitemapsRepository, type SitemapsRepository } from './sitemaps-repository.js'
export { createSitemapsService, type SitemapsService } from './sitemaps-service.js'

/** The sitemaps module: /sitemap.xml, /sitemaps/*.xml and /robots.txt (text documents, no $id'd schemas). */
export default fp<SitemapsRoutesOptions>(async (app, opts) => {
  await app.register(sitemapsRoutes, opts)
}, { name: 'sitemaps' })
