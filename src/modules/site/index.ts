import fp from 'fastify-plugin'
import siteRoutes, { type SiteRoutesOptions } from './site-routes.js'
import { siteSchemas } from './site-schemas.js'

export interface SiteModuleOptions extends SiteRoutesOptions {
  /** Where the routes live; /v1/site unless told. */
  prefix?: string
}

/** The site settings module: its schema, GET and PATCH /v1/site. */
export default fp<SiteModuleOptions>(async (app, { prefix, ...deps }) => {
  // Added when absent: until the composition root lands, app.ts adds every schema first, in
  // the order the committed openapi.json lists them.
  for (const schema of siteSchemas) if (app.getSchema((schema as { $id?: string }).$id ?? '') === undefined) app.addSchema(schema)
  await app.register(siteRoutes, { prefix: prefix ?? '/v1/site', ...deps })
}, { name: 'site-module' })
