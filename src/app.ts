import Fastify, { LogController, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import cors from '@fastify/cors'
import { trustProxyOption, type AppConfig } from './config.js'
import type { Db } from './db/client.js'
import { createCore, coreOptions, type Core } from './core.js'
import { sharedSchemas } from './schemas/common.js'
import { requestIdOf } from './lib/request-id.js'
import dbPlugin from './plugins/db.js'
import { createSchemaController, createSchemaWarmup, createValidatorCompiler, type SchemaWarmup } from './plugins/validation.js'
import problemDetails from './plugins/problem-details.js'
import swaggerPlugin from './plugins/swagger.js'
import securityPlugin, { clientErrorHandler, frameworkErrors } from './plugins/security.js'
import authPlugin from './plugins/auth.js'
import quotasPlugin, { publicRateLimit } from './plugins/quotas.js'
import contentTypesPlugin from './plugins/content-types.js'
import cachingPlugin from './plugins/caching.js'
import queryParamsPlugin from './plugins/query-params.js'
import lingeringClose from './plugins/lingering-close.js'
import healthModule from './modules/health/index.js'
import siteModule from './modules/site/index.js'
import searchModule from './modules/search/index.js'
import postsModule from './modules/posts/index.js'
import pagesModule from './modules/pages/index.js'
import revisionsModule from './modules/revisions/index.js'
import { parseRef } from './lib/refs.js'
import commentsModule from './modules/comments/index.js'
import relatedModule from './modules/related/index.js'
import categoriesModule from './modules/categories/index.js'
import tagsModule from './modules/tags/index.js'
import authorsModule from './modules/authors/index.js'
import keysModule from './modules/keys/index.js'
import changesModule from './modules/changes/index.js'
import webhooksModule from './modules/webhooks/index.js'
import importsModule from './modules/imports/index.js'
import sourcesModule from './modules/sources/index.js'
import feedsModule from './modules/feeds/index.js'
import sitemapsModule from './modules/sitemaps/index.js'
import previewsModule from './modules/previews/index.js'
import redirectsModule from './modules/redirects/index.js'
import exportModule from './modules/export/index.js'
import mediaModule from './modules/media/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The composition root this app was built on (src/core.ts), for tests and scripts that seed
     * or inspect through it. Plugins and modules never read it: they are given what they need.
     */
    core: Core
    /** The compiling of route schemas after start (plugins/validation.ts), for tests and diagnostics. */
    schemaWarmup: SchemaWarmup
  }
}

export interface BuildOptions {
  logger?: FastifyServerOptions['logger']
  /** An already-open database (tests and scripts); otherwise DATABASE_PATH is opened. */
  db?: Db
}

const EXPOSED_HEADERS = ['Link', 'X-Total-Count', 'ETag', 'Last-Modified', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit', 'RateLimit-Policy', 'X-Request-Id']

/** How long after ready the schema warm-up starts: after the first requests a restart gets. */
const SCHEMA_WARMUP_DELAY_MS = 200

/**
 * Builds the Broadsheet Fastify instance: the database, the core over it (src/core.ts), the
 * cross-cutting plugins (caching, errors, security, docs, CORS, auth, body types) with what each
 * needs, then one module per resource with its repositories and services. Never listens.
 */
export async function buildApp (config: AppConfig, opts: BuildOptions = {}) {
  const warmup = createSchemaWarmup()
  const app = Fastify({
    logger: opts.logger ?? false,
    // A hop count is valid at run time though the type omits it.
    trustProxy: trustProxyOption(config.TRUST_PROXY) as FastifyServerOptions['trustProxy'],
    // The client's X-Request-Id only when it is a safe token (requestIdOf), else our own.
    requestIdHeader: false,
    genReqId: requestIdOf,
    logController: new LogController({ disableRequestLogging: !config.LOG_REQUESTS }),
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    schemaController: createSchemaController(warmup),
    frameworkErrors,
    clientErrorHandler,
    // Requests that arrive while the server drains are refused by the security plugin, as
    // problems; Fastify's own answer is plain JSON.
    return503OnClosing: false
  }).withTypeProvider<TypeBoxTypeProvider>()

  await app.register(dbPlugin, { path: config.DATABASE_PATH, synchronous: config.DATABASE_SYNCHRONOUS, db: opts.db })
  const core = createCore(app.db, coreOptions(config, app.log))
  app.decorate('core', core)
  app.decorate('schemaWarmup', warmup)
  const { repos, services, writes } = core

  // First of all onRequest hooks, the anonymous rate limit (so a cached answer counts) and the
  // cache: a cache hit is answered before any other hook runs.
  await app.register(publicRateLimit, { publicPerMinute: config.PUBLIC_RATE_LIMIT })
  await app.register(cachingPlugin, {
    sync: core.invalidations.sync,
    onInvalidated: core.invalidations.onInvalidated,
    onAnnounced: core.invalidations.onAnnounced,
    enabled: config.RESPONSE_CACHE,
    maxEntries: config.RESPONSE_CACHE_ENTRIES,
    maxBytes: config.RESPONSE_CACHE_MB * 1024 * 1024,
    purgeUrl: config.PURGE_URL,
    varyByOrigin: config.CORS_ORIGINS !== '*'
  })
  // Callback hooks on the request path (in the plugins): an async one costs a promise and a
  // microtask hop per request. X-Request-Id is set with the security headers (security.ts).
  await app.register(queryParamsPlugin)
  await app.register(lingeringClose)
  await app.register(problemDetails)
  await app.register(securityPlugin, { maxEventLoopDelay: config.MAX_EVENT_LOOP_DELAY_MS })
  // Only the shared schemas: each module adds its own.
  for (const schema of sharedSchemas) app.addSchema(schema)
  await app.register(swaggerPlugin)
  await app.register(cors, {
    origin: config.CORS_ORIGINS === '*' ? '*' : config.CORS_ORIGINS.split(',').map((o) => o.trim()),
    // Joined once: @fastify/cors joins a list on every request.
    exposedHeaders: EXPOSED_HEADERS.join(', '),
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    maxAge: 86400
  })
  await app.register(authPlugin, { findKey: repos.keys.findByHash, touchKey: repos.keys.touch, adminToken: config.ADMIN_TOKEN })
  await app.register(quotasPlugin, { consume: repos.keys.consume })
  await app.register(contentTypesPlugin)

  await app.register(healthModule, { repo: repos.health })
  await app.register(siteModule, { repo: repos.site, service: writes.site, targets: core.navigation, siteUrl: config.SITE_URL, apiUrl: config.PUBLIC_API_URL })
  await app.register(searchModule)
  // Before posts: their featured_image is the media module's FeaturedImage schema.
  core.media.storage.ensure()
  await app.register(mediaModule, { service: writes.media, urls: core.media.urls, maxBytes: config.MEDIA_MAX_BYTES, validatorCompiler: createValidatorCompiler() })
  await app.register(postsModule, { repo: repos.posts, service: services.posts, writes: writes.posts, seo: repos.postSeo, edits: core.revisions })
  await app.register(pagesModule, { service: writes.pages, siteUrl: config.SITE_URL, edits: core.revisions })
  await app.register(revisionsModule, {
    revisions: core.revisions,
    find: {
      post: (text) => {
        const ref = parseRef(text)
        return ref === null ? undefined : repos.posts.findByRef(ref, 'any', Date.now())?.id
      },
      page: (text) => core.pagesSync.find(text, 'any', Date.now())?.row.id
    }
  })
  await app.register(commentsModule, {
    repo: repos.comments,
    service: writes.comments,
    posts: services.posts,
    postsRepo: repos.posts,
    site: repos.site,
    rateLimit: config.COMMENT_RATE_LIMIT,
    siteUrl: config.SITE_URL,
    documents: { thread: async (postId) => await repos.commentDocuments.thread(postId, core.documents.comments.fingerprint) }
  })
  await app.register(relatedModule, { service: services.related })
  await app.register(previewsModule, { service: core.previews })
  await app.register(categoriesModule, { repo: repos.categories, service: writes.categories })
  await app.register(tagsModule, { repo: repos.tags, service: writes.tags })
  await app.register(authorsModule, { repo: repos.authors, service: writes.authors })
  await app.register(keysModule, { repo: repos.keys })
  await app.register(changesModule, { repo: repos.changes })
  await app.register(webhooksModule, { repo: repos.webhooks, service: writes.webhooks })
  await app.register(importsModule, {
    jobs: core.workers.imports,
    allowPrivate: config.ALLOW_PRIVATE_TARGETS,
    wxrMaxBytes: config.IMPORT_MAX_BYTES,
    validatorCompiler: createValidatorCompiler()
  })
  await app.register(sourcesModule, { repo: repos.sources, service: writes.sources })
  await app.register(feedsModule, { service: services.feeds, apiUrl: config.PUBLIC_API_URL })
  await app.register(sitemapsModule, { service: core.sitemaps, apiUrl: config.PUBLIC_API_URL })
  await app.register(redirectsModule, { repo: repos.redirects })
  await app.register(exportModule, { repo: repos.export, siteUrl: config.SITE_URL })

  // The workers run while the app does. onClose hooks run last-added first, so they stop before
  // the db plugin closes the database.
  app.addHook('onReady', async () => {
    core.start()
    // What routes compile on first use, compiled after start in short slices (validation.ts).
    warmup.start(SCHEMA_WARMUP_DELAY_MS)
  })
  app.addHook('preClose', async () => { warmup.stop() })
  app.addHook('preClose', async () => { core.drain() })
  app.addHook('onClose', async () => { await core.stop() })

  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
