import fp from 'fastify-plugin'
import pagesRoutes, { type PagesRoutesOptions } from './pages-routes.js'
import { pageSchemas } from './pages-schemas.js'

export { createPagesRepository, createPagesSyncRepository, type PagesRepository, type PagesSyncRepository, type PageRow, type PageNode } from './pages-repository.js'
export { createPagesService, createPagesSyncService, buildPageTree, isLivePage, type PagesService, type PagesSyncService, type PageTree, type PageInput } from './pages-service.js'
export { toPage, toPageSummary, pageUrl } from './pages-mapper.js'
export type { PagesRoutesOptions } from './pages-routes.js'

/**
 * The pages module: adds the page schemas and registers the routes under /v1/pages, given the
 * pages service. Wrapped with fastify-plugin so the $id'd schemas are global; it needs the auth
 * plugin (route scopes) first.
 */
export default fp<PagesRoutesOptions>(async (app, opts) => {
  for (const schema of pageSchemas) app.addSchema(schema)
  await app.register(pagesRoutes, { ...opts, prefix: '/v1/pages' })
}, { name: 'pages', dependencies: ['auth'] })
