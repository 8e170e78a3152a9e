import fp from 'fastify-plugin'
import previewsRoutes, { type PreviewsRoutesOptions } from './previews-routes.js'
import { previewSchemas } from './previews-schemas.js'

export { createPreviewsRepository, type PreviewsRepository, type PreviewRow } from './previews-repository.js'
export { createPreviewsService, generatePreviewToken, PREVIEW_TOKEN_PATTERN, PREVIEW_TTL, type PreviewsService, type PreviewsServiceDeps } from './previews-service.js'
export { PREVIEW_CACHE_CONTROL, type PreviewsRoutesOptions } from './previews-routes.js'

/**
 * The previews module: adds its schemas and registers POST/DELETE /v1/posts/{ref}/previews and
 * GET /v1/previews/{token} (+ /related, /comments), given the previews service. Needs the posts,
 * related and comments modules first (its schemas embed Post, RelatedPostList and PublicComment).
 */
export default fp<PreviewsRoutesOptions>(async (app, opts) => {
  for (const schema of previewSchemas) app.addSchema(schema)
  await app.register(previewsRoutes, { ...opts, prefix: '/v1' })
}, { name: 'previews', dependencies: ['auth', 'posts', 'related', 'comments-module'] })
