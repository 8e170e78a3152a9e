import fp from 'fastify-plugin'
import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { FieldError, PROBLEM_BASE, RouteNotFound, ServiceUnavailable } from '../errors.js'
import { dedupe, validationProblems, type FieldProblem } from '../lib/field-problems.js'

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i

// Fastify's own error codes for bad requests, mapped to our stable codes.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_CONTENT_LENGTH',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED'
}

/** A number ajv would coerce to a non-finite value ("1e400"), which skips its range checks. */
function outOfRange (v: unknown): boolean {
  return typeof v === 'string' && NUMERIC.test(v.trim()) && !Number.isFinite(Number(v))
}

function kebab (code: string): string {
  return code.toLowerCase().replace(/_/g, '-')
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8'

/** The RFC 9457 body of every error answer, also written raw to sockets before any routing. */
export function problemBody (status: number, code: string, detail: string, where: { instance?: string, requestId: string }, extra: Record<string, unknown> = {}) {
  return {
    type: `${PROBLEM_BASE}${kebab(code)}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    ...(where.instance === undefined ? {} : { instance: where.instance }),
    code,
    request_id: where.requestId,
    ...extra
  }
}

/** Sends an RFC 9457 problem. Used by the error and not-found handlers and by frameworkErrors. */
export function sendProblem (reply: FastifyReply, request: FastifyRequest, status: number, code: string, detail: string, extra: Record<string, unknown> = {}): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemBody(status, code, detail, { instance: request.url.split('?')[0], requestId: request.id }, extra))
}

/**
 * One place that turns every error into application/problem+json: validation errors
 * (400 with `errors[]`), the named errors of src/errors.ts, Fastify's body-parsing
 * errors (400/413/415), unknown routes (404) and anything else (500, logged, no details).
 */
export default fp(async (app) => {
  app.setErrorHandler((error: FastifyError & { errors?: FieldProblem[], accepted?: string[], headers?: Record<string, string>, currentEtag?: string }, request, reply) => {
    if (error.validation) {
      const query = (request.routeOptions.schema?.querystring as { properties?: Record<string, unknown> } | undefined)?.properties
      const errors = dedupe(validationProblems(error, query === undefined ? [] : Object.keys(query)))
      const detail = errors.map((e) => `${e.path} ${e.message}`).join('; ')
      return sendProblem(reply, request, 400, 'VALIDATION_FAILED', `Invalid request: ${detail}`, { errors })
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      const code = FASTIFY_CODES[error.code] ?? (error.code?.startsWith('FST_') ? 'BAD_REQUEST' : error.code) ?? 'BAD_REQUEST'
      if (error.headers) reply.headers(error.headers)
      if (status === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', 'Bearer realm="broadsheet"')
      const extra = {
        ...(Array.isArray(error.errors) ? { errors: error.errors } : {}),
        ...(Array.isArray(error.accepted) ? { accepted: error.accepted } : {}),
        ...(typeof error.currentEtag === 'string' ? { current_etag: error.currentEtag } : {})
      }
      return sendProblem(reply, request, status, code, error.message, extra)
    }
    // A 503 on purpose (load shedding, shutting down, database not ready) is an answer, not a
    // fault: no "unhandled error" line for every request shed.
    if (error instanceof ServiceUnavailable) {
      if (error.headers) reply.headers(error.headers)
      return sendProblem(reply, request, 503, 'SERVICE_UNAVAILABLE', error.message)
    }
    request.log.error({ err: error, method: request.method, url: request.url }, 'unhandled error')
    return sendProblem(reply, request, status >= 500 && status < 600 ? status : 500, 'INTERNAL', 'The server could not complete the request; it has been logged with this request_id')
  })

  // ajv coerces "1e400" to Infinity and then skips its range checks for non-finite
  // numbers; refuse such values here so they never reach a query.
  // Runs on every request: no arrays or entries made unless a value is out of range.
  app.addHook('preValidation', (request, reply, done) => {
    const query = request.query as Record<string, unknown> | undefined
    if (query === null || typeof query !== 'object') return done()
    let bad: FieldProblem[] | undefined
    for (const key in query) {
      const value = query[key]
      if (Array.isArray(value)) {
        for (const v of value) if (outOfRange(v)) (bad ??= []).push({ in: 'query', path: key, message: 'is out of range' })
      } else if (outOfRange(value)) {
        (bad ??= []).push({ in: 'query', path: key, message: 'is out of range' })
      }
    }
    if (bad !== undefined) return done(new FieldError(bad))
    done()
  })

  app.setNotFoundHandler((request, reply) => {
    const err = new RouteNotFound(request.method, request.url.split('?')[0])
    return sendProblem(reply, request, 404, 'ROUTE_NOT_FOUND', err.message)
  })
}, { name: 'problem-details' })
