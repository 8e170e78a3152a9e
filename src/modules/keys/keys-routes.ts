import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { IdParamsSchema, PageQuery, listOf, problemResponses } from '../../schemas/common.js'
import { NotFound } from '../../errors.js'
import { listPage, pageOf } from '../../lib/pagination.js'
import type { KeysRepository } from './keys-repository.js'
import { toApiKey } from './keys-mapper.js'
import { CreateKeyBody } from './keys-schemas.js'

/** API key management (admin): GET/POST /v1/keys, DELETE /v1/keys/{id}. */
const keysRoutes: FastifyPluginAsyncTypebox<{ repo: KeysRepository }> = async (app, { repo }) => {
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
    const page = pageOf(request.query)
    return listPage(reply, request.url, { ...page, total: repo.count() }, repo.list(page.perPage, page.offset).map(toApiKey))
  })

  app.post('/', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'createKey',
      tags: ['Keys'],
      summary: 'Create an API key',
      description: 'Needs `admin`. The answer holds the key in `data.key`, the only time it is shown: store it now. Only its SHA-256 hash is kept.',
      body: CreateKeyBody,
      response: {
        201: Type.Object({ data: Type.Intersect([Type.Ref('ApiKey'), Type.Object({ key: Type.String({ description: 'The key, shown once', examples: ['bs_3q2-7…'] }) })]) }),
        ...problemResponses(400, 401, 403, 415)
      }
    }
  }, async (request, reply) => {
    const { row, key } = repo.create(request.body.name, request.body.scopes)
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
    if (repo.findById(request.params.id) === undefined) throw new NotFound('API key', String(request.params.id))
    repo.revoke(request.params.id)
    return reply.code(204).send(null)
  })
}
export default keysRoutes
