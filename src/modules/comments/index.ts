import fp from 'fastify-plugin'
import commentsRoutes, { type CommentsRoutesOptions } from './comments-routes.js'
import { commentSchemas } from './comments-schemas.js'

export interface CommentsModuleOptions extends CommentsRoutesOptions {
  /** Where the routes live (/posts/:ref/comments and /comments under it); /v1 unless told. */
  prefix?: string
}

/** The comments module: its schemas, public threads and submission, and moderation. */
export default fp<CommentsModuleOptions>(async (app, { prefix, ...deps }) => {
  // Added when absent: until the composition root lands, app.ts adds every schema first, in
  // the order the committed openapi.json lists them.
  for (const schema of commentSchemas) if (app.getSchema((schema as { $id?: string }).$id ?? '') === undefined) app.addSchema(schema)
  await app.register(commentsRoutes, { prefix: prefix ?? '/v1', ...deps })
}, { name: 'comments-module' })
