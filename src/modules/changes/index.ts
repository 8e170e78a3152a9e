import fp from 'fastify-plugin'
import type { ChangesRepository } from './changes-repository.js'
import changesRoutes from './changes-routes.js'
import { changeSchemas } from './changes-schemas.js'

export interface ChangesModuleOptions {
  repo: ChangesRepository
  /** Where the route lives; /v1/changes unless told. */
  prefix?: string
}

/** The change log module: its schema and GET /v1/changes over the changes repository. */
export default fp<ChangesModuleOptions>(async (app, opts) => {
  for (const schema of changeSchemas) app.addSchema(schema)
  await app.register(changesRoutes, { prefix: opts.prefix ?? '/v1/changes', repo: opts.repo })
}, { name: 'changes-module' })
