import fp from 'fastify-plugin'
import { createPostsRepository } from '../modules/posts/posts-repository.js'
import { createTermsRepository } from '../modules/terms/index.js'
import { categoryKind } from '../modules/categories/index.js'
import { tagKind } from '../modules/tags/index.js'
import { authorKind } from '../modules/authors/index.js'
import { createSiteRepository } from '../modules/site/site-repository.js'
import { createCommentsRepository } from '../modules/comments/comments-repository.js'
import { createWebhooksRepository } from '../modules/webhooks/webhooks-repository.js'
import { createHealthRepository } from '../modules/health/health-repository.js'
import type { Db } from '../db/client.js'
import { createLiveCounts } from '../db/live-counts.js'
import { createPublicTerms } from '../db/term-visibility.js'
import { createContentVersion } from '../db/content-version.js'

/** Builds every repository over one database handle (also used by the CLI and scripts). */
export function createRepositories (db: Db, stamp: () => string = createContentVersion(db).stamp) {
  const counts = createLiveCounts(db, stamp)
  const publicTerms = createPublicTerms(db, stamp, counts)
  return {
    posts: createPostsRepository(db),
    categories: createTermsRepository(db, categoryKind, counts, publicTerms),
    tags: createTermsRepository(db, tagKind, counts, publicTerms),
    authors: createTermsRepository(db, authorKind, counts, publicTerms),
    site: createSiteRepository(db),
    comments: createCommentsRepository(db),
    webhooks: createWebhooksRepository(db),
    health: createHealthRepository(db)
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
  app.decorate('repos', createRepositories(app.db, () => app.contentVersion.stamp()))
}, { name: 'repositories', dependencies: ['db'] })
