import fp from 'fastify-plugin'
import type { FastifyRequest, RouteOptions, preParsingAsyncHookHandler } from 'fastify'
import { UnsupportedMediaType } from '../errors.js'
import { problemResponses } from '../schemas/common.js'

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const MEDIA_TYPE = /^[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+$/

interface BodySchemaParts {
  consumes?: string[]
  body?: { content?: Record<string, unknown> }
  hide?: boolean
  response?: Record<string, unknown>
}

/**
 * The media types an operation reads, from its schema alone, which also documents them:
 * `consumes` (the request body types @fastify/swagger lists), else the types of a body given
 * per type (`body.content`), else JSON.
 */
export function acceptedTypes (schema: BodySchemaParts | undefined): string[] {
  const declared = schema?.consumes ?? Object.keys(schema?.body?.content ?? {})
  return declared.length > 0 ? declared.map((t) => t.toLowerCase()) : ['application/json']
}

function carriesBody (request: FastifyRequest): boolean {
  const length = request.headers['content-length']
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

/**
 * One rule for request bodies: a request that carries a body or names its type must be of a
 * type the operation declares, else a 415 problem naming the accepted types, checked before the
 * body is read (after authentication and scope, which are onRequest). Fastify's own text/plain
 * parser is removed: no operation reads text, and it turned a wrong type into a 400 "body must be
 * object". Parsers for the other declared types live with their routes (forms in comments, XML
 * and feeds in imports).
 */
export default fp(async (app) => {
  app.removeContentTypeParser('text/plain')

  // A preParsing hook on the routes that take bodies only, so reads pay nothing.
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (!methods.some((m) => BODY_METHODS.has(m))) return
    const schema = route.schema as BodySchemaParts | undefined
    const accepted = acceptedTypes(schema)
    const check: preParsingAsyncHookHandler = async (request, _reply, payload) => {
      const header = request.headers['content-type']
      if (header === undefined && !carriesBody(request)) return payload
      const type = header === undefined ? undefined : (request.mediaType ?? '')
      if (type !== undefined && accepted.includes(type)) return payload
      throw new UnsupportedMediaType(accepted, type === undefined ? undefined : MEDIA_TYPE.test(type) ? type : null)
    }
    const own = route.preParsing === undefined ? [] : Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing]
    route.preParsing = [check, ...own]
    // Any of them may be sent a body, so any may answer these two (an operation without a
    // request body reads none, but still refuses a large or foreign one).
    if (schema !== undefined && schema.hide !== true) schema.response = { ...problemResponses(413, 415), ...schema.response }
  })
}, { name: 'content-types' })
