import fp from 'fastify-plugin'
import type { FastifyReply } from 'fastify'
import type { AuthContext } from './auth.js'
import { QuotaExceeded, withHeaders } from '../errors.js'
import { problemResponses } from '../schemas/common.js'

/** One quota as counted: its size, window (seconds), what is left and when the window ends (seconds from now). */
export interface QuotaState { name: string, quota: number, window: number, remaining: number, reset: number }
export interface QuotaCheck { allowed: boolean, policies: QuotaState[] }

export interface QuotasOptions {
  /** Counts a request made with an API key against its quotas (shared by every process on the database). */
  consume: (keyId: number, limits: { perMinute: number | null, perDay: number | null }, now: number) => Promise<QuotaCheck>
  /** PUBLIC_RATE_LIMIT: anonymous reads one client address may make per minute, per process; 0: no limit. */
  publicPerMinute: number
}

/** RateLimit-Policy, IETF httpapi ratelimit-headers draft 8+: `"minute";q=60;w=60, "day";q=10000;w=86400`. */
export function policyHeader (policies: QuotaState[]): string {
  return policies.map((p) => `"${p.name}";q=${p.quota};w=${p.window}`).join(', ')
}

/** RateLimit, same draft: what is left of each policy and in how many seconds its window ends. */
export function rateLimitHeader (policies: QuotaState[]): string {
  return policies.map((p) => `"${p.name}";r=${p.remaining};t=${p.reset}`).join(', ')
}

const READS = new Set(['GET', 'HEAD'])
// Load balancers probe these from one address many times a minute.
const PROBES = new Set(['/health', '/ready'])

/** What a check answers: the headers, and a 429 when it is not allowed. */
function answer (check: QuotaCheck, who: string, reply: FastifyReply): void {
  if (check.policies.length > 0) {
    reply.header('ratelimit-policy', policyHeader(check.policies))
    reply.header('ratelimit', rateLimitHeader(check.policies))
  }
  if (!check.allowed) {
    const exhausted = check.policies.filter((p) => p.remaining === 0)
    const wait = Math.max(1, ...exhausted.map((p) => p.reset))
    const names = exhausted.map((p) => `${p.quota} requests per ${p.name === 'day' ? 'day' : 'minute'}`).join(' and ')
    throw withHeaders(new QuotaExceeded(`${who} has used its quota (${names}): retry in ${wait} s`), { 'retry-after': String(wait) })
  }
}

/**
 * Key quotas, in onRequest right after auth: a request made with an API key counts against the
 * key's quotas (reads included) and answers RateLimit-Policy and RateLimit on every response;
 * over a quota it is a 429 problem with Retry-After. The counting is given as a function: this
 * plugin knows no module.
 */
export default fp<Pick<QuotasOptions, 'consume'>>(async (app, opts) => {
  // Any operation may be called with a key that has a quota: each documents the 429.
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { hide?: boolean, response?: Record<string, unknown> } | undefined
    if (schema === undefined || schema.hide === true) return
    schema.response = { ...problemResponses(429), ...schema.response }
  })
  app.addHook('onRequest', (request, reply, done) => {
    // Routes of other plugins' encapsulated contexts (Swagger UI's) may see no auth decoration.
    const auth = request.auth as AuthContext | null | undefined
    if (auth === null || auth === undefined || auth.keyId === null) return done()
    // The count is the database's (shared by every server): the request waits for it; a 429
    // answer() throws is the request's error.
    opts.consume(auth.keyId, auth.limits, Date.now()).then((check) => {
      try {
        answer(check, 'This API key', reply)
      } catch (error) {
        done(error as Error)
        return
      }
      done()
    }, done)
  })
}, { name: 'quotas', dependencies: ['auth'] })

/**
 * PUBLIC_RATE_LIMIT: anonymous reads (no Authorization header) one client address may make per
 * minute, counted in memory by each process and keyed by the address as TRUST_PROXY resolves
 * it. Registered before the response cache, so a cached answer counts too.
 */
export const publicRateLimit = fp<Pick<QuotasOptions, 'publicPerMinute'>>(async (app, opts) => {
  if (opts.publicPerMinute <= 0) return
  const limit = opts.publicPerMinute
  // Clients of the current minute; emptied when the minute turns, so it holds at most one
  // minute's distinct addresses.
  let windowStart = 0
  const used = new Map<string, number>()
  // A callback hook: an async one costs a promise and a microtask hop on every request it
  // counts; a 429 thrown by answer() is the request's error (Fastify's hook runner catches it).
  app.addHook('onRequest', (request, reply, done) => {
    if (request.headers.authorization !== undefined || !READS.has(request.method) || PROBES.has(request.url)) return done()
    const now = Date.now()
    const start = Math.floor(now / 60_000) * 60_000
    if (start !== windowStart) {
      windowStart = start
      used.clear()
    }
    const n = used.get(request.ip) ?? 0
    const allowed = n < limit
    if (allowed) used.set(request.ip, n + 1)
    const remaining = Math.max(0, limit - n - (allowed ? 1 : 0))
    answer({ allowed, policies: [{ name: 'public', quota: limit, window: 60, remaining, reset: Math.ceil((start + 60_000 - now) / 1000) }] }, 'This client', reply)
    done()
  })
}, { name: 'public-rate-limit' })
