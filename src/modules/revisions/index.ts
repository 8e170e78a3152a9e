import fp from 'fastify-plugin'
import revisionsRoutes, { type RevisionsRoutesOptions } from './revisions-routes.js'
import { revisionSchemas } from './revisions-schemas.js'

export { createRevisionsRepository, createRevisionsSyncRepository, type RevisionsRepository, type SqliteRevisionsRepository, type RevisionKind } from './revisions-repository.js'
export { createRevisions, recordRevision, etagAsync, checkIfMatchAsync, findAsync, actorOf, EDITORIAL_FIELDS, type Revisions, type Actor, type RestoreInput } from './revisions-service.js'
export { IfMatchHeaders } from './revisions-schemas.js'

export interface RevisionsModuleOptions {
  revisions: RevisionsRoutesOptions['revisions']
  find: Record<RevisionsRoutesOptions['kind'], RevisionsRoutesOptions['find']>
}

/**
 * The revisions module: adds the revision schemas and registers the revision routes under
 * /v1/posts and /v1/pages. Wrapped with fastify-plugin so the $id'd schemas are global; it
 * needs the auth plugin (route scopes) first.
 */
export default fp<RevisionsModuleOptions>(async (app, { revisions, find }) => {
  for (const schema of revisionSchemas) app.addSchema(schema)
  await app.register(revisionsRoutes, { kind: 'post', revisions, find: find.post, prefix: '/v1/posts' })
  await app.register(revisionsRoutes, { kind: 'page', revisions, find: find.page, prefix: '/v1/pages' })
}, { name: 'revisions', dependencies: ['auth'] })
