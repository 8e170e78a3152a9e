import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { randomUUID } from 'node:crypto'
import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ServiceUnavailable, withHeaders } from '../errors.js'
import { PROBLEM_CONTENT_TYPE, problemBody, sendProblem } from './problem-details.js'
import { problemResponses } from '../schemas/common.js'
import { declareRouteConfig, routeConfigOf } from './route-config.js'

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
 * The Content-Security-Policy of Swagger UI at /docs: the directives @fastify/swagger-ui
 * documents for its static files (it loads every script from files, so no inline script is
 * allowed), plus inline styles, which its response highlighter applies (the browser test sees
 * the violation without them), and without `upgrade-insecure-requests`, which would send
 * "Try it out" to https:// on a plain-http deployment such as the default 127.0.0.1:3000.
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

// A public content API and its feeds are read from other origins; CORS governs that, so the
// resource policy must not block no-cors loads of feeds and JSON.
const SHARED = { crossOriginResourcePolicy: { policy: 'cross-origin' }, referrerPolicy: { policy: 'no-referrer' } } as const

/**
 * Headers of API answers (JSON, feeds, problems): the set the OWASP REST Security Cheat Sheet
 * names for APIs: a CSP that allows nothing and no framing, nosniff, HSTS, X-Frame-Options.
 * Helmet's other headers govern HTML documents only (DNS prefetch, Flash policies, IE8
 * downloads, the XSS auditor, opener and agent-cluster isolation), so they are left out.
 */
export const API_HELMET: HelmetOptions = {
  ...SHARED,
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  xFrameOptions: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false
}

/** Headers of Swagger UI (an HTML application): helmet's full set with the CSP above. */
export const DOCS_HELMET: HelmetOptions = { ...SHARED, contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES } }

/** The headers helmet sets for a policy, worked out once rather than on every request. */
export function helmetHeaders (options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {}
  const res = {
    setHeader (name: string, value: string | number) { headers[name.toLowerCase()] = String(value) },
    removeHeader (name: string) { Reflect.deleteProperty(headers, name.toLowerCase()) }
  }
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, () => {})
  return headers
}

const API_HEADERS = helmetHeaders(API_HELMET)

/**
 * Fastify's `frameworkErrors` option: the router answers a URL that is not valid
 * percent-encoded UTF-8, or whose parameter passes maxParamLength, before any hook or
 * error handler runs, and by default with its own JSON that echoes the path. These become
 * problems like every other error.
 */
export function frameworkErrors (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(API_HEADERS).header('x-request-id', request.id)
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    sendProblem(reply, request, 414, 'URI_TOO_LONG', 'A path parameter is longer than any id or slug can be')
  } else if (error.code === 'FST_ERR_BAD_URL') {
    sendProblem(reply, request, 400, 'BAD_URL', 'The URL is not valid percent-encoded UTF-8')
  } else {
    sendProblem(reply, request, 400, 'BAD_REQUEST', 'The request could not be routed')
  }
}

// What Node's HTTP parser refuses before Fastify sees a request, by Node's error code.
const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'The request line and headers are larger than the server accepts (16 KiB): shorten the URL or the headers'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'The request was not received in time']
}

/**
 * Fastify's `clientErrorHandler` (Node's `clientError` event): a request Node cannot parse (a
 * URL or header block past the 16 KiB limit, a malformed request line or header, a body framed
 * two ways) or that took too long never reaches Fastify, and Fastify's default answers with its
 * own plain JSON. Here it is a problem like every other error, written straight to the socket
 * (there is no request or reply), with a request id of its own in the body, the header and the
 * debug log line.
 */
export function clientErrorHandler (this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has no one to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const [status, code, detail] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'BAD_REQUEST', 'The request is not valid HTTP/1.1']
  const requestId = randomUUID()
  // Not the error itself: its rawPacket holds the request's bytes, Authorization header included.
  this.log.debug({ code: err.code, requestId, status }, 'client error')
  if (socket.writable) {
    const body = JSON.stringify(problemBody(status, code, detail, { requestId }))
    const headers = { ...API_HEADERS, 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', 'x-request-id': requestId, connection: 'close' }
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`)
  }
  socket.destroy(err)
}

// The liveness probe must answer even when the server is too busy for real work, or an
// orchestrator would restart a process that is merely loaded.
const ALWAYS_ANSWERED = new Set(['/health'])

function unavailable (detail: string, retryAfter: number) {
  return withHeaders(new ServiceUnavailable(detail), { 'retry-after': String(retryAfter) })
}

/**
 * Security headers (helmet's, computed once: a strict set for API answers, a CSP that keeps
 * Swagger UI at /docs working there), the X-Request-Id of every answer, and load
 * shedding (under-pressure): while the event loop is saturated every request except
 * /health is answered at once with a 503 problem and `Retry-After`, instead of queueing
 * until clients time out. Requests that arrive on open connections while the server drains
 * for a shutdown get the same problem (app.ts turns Fastify's own plain-JSON 503 off).
 */
export default fp<SecurityOptions>(async (app, opts) => {
  const apiHeaders = API_HEADERS
  const docsHeaders = helmetHeaders(DOCS_HELMET)
  // frameworkErrors answers an over-long path parameter with a 414 on any route that has one.
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { hide?: boolean, response?: Record<string, unknown> } | undefined
    if (route.url.includes(':') && schema !== undefined && schema.hide !== true) schema.response = { ...problemResponses(414), ...schema.response }
  })

  const retryAfter = opts.retryAfter ?? 10
  let closing = false
  app.addHook('preClose', (done) => { closing = true; done() })
  declareRouteConfig(app)
  // One callback hook for the headers every answer carries: the security set and the request id.
  app.addHook('onRequest', function commonHeaders (request, reply, done) {
    reply.headers(routeConfigOf(request).url?.startsWith('/docs') === true ? docsHeaders : apiHeaders)
    reply.header('x-request-id', request.id)
    if (closing) return done(unavailable('The server is shutting down; retry in a moment', retryAfter))
    done()
  })

  if (opts.maxEventLoopDelay > 0) {
    // under-pressure passes a rejection of the handler's promise on to the error handler, which
    // answers a ServiceUnavailable as a problem without logging it as a fault.
    // The first samples measure start-up (module loading, migrations, route compilation),
    // not load: shedding starts two sample periods after the app is ready, or a server
    // would refuse its first requests after every restart.
    const sampleInterval = opts.sampleInterval ?? 1000
    let sheddingFrom = Infinity
    app.addHook('onReady', async () => { sheddingFrom = Date.now() + 2 * sampleInterval })
    const pressureHandler = (request: FastifyRequest) => Date.now() < sheddingFrom || ALWAYS_ANSWERED.has(request.url.split('?')[0])
      ? undefined
      : Promise.reject(unavailable(`The server is saturated; retry after ${retryAfter} seconds`, retryAfter))
    await app.register(underPressure, {
      maxEventLoopDelay: opts.maxEventLoopDelay,
      sampleInterval,
      retryAfter,
      pressureHandler: pressureHandler as unknown as FastifyUnderPressureOptions['pressureHandler']
    })
  }
}, { name: 'security' })
