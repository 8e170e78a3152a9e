import { Type, type Static, type TSchema } from 'typebox'
import { SLUG_PATTERN } from '../lib/slugify.js'
import { SeoSchema } from './seo.js'
import { FieldError } from '../errors.js'

// Shared schemas, each with a stable $id so the committed OpenAPI spec names them
// as components and diffs cleanly.

export const ProblemSchema = Type.Object({
  type: Type.String({ description: 'URI identifying the problem type', examples: ['https://broadsheet.dev/problems/not-found'] }),
  title: Type.String({ description: 'Short summary of the problem type', examples: ['Not Found'] }),
  status: Type.Integer({ description: 'HTTP status code', examples: [404] }),
  detail: Type.String({ description: 'What went wrong in this occurrence', examples: ['Post "no-such-post" not found'] }),
  instance: Type.Optional(Type.String({ description: 'The request path' })),
  code: Type.Optional(Type.String({ description: 'Stable machine-readable error code', examples: ['NOT_FOUND'] })),
  request_id: Type.Optional(Type.String({ description: 'Id of the request, also in the logs' })),
  errors: Type.Optional(Type.Array(Type.Object({
    in: Type.String({ description: 'Where the bad value is: query, params, body or headers' }),
    path: Type.String({ description: 'The field or parameter at fault (dot path for nested body fields)' }),
    message: Type.String()
  }), { description: 'Each bad field or parameter (validation failures)' })),
  accepted: Type.Optional(Type.Array(Type.String(), { description: 'The media types the operation reads (415 only; also in the Accept header)', examples: [['application/json']] })),
  current_etag: Type.Optional(Type.String({ description: 'The current ETag of the resource a stale If-Match named (412, and 409 on a revision restore; also in the ETag header)', examples: ['"p12.3.mi4x2k1c"'] }))
}, { $id: 'Problem', title: 'Problem', description: 'RFC 9457 problem details, sent as application/problem+json' })
export type Problem = Static<typeof ProblemSchema>

export const PaginationMetaSchema = Type.Object({
  page: Type.Integer({ minimum: 1 }),
  per_page: Type.Integer({ minimum: 1, maximum: 100 }),
  total: Type.Integer({ minimum: 0 }),
  total_pages: Type.Integer({ minimum: 0 })
}, { $id: 'PaginationMeta', title: 'PaginationMeta' })

export const ProblemRef = Type.Ref('Problem')

/** The error responses of an operation: each status maps to the shared Problem schema. */
export function problemResponses (...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, unknown> = {}
  const descriptions: Record<number, string> = {
    400: 'Invalid request: `errors` names each bad parameter or field',
    401: 'Missing or invalid bearer token',
    403: 'The key lacks the required scope, or the action is not allowed',
    404: 'Not found',
    409: 'Conflict with the current state (duplicate slug or comment, resource in use)',
    413: 'Body too large',
    414: 'A path parameter is longer than any id or slug can be',
    415: 'Unsupported content type',
    412: 'If-Match names no current ETag of the resource: `current_etag` (and the ETag header) gives the current one',
    422: 'Valid request that breaks a rule',
    429: 'Rate limited: retry after the Retry-After header',
    503: 'Not available now: saturated (retry after the Retry-After header), shutting down, or the database does not answer'
  }
  for (const status of statuses) {
    out[status] = {
      description: descriptions[status] ?? 'Error',
      content: { 'application/problem+json': { schema: Type.Ref('Problem') } }
    }
  }
  return out as Record<number, TSchema>
}

export const IdSchema = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Positive integer id' })
/** A writable slug: lowercase ASCII words joined by hyphens, never all digits (an all-digit ref is an id). */
export function slugSchema (description: string) {
  return Type.String({ pattern: SLUG_PATTERN, minLength: 1, maxLength: 120, description })
}
/**
 * A related resource in a write body: its id, or its slug, as reads take `{ref}`. A slug is
 * lowercase words joined by hyphens (never all digits), so the two never overlap.
 */
export function idOrSlugSchema (description: string) {
  return Type.Union([IdSchema, Type.String({ pattern: SLUG_PATTERN, minLength: 1, maxLength: 120, description: 'A slug' })], { description })
}
/** `{ref}`: an id or a slug, with an example of the resource's own (Try it out fills it in). */
export function refParamsSchema (example: string) {
  return Type.Object({
    ref: Type.String({ minLength: 1, maxLength: 200, description: 'The id or the slug', examples: [example] })
  }, { additionalProperties: false })
}
export const RefParamsSchema = refParamsSchema('blinken-warns-russia')
export const IdParamsSchema = Type.Object({
  id: IdSchema
}, { additionalProperties: false })

export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1, description: 'Page number, from 1' })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Items per page, 1–100' }))
}

export const DateTimeSchema = Type.String({ format: 'date-time', description: 'ISO 8601 UTC time', examples: ['2022-01-21T17:05:00.000Z'] })

/** A list response: `{ data: [...], meta: {...} }`. */
export function listOf<T extends TSchema> (item: T, meta: TSchema = Type.Ref('PaginationMeta')) {
  return Type.Object({ data: Type.Array(item), meta })
}

export const sharedSchemas = [ProblemSchema, PaginationMetaSchema, SeoSchema]

/**
 * A preValidation hook that refuses, by name, fields a resource shows but no write may set
 * (marked `readOnly` in its schema): `PATCH /v1/site {"url": …}` is a 400 saying `url` is
 * read-only and where it comes from, rather than "not a known field" about a field GET returns.
 * `fields` maps each read-only field to that explanation.
 */
export function refuseReadOnly (fields: Record<string, string>) {
  return async (request: { body: unknown }): Promise<void> => {
    const body = request.body
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return
    const errors = Object.keys(fields).filter((name) => Object.hasOwn(body, name))
      .map((name) => ({ in: 'body', path: name, message: `is read-only: ${fields[name]!}` }))
    if (errors.length > 0) throw new FieldError(errors)
  }
}
