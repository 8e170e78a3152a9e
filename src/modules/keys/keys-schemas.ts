import { Type } from 'typebox'
import { DateTimeSchema, IdSchema } from '../../schemas/common.js'
import { API_SCOPES } from '../../db/schema.js'

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

export const CreateKeyBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, examples: ['newsroom-tool'] }),
  scopes: Type.Array(ScopeSchema, { minItems: 1, uniqueItems: true, examples: [['write:content']] })
}, { additionalProperties: false })

/** The schemas with an $id this module adds. */
export const keySchemas = [ApiKeySchema]
