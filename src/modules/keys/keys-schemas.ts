import { Type } from 'typebox'
import { DateTimeSchema, IdSchema } from '../../schemas/common.js'
import { API_SCOPES } from '../../db/schema.js'

const PerMinute = Type.Union([Type.Integer({ minimum: 1, maximum: 1000000 }), Type.Null()], { description: 'Requests per minute the key may make, reads included (429 beyond); null: no limit' })
const PerDay = Type.Union([Type.Integer({ minimum: 1, maximum: 100000000 }), Type.Null()], { description: 'Requests per UTC day the key may make (429 beyond); null: no limit' })

const ScopeSchema = Type.Union(API_SCOPES.map((s) => Type.Literal(s)), { description: 'read:drafts, write:content, moderate:comments or admin (all of them plus keys, webhooks and site settings)' })

export const ApiKeySchema = Type.Object({
  id: IdSchema,
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the key, to tell keys apart' }),
  scopes: Type.Array(ScopeSchema),
  created_at: DateTimeSchema,
  last_used_at: Type.Union([DateTimeSchema, Type.Null()]),
  revoked_at: Type.Union([DateTimeSchema, Type.Null()]),
  rate_limit_per_minute: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'Requests per minute the key may make (reads included); null: no limit' }),
  rate_limit_per_day: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'Requests per UTC day the key may make; null: no limit' })
}, { $id: 'ApiKey', title: 'ApiKey', description: 'An API key. The key itself is shown once, when created.' })

export const CreateKeyBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, examples: ['newsroom-tool'] }),
  scopes: Type.Array(ScopeSchema, { minItems: 1, uniqueItems: true, examples: [['write:content']] }),
  rate_limit_per_minute: Type.Optional(PerMinute),
  rate_limit_per_day: Type.Optional(PerDay)
}, { additionalProperties: false, examples: [{ name: 'partner-mirror', scopes: ['read:drafts'], rate_limit_per_minute: 120, rate_limit_per_day: 50000 }] })

export const UpdateKeyBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  rate_limit_per_minute: Type.Optional(PerMinute),
  rate_limit_per_day: Type.Optional(PerDay)
}, { additionalProperties: false, minProperties: 1, examples: [{ rate_limit_per_minute: 60 }, { rate_limit_per_day: null }] })

export const KeyUsageSchema = Type.Object({
  key_id: IdSchema,
  last_used_at: Type.Union([DateTimeSchema, Type.Null()], { description: 'Updated at most once a minute' }),
  rate_limit_per_minute: Type.Union([Type.Integer(), Type.Null()]),
  rate_limit_per_day: Type.Union([Type.Integer(), Type.Null()]),
  days: Type.Array(Type.Object({
    date: Type.String({ format: 'date', description: 'A UTC day', examples: ['2026-11-30'] }),
    requests: Type.Integer({ minimum: 0, description: 'Requests answered (any status but the quota\'s 429)' }),
    rate_limited: Type.Integer({ minimum: 0, description: 'Requests refused with a 429 for the key\'s quota' })
  }), { description: 'The last 30 UTC days, oldest first, today last; days without requests are zeros' }),
  totals: Type.Object({ requests: Type.Integer({ minimum: 0 }), rate_limited: Type.Integer({ minimum: 0 }) })
}, { $id: 'KeyUsage', title: 'KeyUsage', description: 'What an API key was used for, per day' })

/** The schemas with an $id this module adds. */
export const keySchemas = [ApiKeySchema, KeyUsageSchema]
