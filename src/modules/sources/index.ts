import fp from 'fastify-plugin'
import type { SourcesRepository } from './sources-repository.js'
import type { SourcesService } from './sources-service.js'
import sourcesRoutes from './sources-routes.js'
import { sourceSchemas } from './sources-schemas.js'

export interface SourcesModuleOptions {
  repo: SourcesRepository
  service: SourcesService
  /** Where the routes live; /v1/sources unless told. */
  prefix?: string
}

/** The feed subscriptions module: sources, their poll history and "poll now". */
export default fp<SourcesModuleOptions>(async (app, opts) => {
  for (const schema of sourceSchemas) app.addSchema(schema)
  await app.register(sourcesRoutes, { prefix: opts.prefix ?? '/v1/sources', repo: opts.repo, service: opts.service })
}, { name: 'sources-module' })
