import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { IdParamsSchema, PageQuery, listOf, problemResponses } from '../../schemas/common.js'
import { listPage, pageOf } from '../../lib/pagination.js'
import type { WebhooksRepository } from './webhooks-repository.js'
import type { WebhooksService } from './webhooks-service.js'
import { toDelivery, toWebhook } from './webhooks-mapper.js'
import { CreateWebhookBody, DeliveryParams, ListDeliveriesQuery, RotateSecretBody, UpdateWebhookBody, type RotateSecretBodyType } from './webhooks-schemas.js'

const SIGNATURE_HELP = 'Each delivery is a JSON `POST` of `{ id, event, created_at, data }` with the headers `X-Broadsheet-Event`, ' +
  '`X-Broadsheet-Delivery` (the delivery `id`, as in the payload and the delivery log) and ' +
  '`X-Broadsheet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>` (during a secret rotation a second `v1=`, ' +
  'signed with the previous secret). Refuse a `t` older than a few minutes (replays) and compare in constant time. ' +
  'Answer with a 2xx within the timeout; anything else is retried with exponential backoff (first retry after a few seconds) until ' +
  'WEBHOOK_MAX_ATTEMPTS attempts.'

/** Webhook subscriptions and their delivery log (admin). */
const webhooksRoutes: FastifyPluginAsyncTypebox<{ repo: WebhooksRepository, service: WebhooksService }> = async (app, { repo, service }) => {
  const tags = ['Webhooks']

  app.get('/', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'listWebhooks',
      tags,
      summary: 'List webhooks',
      description: 'Needs `admin`. Secrets are never shown.',
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: listOf(Type.Ref('Webhook')), ...problemResponses(400, 401, 403) }
    }
  }, async (request, reply) => {
    const page = pageOf(request.query)
    const [total, rows] = await Promise.all([repo.count(), repo.list(page.perPage, page.offset)])
    return listPage(reply, request.url, { ...page, total }, rows.map(toWebhook))
  })

  app.post('/', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'createWebhook',
      tags,
      summary: 'Create a webhook',
      description: `Needs \`admin\`. ${SIGNATURE_HELP} The answer holds the secret in \`data.secret\`, the only time it is shown. ` +
        'A URL on a port other than 80 or 443, or whose host is not a public internet address (loopback, private, link-local, metadata, reserved), ' +
        'is a 422 unless the server runs with ALLOW_PRIVATE_TARGETS=true.',
      body: CreateWebhookBody,
      response: {
        201: Type.Object({ data: Type.Intersect([Type.Ref('Webhook'), Type.Object({ secret: Type.String({ description: 'The signing secret, shown once', examples: ['whsec_3q2-7…'] }) })]) }),
        ...problemResponses(400, 401, 403, 415, 422)
      }
    }
  }, async (request, reply) => {
    const { row, secret } = await service.create(request.body, request.log)
    reply.code(201).header('location', `/v1/webhooks/${row.id}`)
    return { data: { ...toWebhook(row), secret } }
  })

  app.get('/:id', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'getWebhook',
      tags,
      summary: 'Get a webhook',
      description: 'Needs `admin`. The secret is not shown.',
      params: IdParamsSchema,
      response: { 200: Type.Object({ data: Type.Ref('Webhook') }), ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request) => ({ data: toWebhook(await service.load(request.params.id)) }))

  app.patch('/:id', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'updateWebhook',
      tags,
      summary: 'Change a webhook',
      description: 'Needs `admin`. Change the URL (checked like on create), events, description, `active` (pause or resume) or replace the `secret` ' +
        'at once (used from the next attempt on, the old one stops signing now; not shown in the answer). To change secrets without ' +
        'refusing deliveries while the receiver switches, use `POST /v1/webhooks/{id}/rotate-secret`.',
      params: IdParamsSchema,
      body: UpdateWebhookBody,
      response: { 200: Type.Object({ data: Type.Ref('Webhook') }), ...problemResponses(400, 401, 403, 404, 415, 422) }
    }
  }, async (request) => {
    return { data: toWebhook(await service.update(request.params.id, request.body, request.log)) }
  })

  app.post('/:id/rotate-secret', {
    config: { scope: 'admin' },
    // The body is optional: a bare POST rotates to a generated secret with the default grace time.
    preValidation: async (request) => {
      request.body ??= {}
    },
    schema: {
      operationId: 'rotateWebhookSecret',
      tags,
      summary: 'Rotate the signing secret of a webhook',
      description: 'Needs `admin`. Makes a new secret (or takes the one given) and answers it in `data.secret`, the only time it is shown. ' +
        'The previous secret keeps signing beside it until `previous_secret_expires_at` (`grace_seconds`, by default ' +
        'WEBHOOK_SECRET_GRACE_SECONDS: a day): each delivery then carries two `v1=` signatures, the new one first, so a receiver can ' +
        'switch to the new secret at any time in between without refusing a delivery. Rotating again within the grace time drops the older one.',
      params: IdParamsSchema,
      body: RotateSecretBody,
      response: {
        200: Type.Object({ data: Type.Intersect([Type.Ref('Webhook'), Type.Object({ secret: Type.String({ description: 'The new signing secret, shown once', examples: ['whsec_3q2-7…'] }) })]) }),
        ...problemResponses(400, 401, 403, 404, 415)
      }
    }
  }, async (request) => {
    const { row, secret } = await service.rotateSecret(request.params.id, request.body as RotateSecretBodyType)
    return { data: { ...toWebhook(row), secret } }
  })

  app.delete('/:id', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'deleteWebhook',
      tags,
      summary: 'Delete a webhook',
      description: 'Needs `admin`. Its queued deliveries and delivery log go with it.',
      params: IdParamsSchema,
      response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    await service.remove(request.params.id)
    return reply.code(204).send(null)
  })

  app.get('/:id/deliveries', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'listWebhookDeliveries',
      tags,
      summary: 'List the deliveries of a webhook',
      description: 'Needs `admin`. The delivery log, newest first: event, status, attempts, the last status code and error, and times.',
      params: IdParamsSchema,
      querystring: ListDeliveriesQuery,
      response: { 200: listOf(Type.Ref('WebhookDelivery')), ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const hook = await service.load(request.params.id)
    const page = pageOf(request.query)
    const { status } = request.query
    const [total, rows] = await Promise.all([repo.countDeliveries(hook.id, status), repo.deliveries(hook.id, status, page.perPage, page.offset)])
    return listPage(reply, request.url, { ...page, total }, rows.map(toDelivery))
  })

  app.post('/:id/deliveries/:delivery_id/retry', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'retryWebhookDelivery',
      tags,
      summary: 'Send a delivery again',
      description: 'Needs `admin`. Puts a failed (or succeeded) delivery back in the queue with a fresh retry schedule; it is sent within seconds ' +
        'with the same payload and `X-Broadsheet-Delivery`, signed anew (a new `t`) with the current secret. A delivery still pending is a 409.',
      params: DeliveryParams,
      response: { 202: Type.Object({ data: Type.Ref('WebhookDelivery') }), ...problemResponses(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => {
    const delivery = await service.retry(request.params.id, request.params.delivery_id)
    reply.code(202)
    return { data: toDelivery(delivery) }
  })
}
export default webhooksRoutes
