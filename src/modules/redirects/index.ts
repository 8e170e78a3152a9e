import fp from 'fastify-plugin'
import type { RedirectsRepository } from './redirects-repository.js'
import redirectsRoutes from './redirects-routes.js'
import { redirectSchemas } from './redirects-schemas.js'

export interface RedirectsModuleOptions {
  repo: RedirectsRepository
  /** Where the route lives; /v1/redirects unless told. */
  prefix?: string
}

/** The redirect map of imported posts: its schema and GET /v1/redirects. */
export default fp<RedirectsModuleOptions>(async (app, opts) => {
  for (const schema of redirectSchemas) app.addSchema(schema)
  await app.register(redirectsRoutes, { prefix: opts.prefix ?? '/v1/redirects', repo: opts.repo })
}, { name: 'redirects-module' })
