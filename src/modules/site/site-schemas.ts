import { Type, type Static } from 'typebox'
import { DateTimeSchema } from '../../schemas/common.js'

export const SiteSchema = Type.Object({
  title: Type.String({ examples: ['My Blog'] }),
  description: Type.String(),
  url: Type.String({ readOnly: true, description: 'The public frontend (SITE_URL); configured, never taken from the request. Read-only: set SITE_URL' }),
  language: Type.String({ description: 'BCP 47 language tag', examples: ['en'] }),
  timezone: Type.String({ description: 'IANA time zone for display', examples: ['Europe/London'] }),
  comments: Type.Object({
    enabled: Type.Boolean({ description: 'Whether the comment form should be shown at all' }),
    moderation: Type.Union([Type.Literal('all'), Type.Literal('first_time'), Type.Literal('none')], { description: 'all: every new comment waits as pending; first_time: a comment without links is approved at once when an approved comment has exactly the same author name and e-mail; none: approved at once' }),
    max_depth: Type.Integer({ minimum: 1, description: 'Deepest reply level allowed (1 = no replies)' }),
    max_links: Type.Integer({ minimum: 0, description: 'Links allowed in one comment' })
  }),
  feeds: Type.Object({ rss: Type.String(), atom: Type.String(), json: Type.String() }, { readOnly: true, description: 'Absolute feed URLs on this API (PUBLIC_API_URL); never taken from the request. Read-only' }),
  updated_at: Type.String({ ...DateTimeSchema, readOnly: true, description: 'When the settings last changed. Read-only' })
}, { $id: 'Site', title: 'Site' })
export type Site = Static<typeof SiteSchema>

export const UpdateSiteBody = Type.Object({
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  language: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', description: 'BCP 47 tag such as en or pt-BR' })),
  timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone such as Europe/London' })),
  comments: Type.Optional(Type.Object({
    enabled: Type.Optional(Type.Boolean()),
    moderation: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('first_time'), Type.Literal('none')])),
    max_depth: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
    max_links: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 }))
  }, { additionalProperties: false, minProperties: 1 }))
}, { additionalProperties: false, minProperties: 1, examples: [{ title: 'My Blog', comments: { moderation: 'first_time' } }] })
export type UpdateSiteBodyType = Static<typeof UpdateSiteBody>

/** Fields GET /v1/site shows that PATCH refuses by name (400), with where they come from. */
export const SITE_READ_ONLY = {
  url: 'it is SITE_URL, set in the server\'s environment',
  feeds: 'the feed URLs are derived from PUBLIC_API_URL, set in the server\'s environment',
  updated_at: 'it is set by the server on each change'
}

/** The schemas with an $id this module adds. */
export const siteSchemas = [SiteSchema]
