import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { IdParamsSchema, PageQuery, listOf, problemResponses } from '../../schemas/common.js'
import { listPage, pageOf } from '../../lib/pagination.js'
import type { SourcesRepository } from './sources-repository.js'
import type { SourcesService } from './sources-service.js'
import { toSource, toSourceRun } from './sources-mapper.js'
import { CreateSourceBody, ListRunsQuery, UpdateSourceBody } from './sources-schemas.js'

const POLL_HELP = 'Every server process polls due sources (leases keep two processes from fetching one at once), sending the validators of ' +
  'the last answer (If-None-Match, If-Modified-Since: a 304 costs nothing), never more often than `interval_minutes`. A permanent ' +
  'redirect (301, 308) updates `feed_url`, a temporary one does not. A failure (an error status, a network error, malformed XML) waits ' +
  'twice as long each time, with jitter, and at least what Retry-After says (429, 503); SOURCE_MAX_FAILURES failures in a row, or a 410, ' +
  'disable the source (`disabled_reason`). Each new item becomes a post through the feed importer with `source` and `canonical_url` ' +
  'crediting the original, keyed by the source and the item\'s id (guid, else link) so it is imported once across polls and restarts; ' +
  'an edited item updates its post only while the post is still a draft.'

/** Feed subscriptions (write:content): the feeds the poller imports from, and their poll history. */
const sourcesRoutes: FastifyPluginAsyncTypebox<{ repo: SourcesRepository, service: SourcesService }> = async (app, { repo, service }) => {
  const tags = ['Sources']

  app.get('/', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'listSources',
      tags,
      summary: 'List feed subscriptions',
      description: 'Needs `write:content`.',
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: listOf(Type.Ref('Source')), ...problemResponses(400, 401, 403) }
    }
  }, async (request, reply) => {
    const page = pageOf(request.query)
    return listPage(reply, request.url, { ...page, total: await repo.count() }, (await repo.list(page.perPage, page.offset)).map(toSource))
  })

  app.post('/', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'createSource',
      tags,
      summary: 'Subscribe to a feed',
      description: 'Needs `write:content`. The feed is fetched once first: a URL that is refused (a private address, a port other than 80 ' +
        'or 443, unless ALLOW_PRIVATE_TARGETS=true), unreachable, answers an error or is not a readable feed is a 422 that says why; ' +
        `ids that name nothing are a 422 too. An enabled source is polled at once. ${POLL_HELP}`,
      body: CreateSourceBody,
      response: { 201: Type.Object({ data: Type.Ref('Source') }), ...problemResponses(400, 401, 403, 415, 422) }
    }
  }, async (request, reply) => {
    const row = await service.create(request.body, request.log)
    reply.code(201).header('location', `/v1/sources/${row.id}`)
    return { data: toSource(row) }
  })

  app.get('/:id', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'getSource',
      tags,
      summary: 'Get a feed subscription',
      description: 'Needs `write:content`. With its poll state: `last_polled_at`, `next_poll_at`, `consecutive_failures`, `last_error`, `disabled_reason`.',
      params: IdParamsSchema,
      response: { 200: Type.Object({ data: Type.Ref('Source') }), ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request) => ({ data: toSource(await service.load(request.params.id)) }))

  app.patch('/:id', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'updateSource',
      tags,
      summary: 'Change a feed subscription',
      description: 'Needs `write:content`. A new `feed_url` is checked like on create. Enabling a disabled source (or a new URL) clears its ' +
        'failures and polls it at once. Posts already imported keep what they were given.',
      params: IdParamsSchema,
      body: UpdateSourceBody,
      response: { 200: Type.Object({ data: Type.Ref('Source') }), ...problemResponses(400, 401, 403, 404, 415, 422) }
    }
  }, async (request) => ({ data: toSource(await service.update(request.params.id, request.body, request.log)) }))

  app.delete('/:id', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'deleteSource',
      tags,
      summary: 'Unsubscribe from a feed',
      description: 'Needs `write:content`. Its poll history goes with it; the posts it imported stay.',
      params: IdParamsSchema,
      response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    await service.remove(request.params.id)
    return reply.code(204).send(null)
  })

  app.post('/:id/poll', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'pollSource',
      tags,
      summary: 'Poll a feed now',
      description: 'Needs `write:content`. Queues a poll for now and answers at once (202); `GET /v1/sources/{id}/runs` shows the result. A ' +
        'source backing off after failures (or told to wait by Retry-After) is polled when that wait ends, as `next_poll_at` says. A disabled source is a 409.',
      params: IdParamsSchema,
      response: { 202: Type.Object({ data: Type.Ref('Source') }), ...problemResponses(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => {
    const row = await service.pollNow(request.params.id)
    reply.code(202)
    return { data: toSource(row) }
  })

  app.get('/:id/runs', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'listSourceRuns',
      tags,
      summary: 'List the polls of a feed subscription',
      description: 'Needs `write:content`. Newest first: when, the HTTP status (304: unchanged), items seen, new, updated and skipped, how long it took and the error.',
      params: IdParamsSchema,
      querystring: ListRunsQuery,
      response: { 200: listOf(Type.Ref('SourceRun')), ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const source = await service.load(request.params.id)
    const page = pageOf(request.query)
    return listPage(reply, request.url, { ...page, total: await repo.countRuns(source.id) }, (await repo.runs(source.id, page.perPage, page.offset)).map(toSourceRun))
  })
}
export default sourcesRoutes
