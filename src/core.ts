import type { AppConfig } from './config.js'
import { inBackground, type Db } from './db/client.js'
import { createInvalidations } from './db/invalidations.js'
import { createChangeBus } from './db/change-bus.js'
import { createCheckpointer } from './db/checkpointer.js'
import { createWriter, type Emit } from './db/write.js'
import { createEngineWriter } from './db/engine-write.js'
import { createEngineTermVisibility, createTermReads, createTermVisibility } from './db/term-visibility.js'
import { clientHashKey } from './db/client-hash-key.js'
import { createPostsRepository, touchPosts } from './modules/posts/posts-repository.js'
import { createPostsService } from './modules/posts/posts-service.js'
import { createPostsWriteService } from './modules/posts/posts-write-service.js'
import { createPostSeoRepository } from './modules/posts/posts-seo.js'
import { createPagesRepository } from './modules/pages/pages-repository.js'
import { createPagesService, createPagesSyncService } from './modules/pages/pages-service.js'
import { createSitemapsRepository } from './modules/sitemaps/sitemaps-repository.js'
import { createSitemapsService } from './modules/sitemaps/sitemaps-service.js'
import { createTermsRepository, createTermsSyncWriter, createTermsWriter } from './modules/terms/terms-repository.js'
import { toTermPayload } from './modules/terms/terms-mapper.js'
import { createSourcesRepository } from './modules/sources/sources-repository.js'
import { createSourcePoller } from './modules/sources/sources-poller.js'
import { createSourcesService } from './modules/sources/sources-service.js'
import { createTermsService, createTermsSyncService } from './modules/terms/terms-service.js'
import { categoryKind } from './modules/categories/categories-kind.js'
import { tagKind } from './modules/tags/tags-kind.js'
import { authorKind } from './modules/authors/authors-kind.js'
import { createCommentsRepository } from './modules/comments/comments-repository.js'
import { createCommentsService } from './modules/comments/comments-service.js'
import { createSiteRepository } from './modules/site/site-repository.js'
import { createSiteService, createSiteSyncUpdate } from './modules/site/site-service.js'
import { createNavigationTargets } from './modules/site/site-navigation.js'
import { createKeysRepository } from './modules/keys/keys-repository.js'
import { createChangesRepository } from './modules/changes/changes-repository.js'
import { createRedirectsRepository } from './modules/redirects/redirects-repository.js'
import { createExportRepository } from './modules/export/export-repository.js'
import { createHealthRepository } from './modules/health/health-repository.js'
import { createSearchRepository } from './modules/search/search-repository.js'
import { createSearchEngine } from './modules/search/search-service.js'
import { createRelatedRepository } from './modules/related/related-repository.js'
import { createRelatedIndexer } from './modules/related/related-index.js'
import { createRelatedService } from './modules/related/related-service.js'
import { createRelatedListsRepository } from './modules/related/related-lists-repository.js'
import { createRelatedLists } from './modules/related/related-lists.js'
import { createFeedItemSources, createFeedsRepository } from './modules/feeds/feeds-repository.js'
import { createFeedsService, type FeedPost } from './modules/feeds/feeds-service.js'
import { feedItemTexts } from './modules/feeds/feeds-mapper.js'
import { idBaseFor, importedGuid } from './lib/feeds.js'
import { createPostDocumentsRepository } from './modules/posts/posts-documents-repository.js'
import { createPostDocuments } from './modules/posts/posts-documents.js'
import { createCommentDocumentsRepository } from './modules/comments/comments-documents-repository.js'
import { createCommentDocuments } from './modules/comments/comments-documents.js'
import { createReadModelWorker, READ_MODEL_START_DELAY_MS } from './db/read-model-worker.js'
import { createWebhooksRepository } from './modules/webhooks/webhooks-repository.js'
import { createWebhookEvents } from './modules/webhooks/webhooks-events.js'
import { createWebhookWorker } from './modules/webhooks/webhooks-worker.js'
import { createWebhooksService } from './modules/webhooks/webhooks-service.js'
import { createImportsRepository } from './modules/imports/imports-repository.js'
import { createImportJobsRepository } from './modules/imports/imports-jobs-repository.js'
import { createImportService } from './modules/imports/imports-service.js'
import { createImportJobs } from './modules/imports/imports-jobs.js'
import type { ImportProgress } from './modules/imports/imports-run.js'
import { goLiveKeys, keysForChanges, MEMBERSHIP_KEYS, pageGoLiveKeys, PAGES_KEY, POST_EDITS_KEY, relatedWriteKeys } from './modules/cache-keys.js'
import { createPreviewsRepository } from './modules/previews/previews-repository.js'
import { createPreviewsService } from './modules/previews/previews-service.js'
import { createMediaRepository } from './modules/media/media-repository.js'
import { createLocalStorage } from './modules/media/media-storage.js'
import { createMediaService } from './modules/media/media-service.js'
import { createMediaUrls } from './modules/media/media-mapper.js'
import { createFeaturedImages } from './modules/media/media-embed.js'
import { createRevisions, createRevisionsRepository, type RestoreInput } from './modules/revisions/index.js'
import type { PageInput } from './modules/pages/index.js'
import type { PostInput } from './modules/posts/posts-write-service.js'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

// The composition root: every repository, service, listener and worker of one database
// connection is built here, once, in the order they depend on each other. The HTTP app
// (app.ts) hands them to its plugins and modules; the command line, an import job's worker
// thread, the demo seed and the scripts use the same object, so a write is sanitized, logged,
// indexed and announced the same way whoever makes it. Nothing here knows about HTTP.

/** What the workers log: Fastify's logger fits, and so does a console adapter. */
export interface CoreLog {
  debug: (obj: object, msg: string) => void
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

/** The part of the configuration the core needs; `coreOptions(config)` makes it. */
export interface CoreOptions {
  /** SITE_URL: post URLs in webhook payloads, feeds and related posts. */
  siteUrl: string
  /** PREVIEW_URL_TEMPLATE: the frontend page of a preview link, `{token}` replaced. */
  previewUrlTemplate?: string
  /** PUBLIC_API_URL: the feed links of the site payload of `site.updated` webhooks, and where the sitemaps are (the sitemap index links them). */
  apiUrl: string
  /** IFRAME_HOSTS, parsed: iframes that survive post sanitizing. */
  iframeHosts: string[]
  /** QUERY_BUDGET_MS: how long one search, related-posts or feed read may compute. */
  queryBudgetMs: number
  webhooks: {
    maxAttempts: number
    timeoutMs: number
    retryBaseMs: number
    /** ALLOW_PRIVATE_TARGETS: webhook URLs may point at loopback or private networks. */
    allowPrivate: boolean
    /** WEBHOOK_SECRET_GRACE_SECONDS: how long a rotated-out secret still signs. */
    secretGraceSeconds: number
  }
  sources: {
    /** SOURCE_MAX_FAILURES: failed polls in a row that disable a feed subscription. */
    maxFailures: number
    /** ALLOW_PRIVATE_TARGETS: feed URLs may point at loopback or private networks. */
    allowPrivate: boolean
  }
  imports: {
    /** IMPORT_STALL_TIMEOUT_MS. */
    stallMs: number
    /** Run import jobs on the event loop even with a database file (the command line). */
    inline?: boolean
    /** Told of the progress of jobs run on the event loop (the command line's progress bar). */
    onProgress?: (jobId: number, progress: ImportProgress) => void
  }
  media: {
    /** MEDIA_PATH, or media/ beside the database; undefined: a temporary folder, removed at stop (an in-memory database). */
    path: string | undefined
    /** PUBLIC_API_URL: the base of image URLs. */
    apiUrl: string
    maxBytes: number
    maxPixels: number
    concurrency: number
  }
  /** REVISIONS_KEEP: revisions kept per post or page (25 when not given). */
  revisionsKeep?: number
  log: CoreLog
}

// On shutdown, requests waiting for an import job are answered (202) within this, and a running
// job is given this long to stop after its item before its worker thread is ended.
const IMPORT_CLOSE_GRACE_MS = 4000

const silent = () => {}
const SILENT_LOG: CoreLog = { debug: silent, info: silent, warn: silent, error: silent }

/** The core's options from the configuration; the workers log to `log` (silent when not given). */
export function coreOptions (config: AppConfig, log: CoreLog = SILENT_LOG): CoreOptions {
  return {
    siteUrl: config.SITE_URL,
    previewUrlTemplate: config.PREVIEW_URL_TEMPLATE,
    apiUrl: config.PUBLIC_API_URL,
    iframeHosts: config.IFRAME_HOSTS.split(',').map((h) => h.trim()).filter(Boolean),
    queryBudgetMs: config.QUERY_BUDGET_MS,
    webhooks: {
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
      allowPrivate: config.ALLOW_PRIVATE_TARGETS,
      secretGraceSeconds: config.WEBHOOK_SECRET_GRACE_SECONDS
    },
    sources: { maxFailures: config.SOURCE_MAX_FAILURES, allowPrivate: config.ALLOW_PRIVATE_TARGETS },
    imports: { stallMs: config.IMPORT_STALL_TIMEOUT_MS },
    media: {
      path: config.MEDIA_PATH ?? (config.DATABASE_PATH === ':memory:' ? undefined : join(dirname(config.DATABASE_PATH), 'media')),
      apiUrl: config.PUBLIC_API_URL,
      maxBytes: config.MEDIA_MAX_BYTES,
      maxPixels: config.MEDIA_MAX_PIXELS,
      concurrency: config.MEDIA_RENDER_CONCURRENCY
    },
    revisionsKeep: config.REVISIONS_KEEP,
    log
  }
}

/**
 * Builds Broadsheet over one open, migrated database. Read services compose repositories for
 * the public reads; write services run each write as one transaction through `write`, whose
 * change bus feeds the listeners (change log, webhook queue, related-posts index) inside it.
 * The workers (webhook deliveries, import jobs) run only between `start()` and `stop()`.
 */
export function createCore (db: Db, options: CoreOptions) {
  const { siteUrl, iframeHosts, queryBudgetMs: budgetMs } = options

  // What each write invalidates (its surrogate keys), recorded in its transaction and read by
  // every process sharing the file; memoized reads are stamped by the keys they depend on.
  const invalidations = createInvalidations(db, { goLiveKeys, pageGoLiveKeys })
  const bus = createChangeBus()
  // The stored related lists a write changed or queued (its cascades, run in its transaction):
  // their keys join the write's (relatedWriteKeys).
  let relatedSettled: { ids: number[], complete: boolean } | null = null
  const keysOf = (changes: Parameters<typeof keysForChanges>[0], now: number) => {
    const related = relatedWriteKeys(relatedSettled)
    relatedSettled = null
    const keys = keysForChanges(changes, now)
    return related.length === 0 ? keys : [...new Set([...keys, ...related])].sort()
  }
  // The engine-neutral writer (ported modules: `await writeAsync(async (tx, emit, now) => …)`)
  // and the synchronous one of the modules not yet ported, on the one connection: `gate` keeps
  // them from interleaving (src/db/engine-write.ts).
  const engineWriter = createEngineWriter({ engine: 'sqlite', db, bus, invalidations, keysOf })
  const writeAsync = engineWriter.write
  const write = createWriter(db, bus, invalidations, keysOf, engineWriter.gate)
  // WAL checkpoints in a worker thread, so no write pays for one (db/checkpointer.ts).
  const checkpointer = createCheckpointer(db)
  const membership = invalidations.stampFor(MEMBERSHIP_KEYS)

  // Which terms the public may see: the counts and visible ids for reads (remembered until
  // the posts' membership or the terms change), and the one-term questions a write asks
  // inside its transaction.
  const termReads = createTermReads({ engine: 'sqlite', db }, membership)
  const termVisibility = createTermVisibility(db)
  const engineTermVisibility = createEngineTermVisibility({ engine: 'sqlite', db })

  const repos = {
    posts: createPostsRepository(db),
    postSeo: createPostSeoRepository(db),
    pages: createPagesRepository({ engine: 'sqlite', db }),
    categories: createTermsRepository({ engine: 'sqlite', db }, categoryKind, termReads),
    tags: createTermsRepository({ engine: 'sqlite', db }, tagKind, termReads),
    authors: createTermsRepository({ engine: 'sqlite', db }, authorKind, termReads),
    comments: createCommentsRepository({ engine: 'sqlite', db }),
    site: createSiteRepository({ engine: 'sqlite', db }),
    keys: createKeysRepository({ engine: 'sqlite', db }),
    changes: createChangesRepository({ engine: 'sqlite', db }, termVisibility),
    webhooks: createWebhooksRepository({ engine: 'sqlite', db }),
    health: createHealthRepository({ engine: 'sqlite', db }),
    search: createSearchRepository(db),
    related: createRelatedRepository(db),
    feeds: createFeedsRepository({ engine: 'sqlite', db }),
    sitemaps: createSitemapsRepository({ engine: 'sqlite', db }),
    imports: createImportsRepository(db),
    importJobs: createImportJobsRepository(db),
    previews: createPreviewsRepository({ engine: 'sqlite', db }),
    redirects: createRedirectsRepository({ engine: 'sqlite', db }),
    export: createExportRepository({ engine: 'sqlite', db }),
    sources: createSourcesRepository({ engine: 'sqlite', db }),
    postDocuments: createPostDocumentsRepository(db),
    commentDocuments: createCommentDocumentsRepository({ engine: 'sqlite', db }),
    relatedLists: createRelatedListsRepository(db),
    media: createMediaRepository({ engine: 'sqlite', db })
  }
  // The terms' synchronous reads, for the callers not yet ported (post and feed filters, menus, sitemaps).
  const termsSync = { categories: repos.categories.sync, tags: repos.tags.sync, authors: repos.authors.sync }

  // Each post's related-posts term vector, rebuilt in the write that changed its text; the
  // related service also fills in posts that have none yet (in the background).
  const relatedIndex = createRelatedIndexer(db)

  // The media library's files: MEDIA_PATH, or a temporary folder of this core's own.
  const temporaryMedia = options.media.path === undefined
  const mediaStorage = createLocalStorage(options.media.path ?? join(tmpdir(), `broadsheet-media-${randomUUID()}`))
  const mediaUrls = createMediaUrls(options.media.apiUrl)
  // Library images of posts (featured, and sizes of body images), for reads and the read model alike.
  const featured = createFeaturedImages(repos.media.sync, mediaUrls, options.media.apiUrl)

  // The read model: every post's and public comment's representations, stored by the write that
  // changes them (settle, inside its transaction); reads use them when current, else the rows.
  const postDocumentsRepo = repos.postDocuments
  // Feed and item ids: minted from SITE_URL's host once per database and stored, so a later
  // SITE_URL (a new domain) changes the items' links but never their ids. Minted when the
  // server starts or the first feed item is made, not by a CLI command that opens the file
  // (whose environment may lack SITE_URL).
  let storedIdBase: string | undefined
  // Asked synchronously (start(), and the read model's builder inside a write's settle step).
  const feedSources = createFeedItemSources(db)
  const feedIdBase = () => (storedIdBase ??= feedSources.idBase(idBaseFor(siteUrl)))
  const feedItems = (post: FeedPost) => feedItemTexts(post, feedIdBase(), importedGuid(feedSources.wxrImportKeys([post.id]).get(post.id)))
  const documents = {
    posts: createPostDocuments({
      db,
      repo: postDocumentsRepo,
      posts: repos.posts,
      featured,
      seo: repos.postSeo,
      siteUrl,
      feedItems: (post) => feedItems(post as unknown as FeedPost),
      onError: (postId, err) => { options.log.error({ postId, err }, 'post documents not built; read from rows') }
    }),
    comments: createCommentDocuments({
      db,
      repo: repos.commentDocuments.sync,
      comments: repos.comments.sync,
      onError: (commentId, err) => { options.log.error({ commentId, err }, 'comment document not built; thread read from rows') }
    })
  }
  bus.onSettle((changes) => {
    documents.posts.settle()
    documents.comments.settle(changes)
  })
  // Related lists (related-lists.ts): kept by the same background steps, scored by the related
  // service (created below; the worker only calls it after start).
  const relatedLists = createRelatedLists({
    db,
    repo: repos.relatedLists,
    scoreAll: (postId, now, limit, freshStats) => services.related.scoreAll(postId, now, limit, freshStats),
    indexer: relatedIndex,
    liveCount: () => repos.related.postCount(),
    fingerprint: documents.posts.fingerprint,
    inBackground: (fn) => inBackground(db, fn),
    invalidations,
    onSettleError: (err) => { options.log.warn({ err }, 'related-list cascades of a write failed; left to the background') }
  })
  // After the documents (settled above): the write's cascades, so it knows which stored lists it changes.
  bus.onSettle((_changes, now) => { relatedSettled = relatedLists.settle(now) })
  const readModelWorker = createReadModelWorker({ ...documents, related: relatedLists }, options.log, (fn) => inBackground(db, fn), READ_MODEL_START_DELAY_MS)

  const search = createSearchEngine(repos.search, { budgetMs })
  const posts = createPostsService({ ...repos, ...termsSync, featured }, siteUrl, search, membership, { repo: postDocumentsRepo, fingerprint: documents.posts.fingerprint })
  const services = {
    posts,
    search,
    related: createRelatedService({
      repo: repos.related,
      indexer: relatedIndex,
      posts,
      // Corpus statistics move with membership and with any live post's text.
      stamp: invalidations.stampFor([...MEMBERSHIP_KEYS, POST_EDITS_KEY]),
      invalidate: (keys) => { invalidations.invalidate(keys) },
      siteUrl,
      budgetMs,
      lists: relatedLists
    }),
    feeds: createFeedsService({ posts, repos: termsSync, site: repos.site, changes: repos.changes, feeds: repos.feeds, siteUrl, idBase: feedIdBase, budgetMs, documents: { repo: repos.postDocuments, fingerprint: documents.posts.fingerprint } })
  }
  // Preview links (their tokens on writeAsync) read a post of any status through the same
  // single-post read as GET /v1/posts/{ref}: the synchronous SQLite posts code until posts are ported.
  const previews = createPreviewsService({
    repo: repos.previews,
    write: writeAsync,
    postsRepo: repos.posts,
    posts,
    related: services.related,
    comments: repos.comments,
    seo: repos.postSeo,
    urlTemplate: options.previewUrlTemplate ?? `${siteUrl}/preview?token={token}`
  })

  const touch = (emit: Emit, ids: number[]) => { touchPosts(db, emit, ids) }
  const pagesStamp = invalidations.stampFor([PAGES_KEY])
  const pages = createPagesService({ repo: repos.pages, write: writeAsync, stamp: pagesStamp, iframeHosts })
  // The pages' synchronous twin, for the callers not yet ported: menu targets, the pages
  // sitemap, webhook payloads, revisions' page refs and restores, the WXR import's items.
  const pagesSync = createPagesSyncService({ repo: repos.pages.sync, write, stamp: pagesStamp, iframeHosts })
  // Menu items name pages, categories, tags and posts by id; reads resolve them to current URLs.
  const navigation = createNavigationTargets({
    pages: pagesSync,
    categories: termsSync.categories,
    tags: termsSync.tags,
    posts: {
      exists: (id) => repos.posts.findByRef({ id }, 'any', Date.now()) !== undefined,
      publicUrl: (id, now) => {
        const row = repos.posts.findByRef({ id }, 'public', now)
        return row === undefined ? undefined : posts.get(String(id), 'public', now).url
      }
    },
    siteUrl
  })
  const sitemaps = createSitemapsService({ repo: repos.sitemaps, pages: pagesSync, categories: termsSync.categories, tags: termsSync.tags, site: repos.site, siteUrl, apiUrl: options.apiUrl })
  const content = {
    posts: createPostsWriteService(db, write, { iframeHosts, featuredMedia: repos.media.sync }),
    categories: createTermsService({ write: writeAsync, writer: createTermsWriter({ engine: 'sqlite', db }, categoryKind), visibility: engineTermVisibility }, categoryKind),
    tags: createTermsService({ write: writeAsync, writer: createTermsWriter({ engine: 'sqlite', db }, tagKind), visibility: engineTermVisibility }, tagKind),
    authors: createTermsService({ write: writeAsync, writer: createTermsWriter({ engine: 'sqlite', db }, authorKind), visibility: engineTermVisibility }, authorKind),
    comments: createCommentsService({ repo: repos.comments, write: writeAsync, hashKey: clientHashKey(db) }),
    site: createSiteService({ repo: repos.site, write: writeAsync, targets: navigation }),
    media: createMediaService({ repo: repos.media, write: writeAsync, storage: mediaStorage }, options.media),
    // Pages read and write through one service: their reads are shaped by the tree it keeps.
    pages
  }
  // The import's items are synchronous writes: their terms go through the synchronous twin.
  const termsSyncWrites = {
    categories: createTermsSyncService(db, write, categoryKind, termVisibility),
    tags: createTermsSyncService(db, write, tagKind, termVisibility),
    authors: createTermsSyncService(db, write, authorKind, termVisibility)
  }
  const importer = createImportService({
    // The import's items are synchronous writes: the site's menus go through the synchronous update.
    writes: { write, posts: content.posts, ...termsSyncWrites, pages: pagesSync, site: { update: createSiteSyncUpdate({ repo: repos.site, write, targets: navigation }) } },
    repo: repos.imports,
    comments: repos.comments.sync,
    touchPosts: touch
  }, { iframeHosts })

  // The listeners of every write, in this order, inside its transaction: the change log, the
  // webhook queue, the related-posts index.
  const termRows = { category: createTermsSyncWriter(db, categoryKind), tag: createTermsSyncWriter(db, tagKind), author: createTermsSyncWriter(db, authorKind) }
  const kinds = { category: categoryKind, tag: tagKind, author: authorKind }
  const webhookEvents = createWebhookEvents({
    // Synchronous: a listener of the synchronous bus, queuing inside the write (engine-port.ts).
    repo: repos.webhooks.sync,
    posts: repos.posts,
    relations: posts,
    comments: repos.comments.sync,
    pages: pagesSync,
    seo: repos.postSeo,
    visibility: termVisibility,
    term: (kind, id) => {
      const row = termRows[kind].load(id)
      return row === undefined ? undefined : toTermPayload(kinds[kind], row)
    },
    site: repos.site,
    navigation,
    siteUrl,
    apiUrl: options.apiUrl
  })
  bus.on((change, now) => { repos.changes.listener(change, now) })
  bus.on((change, now) => { webhookEvents.listener(change, now) })
  bus.on((change) => { relatedIndex.listener(change) })
  // Revisions of posts and pages, stored by the write that changes their editorial fields
  // (whoever makes it), and restored through the ordinary updates.
  const revisions = createRevisions({
    repo: createRevisionsRepository({ engine: 'sqlite', db }),
    write,
    writeAsync,
    keep: options.revisionsKeep ?? 25,
    update: {
      post: (id, input: RestoreInput) => { content.posts.update(id, input as PostInput) },
      page: (id, input: RestoreInput) => { pagesSync.update(id, input as PageInput) }
    }
  })
  bus.on((change, now) => { revisions.listener(change, now) })

  // Every process sharing the database runs one webhook worker (leases keep them from sending
  // a delivery twice); a write of this process that queued deliveries wakes it at once.
  const webhookWorker = createWebhookWorker(repos.webhooks, webhookEvents, { ...options.webhooks, log: options.log })
  bus.onCommitted(() => {
    if (webhookEvents.takeEnqueued()) webhookWorker.wake()
  })
  const importJobs = createImportJobs({
    repo: repos.importJobs,
    importer,
    // A worker thread's commits (it recorded their invalidations) reach this process's cache
    // and purges at once, and its after-commit listeners.
    announce: (changes) => {
      invalidations.committed(keysForChanges(changes, Date.now()))
      bus.committed(changes)
    },
    iframeHosts,
    siteUrl,
    stallMs: options.imports.stallMs,
    log: options.log,
    inline: options.imports.inline,
    onProgress: options.imports.onProgress
  })

  // Every process runs one feed poller too (leases keep two from fetching one source at once);
  // it imports on the event loop through the feed importer, one item per transaction.
  const sourcePoller = createSourcePoller(repos.sources, async (bytes, feedOpts) => await importer.feed(bytes, feedOpts), {
    allowPrivate: options.sources.allowPrivate,
    maxFailures: options.sources.maxFailures,
    log: options.log
  })

  const writes = {
    ...content,
    sources: createSourcesService({ repo: repos.sources, write: writeAsync, poller: sourcePoller, allowPrivate: options.sources.allowPrivate }),
    // Subscriptions as the admin API changes them: wakes the worker when there is work.
    webhooks: createWebhooksService({ repo: repos.webhooks, write: writeAsync, worker: webhookWorker, allowPrivate: options.webhooks.allowPrivate, secretGraceSeconds: options.webhooks.secretGraceSeconds }),
    imports: importer
  }

  return {
    db,
    invalidations,
    bus,
    write,
    /** The engine-neutral writer of the ported modules (src/db/engine-write.ts). */
    writeAsync,
    repos,
    /** Reads that compose repositories: post lists and search, related posts, feeds. */
    services,
    /** Menu targets (pages, categories, tags, posts) for the site's navigation. */
    navigation,
    /** The sitemap index and sitemaps. */
    sitemaps,
    /** Preview links: made and revoked by keys, read by token (no invalidation, change log or webhook). */
    previews,
    /** Revisions of posts and pages, the ETags of their edits and If-Match. */
    revisions,
    /** Writes, each one transaction through `write` and the change bus. */
    writes,
    /** The terms' synchronous writes, for a caller inside a synchronous write (the WXR import's items). */
    termsSyncWrites,
    /** The pages' synchronous twin (tree, lookups, create and update) for the callers not yet ported. */
    pagesSync,
    /** What listens on the change bus besides the change log (`repos.changes.listener`). */
    listeners: { webhookEvents, relatedIndex },
    /** The stored public representations (read model) and their builders. */
    documents,
    /** The read model's related lists (related-lists.ts). */
    relatedLists,
    workers: { webhooks: webhookWorker, imports: importJobs, sources: sourcePoller, readModel: readModelWorker, checkpointer },
    /** The media library's storage and public URLs. */
    media: { storage: mediaStorage, urls: mediaUrls },

    /** Starts the workers: webhook deliveries, and import jobs (failing those of dead processes). */
    start (): void {
      feedIdBase()
      invalidations.start()
      webhookWorker.start()
      importJobs.start()
      sourcePoller.start()
      readModelWorker.start()
      checkpointer.start()
    },

    /** Takes no new import job; requests waiting for one are answered within the grace time. */
    drain (): void {
      importJobs.drain(IMPORT_CLOSE_GRACE_MS)
    },

    /** Stops the workers and the related-posts backfill; call before the database closes. */
    async stop (): Promise<void> {
      await importJobs.stop(IMPORT_CLOSE_GRACE_MS)
      services.related.close()
      await sourcePoller.stop()
      readModelWorker.stop()
      invalidations.stop()
      await webhookWorker.stop()
      await checkpointer.stop()
      if (temporaryMedia) await mediaStorage.destroy()
    }
  }
}

export type Core = ReturnType<typeof createCore>
