import fp from 'fastify-plugin'
import commentsRoutes, { type CommentsRoutesOptions } from './comments-routes.js'
import { commentSchemas } from './comments-schemas.js'

export interface CommentsModuleOptions extends CommentsRoutesOptions {
  /** Where the routes live (/posts/:ref/comments and /comments under it); /v1 unless told. */
  prefix?: string
}

/** The comments module: its schemas, public threads and submission, and moderation. */
export default fp<CommentsModuleOptions>(async (app, { prefix, ...deps }) => {
  for (const schema of commentSchemas) app.addSchema(schema)
  await app.register(commentsRoutes, { prefix: prefix ?? '/v1', ...deps })
}, { name: 'comments-module' })
