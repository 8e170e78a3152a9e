import { Type, type Static } from 'typebox'
import Value from 'typebox/value'

// An absolute http(s) base URL: scheme, host (and port), an optional path, no query or fragment.
const BASE_URL_PATTERN = '^https?://[^\\s/?#]+(/[^\\s?#]*)?$'

/**
 * Every environment variable Broadsheet reads, validated once at start-up.
 * Each property's `description` is what a failing value is told it should be,
 * and the README's configuration table is written from the same text.
 */
export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'TCP port to listen on: an integer 0–65535' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'interface to bind: an IP address or host name (the Docker image sets 0.0.0.0)' }),
  DATABASE_PATH: Type.String({ minLength: 1, default: './data/broadsheet.db', description: 'SQLite file path (folders are created), or :memory:' }),
  DATABASE_SYNCHRONOUS: Type.Union([Type.Literal('normal'), Type.Literal('full')], { default: 'normal', description: 'normal or full: when a commit is synced to disk. normal (default): an acknowledged write survives the process being killed, the last ones may be lost to a power cut or OS crash; full: they survive that too, at the cost of a disk sync in every write' }),
  SITE_URL: Type.Optional(Type.String({ pattern: BASE_URL_PATTERN, description: 'public frontend base URL (post url, feed item links, comment redirects): an absolute http(s) URL without query; defaults to PUBLIC_API_URL, else http://HOST:PORT' })),
  PUBLIC_API_URL: Type.Optional(Type.String({ pattern: BASE_URL_PATTERN, description: "this API's public base URL (feed self links, /v1/site feeds): an absolute http(s) URL without query; defaults to SITE_URL, else http://HOST:PORT" })),
  PREVIEW_URL_TEMPLATE: Type.Optional(Type.String({ pattern: '^https?://[^\\s]*\\{token\\}', description: 'the frontend page that renders a preview link (preview_url), with {token} where the token goes: an absolute http(s) URL such as https://www.example.com/preview?token={token}; defaults to SITE_URL/preview?token={token}' })),
  LOG_LEVEL: Type.Union([
    Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'),
    Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')
  ], { default: 'info', description: 'one of fatal, error, warn, info, debug, trace, silent' }),
  LOG_REQUESTS: Type.Boolean({ default: false, description: 'true or false: log every request and response (an access log; costs throughput, off by default since a proxy or CDN usually keeps one)' }),
  CORS_ORIGINS: Type.String({ default: '*', description: '* or a comma-separated list of origins such as https://example.com' }),
  ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 32, description: 'bootstrap bearer token with every scope: at least 32 characters' })),
  TRUST_PROXY: Type.String({ default: 'false', description: 'false, true, a hop count, or comma-separated proxy addresses/CIDRs' }),
  PUBLIC_RATE_LIMIT: Type.Integer({ minimum: 0, maximum: 1000000, default: 0, description: 'anonymous reads one client address (as TRUST_PROXY resolves it) may make per minute, counted per process; 0 (default) turns it off, as a CDN usually fronts reads' }),
  COMMENT_RATE_LIMIT: Type.Integer({ minimum: 1, maximum: 10000, default: 5, description: 'comments one client may post per minute: an integer 1–10000' }),
  ALLOW_PRIVATE_TARGETS: Type.Boolean({ default: false, description: 'true or false: allow webhook and feed-import URLs in loopback or private networks' }),
  RESPONSE_CACHE: Type.Boolean({ default: true, description: 'true or false: keep serialized public responses in memory (always fresh: a write drops the responses carrying its surrogate keys, in every process sharing the database)' }),
  RESPONSE_CACHE_ENTRIES: Type.Integer({ minimum: 1, maximum: 1000000, default: 10000, description: 'most responses the response cache may hold (with RESPONSE_CACHE_MB, whichever is reached first; least recently used out first): an integer 1–1000000' }),
  RESPONSE_CACHE_MB: Type.Integer({ minimum: 1, maximum: 4096, default: 8, description: 'most memory the response cache may hold, in MiB (bodies in every encoding; least recently used out first): an integer 1–4096' }),
  IFRAME_HOSTS: Type.String({ default: '', description: 'comma-separated host names whose https iframes survive post sanitizing (e.g. www.youtube.com)' }),
  WEBHOOK_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 50, default: 8, description: 'delivery attempts before a webhook delivery is given up: an integer 1–50' }),
  WEBHOOK_RETRY_BASE_MS: Type.Integer({ minimum: 10, maximum: 3600000, default: 4000, description: 'webhook retry backoff base in milliseconds: the first retry waits half to all of it, each later one 4 times longer (an integer 10–3600000)' }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60000, default: 10000, description: 'webhook request timeout in milliseconds: an integer 100–60000' }),
  WEBHOOK_SECRET_GRACE_SECONDS: Type.Integer({ minimum: 0, maximum: 2592000, default: 86400, description: 'after POST /v1/webhooks/{id}/rotate-secret the old secret signs beside the new one for this many seconds, unless the request says: an integer 0–2592000 (30 days), default 86400 (a day)' }),
  SOURCE_MAX_FAILURES: Type.Integer({ minimum: 1, maximum: 1000, default: 10, description: 'consecutive failed polls of a feed subscription (/v1/sources) after which it is disabled: an integer 1–1000' }),
  PURGE_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'HTTP endpoint (a Varnish or CDN) that receives PURGE requests with the Surrogate-Key header of each write' })),
  IMPORT_MAX_BYTES: Type.Integer({ minimum: 1024, maximum: 10737418240, default: 209715200, description: 'largest WordPress export POST /v1/imports/wxr accepts, in bytes (streamed to a temporary file, so memory does not grow with it): an integer 1024–10737418240, default 200 MB' }),
  MEDIA_PATH: Type.Optional(Type.String({ minLength: 1, description: 'folder of the media library (originals and cached renders; created at start): a path; defaults to media/ beside DATABASE_PATH (./data/media), or a temporary folder with :memory:' })),
  MEDIA_MAX_BYTES: Type.Integer({ minimum: 1024, maximum: 1073741824, default: 20971520, description: 'largest file POST /v1/media accepts, in bytes (a 413 the moment it is passed, nothing stored): an integer 1024–1073741824, default 20 MB' }),
  MEDIA_MAX_PIXELS: Type.Integer({ minimum: 1, maximum: 268402689, default: 50000000, description: 'largest image accepted, in pixels (width × height, every frame), against decompression bombs: an integer up to 268402689, default 50 million' }),
  MEDIA_RENDER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 2, description: 'image renders (resizing, encoding) run at once; more wait in a bounded queue: an integer 1–64' }),
  IMPORT_STALL_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 3600000, default: 60000, description: 'an import job that makes no progress for this many milliseconds is stopped and marked failed: an integer 100–3600000' }),
  REVISIONS_KEEP: Type.Integer({ minimum: 1, maximum: 1000, default: 25, description: 'revisions kept per post or page (the oldest are pruned by the write that adds one past it): an integer 1–1000' }),
  MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, maximum: 60000, default: 1000, description: 'answer 503 with Retry-After while the mean event-loop delay exceeds this many milliseconds (load shedding); 0 turns it off: an integer 0–60000' }),
  QUERY_BUDGET_MS: Type.Integer({ minimum: 0, maximum: 60000, default: 250, description: 'how long one public search, related-posts or feed request may compute before it answers with what it has (flagged), in milliseconds: an integer 0–60000' }),
  WORKERS: Type.Integer({ minimum: 1, maximum: 64, default: 1, description: 'number of server processes sharing the database (node:cluster): an integer 1–64' })
})

/** The configuration after loadConfig: both public base URLs and the preview URL template are always known (derived when unset). */
export type AppConfig = Static<typeof ConfigSchema> & { SITE_URL: string, PUBLIC_API_URL: string, PREVIEW_URL_TEMPLATE: string }

/** Thrown by loadConfig with one line per bad variable. */
export class ConfigError extends Error {
  constructor (public readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Settings whose value is a secret: a failing value is never printed, only its length. Any
 * other value is printed with a URL's user and password (`scheme://user:password@host`) masked,
 * since a cache purge or database URL may carry credentials.
 */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set(['ADMIN_TOKEN'])

/** How a bad value is shown in an error: never a secret, never a URL's password. */
export function shownValue (key: string, value: string | undefined): string {
  if (value === undefined) return 'unset'
  if (SECRET_SETTINGS.has(key) || /TOKEN|SECRET|PASSWORD|PASSWD|_KEY$/i.test(key)) return `(hidden, ${[...value].length} characters)`
  return JSON.stringify(value.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi, '$1***@'))
}

function describe (key: keyof typeof ConfigSchema.properties): string {
  return (ConfigSchema.properties[key] as unknown as { description: string }).description
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, false: false, 1: true, 0: false, yes: true, no: false }

/**
 * Builds the typed configuration from an environment object (process.env in
 * server.ts, a literal in tests). Unknown variables are ignored; empty strings
 * count as unset so `PORT=` in a .env file does not break the start.
 */
export function loadConfig (env: Record<string, string | undefined> = {}): AppConfig {
  const problems: string[] = []
  const raw: Record<string, unknown> = {}
  for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
    const value = env[key]
    if (value === undefined || value.trim() === '') continue
    const type = (schema as { type?: string }).type
    if (type === 'integer') {
      raw[key] = /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value
    } else if (type === 'boolean') {
      const word = BOOLEAN_WORDS[value.trim().toLowerCase()]
      raw[key] = word ?? value
    } else {
      raw[key] = value.trim()
    }
  }
  const withDefaults = Value.Default(ConfigSchema, raw) as Record<string, unknown>
  for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
    if (withDefaults[key] === undefined) continue
    if (!Value.Check(schema, withDefaults[key])) {
      problems.push(`${key}=${shownValue(key, env[key])} is invalid: expected ${(schema as unknown as { description: string }).description}`)
    }
  }
  if (problems.length === 0) {
    const trust = String(withDefaults.TRUST_PROXY)
    if (!/^(true|false|\d+|[0-9a-fA-F:.,/\s]+)$/.test(trust)) {
      problems.push(`TRUST_PROXY=${shownValue('TRUST_PROXY', env.TRUST_PROXY)} is invalid: expected ${describe('TRUST_PROXY')}`)
    }
    const origins = String(withDefaults.CORS_ORIGINS)
    if (origins !== '*' && !origins.split(',').every((o) => /^https?:\/\/[^\s/]+$/.test(o.trim()))) {
      problems.push(`CORS_ORIGINS=${shownValue('CORS_ORIGINS', env.CORS_ORIGINS)} is invalid: expected ${describe('CORS_ORIGINS')}`)
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
  const config = withDefaults as AppConfig
  // Public URLs are never built from a request's Host or X-Forwarded-Host: those are not part
  // of any cache key, so one request could poison what every later reader gets. They come
  // from here, fixed at start. With one of the two set, the other is the same (a site and its
  // API behind one domain); with neither, the address the server listens on.
  const site = config.SITE_URL?.replace(/\/+$/, '')
  const api = config.PUBLIC_API_URL?.replace(/\/+$/, '')
  const local = listenUrl(config.HOST, config.PORT)
  config.SITE_URL = site ?? api ?? local
  config.PUBLIC_API_URL = api ?? site ?? local
  // The example site's preview page (examples/site) under SITE_URL, unless told otherwise.
  config.PREVIEW_URL_TEMPLATE ??= `${config.SITE_URL}/preview?token={token}`
  return config
}

/** http://HOST:PORT, with a wildcard interface (0.0.0.0, ::) read as localhost. */
export function listenUrl (host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' || host === '[::]' ? 'localhost' : host
  return `http://${name.includes(':') && !name.startsWith('[') ? `[${name}]` : name}:${port}`
}

/**
 * What to warn about at start, from the raw environment: in production (NODE_ENV=production)
 * a SITE_URL left unset makes every public link point at the server's own listening address.
 */
export function startupWarnings (env: Record<string, string | undefined>, config: AppConfig): string[] {
  const warnings: string[] = []
  const unset = (key: string) => env[key] === undefined || env[key]?.trim() === ''
  if (env.NODE_ENV === 'production' && unset('SITE_URL')) {
    warnings.push(`SITE_URL is not set: post urls, feed links and comment redirects use ${config.SITE_URL}` +
      (unset('PUBLIC_API_URL') ? '' : ' (from PUBLIC_API_URL)') + '; set SITE_URL to the public frontend')
  }
  return warnings
}

/** The value Fastify's `trustProxy` option takes for the TRUST_PROXY text. */
export function trustProxyOption (value: string): boolean | number | string[] {
  if (value === 'true') return true
  if (value === 'false') return false
  if (/^\d+$/.test(value)) return Number(value)
  return value.split(',').map((s) => s.trim()).filter(Boolean)
}
