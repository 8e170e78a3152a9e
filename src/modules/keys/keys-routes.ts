import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { DateTimeSchema, IdParamsSchema, IdSchema, PageQuery, listOf, problemResponses } from '../../schemas/common.js'
import { NotFound } from '../../errors.js'
import { pageLinks, pageMeta } from '../../lib/pagination.js'
import { API_SCOPES } from '../../db/schema.js'
import type { KeyRow } from './keys-repository.js'

const ScopeSchema = Type.Union(API_SCOPES.map((s) => Type.Literal(s)), { description: 'read:drafts, write:content, moderate:comments or admin (all of them plus keys, webhooks and site settings)' })

export const ApiKeySchema = Type.Object({
  id: IdSchema,
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the key, to tell keys apart' }),
  scopes: Type.Array(ScopeSchema),
  created_at: DateTimeSchema,
  last_used_at: Type.Union([DateTimeSchema, Type.Null()]),
  revoked_at: Type.Union([DateTimeSchema, Type.Null()])
}, { $id: 'ApiKey', title: 'ApiKey', description: 'An API key. The key itself is shown once, when created.' })

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export function toApiKey (row: KeyRow) {
  return { id: row.id, name: row.name, prefix: row.prefix, scopes: row.scopes, created_at: iso(row.created_at) as string, last_used_at: iso(row.last_used_at), revoked_at: iso(row.revoked_at) }
}

/** API key management (admin): GET/POST /v1/keys, DELETE /v1/keys/{id}. */
const keysRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'listKeys',
      tags: ['Keys'],
      summary: 'List API keys',
      description: 'Needs `admin`. Never shows the keys themselves.',
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: listOf(Type.Ref('ApiKey')), ...problemResponses(400, 401, 403) }
    }
  }, async (request, reply) => {
    const page = request.query.page ?? 1
    const perPage = request.query.per_page ?? 10
    const total = app.keys.count()
    const meta = pageMeta(page, perPage, total)
    reply.header('x-total-count', String(total)).header('link', pageLinks('http://x', request.url, page, meta.total_pages))
    return { data: app.keys.list(perPage, (page - 1) * perPage).map(toApiKey), meta }
  })

  app.post('/', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'createKey',
      tags: ['Keys'],
      summary: 'Create an API key',
      description: 'Needs `admin`. The answer holds the key in `data.key`, the only time it is shown: store it now. Only its SHA-256 hash is kept.',
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 100, examples: ['newsroom-tool'] }),
        scopes: Type.Array(ScopeSchema, { minItems: 1, uniqueItems: true, examples: [['write:content']] })
      }, { additionalProperties: false }),
      response: {
        201: Type.Object({ data: Type.Intersect([Type.Ref('ApiKey'), Type.Object({ key: Type.String({ description: 'The key, shown once', examples: ['bs_3q2-7…'] }) })]) }),
        ...problemResponses(400, 401, 403, 415)
      }
    }
  }, async (request, reply) => {
    const { row, key } = app.keys.create(request.body.name, request.body.scopes)
    reply.code(201).header('location', `/v1/keys/${row.id}`)
    return { data: { ...toApiKey(row), key } }
  })

  app.delete('/:id', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'revokeKey',
      tags: ['Keys'],
      summary: 'Revoke an API key',
      description: 'Needs `admin`. The key stops working at once; it stays listed with `revoked_at`.',
      params: IdParamsSchema,
      response: { 204: Type.Null({ description: 'Revoked' }), ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    if (app.keys.findById(request.params.id) === undefined) throw new NotFound('API key', String(request.params.id))
    app.keys.revoke(request.params.id)
    return reply.code(204).send(null)
  })
}
export default keysRoutes
