import fp from 'fastify-plugin'
import type { onRequestHookHandler } from 'fastify'
import { dropUnknownParams, knownParams } from '../lib/query-params.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Query parameters the route's querystring schema does not declare are ignored (dropped
     * before validation, and left out of the response cache's key) instead of refused with a
     * 400: for URLs that readers, proxies and crawlers decorate (feeds, sitemaps, robots.txt).
     * The declared ones are validated as usual.
     */
    ignoreUnknownQuery?: boolean
  }
}

/**
 * Honours `config.ignoreUnknownQuery`: each such route drops the parameters its querystring
 * schema does not name in its first onRequest hook, so neither validation (additionalProperties
 * false) nor the global query checks (problem-details.ts) see them. The response cache keys
 * these routes by the same rule (caching.ts). Register before the routes.
 */
export default fp(async (app) => {
  app.addHook('onRoute', (route) => {
    if (route.config?.ignoreUnknownQuery !== true) return
    const keep = knownParams(route.schema?.querystring)
    const drop: onRequestHookHandler = function (request, reply, done) {
      dropUnknownParams(request.query, keep)
      done()
    }
    const hooks = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]
    route.onRequest = [drop, ...hooks] as typeof route.onRequest
  })
}, { name: 'query-params' })
