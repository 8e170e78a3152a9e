import fp from 'fastify-plugin'
import { createPostsRepository } from '../modules/posts/posts-repository.js'
import { createCategoriesRepository } from '../modules/categories/categories-repository.js'
import { createTagsRepository } from '../modules/tags/tags-repository.js'
import { createAuthorsRepository } from '../modules/authors/authors-repository.js'
import { createSiteRepository } from '../modules/site/site-repository.js'
import { createCommentsRepository } from '../modules/comments/comments-repository.js'
import type { Db } from '../db/client.js'

/** Builds every repository over one database handle (also used by the CLI and scripts). */
export function createRepositories (db: Db) {
  return {
    posts: createPostsRepository(db),
    categories: createCategoriesRepository(db),
    tags: createTagsRepository(db),
    authors: createAuthorsRepository(db),
    site: createSiteRepository(db),
    comments: createCommentsRepository(db)
  }
}
export type Repositories = ReturnType<typeof createRepositories>

declare module 'fastify' {
  interface FastifyInstance {
    repos: Repositories
  }
}

/** Decorates `app.repos` with the repositories of every module. */
export default fp(async (app) => {
  app.decorate('repos', createRepositories(app.db))
}, { name: 'repositories', dependencies: ['db'] })
