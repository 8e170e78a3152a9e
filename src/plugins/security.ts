import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure'
import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { PROBLEM_BASE } from '../errors.js'
import { sendProblem } from './problem-details.js'

export interface SecurityOptions {
  /** Answer 503 when the mean event-loop delay over a sample exceeds this many ms; 0 turns it off. */
  maxEventLoopDelay: number
  /** How often the event-loop delay is sampled, in ms (under-pressure's default is 1000). */
  sampleInterval?: number
  /** Seconds a client is told to wait in `Retry-After` when the server is saturated. */
  retryAfter?: number
}

/** Pino redaction paths for anything a request carries that must never reach a log line. */
export const LOG_REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]']

/**
 * The Content-Security-Policy: the directives @fastify/swagger-ui documents for its static
 * files (it loads every script from files, so no inline script is allowed), plus inline
 * styles, which its response highlighter applies (the browser test sees the violation
 * without them), and without `upgrade-insecure-requests`, which would send "Try it out" to
 * https:// on a plain-http deployment such as the default 127.0.0.1:3000 and break it.
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'https:', 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'self'"],
  imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", 'https:', "'unsafe-inline'"],
  upgradeInsecureRequests: null
}

/**
 * Fastify's `frameworkErrors` option: the router answers a URL that is not valid
 * percent-encoded UTF-8, or whose parameter passes maxParamLength, before any hook or
 * error handler runs, and by default with its own JSON that echoes the path. These become
 * problems like every other error.
 */
export function frameworkErrors (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    sendProblem(reply, request, 414, 'URI_TOO_LONG', 'A path parameter is longer than any id or slug can be')
  } else if (error.code === 'FST_ERR_BAD_URL') {
    sendProblem(reply, request, 400, 'BAD_URL', 'The URL is not valid percent-encoded UTF-8')
  } else {
    sendProblem(reply, request, 400, 'BAD_REQUEST', 'The request could not be routed')
  }
}

// The liveness probe must answer even when the server is too busy for real work, or an
// orchestrator would restart a process that is merely loaded.
const ALWAYS_ANSWERED = new Set(['/health'])

function pressureProblem (request: FastifyRequest, reply: FastifyReply, retryAfter: number) {
  if (ALWAYS_ANSWERED.has(request.url.split('?')[0])) return undefined
  reply
    .code(503)
    .header('retry-after', String(retryAfter))
    .header('cache-control', 'no-store')
    .type('application/problem+json; charset=utf-8')
  return {
    type: `${PROBLEM_BASE}service-unavailable`,
    title: STATUS_CODES[503],
    status: 503,
    detail: `The server is saturated; retry after ${retryAfter} seconds`,
    instance: request.url.split('?')[0],
    code: 'SERVICE_UNAVAILABLE',
    request_id: request.id
  }
}

/**
 * Security headers (helmet, with a CSP that keeps Swagger UI at /docs working) and load
 * shedding (under-pressure): while the event loop is saturated every request except
 * /health is answered at once with a 503 problem and `Retry-After`, instead of queueing
 * until clients time out.
 */
export default fp<SecurityOptions>(async (app, opts) => {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    // A public content API and its feeds are read from other origins; CORS governs that,
    // so the resource policy must not block no-cors loads of feeds and JSON.
    crossOriginResourcePolicy: { policy: 'cross-origin' }
  })

  if (opts.maxEventLoopDelay > 0) {
    const retryAfter = opts.retryAfter ?? 10
    // under-pressure sends whatever the handler returns (its type says void); returning the
    // problem body lets it answer without going through the 5xx error path, which would log
    // an "unhandled error" for every shed request.
    // The first samples measure start-up (module loading, migrations, route compilation),
    // not load: shedding starts two sample periods after the app is ready, or a server
    // would refuse its first requests after every restart.
    const sampleInterval = opts.sampleInterval ?? 1000
    let sheddingFrom = Infinity
    app.addHook('onReady', async () => { sheddingFrom = Date.now() + 2 * sampleInterval })
    const pressureHandler = (request: FastifyRequest, reply: FastifyReply) => Date.now() < sheddingFrom ? undefined : pressureProblem(request, reply, retryAfter)
    await app.register(underPressure, {
      maxEventLoopDelay: opts.maxEventLoopDelay,
      sampleInterval,
      retryAfter,
      pressureHandler: pressureHandler as unknown as FastifyUnderPressureOptions['pressureHandler']
    })
  }
}, { name: 'security' })
