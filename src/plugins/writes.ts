import fp from 'fastify-plugin'
import { createChangeBus, type ChangeBus } from '../db/change-bus.js'
import { createWriter, type Writer } from '../db/write.js'
import { createChangesRepository, type ChangesRepository } from '../modules/changes/changes-repository.js'
import { createPostsWriteService, touchPosts } from '../modules/posts/posts-write-service.js'
import { createPostsService, type PostsService } from '../modules/posts/posts-service.js'
import { createTermsService } from '../modules/terms/index.js'
import { categoryKind } from '../modules/categories/index.js'
import { tagKind } from '../modules/tags/index.js'
import { authorKind } from '../modules/authors/index.js'
import { createSiteService } from '../modules/site/site-service.js'
import { createCommentsService } from '../modules/comments/comments-service.js'
import { createWebhookEvents } from '../modules/webhooks/webhooks-events.js'
import { createRelatedIndexer } from '../modules/related/related-index.js'
import type { Db } from '../db/client.js'
import { createContentVersion, type ContentVersion } from '../db/content-version.js'
import { clientHashKey } from '../db/client-hash-key.js'
import { createRepositories, type Repositories } from './repositories.js'

export interface WriteServicesOptions {
  iframeHosts: string[]
  siteUrl?: string
  version?: ContentVersion
  /** The app's repositories and posts service; built here (once) when not given (CLI, scripts). */
  repos?: Repositories
  posts?: PostsService
}

/** The write side over one database: the change bus, the transaction runner and one service per resource. */
export function createWriteServices (db: Db, opts: WriteServicesOptions) {
  const siteUrl = opts.siteUrl ?? 'http://localhost:3000'
  const version = opts.version ?? createContentVersion(db)
  const repos = opts.repos ?? createRepositories(db, version.stamp)
  const bus = createChangeBus()
  const changes = createChangesRepository(db)
  bus.on((change, now) => changes.listener(change, now))
  const webhookEvents = createWebhookEvents({
    repo: repos.webhooks,
    posts: repos.posts,
    relations: opts.posts ?? createPostsService(repos, siteUrl),
    comments: repos.comments,
    siteUrl
  })
  bus.on((change, now) => webhookEvents.listener(change, now))
  // Each post's related-posts term vector is rebuilt in the write that changed its text.
  const related = createRelatedIndexer(db)
  bus.on((change) => related.listener(change))
  const write = createWriter(db, bus, version)
  return {
    bus,
    write,
    changes,
    webhookEvents,
    related,
    posts: createPostsWriteService(db, write, opts),
    categories: createTermsService(db, write, categoryKind),
    tags: createTermsService(db, write, tagKind),
    authors: createTermsService(db, write, authorKind),
    site: createSiteService({ repo: repos.site, write }),
    comments: createCommentsService({ repo: repos.comments, write, hashKey: clientHashKey(db), touchPosts: (emit, ids) => touchPosts(db, emit, ids) })
  }
}
export type WriteServices = ReturnType<typeof createWriteServices>

declare module 'fastify' {
  interface FastifyInstance {
    writes: WriteServices
    bus: ChangeBus
    write: Writer
    changes: ChangesRepository
  }
}

/** Decorates the write services; every write goes through `app.write` and the change bus. */
export default fp<{ iframeHosts: string[], siteUrl?: string }>(async (app, opts) => {
  const writes = createWriteServices(app.db, { ...opts, version: app.contentVersion, repos: app.repos, posts: app.services.posts })
  app.decorate('writes', writes)
  app.decorate('bus', writes.bus)
  app.decorate('write', writes.write)
  app.decorate('changes', writes.changes)
}, { name: 'writes', dependencies: ['db', 'repositories', 'services'] })
