import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { IdParamsSchema, PageQuery, listOf, problemResponses } from '../../schemas/common.js'
import { NotFound } from '../../errors.js'
import { listPage, pageOf } from '../../lib/pagination.js'
import type { KeysRepository } from './keys-repository.js'
import { toApiKey } from './keys-mapper.js'
import { CreateKeyBody, UpdateKeyBody } from './keys-schemas.js'

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
    const [total, rows] = await Promise.all([repo.count(), repo.list(page.perPage, page.offset)])
    return listPage(reply, request.url, { ...page, total }, rows.map(toApiKey))
  })

  app.post('/', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'createKey',
      tags: ['Keys'],
      summary: 'Create an API key',
      description: 'Needs `admin`. The answer holds the key in `data.key`, the only time it is shown: store it now. Only its SHA-256 hash is kept. ' +
        'Optional quotas (`rate_limit_per_minute`, `rate_limit_per_day`) count every request made with the key, reads included; each answer then carries ' +
        '`RateLimit-Policy` and `RateLimit` headers, and a request over a quota is a 429 with `Retry-After`.',
      body: CreateKeyBody,
      response: {
        201: Type.Object({ data: Type.Intersect([Type.Ref('ApiKey'), Type.Object({ key: Type.String({ description: 'The key, shown once', examples: ['bs_3q2-7…'] }) })]) }),
        ...problemResponses(400, 401, 403, 415)
      }
    }
  }, async (request, reply) => {
    const { name, scopes, rate_limit_per_minute: perMinute, rate_limit_per_day: perDay } = request.body
    const { row, key } = await repo.create(name, scopes, Date.now(), { perMinute: perMinute ?? null, perDay: perDay ?? null })
    reply.code(201).header('location', `/v1/keys/${row.id}`)
    return { data: { ...toApiKey(row), key } }
  })

  app.patch('/:id', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'updateKey',
      tags: ['Keys'],
      summary: 'Change an API key\'s name or quotas',
      description: 'Needs `admin`. `rate_limit_per_minute` and `rate_limit_per_day` (null: no limit) apply from the next request; what was counted so far in the window stays counted.',
      params: IdParamsSchema,
      body: UpdateKeyBody,
      response: { 200: Type.Object({ data: Type.Ref('ApiKey') }), ...problemResponses(400, 401, 403, 404, 415) }
    }
  }, async (request) => {
    const row = await repo.findById(request.params.id)
    if (row === undefined) throw new NotFound('API key', String(request.params.id))
    const body = request.body
    const updated = await repo.update(row.id, {
      name: body.name ?? row.name,
      perMinute: body.rate_limit_per_minute !== undefined ? body.rate_limit_per_minute : row.rateLimitPerMinute,
      perDay: body.rate_limit_per_day !== undefined ? body.rate_limit_per_day : row.rateLimitPerDay
    })
    return { data: toApiKey(updated ?? row) }
  })

  app.get('/:id/usage', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'getKeyUsage',
      tags: ['Keys'],
      summary: 'Get an API key\'s usage',
      description: 'Needs `admin`. Requests per UTC day for the last 30 days (today last), the 429s its quotas answered, and when it was last used.',
      params: IdParamsSchema,
      response: { 200: Type.Object({ data: Type.Ref('KeyUsage') }), ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request) => {
    const row = await repo.findById(request.params.id)
    if (row === undefined) throw new NotFound('API key', String(request.params.id))
    const today = Math.floor(Date.now() / 86_400_000) * 86_400_000
    const since = today - 29 * 86_400_000
    const byDay = new Map((await repo.usage(row.id, since)).map((d) => [d.start, d]))
    const days = Array.from({ length: 30 }, (_, i) => {
      const start = since + i * 86_400_000
      const d = byDay.get(start)
      return { date: new Date(start).toISOString().slice(0, 10), requests: d?.requests ?? 0, rate_limited: d?.limited ?? 0 }
    })
    return {
      data: {
        key_id: row.id,
        last_used_at: row.lastUsedAt === null ? null : new Date(row.lastUsedAt).toISOString(),
        rate_limit_per_minute: row.rateLimitPerMinute,
        rate_limit_per_day: row.rateLimitPerDay,
        days,
        totals: { requests: days.reduce((n, d) => n + d.requests, 0), rate_limited: days.reduce((n, d) => n + d.rate_limited, 0) }
      }
    }
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
    if (await repo.findById(request.params.id) === undefined) throw new NotFound('API key', String(request.params.id))
    await repo.revoke(request.params.id)
    return reply.code(204).send(null)
  })
}
export default keysRoutes
