import fp from 'fastify-plugin'
import { createHash } from 'node:crypto'
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib'
import { negotiate } from '@fastify/accept-negotiator'
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { ContentChange } from '../db/change-bus.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Marks a public, cacheable GET route: ETag, Cache-Control, 304, compression and the response cache. */
    publicCache?: boolean
    /**
     * The surrogate keys (Surrogate-Key) of the route's public responses, when they are the same
     * for every request; a handler that learns them from what it read calls `reply.cacheKeys`.
     */
    cacheKeys?: readonly string[]
  }
  interface FastifyRequest {
    cacheStamp?: string
  }
  interface FastifyReply {
    /** Names what this response depends on (a single post's key, known after the lookup). */
    cacheKeys: (keys: readonly string[]) => FastifyReply
  }
}

// Surrogate keys name what a public response depends on, so a CDN or Varnish in front can keep
// responses for a long time and drop exactly the affected ones when a write lands (PURGE with
// the keys of the write). The routes declare them; what a write invalidates is given as
// `invalidatedKeys`. A public route that names none is keyed `all`.
const ALL_KEYS = ['all'] as const
const kCacheKeys = Symbol('cacheKeys')
type KeyedReply = FastifyReply & { [kCacheKeys]: readonly string[] | null }

export interface CachingOptions {
  /** What cached responses are keyed by: a string that changes whenever public content may have (the content version). */
  stamp: () => string
  /** Subscribes to committed writes (the change bus); needed with `purgeUrl`. */
  onCommitted?: (listener: (changes: ContentChange[]) => void) => void
  /** The surrogate keys a committed set of changes invalidates; needed with `purgeUrl`. */
  invalidatedKeys?: (changes: ContentChange[]) => string[]
  /** Keep serialized public responses in memory (RESPONSE_CACHE). */
  enabled: boolean
  /** Where to send `PURGE` with the Surrogate-Key of every write (PURGE_URL). */
  purgeUrl?: string
  /** CORS answers depend on the request's Origin (a list of origins, not `*`): key by it too. */
  varyByOrigin?: boolean
  maxEntries?: number
  /** Total size of cached bodies in bytes, every encoding counted (RESPONSE_CACHE_MB), 8 MiB by default. */
  maxBytes?: number
  maxAge?: number
}

type Coding = 'br' | 'gzip' | 'identity'
const CODINGS: Coding[] = ['br', 'gzip', 'identity']
/** Smaller bodies are sent as they are: compressing them saves less than it costs. */
const COMPRESS_FROM = 1024

/** One public response: its bytes in each encoding made so far, and the headers to replay. */
interface Entry {
  /** Where it is stored in the cache; undefined when the cache is off. */
  key?: string
  stamp: string
  etag: string
  headers: Record<string, string>
  bodies: Partial<Record<Coding, Buffer>>
  size: number
}

// Everything else the response carried (content type, ETag, Link, X-Total-Count,
// Last-Modified, Surrogate-Key, Cache-Control, Vary, the security and CORS headers) is replayed.
const PER_REQUEST_HEADERS = new Set(['x-request-id', 'x-cache', 'content-length', 'content-encoding', 'set-cookie', 'etag'])

export const PUBLIC_CACHE_CONTROL = (maxAge: number) => `public, max-age=${maxAge}, stale-while-revalidate=${maxAge * 5}`
export const PRIVATE_CACHE_CONTROL = 'private, no-store'

function etagOf (body: Buffer): string {
  return createHash('sha1').update(body).digest('base64url')
}

/** A strong ETag per encoding (RFC 9110 §8.8.3: different bytes, different tag). */
function etagFor (etag: string, coding: Coding): string {
  return coding === 'identity' ? `"${etag}"` : `"${etag}-${coding}"`
}

function compress (body: Buffer, coding: Coding): Buffer {
  if (coding === 'gzip') return gzipSync(body, { level: 6 })
  // Quality 5 compresses about as fast as gzip -6 and still smaller; 11 (the default) is far slower.
  return brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } })
}

/** RFC 9110 §13.1.2/§13.1.3: If-None-Match wins; If-Modified-Since only without it. */
function notModified (request: FastifyRequest, etag: string, lastModified: string | undefined): boolean {
  const ifNoneMatch = request.headers['if-none-match']
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true
    return ifNoneMatch.split(',').some((t) => {
      const tag = t.trim().replace(/^W\//, '')
      return CODINGS.some((c) => tag === etagFor(etag, c))
    })
  }
  const since = request.headers['if-modified-since']
  if (since === undefined || lastModified === undefined) return false
  const sinceMs = Date.parse(since)
  const modifiedMs = Date.parse(lastModified)
  return Number.isFinite(sinceMs) && Number.isFinite(modifiedMs) && modifiedMs <= sinceMs
}

function isPublicRequest (request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && request.headers.authorization === undefined &&
    request.routeOptions.config.publicCache === true
}

/**
 * Conditional GET, compression and the in-memory response cache for public reads.
 *
 * A cached response is served only while the content stamp it was made under is current,
 * so a write that has committed is visible to the very next read. A hit is answered by the
 * first hook of the request, before the security, CORS, auth and load-shedding hooks: the
 * headers they set were stored with the response, so a hit replays them for the cost of a
 * map lookup. Bodies are kept as bytes; gzip and brotli versions are made once per cached
 * response, on the first request that asks for them. Authenticated requests are never
 * cached and answer `Cache-Control: private, no-store`.
 */
export default fp<CachingOptions>(async (app, opts) => {
  const maxAge = opts.maxAge ?? 60
  const maxEntries = opts.maxEntries ?? 2000
  const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024
  const cache = new Map<string, Entry>()
  const { stamp: currentStamp } = opts

  // Bounded by entries and by bytes (feeds with full bodies are large), least recently used out first.
  let bytes = 0
  function drop (key: string): void {
    const old = cache.get(key)
    if (old === undefined) return
    bytes -= old.size
    cache.delete(key)
  }
  function evict (): void {
    while (cache.size > maxEntries || bytes > maxBytes) drop(cache.keys().next().value as string)
  }
  function store (key: string, entry: Entry): void {
    drop(key)
    if (entry.size > maxBytes / 4) return
    entry.key = key
    cache.set(key, entry)
    bytes += entry.size
    evict()
  }

  const keyOf = opts.varyByOrigin === true
    ? (request: FastifyRequest) => `${request.url}\n${request.headers.origin ?? ''}`
    : (request: FastifyRequest) => request.url

  /** The encoding to answer with, made and remembered on first use. */
  function bodyFor (entry: Entry, acceptEncoding: string | undefined): [Coding, Buffer] {
    const identity = entry.bodies.identity as Buffer
    if (acceptEncoding === undefined || identity.length < COMPRESS_FROM) return ['identity', identity]
    const coding = (negotiate(acceptEncoding, CODINGS) ?? 'identity') as Coding
    let body = entry.bodies[coding]
    if (body === undefined) {
      body = compress(identity, coding)
      entry.bodies[coding] = body
      entry.size += body.length
      if (entry.key !== undefined && cache.get(entry.key) === entry) {
        bytes += body.length
        evict()
      }
    }
    return [coding, body]
  }

  /** Sends an entry (from the cache or just made) as the answer to this request. */
  function answer (request: FastifyRequest, reply: FastifyReply, entry: Entry): Buffer | string {
    const [coding, body] = bodyFor(entry, request.headers['accept-encoding'])
    reply.header('etag', etagFor(entry.etag, coding))
    if (coding !== 'identity') reply.header('content-encoding', coding)
    if (notModified(request, entry.etag, entry.headers['last-modified'])) {
      reply.code(304)
      return ''
    }
    return body
  }

  const serveFromCache: onRequestHookHandler = function (request, reply, done) {
    if (!isPublicRequest(request)) return done()
    const stamp = currentStamp()
    request.cacheStamp = stamp
    if (!opts.enabled) return done()
    const key = keyOf(request)
    const entry = cache.get(key)
    if (entry === undefined || entry.stamp !== stamp) return done()
    // Refresh the LRU position.
    cache.delete(key)
    cache.set(key, entry)
    reply.headers(entry.headers)
    reply.header('x-request-id', request.id)
    reply.header('x-cache', 'HIT')
    reply.send(answer(request, reply, entry))
  }

  async function remember (request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    if (request.cacheStamp === undefined || reply.getHeader('x-cache') === 'HIT') return payload
    if (reply.statusCode !== 200 || typeof payload !== 'string') return payload
    const identity = Buffer.from(payload)
    const keys = (reply as KeyedReply)[kCacheKeys] ?? request.routeOptions.config.cacheKeys ?? ALL_KEYS
    reply.header('surrogate-key', keys.join(' '))
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', PUBLIC_CACHE_CONTROL(maxAge))
    reply.header('vary', varyWith(reply.getHeader('vary')))
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined && !PER_REQUEST_HEADERS.has(name)) headers[name] = String(value)
    }
    const entry: Entry = { stamp: request.cacheStamp, etag: etagOf(identity), headers, bodies: { identity }, size: identity.length }
    // A route marks an answer cut short by its time budget no-store: the next reader gets a full one.
    if (opts.enabled && !String(reply.getHeader('cache-control')).includes('no-store')) {
      store(keyOf(request), entry)
      reply.header('x-cache', 'MISS')
    }
    return answer(request, reply, entry)
  }

  // Tell the CDN or Varnish in front which keys a committed write invalidates.
  if (opts.purgeUrl !== undefined) {
    const { purgeUrl, onCommitted, invalidatedKeys } = opts
    if (onCommitted === undefined || invalidatedKeys === undefined) throw new Error('caching: purgeUrl needs onCommitted and invalidatedKeys')
    onCommitted((changes) => {
      const keys = invalidatedKeys(changes).join(' ')
      fetch(purgeUrl, { method: 'PURGE', headers: { 'surrogate-key': keys }, signal: AbortSignal.timeout(5000) })
        .then((res) => { if (!res.ok) app.log.warn({ status: res.status, keys }, 'purge refused') })
        .catch((err: Error) => app.log.warn({ err: err.message, keys }, 'purge failed'))
    })
  }

  app.decorateReply(kCacheKeys, null)
  app.decorateReply('cacheKeys', function (this: FastifyReply, keys: readonly string[]) {
    (this as KeyedReply)[kCacheKeys] = keys
    return this
  })

  // Registered before every other onRequest hook (see app.ts), so a hit skips them all.
  app.addHook('onRequest', serveFromCache)

  // Attached only to routes marked publicCache, so other routes pay nothing.
  app.addHook('onRoute', (route) => {
    if (route.config?.publicCache !== true) return
    route.onSend = [...toArray(route.onSend), remember] as typeof route.onSend
  })

  // Authenticated answers must never be stored by a shared cache.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.headers.authorization !== undefined && request.cacheStamp === undefined && !reply.hasHeader('cache-control')) {
      reply.header('cache-control', PRIVATE_CACHE_CONTROL)
    }
    return payload
  })
}, { name: 'caching' })

/** Public responses vary by Accept-Encoding (we compress) besides what CORS already named. */
function varyWith (current: unknown): string {
  const names = current === undefined ? [] : String(current).split(',').map((v) => v.trim()).filter(Boolean)
  if (!names.some((n) => n.toLowerCase() === 'accept-encoding')) names.push('Accept-Encoding')
  return names.join(', ')
}

function toArray<T> (value: T | T[] | undefined): T[] {
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}
