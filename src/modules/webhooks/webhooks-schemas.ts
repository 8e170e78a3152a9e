import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema, PageQuery } from '../../schemas/common.js'
import { WEBHOOK_EVENTS } from '../../db/schema.js'

const EventSchema = Type.Enum(WEBHOOK_EVENTS, {
  description: 'post.published (a post became public, including a scheduled post at its time), post.updated (a public post changed), ' +
    'post.unpublished (back to draft, archived or rescheduled), post.deleted, comment.created (a new comment, pending or approved; never spam), ' +
    'comment.approved (a comment became visible); category., tag. and author.created (the term became public: its first live post), ' +
    '.updated (a public term was changed), .deleted (deleted, or no longer public: its last live post went); site.updated (the site settings changed); ' +
    'page.published, page.updated, page.unpublished, page.deleted (as for posts, by the status of the page itself; the go-live of a scheduled page is not sent)'
})

const WebhookUrl = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: 'http(s) URL that receives the POSTs, on port 80 or 443 with a public internet address (loopback, private, link-local, metadata and reserved ones are refused) unless ALLOW_PRIVATE_TARGETS=true',
  examples: ['https://partner.example.com/hooks/broadsheet']
})

const Secret = Type.String({
  minLength: 16,
  maxLength: 200,
  description: 'Key of the HMAC-SHA256 signature; generated when absent. Shown only in the create response.'
})

export const WebhookSchema = Type.Object({
  id: IdSchema,
  url: Type.String(),
  events: Type.Array(EventSchema),
  description: Type.String(),
  active: Type.Boolean({ description: 'An inactive webhook gets no new events; deliveries queued before it was paused wait until it is active again' }),
  previous_secret_expires_at: Type.Union([DateTimeSchema, Type.Null()], {
    description: 'After a secret rotation: until when the previous secret still signs deliveries (a second v1= in X-Broadsheet-Signature); null when only the current secret signs'
  }),
  created_at: DateTimeSchema,
  updated_at: DateTimeSchema
}, { $id: 'Webhook', title: 'Webhook', description: 'A subscription to content events. The secret is never shown after creation.' })
export type Webhook = Static<typeof WebhookSchema>

export const WebhookDeliverySchema = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The delivery id: also the payload `id` and the X-Broadsheet-Delivery header, the same on every attempt', examples: [17] }),
  webhook_id: IdSchema,
  event: EventSchema,
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')], {
    description: 'pending: queued or being retried; succeeded: a 2xx answer; failed: every attempt failed'
  }),
  attempts: Type.Integer({ minimum: 0, description: 'Attempts made (since the last manual retry)' }),
  next_attempt_at: Type.Union([DateTimeSchema, Type.Null()], { description: 'When a pending delivery is tried next' }),
  last_status_code: Type.Union([Type.Integer(), Type.Null()], { description: 'HTTP status of the last answer; null when there was none' }),
  last_error: Type.Union([Type.String(), Type.Null()], { description: 'Why the last attempt failed (status and the start of the answer, or a network error)' }),
  created_at: DateTimeSchema,
  updated_at: DateTimeSchema,
  delivered_at: Type.Union([DateTimeSchema, Type.Null()], { description: 'When a 2xx answer arrived' })
}, { $id: 'WebhookDelivery', title: 'WebhookDelivery', description: 'One event sent (or to be sent) to one webhook.' })
export type WebhookDelivery = Static<typeof WebhookDeliverySchema>

export const CreateWebhookBody = Type.Object({
  url: WebhookUrl,
  events: Type.Array(EventSchema, { minItems: 1, uniqueItems: true }),
  secret: Type.Optional(Secret),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  active: Type.Optional(Type.Boolean({ default: true }))
}, {
  additionalProperties: false,
  examples: [{ url: 'https://partner.example.com/hooks/broadsheet', events: ['post.published', 'post.updated', 'post.deleted'], secret: 'a-long-random-shared-secret', description: 'Partner mirror' }]
})
export type CreateWebhookBodyType = Static<typeof CreateWebhookBody>

export const UpdateWebhookBody = Type.Object({
  url: Type.Optional(WebhookUrl),
  events: Type.Optional(Type.Array(EventSchema, { minItems: 1, uniqueItems: true })),
  secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200, description: 'A new signing secret that replaces the current one at once (the old one stops signing now: use it for a leaked secret; POST …/rotate-secret rotates with a grace period); not shown in the answer' })),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  active: Type.Optional(Type.Boolean())
}, { additionalProperties: false, minProperties: 1, examples: [{ active: false }, { events: ['post.published'] }] })
export type UpdateWebhookBodyType = Static<typeof UpdateWebhookBody>

export const RotateSecretBody = Type.Object({
  secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200, description: 'The new secret; generated when absent' })),
  grace_seconds: Type.Optional(Type.Integer({
    minimum: 0,
    maximum: 2592000,
    description: 'How long the previous secret keeps signing beside the new one (0: it stops at once); WEBHOOK_SECRET_GRACE_SECONDS (a day) by default'
  }))
}, { additionalProperties: false, examples: [{}, { grace_seconds: 3600 }] })
export type RotateSecretBodyType = Static<typeof RotateSecretBody>

export const ListDeliveriesQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')], { description: 'Only deliveries in this state' }))
}, { additionalProperties: false })

export const DeliveryParams = Type.Object({
  id: IdSchema,
  delivery_id: IdSchema
}, { additionalProperties: false })

/** The schemas with an $id this module adds. */
export const webhookSchemas = [WebhookSchema, WebhookDeliverySchema]
