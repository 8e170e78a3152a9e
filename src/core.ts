import type { AppConfig } from './config.js'
import type { Db } from './db/client.js'
import { createContentVersion } from './db/content-version.js'
import { createChangeBus } from './db/change-bus.js'
import { createWriter, type Emit } from './db/write.js'
import { createLiveCounts } from './db/live-counts.js'
import { createPublicTerms, createTermVisibility } from './db/term-visibility.js'
import { clientHashKey } from './db/client-hash-key.js'
import { createPostsRepository, touchPosts } from './modules/posts/posts-repository.js'
import { createPostsService } from './modules/posts/posts-service.js'
import { createPostsWriteService } from './modules/posts/posts-write-service.js'
import { createPostSeoRepository } from './modules/posts/posts-seo.js'
import { createPagesRepository } from './modules/pages/pages-repository.js'
import { createPagesService } from './modules/pages/pages-service.js'
import { createSitemapsRepository } from './modules/sitemaps/sitemaps-repository.js'
import { createSitemapsService } from './modules/sitemaps/sitemaps-service.js'
import { createTermsRepository } from './modules/terms/terms-repository.js'
import { createTermsService } from './modules/terms/terms-service.js'
import { categoryKind } from './modules/categories/categories-kind.js'
import { tagKind } from './modules/tags/tags-kind.js'
import { authorKind } from './modules/authors/authors-kind.js'
import { createCommentsRepository } from './modules/comments/comments-repository.js'
import { createCommentsService } from './modules/comments/comments-service.js'
import { createSiteRepository } from './modules/site/site-repository.js'
import { createSiteService } from './modules/site/site-service.js'
import { createNavigationTargets } from './modules/site/site-navigation.js'
import { createKeysRepository } from './modules/keys/keys-repository.js'
import { createChangesRepository } from './modules/changes/changes-repository.js'
import { createHealthRepository } from './modules/health/health-repository.js'
import { createSearchRepository } from './modules/search/search-repository.js'
import { createSearchEngine } from './modules/search/search-service.js'
import { createRelatedRepository } from './modules/related/related-repository.js'
import { createRelatedIndexer } from './modules/related/related-index.js'
import { createRelatedService } from './modules/related/related-service.js'
import { createFeedsRepository } from './modules/feeds/feeds-repository.js'
import { createFeedsService } from './modules/feeds/feeds-service.js'
import { createWebhooksRepository } from './modules/webhooks/webhooks-repository.js'
import { createWebhookEvents } from './modules/webhooks/webhooks-events.js'
import { createWebhookWorker } from './modules/webhooks/webhooks-worker.js'
import { createWebhooksService } from './modules/webhooks/webhooks-service.js'
import { createImportsRepository } from './modules/imports/imports-repository.js'
import { createImportJobsRepository } from './modules/imports/imports-jobs-repository.js'
import { createImportService } from './modules/imports/imports-service.js'
import { createImportJobs } from './modules/imports/imports-jobs.js'
import type { ImportProgress } from './modules/imports/imports-run.js'

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
  /** PUBLIC_API_URL: where the sitemaps themselves are (the sitemap index links them). */
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
  }
  imports: {
    /** IMPORT_STALL_TIMEOUT_MS. */
    stallMs: number
    /** Run import jobs on the event loop even with a database file (the command line). */
    inline?: boolean
    /** Told of the progress of jobs run on the event loop (the command line's progress bar). */
    onProgress?: (jobId: number, progress: ImportProgress) => void
  }
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
    apiUrl: config.PUBLIC_API_URL,
    iframeHosts: config.IFRAME_HOSTS.split(',').map((h) => h.trim()).filter(Boolean),
    queryBudgetMs: config.QUERY_BUDGET_MS,
    webhooks: {
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
      allowPrivate: config.ALLOW_PRIVATE_TARGETS
    },
    imports: { stallMs: config.IMPORT_STALL_TIMEOUT_MS },
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

  // What cached public reads are keyed by; bumped by every write, before it commits.
  const version = createContentVersion(db)
  const bus = createChangeBus()
  const write = createWriter(db, bus, version)

  // Which terms the public may see: the counts and visible ids for reads (remembered per
  // content stamp), and the one-term questions a write asks inside its transaction.
  const counts = createLiveCounts(db, version.stamp)
  const publicTerms = createPublicTerms(db, version.stamp, counts)
  const termVisibility = createTermVisibility(db)

  const repos = {
    posts: createPostsRepository(db),
    postSeo: createPostSeoRepository(db),
    pages: createPagesRepository(db),
    categories: createTermsRepository(db, categoryKind, counts, publicTerms),
    tags: createTermsRepository(db, tagKind, counts, publicTerms),
    authors: createTermsRepository(db, authorKind, counts, publicTerms),
    comments: createCommentsRepository(db),
    site: createSiteRepository(db),
    keys: createKeysRepository(db),
    changes: createChangesRepository(db, termVisibility),
    webhooks: createWebhooksRepository(db),
    health: createHealthRepository(db),
    search: createSearchRepository(db),
    related: createRelatedRepository(db),
    feeds: createFeedsRepository(db),
    sitemaps: createSitemapsRepository(db),
    imports: createImportsRepository(db),
    importJobs: createImportJobsRepository(db)
  }

  // Each post's related-posts term vector, rebuilt in the write that changed its text; the
  // related service also fills in posts that have none yet (in the background).
  const relatedIndex = createRelatedIndexer(db)

  const search = createSearchEngine(repos.search, { budgetMs })
  const posts = createPostsService(repos, siteUrl, search, version.stamp)
  const services = {
    posts,
    search,
    related: createRelatedService({ repo: repos.related, indexer: relatedIndex, posts, stamp: version.stamp, bump: version.bump, siteUrl, budgetMs }),
    feeds: createFeedsService({ posts, repos, site: repos.site, changes: repos.changes, feeds: repos.feeds, siteUrl, budgetMs })
  }

  const touch = (emit: Emit, ids: number[]) => { touchPosts(db, emit, ids) }
  const pages = createPagesService({ repo: repos.pages, write, stamp: version.stamp, iframeHosts })
  // Menu items name pages, categories, tags and posts by id; reads resolve them to current URLs.
  const navigation = createNavigationTargets({
    pages,
    categories: repos.categories,
    tags: repos.tags,
    posts: {
      exists: (id) => repos.posts.findByRef({ id }, 'any', Date.now()) !== undefined,
      publicUrl: (id, now) => {
        const row = repos.posts.findByRef({ id }, 'public', now)
        return row === undefined ? undefined : posts.get(String(id), 'public', now).url
      }
    },
    siteUrl
  })
  const sitemaps = createSitemapsService({ repo: repos.sitemaps, pages, categories: repos.categories, tags: repos.tags, siteUrl, apiUrl: options.apiUrl })
  const content = {
    posts: createPostsWriteService(db, write, { iframeHosts }),
    categories: createTermsService(db, write, categoryKind, termVisibility),
    tags: createTermsService(db, write, tagKind, termVisibility),
    authors: createTermsService(db, write, authorKind, termVisibility),
    comments: createCommentsService({ repo: repos.comments, write, hashKey: clientHashKey(db), touchPosts: touch }),
    site: createSiteService({ repo: repos.site, write, targets: navigation }),
    // Pages read and write through one service: their reads are shaped by the tree it keeps.
    pages
  }
  const importer = createImportService({
    writes: { write, posts: content.posts, categories: content.categories, tags: content.tags, authors: content.authors },
    repo: repos.imports,
    comments: repos.comments,
    touchPosts: touch
  }, { iframeHosts })

  // The listeners of every write, in this order, inside its transaction: the change log, the
  // webhook queue, the related-posts index.
  const webhookEvents = createWebhookEvents({ repo: repos.webhooks, posts: repos.posts, relations: posts, comments: repos.comments, pages: content.pages, seo: repos.postSeo, siteUrl })
  bus.on((change, now) => { repos.changes.listener(change, now) })
  bus.on((change, now) => { webhookEvents.listener(change, now) })
  bus.on((change) => { relatedIndex.listener(change) })

  // Every process sharing the database runs one webhook worker (leases keep them from sending
  // a delivery twice); a write of this process that queued deliveries wakes it at once.
  const webhookWorker = createWebhookWorker(repos.webhooks, webhookEvents, { ...options.webhooks, log: options.log })
  bus.onCommitted(() => {
    if (webhookEvents.takeEnqueued()) webhookWorker.wake()
  })
  const importJobs = createImportJobs({
    repo: repos.importJobs,
    importer,
    // A worker thread's commits reach this process's after-commit listeners (cache purges).
    announce: (changes) => { bus.committed(changes) },
    iframeHosts,
    siteUrl,
    stallMs: options.imports.stallMs,
    log: options.log,
    inline: options.imports.inline,
    onProgress: options.imports.onProgress
  })

  const writes = {
    ...content,
    // Subscriptions as the admin API changes them: wakes the worker when there is work.
    webhooks: createWebhooksService({ repo: repos.webhooks, worker: webhookWorker, allowPrivate: options.webhooks.allowPrivate }),
    imports: importer
  }

  return {
    db,
    version,
    bus,
    write,
    repos,
    /** Reads that compose repositories: post lists and search, related posts, feeds. */
    services,
    /** Menu targets (pages, categories, tags, posts) for the site's navigation. */
    navigation,
    /** The sitemap index and sitemaps. */
    sitemaps,
    /** Writes, each one transaction through `write` and the change bus. */
    writes,
    /** What listens on the change bus besides the change log (`repos.changes.listener`). */
    listeners: { webhookEvents, relatedIndex },
    workers: { webhooks: webhookWorker, imports: importJobs },

    /** Starts the workers: webhook deliveries, and import jobs (failing those of dead processes). */
    start (): void {
      webhookWorker.start()
      importJobs.start()
    },

    /** Takes no new import job; requests waiting for one are answered within the grace time. */
    drain (): void {
      importJobs.drain(IMPORT_CLOSE_GRACE_MS)
    },

    /** Stops the workers and the related-posts backfill; call before the database closes. */
    async stop (): Promise<void> {
      await importJobs.stop(IMPORT_CLOSE_GRACE_MS)
      services.related.close()
      await webhookWorker.stop()
    }
  }
}

export type Core = ReturnType<typeof createCore>
