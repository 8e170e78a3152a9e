import Fastify, { LogController, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import cors from '@fastify/cors'
import { trustProxyOption, type AppConfig } from './config.js'
import type { Db } from './db/client.js'
import { sharedSchemas } from './schemas/common.js'
import { requestIdOf } from './lib/request-id.js'
import { siteSchemas } from './modules/site/site-schemas.js'
import { commentSchemas } from './modules/comments/comments-schemas.js'
import dbPlugin from './plugins/db.js'
import { createSchemaController, createValidatorCompiler } from './plugins/validation.js'
import problemDetails from './plugins/problem-details.js'
import swaggerPlugin from './plugins/swagger.js'
import securityPlugin, { clientErrorHandler, frameworkErrors } from './plugins/security.js'
import repositoriesPlugin from './plugins/repositories.js'
import authPlugin from './plugins/auth.js'
import contentTypesPlugin from './plugins/content-types.js'
import cachingPlugin from './plugins/caching.js'
import servicesPlugin from './plugins/services.js'
import writesPlugin from './plugins/writes.js'
import searchModule, { createSearchEngine } from './modules/search/index.js'
import keysModule from './modules/keys/index.js'
import { keySchemas } from './modules/keys/keys-schemas.js'
import changesModule from './modules/changes/index.js'
import { changeSchemas } from './modules/changes/changes-schemas.js'
import healthModule from './modules/health/index.js'
import feedsModule, { createFeedsRepository, createFeedsService } from './modules/feeds/index.js'
import webhooksPlugin from './modules/webhooks/webhooks-plugin.js'
import webhooksModule from './modules/webhooks/index.js'
import { webhookSchemas } from './modules/webhooks/webhooks-schemas.js'
import importsModule, { createImportJobs } from './modules/imports/index.js'
import siteModule from './modules/site/index.js'
import postsModule from './modules/posts/index.js'
import categoriesModule from './modules/categories/index.js'
import tagsModule from './modules/tags/index.js'
import authorsModule from './modules/authors/index.js'
import commentsModule from './modules/comments/index.js'
import relatedModule, { createRelatedRepository, createRelatedService } from './modules/related/index.js'

export interface BuildOptions {
  logger?: FastifyServerOptions['logger']
  /** An already-open database (tests and scripts); otherwise DATABASE_PATH is opened. */
  db?: Db
}

const EXPOSED_HEADERS = ['Link', 'X-Total-Count', 'ETag', 'Last-Modified', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'X-Request-Id']

/**
 * Builds the Broadsheet Fastify instance: plugins first (database, errors, docs,
 * repositories, auth, caching), then one module per resource under /v1. Never listens.
 */
export async function buildApp (config: AppConfig, opts: BuildOptions = {}) {
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
    schemaController: createSchemaController(),
    frameworkErrors,
    clientErrorHandler,
    // Requests that arrive while the server drains are refused by the security plugin, as
    // problems; Fastify's own answer is plain JSON.
    return503OnClosing: false
  }).withTypeProvider<TypeBoxTypeProvider>()

  await app.register(dbPlugin, { path: config.DATABASE_PATH, db: opts.db })
  // First of all onRequest hooks: a cache hit is answered before any other hook runs.
  await app.register(cachingPlugin, { enabled: config.RESPONSE_CACHE, maxBytes: config.RESPONSE_CACHE_MB * 1024 * 1024, purgeUrl: config.PURGE_URL, varyByOrigin: config.CORS_ORIGINS !== '*' })
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  await app.register(problemDetails)
  await app.register(securityPlugin, { maxEventLoopDelay: config.MAX_EVENT_LOOP_DELAY_MS })
  for (const schema of [...sharedSchemas, ...siteSchemas, ...commentSchemas, ...keySchemas, ...changeSchemas, ...webhookSchemas]) {
    app.addSchema(schema)
  }
  await app.register(swaggerPlugin)
  await app.register(cors, {
    origin: config.CORS_ORIGINS === '*' ? '*' : config.CORS_ORIGINS.split(',').map((o) => o.trim()),
    exposedHeaders: EXPOSED_HEADERS,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    maxAge: 86400
  })
  await app.register(repositoriesPlugin)
  await app.register(authPlugin, { adminToken: config.ADMIN_TOKEN })
  await app.register(contentTypesPlugin)
  await app.register(servicesPlugin, { siteUrl: config.SITE_URL, search: createSearchEngine(app.db, { budgetMs: config.QUERY_BUDGET_MS }) })
  await app.register(writesPlugin, { iframeHosts: config.IFRAME_HOSTS.split(',').map((h) => h.trim()).filter(Boolean), siteUrl: config.SITE_URL })
  await app.register(webhooksPlugin, {
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
    allowPrivate: config.ALLOW_PRIVATE_TARGETS
  })

  await app.register(healthModule, { repo: app.repos.health })
  await app.register(siteModule, { repo: app.repos.site, service: app.writes.site, siteUrl: config.SITE_URL, apiUrl: config.PUBLIC_API_URL })
  await app.register(searchModule)
  await app.register(postsModule, { repo: app.repos.posts, service: app.services.posts, writes: app.writes.posts })
  await app.register(commentsModule, {
    repo: app.repos.comments,
    service: app.writes.comments,
    posts: app.services.posts,
    postsRepo: app.repos.posts,
    site: app.repos.site,
    rateLimit: config.COMMENT_RATE_LIMIT,
    siteUrl: config.SITE_URL
  })
  await app.register(relatedModule, {
    service: createRelatedService({
      repo: createRelatedRepository(app.db),
      indexer: app.writes.related,
      posts: app.services.posts,
      stamp: () => app.contentVersion.stamp(),
      bump: () => app.contentVersion.bump(),
      siteUrl: config.SITE_URL,
      budgetMs: config.QUERY_BUDGET_MS
    })
  })
  await app.register(categoriesModule, { repo: app.repos.categories, service: app.writes.categories })
  await app.register(tagsModule, { repo: app.repos.tags, service: app.writes.tags })
  await app.register(authorsModule, { repo: app.repos.authors, service: app.writes.authors })
  await app.register(keysModule, { repo: app.keys })
  await app.register(changesModule, { repo: app.changes })
  await app.register(webhooksModule, { repo: app.webhooks.repo, service: app.webhooks.service })
  await app.register(importsModule, {
    jobs: createImportJobs({
      db: app.db,
      writes: app.writes,
      announce: (changes) => { app.bus.committed(changes) },
      iframeHosts: config.IFRAME_HOSTS.split(',').map((h) => h.trim()).filter(Boolean),
      siteUrl: config.SITE_URL,
      stallMs: config.IMPORT_STALL_TIMEOUT_MS,
      log: app.log
    }),
    allowPrivate: config.ALLOW_PRIVATE_TARGETS,
    wxrMaxBytes: config.IMPORT_MAX_BYTES,
    validatorCompiler: createValidatorCompiler()
  })
  await app.register(feedsModule, {
    service: createFeedsService({ posts: app.services.posts, repos: app.repos, site: app.repos.site, changes: app.changes, feeds: createFeedsRepository(app.db), siteUrl: config.SITE_URL, budgetMs: config.QUERY_BUDGET_MS }),
    siteUrl: config.SITE_URL,
    apiUrl: config.PUBLIC_API_URL
  })

  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
