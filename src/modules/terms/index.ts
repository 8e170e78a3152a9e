import fp from 'fastify-plugin'
import type { AnyTermKind } from './terms-kind.js'
import { createTermsRoutes, type TermsApi, type TermsRoutesOptions } from './terms-routes.js'
import { sparseTermSchema } from './terms-schemas.js'

export { defineTermKind, type AnyTermKind, type TermKind } from './terms-kind.js'
export { createTermsRepository, type TermsRepository } from './terms-repository.js'
export { createTermsService, type TermsService } from './terms-service.js'
export { termBodies, termSchema } from './terms-schemas.js'
export type { TermsApi, TermsRoutesOptions } from './terms-routes.js'

/**
 * The plugin of one kind's module (categories, tags, authors): adds its schemas and registers its
 * routes under its prefix, given its repository and service. Wrapped with fastify-plugin so the
 * $id'd schemas are global; it needs the auth plugin first, whose route hook checks `config.scope`.
 */
export function createTermsModule<K extends AnyTermKind> (kind: K, api: TermsApi) {
  const routes = createTermsRoutes(kind, api)
  return fp<TermsRoutesOptions<K>>(async (app, { repo, service }) => {
    app.addSchema(api.schemas.item)
    app.addSchema(sparseTermSchema(api.schemas.item))
    await app.register(routes, { prefix: api.prefix, repo, service })
  }, { name: kind.plural, dependencies: ['auth'] })
}
