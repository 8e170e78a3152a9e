import fp from 'fastify-plugin'
import importsRoutes, { type ImportsRoutesOptions } from './imports-routes.js'
import { importSchemas } from './imports-schemas.js'

export { createImportJobs, type ImportJobs, type ImportJobsOptions } from './imports-jobs.js'
export { createImportService, type ImportService } from './imports-service.js'
export type { ImportTarget, ImportWrites } from './imports-context.js'
export { importSchemas } from './imports-schemas.js'
export type { ImportsRoutesOptions } from './imports-routes.js'

/**
 * WordPress and feed imports under /v1/imports, given the import jobs of this process (which
 * the composition root starts and stops with the app): adds the module's schemas and registers
 * its routes. Wrapped with fastify-plugin so the $id'd schemas are global; it needs the auth
 * plugin first (its route hook checks `config.scope`) and the content-types one (it refuses
 * bodies of other types).
 */
export default fp<ImportsRoutesOptions>(async (app, opts) => {
  for (const schema of importSchemas) app.addSchema(schema)
  await app.register(importsRoutes, { ...opts, prefix: '/v1/imports' })
}, { name: 'imports-module', dependencies: ['auth', 'content-types'] })
