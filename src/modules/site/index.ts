import fp from 'fastify-plugin'
import siteRoutes, { type SiteRoutesOptions } from './site-routes.js'
import { siteSchemas } from './site-schemas.js'

export interface SiteModuleOptions extends SiteRoutesOptions {
  /** Where the routes live; /v1/site unless told. */
  prefix?: string
}

/** The site settings module: its schema, GET and PATCH /v1/site. */
export default fp<SiteModuleOptions>(async (app, { prefix, ...deps }) => {
  for (const schema of siteSchemas) app.addSchema(schema)
  await app.register(siteRoutes, { prefix: prefix ?? '/v1/site', ...deps })
}, { name: 'site-module' })
