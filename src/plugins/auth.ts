import fp from 'fastify-plugin'
import { timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { createKeysRepository, hashKey, type KeysRepository } from '../modules/keys/keys-repository.js'
import { API_SCOPES, type ApiScope } from '../db/schema.js'
import { sendProblem } from './problem-details.js'

export interface AuthContext {
  /** null for the ADMIN_TOKEN from the environment. */
  keyId: number | null
  name: string
  scopes: Set<ApiScope>
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null
  }
  interface FastifyInstance {
    keys: KeysRepository
    /** preHandler that answers 401 without a valid key and 403 without the scope (admin has all). */
    requireScope: (scope: ApiScope) => preHandlerAsyncHookHandler
  }
}

/** Whether the request's key carries a scope; `admin` carries every scope. */
export function hasScope (request: FastifyRequest, scope: ApiScope): boolean {
  const scopes = request.auth?.scopes
  return scopes !== undefined && (scopes.has(scope) || scopes.has('admin'))
}

/**
 * Which categories, tags and authors the request may read: all of them for a key that may
 * write or read drafts (it files posts under them, and a taken slug is a 409 to it anyway),
 * else only those with a live post (db/term-visibility.ts).
 */
export function termScopeOf (request: FastifyRequest): 'public' | 'all' {
  return hasScope(request, 'read:drafts') || hasScope(request, 'write:content') ? 'all' : 'public'
}

function sameSecret (a: string, b: string): boolean {
  // Compare fixed-length digests so neither content nor length leaks through timing.
  return timingSafeEqual(Buffer.from(hashKey(a), 'hex'), Buffer.from(hashKey(b), 'hex'))
}

function unauthorized (request: FastifyRequest, reply: FastifyReply, detail: string, error?: string): FastifyReply {
  reply.header('www-authenticate', error ? `Bearer realm="broadsheet", error="${error}"` : 'Bearer realm="broadsheet"')
  return sendProblem(reply, request, 401, 'UNAUTHORIZED', detail)
}

/**
 * Bearer-key authentication. A request with an Authorization header must carry a valid,
 * unrevoked key (else 401 even on public routes, so a broken key never fails silently);
 * routes that write declare `preHandler: app.requireScope(...)`.
 */
export default fp<{ adminToken?: string }>(async (app, opts) => {
  const keys = createKeysRepository(app.db)
  app.decorate('keys', keys)
  app.decorateRequest('auth', null)

  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization
    if (header === undefined) return
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (match === null) return unauthorized(request, reply, 'Authorization must be "Bearer <key>"', 'invalid_request')
    const token = match[1]
    if (opts.adminToken !== undefined && sameSecret(token, opts.adminToken)) {
      request.auth = { keyId: null, name: 'ADMIN_TOKEN', scopes: new Set(API_SCOPES) }
      return
    }
    const row = keys.findByHash(hashKey(token))
    if (row === undefined || row.revoked_at !== null) return unauthorized(request, reply, 'The API key is not valid or has been revoked', 'invalid_token')
    keys.touch(row.id, Date.now())
    request.auth = { keyId: row.id, name: row.name, scopes: new Set(row.scopes) }
  })

  app.decorate('requireScope', (scope: ApiScope): preHandlerAsyncHookHandler => {
    return async function (request, reply) {
      if (request.auth === null) return unauthorized(request, reply, `This operation needs an API key with the ${scope} scope`)
      if (!hasScope(request, scope)) return sendProblem(reply, request, 403, 'FORBIDDEN', `The API key lacks the ${scope} scope`)
    }
  })
}, { name: 'auth', dependencies: ['db'] })
