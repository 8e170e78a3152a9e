import fp from 'fastify-plugin'
import { createPostsService, type PostsService } from '../modules/posts/index.js'
import type { SearchEngine } from '../modules/search/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    services: { posts: PostsService }
  }
}

/** Services: logic that spans several repositories, shared by routes of different modules. */
export default fp<{ siteUrl: string, search?: SearchEngine }>(async (app, opts) => {
  app.decorate('services', { posts: createPostsService(app.repos, opts.siteUrl, opts.search, () => app.contentVersion.stamp()) })
}, { name: 'services', dependencies: ['repositories', 'caching'] })
