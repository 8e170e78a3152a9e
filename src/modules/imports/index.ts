import fp from 'fastify-plugin'
import importsRoutes, { type ImportsRoutesOptions } from './imports-routes.js'
import { importSchemas } from './imports-schemas.js'

export { createImportJobs, type ImportJobs, type ImportJobsOptions } from './imports-jobs.js'
export { createImportService, type ImportService } from './imports-service.js'
export type { ImportWrites } from './imports-context.js'
export { importSchemas } from './imports-schemas.js'
export type { ImportsRoutesOptions } from './imports-routes.js'

// On shutdown, requests waiting for a job are answered (202) within this, and a running job
// is given this long to stop after its item before its worker is ended.
const CLOSE_GRACE_MS = 4000

/**
 * WordPress and feed imports under /v1/imports, given the import jobs of this process: adds
 * the module's schemas, registers its routes, and runs the jobs with the app (they start once
 * it is ready, stop taking work when it begins to close, and end with it). Wrapped with
 * fastify-plugin so the $id'd schemas are global; it needs the auth plugin first (its route
 * hook checks `config.scope`) and the content-types one (it refuses bodies of other types).
 */
export default fp<ImportsRoutesOptions>(async (app, opts) => {
  // Added when absent, as the other modules do until the composition root lands.
  for (const schema of importSchemas) if (app.getSchema((schema as { $id?: string }).$id ?? '') === undefined) app.addSchema(schema)
  const { jobs } = opts
  app.addHook('onReady', async () => { jobs.start() })
  app.addHook('preClose', async () => { jobs.drain(CLOSE_GRACE_MS) })
  app.addHook('onClose', async () => { await jobs.stop(CLOSE_GRACE_MS) })
  await app.register(importsRoutes, { ...opts, prefix: '/v1/imports' })
}, { name: 'imports-module', dependencies: ['auth', 'content-types'] })
