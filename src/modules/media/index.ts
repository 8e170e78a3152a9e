import fp from 'fastify-plugin'
import mediaRoutes, { type MediaRoutesOptions } from './media-routes.js'
import mediaServeRoutes from './media-serve-routes.js'
import { mediaSchemas } from './media-schemas.js'

export { createMediaUrls, type MediaUrls } from './media-mapper.js'

export interface MediaModuleOptions extends MediaRoutesOptions {
  /** Where the API lives; /v1/media unless told. The files are served under /media. */
  prefix?: string
}

/** The media library: its schemas, the API (uploads and records) and the image files. */
export default fp<MediaModuleOptions>(async (app, { prefix, ...deps }) => {
  for (const schema of mediaSchemas) app.addSchema(schema)
  await app.register(mediaRoutes, { prefix: prefix ?? '/v1/media', ...deps })
  await app.register(mediaServeRoutes, { prefix: '/media', service: deps.service })
}, { name: 'media-module' })
