import fp from 'fastify-plugin'
import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { keysForChanges, keysForRoute } from '../lib/surrogate-keys.js'
import { parseRef } from '../lib/refs.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Marks a public, cacheable GET route: ETag, Cache-Control, 304 and the response cache. */
    publicCache?: boolean
  }
  interface FastifyRequest {
    cacheStamp?: string
  }
}

export interface CachingOptions {
  /** Keep serialized public responses in memory (RESPONSE_CACHE). */
  enabled: boolean
  /** Where to send `PURGE` with the Surrogate-Key of every write (PURGE_URL). */
  purgeUrl?: string
  maxEntries?: number
  /** Total size of cached bodies (string length), 24 MiB by default. */
  maxBytes?: number
  maxAge?: number
}

interface Entry { stamp: string, body: string, headers: Record<string, string> }

const KEPT_HEADERS = ['content-type', 'etag', 'link', 'x-total-count', 'last-modified', 'surrogate-key', 'cache-control']

export const PUBLIC_CACHE_CONTROL = (maxAge: number) => `public, max-age=${maxAge}, stale-while-revalidate=${maxAge * 5}`
export const PRIVATE_CACHE_CONTROL = 'private, no-store'

function etagOf (body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`
}

function matches (ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  if (ifNoneMatch.trim() === '*') return true
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)
}

function isPublicRequest (request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && request.headers.authorization === undefined
}

/**
 * Conditional GET and the in-memory response cache for public reads. A cached body is
 * served only while the content stamp it was made under is current, so a write that has
 * committed is visible to the very next read. Authenticated requests are never cached and
 * answer `Cache-Control: private, no-store`.
 */
export default fp<CachingOptions>(async (app, opts) => {
  const maxAge = opts.maxAge ?? 60
  const maxEntries = opts.maxEntries ?? 2000
  const maxBytes = opts.maxBytes ?? 24 * 1024 * 1024
  const cache = new Map<string, Entry>()
  const contentVersion = app.contentVersion

  // Bounded by entries and by bytes (feeds with full bodies are large), oldest out first.
  let bytes = 0
  function store (key: string, entry: Entry): void {
    const old = cache.get(key)
    if (old !== undefined) {
      bytes -= old.body.length
      cache.delete(key)
    }
    if (entry.body.length > maxBytes / 4) return
    cache.set(key, entry)
    bytes += entry.body.length
    while (cache.size > maxEntries || bytes > maxBytes) {
      const oldest = cache.keys().next().value as string
      bytes -= (cache.get(oldest) as Entry).body.length
      cache.delete(oldest)
    }
  }

  async function serveFromCache (request: FastifyRequest, reply: FastifyReply) {
    if (!isPublicRequest(request)) return
    const stamp = contentVersion.stamp()
    request.cacheStamp = stamp
    if (!opts.enabled) return
    const entry = cache.get(request.url)
    if (entry === undefined || entry.stamp !== stamp) return
    // Refresh the LRU position.
    cache.delete(request.url)
    cache.set(request.url, entry)
    reply.headers(entry.headers)
    reply.header('x-cache', 'HIT')
    if (matches(request.headers['if-none-match'], entry.headers.etag)) {
      return reply.code(304).send()
    }
    return reply.send(entry.body)
  }

  async function remember (request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    if (reply.getHeader('x-cache') === 'HIT') return payload
    if (request.cacheStamp === undefined) return payload
    if (reply.statusCode !== 200 || typeof payload !== 'string') return payload
    const etag = etagOf(payload)
    reply.header('etag', etag)
    reply.header('surrogate-key', keysForRoute(request.routeOptions.url ?? '', postIdOf(request)).join(' '))
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', PUBLIC_CACHE_CONTROL(maxAge))
    if (opts.enabled) {
      const headers: Record<string, string> = {}
      for (const name of KEPT_HEADERS) {
        const value = reply.getHeader(name)
        if (value !== undefined) headers[name] = String(value)
      }
      store(request.url, { stamp: request.cacheStamp, body: payload, headers })
      reply.header('x-cache', 'MISS')
    }
    if (matches(request.headers['if-none-match'], etag)) {
      reply.code(304)
      return ''
    }
    return payload
  }

  function postIdOf (request: FastifyRequest): number | undefined {
    const ref = (request.params as { ref?: string } | undefined)?.ref
    if (ref === undefined) return undefined
    const parsed = parseRef(ref)
    return parsed === null ? undefined : app.repos.posts.findByRef(parsed, 'public', Date.now())?.id
  }

  // Tell the CDN or Varnish in front which keys a committed write invalidates.
  if (opts.purgeUrl !== undefined) {
    const purgeUrl = opts.purgeUrl
    app.addHook('onReady', async () => {
      app.bus.onCommitted((changes) => {
        const keys = keysForChanges(changes).join(' ')
        fetch(purgeUrl, { method: 'PURGE', headers: { 'surrogate-key': keys }, signal: AbortSignal.timeout(5000) })
          .then((res) => { if (!res.ok) app.log.warn({ status: res.status, keys }, 'purge refused') })
          .catch((err: Error) => app.log.warn({ err: err.message, keys }, 'purge failed'))
      })
    })
  }

  // The hooks are attached only to routes marked publicCache, so other routes pay nothing.
  app.addHook('onRoute', (route) => {
    if (route.config?.publicCache !== true) return
    route.onRequest = [...toArray(route.onRequest), serveFromCache] as typeof route.onRequest
    route.onSend = [...toArray(route.onSend), remember] as typeof route.onSend
  })

  // Authenticated answers must never be stored by a shared cache.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.headers.authorization !== undefined && request.cacheStamp === undefined && !reply.hasHeader('cache-control')) {
      reply.header('cache-control', PRIVATE_CACHE_CONTROL)
    }
    return payload
  })
}, { name: 'caching', dependencies: ['db', 'repositories'] })

function toArray<T> (value: T | T[] | undefined): T[] {
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}
