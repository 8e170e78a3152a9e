import fp from 'fastify-plugin'
import * as crypto from 'node:crypto'
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib'
import { negotiate } from '@fastify/accept-negotiator'
import type { FastifyReply, FastifyRequest, onRequestHookHandler, onSendHookHandler } from 'fastify'
import { knownParams, urlWithoutUnknownParams } from '../lib/query-params.js'
import { declareRouteConfig, routeConfigOf } from './route-config.js'

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
    /** Set on public reads: how many invalidations this process had applied when the request began. */
    cacheGeneration?: number
  }
  interface FastifyReply {
    /** Names what this response depends on (a single post's key, known after the lookup). */
    cacheKeys: (keys: readonly string[]) => FastifyReply
    /**
     * When this response goes stale by the clock alone, with no write to invalidate it (a
     * document of "the last 48 hours"): the response cache drops it then (epoch ms).
     */
    cacheUntil: (time: number) => FastifyReply
    /**
     * The response's strong validator when the route knows it without hashing the body: a
     * hash over what fully determines the bytes (the stored fragments' own hashes, the
     * frame's version). Two different bodies must never get the same value. Without it, the
     * ETag is the SHA-1 of the body.
     */
    cacheEtag: (etag: string) => FastifyReply
  }
}

// Surrogate keys name what a public response depends on, so a CDN or Varnish in front can keep
// responses for a long time and drop exactly the affected ones when a write lands (PURGE with
// the keys of the write), and so can the in-memory cache here: an invalidated key drops the
// entries carrying it, and only those. The routes declare them. A public route that names
// none is keyed `all`, which any invalidation drops; an invalidation of `all` drops everything.
const ALL = 'all'
const ALL_KEYS = [ALL] as const
const kCacheKeys = Symbol('cacheKeys')
const kCacheUntil = Symbol('cacheUntil')
const kCacheEtag = Symbol('cacheEtag')
/** Set on a reply answered from the cache, so its onSend does not store it again. */
const kHit = Symbol('cacheHit')
type KeyedReply = FastifyReply & { [kCacheKeys]: readonly string[] | null, [kCacheUntil]: number | null, [kCacheEtag]: string | null, [kHit]: boolean }

/**
 * The longest Surrogate-Key header sent: under Varnish's default http_resp_hdr_len (8 KB) and
 * Fastly's 16 KB. The routes stay far below by construction (a page holds at most 100 posts:
 * about 1.5 KB of keys); a response whose keys would not fit is not cached anywhere, rather
 * than cached under keys that miss some of what it shows.
 */
export const MAX_SURROGATE_KEY_BYTES = 7680
/** One PURGE carries at most this many keys (Fastly purges at most 256 keys a request) and fits in the header limit. */
export const PURGE_BATCH_KEYS = 256

/** Invalidations remembered for telling whether one landed while a response was being made. */
const RECENT_INVALIDATIONS = 1024

export interface CachingOptions {
  /**
   * Brings this process up to date with committed writes (the invalidations of every process
   * sharing the database, read at most once per event-loop turn); its invalidations reach
   * `onInvalidated` listeners during the call.
   */
  sync: () => void
  /** Subscribes to every invalidation this process applies (the cache drops those keys). */
  onInvalidated?: (listener: (keys: readonly string[]) => void) => void
  /** Subscribes to the keys this process itself invalidates (its writes, go-lives): what it purges at `purgeUrl`. */
  onAnnounced?: (listener: (keys: readonly string[]) => void) => void
  /** Keep serialized public responses in memory (RESPONSE_CACHE). */
  enabled: boolean
  /** Where to send `PURGE` with the Surrogate-Key of every write (PURGE_URL). */
  purgeUrl?: string
  /** CORS answers depend on the request's Origin (a list of origins, not `*`): key by it too. */
  varyByOrigin?: boolean
  /** Most responses kept (RESPONSE_CACHE_ENTRIES), 10,000 by default. */
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
  /** Its surrogate keys: an invalidation of any of them drops it. */
  tags: readonly string[]
  etag: string
  headers: Record<string, string>
  bodies: Partial<Record<Coding, Buffer>>
  size: number
  /** When it goes stale by the clock (reply.cacheUntil); null: only an invalidation ends it. */
  until: number | null
}

// Everything else the response carried (content type, ETag, Link, X-Total-Count,
// Last-Modified, Surrogate-Key, Cache-Control, Vary, the security and CORS headers) is replayed.
const PER_REQUEST_HEADERS = new Set(['x-request-id', 'x-cache', 'content-length', 'content-encoding', 'set-cookie', 'etag'])
/** The headers of an entry that is only answered, never stored (nothing replays them). */
const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>

export const PUBLIC_CACHE_CONTROL = (maxAge: number) => `public, max-age=${maxAge}, stale-while-revalidate=${maxAge * 5}`
export const PRIVATE_CACHE_CONTROL = 'private, no-store'

// The one-shot digest (Node 20.12+) makes no Hash object: a fraction of the cost on small bodies.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: Buffer, encoding: 'base64url') => string }).hash
function etagOf (body: Buffer): string {
  return oneShotHash === undefined ? crypto.createHash('sha1').update(body).digest('base64url') : oneShotHash('sha1', body, 'base64url')
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

function markHit (reply: FastifyReply): void {
  (reply as KeyedReply)[kHit] = true
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
    routeConfigOf(request).publicCache === true
}

/**
 * Conditional GET, compression and the in-memory response cache for public reads.
 *
 * A cached response stays until an invalidation names one of its surrogate keys: a committed
 * write (of this process, applied before its answer is sent, or of another process sharing the
 * database, read on the first request of the next event-loop turn) or a scheduled post going
 * live. Entries are indexed by key, so a write drops exactly the responses that show what it
 * changed. A hit is answered by the first hook of the request, before the security, CORS, auth
 * and load-shedding hooks: the headers they set were stored with the response, so a hit
 * replays them for the cost of a map lookup. Bodies are kept as bytes; gzip and brotli versions
 * are made once per cached response, on the first request that asks for them. Authenticated
 * requests are never cached and answer `Cache-Control: private, no-store`.
 */
export default fp<CachingOptions>(async (app, opts) => {
  const maxAge = opts.maxAge ?? 60
  const publicCacheControl = PUBLIC_CACHE_CONTROL(maxAge)
  const maxEntries = opts.maxEntries ?? 10_000
  const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024
  const cache = new Map<string, Entry>()
  // Surrogate key → the entries carrying it. Its size is bounded by the entries' keys (at most
  // maxEntries × ~105: a page shows at most 100 posts).
  const byTag = new Map<string, Set<Entry>>()
  const { sync } = opts

  // The invalidations applied here, counted, and the last RECENT_INVALIDATIONS of them: a
  // response made while one of its keys was invalidated may show the state before that write,
  // so it is not stored.
  let generation = 0
  const recent: Array<{ keys: readonly string[], set?: Set<string> }> = []

  // Bounded by entries and by bytes (feeds with full bodies are large), least recently used out first.
  let bytes = 0
  function unlink (entry: Entry): void {
    bytes -= entry.size
    cache.delete(entry.key as string)
    for (const tag of entry.tags) {
      const set = byTag.get(tag)
      if (set === undefined) continue
      set.delete(entry)
      if (set.size === 0) byTag.delete(tag)
    }
  }
  function drop (key: string): void {
    const old = cache.get(key)
    if (old !== undefined) unlink(old)
  }
  const over = () => cache.size > maxEntries || bytes > maxBytes
  function evict (): void {
    while (over()) drop(cache.keys().next().value as string)
  }
  function store (key: string, entry: Entry): void {
    drop(key)
    if (entry.size > maxBytes / 4) return
    entry.key = key
    cache.set(key, entry)
    bytes += entry.size
    for (const tag of entry.tags) {
      let set = byTag.get(tag)
      if (set === undefined) byTag.set(tag, set = new Set())
      set.add(entry)
    }
    evict()
  }

  /** Drops the entries carrying any of `keys` (every entry for `all`), and those keyed `all`. */
  function invalidate (keys: readonly string[]): void {
    generation++
    recent.push({ keys })
    if (recent.length > RECENT_INVALIDATIONS) recent.shift()
    if (keys.includes(ALL)) {
      cache.clear()
      byTag.clear()
      bytes = 0
      return
    }
    for (const key of [...keys, ALL]) {
      const set = byTag.get(key)
      if (set === undefined) continue
      for (const entry of [...set]) unlink(entry)
    }
  }
  opts.onInvalidated?.(invalidate)

  /** Whether an invalidation applied since `since` names one of `tags` (or may have: too long ago to tell). */
  function invalidatedSince (since: number, tags: readonly string[]): boolean {
    const missed = generation - since
    if (missed === 0) return false
    if (missed > recent.length) return true
    for (let i = recent.length - missed; i < recent.length; i++) {
      const r = recent[i]
      r.set ??= new Set(r.keys)
      if (r.set.has(ALL)) return true
      for (const tag of tags) if (tag === ALL || r.set.has(tag)) return true
    }
    return false
  }

  // A route that ignores unknown query parameters (query-params.ts) is keyed without them:
  // `?utm_source=feedly` shares the entry (and so the ETag) of the plain URL.
  const urlOf = (request: FastifyRequest) => routeConfigOf(request).ignoreUnknownQuery === true
    ? urlWithoutUnknownParams(request.url, knownParams(request.routeOptions.schema?.querystring))
    : request.url
  const keyOf = opts.varyByOrigin === true
    ? (request: FastifyRequest) => `${urlOf(request)}\n${request.headers.origin ?? ''}`
    : urlOf

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
  function answer (request: FastifyRequest, reply: FastifyReply, entry: Entry, lastModified: string | undefined): Buffer | string {
    const [coding, body] = bodyFor(entry, request.headers['accept-encoding'])
    reply.header('etag', etagFor(entry.etag, coding))
    if (coding !== 'identity') reply.header('content-encoding', coding)
    if (notModified(request, entry.etag, lastModified)) {
      reply.code(304)
      return ''
    }
    return body
  }

  const serveFromCache: onRequestHookHandler = function (request, reply, done) {
    if (!isPublicRequest(request)) return done()
    // Drops what writes committed since the last turn invalidated, before looking.
    sync()
    request.cacheGeneration = generation
    if (!opts.enabled) return done()
    const key = keyOf(request)
    const entry = cache.get(key)
    if (entry === undefined) return done()
    if (entry.until !== null && Date.now() >= entry.until) {
      unlink(entry)
      return done()
    }
    // Refresh the LRU position.
    cache.delete(key)
    cache.set(key, entry)
    markHit(reply)
    reply.headers(entry.headers)
    reply.header('x-request-id', request.id)
    reply.header('x-cache', 'HIT')
    reply.send(answer(request, reply, entry, entry.headers['last-modified']))
  }

  function remembered (request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
    const since = request.cacheGeneration
    const r = reply as KeyedReply
    if (since === undefined || r[kHit] || reply.statusCode !== 200) return payload
    // A route may hand over bytes it already holds (stored fragments joined): no copy then.
    const isString = typeof payload === 'string'
    if (!isString && !Buffer.isBuffer(payload)) return payload
    const tags = r[kCacheKeys] ?? routeConfigOf(request).cacheKeys ?? ALL_KEYS
    const surrogateKey = tags.length === 1 ? tags[0] : tags.join(' ')
    // UTF-8 takes at most three bytes per UTF-16 unit: most key lists need no counting.
    const fits = surrogateKey.length * 3 <= MAX_SURROGATE_KEY_BYTES || Buffer.byteLength(surrogateKey) <= MAX_SURROGATE_KEY_BYTES
    if (fits) reply.header('surrogate-key', surrogateKey)
    else reply.header('cache-control', 'no-store')
    const cacheControl = reply.getHeader('cache-control')
    if (cacheControl === undefined) reply.header('cache-control', publicCacheControl)
    const vary = reply.getHeader('vary')
    reply.header('vary', vary === undefined ? 'Accept-Encoding' : varyWith(vary))
    // A route marks an answer cut short by its time budget no-store: the next reader gets a full one.
    const storing = opts.enabled && (cacheControl === undefined || !String(cacheControl).includes('no-store'))
    const knownEtag = r[kCacheEtag]
    const acceptEncoding = request.headers['accept-encoding']
    if (!storing && isString && knownEtag !== null && acceptEncoding === undefined) {
      // Nothing to hash, store or compress: the route's own string goes out as it is.
      reply.header('etag', etagFor(knownEtag, 'identity'))
      if (notModified(request, knownEtag, reply.getHeader('last-modified') as string | undefined)) {
        reply.code(304)
        return ''
      }
      return payload
    }
    const identity = isString ? Buffer.from(payload) : payload as Buffer
    const etag = knownEtag ?? etagOf(identity)
    if (!storing) {
      const entry: Entry = { tags, etag, headers: NO_HEADERS, bodies: { identity }, size: identity.length, until: null }
      return answer(request, reply, entry, reply.getHeader('last-modified') as string | undefined)
    }
    // What a hit replays: everything but the per-request headers.
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined && !PER_REQUEST_HEADERS.has(name)) headers[name] = String(value)
    }
    const entry: Entry = { tags, etag, headers, bodies: { identity }, size: identity.length, until: r[kCacheUntil] }
    // What this process learnt while the response was made (this turn's reading is done):
    // an invalidation of one of its keys since the request began means it may show the
    // state before that write.
    if (!invalidatedSince(since, tags)) store(keyOf(request), entry)
    reply.header('x-cache', 'MISS')
    return answer(request, reply, entry, headers['last-modified'])
  }
  // A callback hook: no promise per response (a throw is caught by Fastify's hook runner).
  const remember: onSendHookHandler = function (request, reply, payload, done) {
    done(null, remembered(request, reply, payload))
  }

  // Tell the CDN or Varnish in front which keys this process's writes (and go-lives) invalidate.
  if (opts.purgeUrl !== undefined) {
    const { purgeUrl, onAnnounced } = opts
    if (onAnnounced === undefined) throw new Error('caching: purgeUrl needs onAnnounced')
    onAnnounced((invalidated) => {
      for (const batch of purgeBatches(invalidated)) {
        const keys = batch.join(' ')
        fetch(purgeUrl, { method: 'PURGE', headers: { 'surrogate-key': keys }, signal: AbortSignal.timeout(5000) })
          .then((res) => { if (!res.ok) app.log.warn({ status: res.status, keys }, 'purge refused') })
          .catch((err: Error) => app.log.warn({ err: err.message, keys }, 'purge failed'))
      }
    })
  }

  declareRouteConfig(app)
  app.decorateReply(kHit, false)
  app.decorateReply(kCacheKeys, null)
  app.decorateReply(kCacheUntil, null)
  app.decorateReply('cacheUntil', function (this: FastifyReply, time: number) {
    (this as KeyedReply)[kCacheUntil] = time
    return this
  })
  app.decorateReply(kCacheEtag, null)
  app.decorateReply('cacheEtag', function (this: FastifyReply, etag: string) {
    (this as KeyedReply)[kCacheEtag] = etag
    return this
  })
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
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.headers.authorization !== undefined && request.cacheGeneration === undefined && !reply.hasHeader('cache-control')) {
      reply.header('cache-control', PRIVATE_CACHE_CONTROL)
    }
    done(null, payload)
  })
}, { name: 'caching' })

/** Keys in PURGE requests of at most PURGE_BATCH_KEYS keys and MAX_SURROGATE_KEY_BYTES bytes each (a renamed tag touches all its posts). */
export function purgeBatches (keys: readonly string[]): string[][] {
  const batches: string[][] = []
  let batch: string[] = []
  let length = 0
  for (const key of keys) {
    if (batch.length > 0 && (batch.length >= PURGE_BATCH_KEYS || length + 1 + key.length > MAX_SURROGATE_KEY_BYTES)) {
      batches.push(batch)
      batch = []
      length = 0
    }
    batch.push(key)
    length += (batch.length > 1 ? 1 : 0) + key.length
  }
  if (batch.length > 0) batches.push(batch)
  return batches
}

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
