import fp from 'fastify-plugin'
import { createChangeBus, type ChangeBus } from '../db/change-bus.js'
import { createWriter, type Writer } from '../db/write.js'
import { createChangesRepository, type ChangesRepository } from '../modules/changes/changes-repository.js'
import { createPostsWriteService } from '../modules/posts/posts-write-service.js'
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

/** The write side over one database: the change bus, the transaction runner and one service per resource. */
export function createWriteServices (db: Db, opts: { iframeHosts: string[], siteUrl?: string, version?: ContentVersion }) {
  const bus = createChangeBus()
  const changes = createChangesRepository(db)
  bus.on((change, now) => changes.listener(change, now))
  const webhookEvents = createWebhookEvents(db, { siteUrl: opts.siteUrl ?? 'http://localhost:3000' })
  bus.on((change, now) => webhookEvents.listener(change, now))
  // Each post's related-posts term vector is rebuilt in the write that changed its text.
  const related = createRelatedIndexer(db)
  bus.on((change) => related.listener(change))
  const write = createWriter(db, bus, opts.version ?? createContentVersion(db))
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
    site: createSiteService(db, write),
    comments: createCommentsService(db, write)
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
  const writes = createWriteServices(app.db, { ...opts, version: app.contentVersion })
  app.decorate('writes', writes)
  app.decorate('bus', writes.bus)
  app.decorate('write', writes.write)
  app.decorate('changes', writes.changes)
}, { name: 'writes', dependencies: ['db'] })
