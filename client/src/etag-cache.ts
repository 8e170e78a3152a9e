import type { Middleware } from 'openapi-fetch'

export interface EtagCacheOptions {
  /** Most answers kept (least recently used out first). Default 500. */
  maxEntries?: number
  /** Largest single body kept, in characters. Default 2,000,000. */
  maxBodyChars?: number
}

export interface EtagCacheStats {
  /** Answers stored with their ETag. */
  stored: number
  /** Conditional requests the API answered 304, served from the stored body. */
  revalidated: number
}

interface Entry {
  etag: string
  body: string
  headers: Array<[string, string]>
}

/** Set on an answer rebuilt from the cache after a 304, so callers can tell. */
export const REVALIDATED_HEADER = 'x-broadsheet-revalidated'

// Headers that describe the stored bytes on the wire, not the body handed back.
const DROPPED = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive'])

/**
 * An in-memory ETag cache keyed by URL, as openapi-fetch middleware: a GET whose earlier
 * answer carried an ETag is sent with If-None-Match, and a 304 comes back to the caller as
 * that stored 200 answer (its body, its headers updated by the 304's), so a frontend that
 * rebuilds a page every minute transfers nothing when nothing changed. Answers marked
 * `no-store` (anything read with a key) are never kept.
 */
export class EtagCache {
  readonly stats: EtagCacheStats = { stored: 0, revalidated: 0 }
  private readonly entries = new Map<string, Entry>()
  private readonly maxEntries: number
  private readonly maxBodyChars: number
  // Requests this cache made conditional, so a caller's own If-None-Match is left alone.
  private readonly conditional = new WeakSet<Request>()

  constructor (options: EtagCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 500)
    this.maxBodyChars = options.maxBodyChars ?? 2_000_000
  }

  get size (): number {
    return this.entries.size
  }

  clear (): void {
    this.entries.clear()
  }

  /** The ETag stored for a URL, if any. */
  etagOf (url: string): string | undefined {
    return this.entries.get(url)?.etag
  }

  readonly middleware: Middleware = {
    onRequest: ({ request }) => {
      if (request.method !== 'GET' || request.headers.has('if-none-match')) return undefined
      const entry = this.entries.get(request.url)
      if (entry === undefined) return undefined
      const conditional = new Request(request, { headers: new Headers(request.headers) })
      conditional.headers.set('if-none-match', entry.etag)
      this.conditional.add(conditional)
      return conditional
    },
    onResponse: async ({ request, response }) => {
      if (request.method !== 'GET') return undefined
      const entry = this.entries.get(request.url)
      if (response.status === 304 && entry !== undefined && this.conditional.has(request)) {
        this.stats.revalidated++
        // Most recently used last.
        this.entries.delete(request.url)
        this.entries.set(request.url, entry)
        const headers = new Headers(entry.headers)
        response.headers.forEach((value, name) => { if (!DROPPED.has(name)) headers.set(name, value) })
        headers.set(REVALIDATED_HEADER, '1')
        return new Response(entry.body, { status: 200, statusText: 'OK', headers })
      }
      if (response.status !== 200) return undefined
      const etag = response.headers.get('etag')
      const cacheControl = response.headers.get('cache-control') ?? ''
      if (etag === null || /no-store/i.test(cacheControl)) {
        this.entries.delete(request.url)
        return undefined
      }
      const body = await response.clone().text()
      if (body.length > this.maxBodyChars) return undefined
      const headers: Array<[string, string]> = []
      response.headers.forEach((value, name) => { if (!DROPPED.has(name)) headers.push([name, value]) })
      this.entries.delete(request.url)
      this.entries.set(request.url, { etag, body, headers })
      this.stats.stored++
      while (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next().value as string
        this.entries.delete(oldest)
      }
      return undefined
    }
  }
}
