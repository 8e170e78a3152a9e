import type { FastifyRequest } from 'fastify'

type RouteConfig = FastifyRequest['routeOptions']['config']

const kRouteConfig = Symbol('broadsheet.routeConfig')
type WithConfig = FastifyRequest & { [kRouteConfig]?: RouteConfig }

/**
 * The config of the request's route. Fastify 5's `request.routeOptions` builds a new
 * twelve-field object on every read, and several hooks of every request read it (cache,
 * security headers, auth): the config is read once per request and kept on the request.
 */
export function routeConfigOf (request: FastifyRequest): RouteConfig {
  const r = request as WithConfig
  r[kRouteConfig] ??= request.routeOptions.config
  return r[kRouteConfig]
}

/**
 * Declares the request slot routeConfigOf fills, once at the root, so every request object
 * has the same shape from the start (Fastify's advice for per-request properties).
 */
export function declareRouteConfig (app: { decorateRequest: (name: symbol, value: null) => unknown, hasRequestDecorator: (name: symbol) => boolean }): void {
  if (!app.hasRequestDecorator(kRouteConfig)) app.decorateRequest(kRouteConfig, null)
}
