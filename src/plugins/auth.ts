import fp from 'fastify-plugin'
import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest, RouteOptions } from 'fastify'
import { API_SCOPES, type ApiScope } from '../db/schema.js'
import { Forbidden, Unauthorized, withHeaders } from '../errors.js'
import { problemResponses } from '../schemas/common.js'
import { grantsScope, termScopeFor } from '../lib/scopes.js'
import { hashKey } from '../lib/key-hash.js'
import { declareRouteConfig, routeConfigOf } from './route-config.js'

export interface AuthContext {
  /** null for the ADMIN_TOKEN from the environment. */
  keyId: number | null
  name: string
  scopes: Set<ApiScope>
  /** The key's quotas (requests per minute and per UTC day); null: none. */
  limits: { perMinute: number | null, perDay: number | null }
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null
  }
  interface FastifyContextConfig {
    /**
     * The scope an API key needs for this operation. Checked in onRequest, before the body is
     * read: no key or a bad one is a 401, a key without the scope a 403, whatever the body.
     * The operation's OpenAPI `security` is derived from it. A list means any one of them
     * (a preview link may be made by a key that writes or one that reads drafts).
     */
    scope?: ApiScope | readonly ApiScope[]
    /** Makes `scope` needed only by the requests this says yes to (a public read that can show drafts). */
    scopeWhen?: (request: FastifyRequest) => boolean
    /** A write anyone may make (comment submission): the explicit alternative to `scope`. */
    public?: boolean
    /**
     * The scopes that make a public read show more (drafts, categories not yet public): the spec
     * then shows a key as optional with them, where an operation that a key changes nothing
     * about shows none. A route with `scopeWhen` has its `scope` here without saying so.
     */
    optionalScopes?: readonly ApiScope[]
  }
}

/** Whether the request's key carries a scope; `admin` carries every scope. */
export function hasScope (request: FastifyRequest, scope: ApiScope): boolean {
  return grantsScope(request.auth?.scopes, scope)
}

/** Which categories, tags and authors the request may read (lib/scopes.ts). */
export function termScopeOf (request: FastifyRequest): 'public' | 'all' {
  return termScopeFor(request.auth?.scopes)
}

/** The scopes a route's `config.scope` accepts, any one of them. */
function scopesOf (scope: ApiScope | readonly ApiScope[]): readonly ApiScope[] {
  return typeof scope === 'string' ? [scope] : scope
}

function sameSecret (a: string, b: string): boolean {
  // Compare fixed-length digests so neither content nor length leaks through timing.
  return timingSafeEqual(Buffer.from(hashKey(a), 'hex'), Buffer.from(hashKey(b), 'hex'))
}

/** A 401 whose WWW-Authenticate names the RFC 6750 error code when there is one. */
function unauthorized (detail: string, error?: 'invalid_request' | 'invalid_token') {
  return withHeaders(new Unauthorized(detail), { 'www-authenticate': error ? `Bearer realm="broadsheet", error="${error}"` : 'Bearer realm="broadsheet"' })
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Derives what the OpenAPI document says about access from the route's `config.scope`, so the
 * spec and the check can never disagree, and refuses at start-up a write route that declares
 * neither a scope nor `public: true`, so a new route cannot forget its check.
 */
function declareAccess (route: RouteOptions): void {
  const config = route.config ?? {}
  const methods = Array.isArray(route.method) ? route.method : [route.method]
  const where = `${methods.join(',')} ${route.url}`
  if (config.scope === undefined && config.public !== true && methods.some((m) => WRITE_METHODS.has(m))) {
    throw new Error(`${where} must declare config.scope (the API key scope it needs) or config.public: true`)
  }
  const schema = route.schema as (RouteOptions['schema'] & { hide?: boolean, description?: string, security?: Array<Record<string, string[]>>, response?: Record<string, unknown> }) | undefined
  if (schema === undefined || schema.hide === true) return
  if (config.scope === undefined && schema.security?.some((s) => Object.keys(s).length > 0) === true && !schema.security.some((s) => Object.keys(s).length === 0)) {
    throw new Error(`${where} documents a required key in schema.security: declare config.scope instead`)
  }
  if (config.scope !== undefined && config.scopeWhen === undefined) {
    // OpenAPI 3.1 lets a non-OAuth requirement list the roles it needs: here, the scope; one
    // requirement per accepted scope, since alternatives are separate requirement objects.
    schema.security = scopesOf(config.scope).map((scope) => ({ bearerAuth: [scope] }))
    schema.response = { ...problemResponses(401, 403), ...schema.response }
  } else {
    // Anyone may call it. `{}` alone is "no key needed" (Swagger UI then shows no lock); a key
    // that shows more is an alternative naming the scopes that do, and the description says
    // first that the key is optional, since Swagger UI draws the same lock for both.
    const optional = [...new Set([...(config.scope === undefined ? [] : scopesOf(config.scope)), ...(config.optionalScopes ?? [])])]
    schema.security = [{}, ...optional.map((scope) => ({ bearerAuth: [scope] }))]
    if (optional.length > 0) {
      const prefix = `**Key optional**: without one, what the public may see; a key with ${optional.map((s) => `\`${s}\``).join(' or ')} shows more.`
      if (schema.description?.startsWith(prefix) !== true) schema.description = schema.description === undefined ? prefix : `${prefix} ${schema.description}`
    }
    if (config.scope !== undefined) schema.response = { ...problemResponses(401, 403), ...schema.response }
    else schema.response = { ...badKeyResponse(), ...schema.response }
  }
}

/** The 401 a public operation answers to a key that is not valid (never silently ignored). */
function badKeyResponse () {
  const response = problemResponses(401) as Record<number, { description: string }>
  response[401] = { ...response[401], description: 'The Authorization header carries a key that is not valid or has been revoked: none is needed here, but a bad one is refused rather than ignored' }
  return response
}

/** A stored API key as the auth plugin needs to see it. */
export interface StoredKey {
  id: number
  name: string
  scopes: readonly ApiScope[]
  /** When it was revoked; null while it works. */
  revokedAt: number | null
  rateLimitPerMinute?: number | null
  rateLimitPerDay?: number | null
  /** When it was last used, as stored (the store skips recording a use within the last minute). */
  lastUsedAt?: number | null
}

export interface AuthOptions {
  /** The key whose SHA-256 hash (lib/key-hash.ts) is `hash`, revoked or not. */
  findKey: (hash: string) => Promise<StoredKey | undefined>
  /**
   * Records that a key was used, given when it was last (the store decides how often it
   * writes). Not awaited: the request goes on, and a failure is logged as a warning.
   */
  touchKey: (id: number, now: number, lastUsedAt: number | null) => Promise<unknown>
  /** ADMIN_TOKEN: a bearer token with every scope, from the environment. */
  adminToken?: string
}

/**
 * Bearer-key authentication and scopes, in onRequest, before anything reads the body. A request
 * with an Authorization header must carry a valid, unrevoked key (else 401 even on public routes,
 * so a broken key never fails silently); a route's `config.scope` then needs that scope. The key
 * store is given as functions, so this plugin knows nothing of the keys module.
 */
export default fp<AuthOptions>(async (app, opts) => {
  const { findKey, touchKey } = opts
  app.decorateRequest('auth', null)
  declareRouteConfig(app)

  app.addHook('onRoute', declareAccess)

  app.addHook('onRequest', (request, reply, done) => {
    // A callback hook: a request without a key (most reads) is checked with no promise at all;
    // one with a key waits for its lookup. A synchronous throw is the request's error (Fastify's
    // hook runner catches it and answers with it); after the lookup, the error goes to done.
    const token = tokenOf(request)
    if (token === undefined || (opts.adminToken !== undefined && sameSecret(token, opts.adminToken))) {
      if (token !== undefined) request.auth = { keyId: null, name: 'ADMIN_TOKEN', scopes: new Set(API_SCOPES), limits: { perMinute: null, perDay: null } }
      checkScope(request)
      done()
      return
    }
    findKey(hashKey(token)).then((row) => {
      try {
        authenticate(request, row)
        checkScope(request)
      } catch (error) {
        done(error as Error)
        return
      }
      done()
    }, done)
  })

  /** The bearer token of the request, undefined without an Authorization header. */
  function tokenOf (request: FastifyRequest): string | undefined {
    const header = request.headers.authorization
    if (header === undefined) return undefined
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (match === null) throw unauthorized('Authorization must be "Bearer <key>"', 'invalid_request')
    return match[1]
  }

  function authenticate (request: FastifyRequest, row: StoredKey | undefined): void {
    if (row === undefined || row.revokedAt !== null) throw unauthorized('The API key is not valid or has been revoked', 'invalid_token')
    touch(request, row)
    request.auth = { keyId: row.id, name: row.name, scopes: new Set(row.scopes), limits: { perMinute: row.rateLimitPerMinute ?? null, perDay: row.rateLimitPerDay ?? null } }
  }

  /** Records the key's use without holding the request up: a failure is a warning, never the request's error. */
  function touch (request: FastifyRequest, row: StoredKey): void {
    const warn = (error: unknown) => { request.log.warn({ err: error, keyId: row.id }, 'could not record the API key\'s last use') }
    try {
      touchKey(row.id, Date.now(), row.lastUsedAt ?? null).catch(warn)
    } catch (error) {
      warn(error)
    }
  }

  function checkScope (request: FastifyRequest): void {
    const { scope, scopeWhen } = routeConfigOf(request)
    if (scope === undefined || (scopeWhen !== undefined && !scopeWhen(request))) return
    const accepted = scopesOf(scope)
    const named = accepted.join(' or ')
    if (request.auth === null) throw unauthorized(`This request needs an API key with the ${named} scope`)
    if (!accepted.some((s) => hasScope(request, s))) throw new Forbidden(`The API key lacks the ${named} scope`)
  }
}, { name: 'auth' })
