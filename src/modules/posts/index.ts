import fp from 'fastify-plugin'
import postsRoutes, { type PostsRoutesOptions } from './posts-routes.js'
import { postSchemas } from './posts-schemas.js'

export { createPostsRepository, createPostsWriter, touchPosts, type PostsRepository, type PostRow, type PostFilter, type Visibility } from './posts-repository.js'
export { createPostsService, type PostsService, type PostsServiceRepos } from './posts-service.js'
export { createPostsWriteService, type PostsWriteService, type PostInput } from './posts-write-service.js'
export { toPost, postUrl, type PostRelations } from './posts-mapper.js'
export { createPostSeoRepository, type PostSeoRepository } from './posts-seo.js'
export type { PostsRoutesOptions } from './posts-routes.js'

/**
 * The posts module: adds the post schemas and registers the routes under /v1/posts, given the
 * posts repository, the read service and the write service. Wrapped with fastify-plugin so the
 * $id'd schemas are global (related posts and comments embed them); it needs the auth plugin
 * (route scopes) and the search module (its SearchMeta schema) first.
 */
export default fp<PostsRoutesOptions>(async (app, opts) => {
  for (const schema of postSchemas) app.addSchema(schema)
  await app.register(postsRoutes, { ...opts, prefix: '/v1/posts' })
}, { name: 'posts', dependencies: ['auth', 'search'] })
