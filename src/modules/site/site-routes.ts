import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { DateTimeSchema, problemResponses } from '../../schemas/common.js'
import type { SiteRow } from './site-repository.js'
import { FieldError } from '../../errors.js'

export const SiteSchema = Type.Object({
  title: Type.String({ examples: ['My Blog'] }),
  description: Type.String(),
  url: Type.String({ description: 'The public frontend (SITE_URL); configured, never taken from the request' }),
  language: Type.String({ description: 'BCP 47 language tag', examples: ['en'] }),
  timezone: Type.String({ description: 'IANA time zone for display', examples: ['Europe/London'] }),
  comments: Type.Object({
    enabled: Type.Boolean({ description: 'Whether the comment form should be shown at all' }),
    moderation: Type.Union([Type.Literal('all'), Type.Literal('first_time'), Type.Literal('none')], { description: 'all: every new comment waits as pending; first_time: a comment without links is approved at once when an approved comment has exactly the same author name and e-mail; none: approved at once' }),
    max_depth: Type.Integer({ minimum: 1, description: 'Deepest reply level allowed (1 = no replies)' }),
    max_links: Type.Integer({ minimum: 0, description: 'Links allowed in one comment' })
  }),
  feeds: Type.Object({ rss: Type.String(), atom: Type.String(), json: Type.String() }, { description: 'Absolute feed URLs on this API (PUBLIC_API_URL); never taken from the request' }),
  updated_at: DateTimeSchema
}, { $id: 'Site', title: 'Site' })
export type Site = Static<typeof SiteSchema>

/** Row → API site object. */
export function toSite (row: SiteRow, siteUrl: string, apiUrl: string): Site {
  return {
    title: row.title,
    description: row.description,
    url: siteUrl,
    language: row.language,
    timezone: row.timezone,
    comments: {
      enabled: row.comments_enabled === 1,
      moderation: row.comment_moderation,
      max_depth: row.comment_max_depth,
      max_links: row.comment_max_links
    },
    feeds: { rss: `${apiUrl}/feeds/rss.xml`, atom: `${apiUrl}/feeds/atom.xml`, json: `${apiUrl}/feeds/feed.json` },
    updated_at: new Date(row.updated_at).toISOString()
  }
}

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

function isTimeZone (tz: string): boolean {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone.length > 0
  } catch {
    return false
  }
}

/** GET /v1/site (public) and PATCH /v1/site (admin). */
const siteRoutes: FastifyPluginAsyncTypebox<{ siteUrl: string, apiUrl: string }> = async (app, opts) => {
  app.get('/', {
    config: { publicCache: true },
    schema: {
      operationId: 'getSite',
      tags: ['Site'],
      summary: 'Get the site settings',
      description: 'Site name, language and the comment settings a frontend needs to render its comment form.',
      response: { 200: Type.Object({ data: Type.Ref('Site') }), ...problemResponses(400) }
    }
  }, async () => {
    // Configured URLs only: the answer is cached by path, so nothing in it may come from the
    // request's Host or X-Forwarded-Host.
    return { data: toSite(app.repos.site.get(), opts.siteUrl, opts.apiUrl) }
  })

  app.patch('/', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'updateSite',
      tags: ['Site'],
      summary: 'Change the site settings',
      description: 'Needs `admin`. Send only what changes.',
      body: UpdateSiteBody,
      response: { 200: Type.Object({ data: Type.Ref('Site') }), ...problemResponses(400, 401, 403, 415) }
    }
  }, async (request) => {
    const tz = request.body.timezone
    if (tz !== undefined && !isTimeZone(tz)) {
      throw new FieldError([{ in: 'body', path: 'timezone', message: `"${tz}" is not an IANA time zone such as Europe/London` }])
    }
    app.writes.site.update(request.body)
    return { data: toSite(app.repos.site.get(), opts.siteUrl, opts.apiUrl) }
  })
}
export default siteRoutes
