import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { DateTimeSchema, problemResponses } from '../../schemas/common.js'
import type { SiteRow } from './site-repository.js'

export const SiteSchema = Type.Object({
  title: Type.String({ examples: ['My Blog'] }),
  description: Type.String(),
  url: Type.String({ description: 'The public frontend (SITE_URL)' }),
  language: Type.String({ description: 'BCP 47 language tag', examples: ['en'] }),
  timezone: Type.String({ description: 'IANA time zone for display', examples: ['Europe/London'] }),
  comments: Type.Object({
    enabled: Type.Boolean({ description: 'Whether the comment form should be shown at all' }),
    moderation: Type.Union([Type.Literal('all'), Type.Literal('first_time'), Type.Literal('none')], { description: 'all: every new comment waits as pending; first_time: authors with an earlier approved comment are approved at once; none: approved at once' }),
    max_depth: Type.Integer({ minimum: 1, description: 'Deepest reply level allowed (1 = no replies)' }),
    max_links: Type.Integer({ minimum: 0, description: 'Links allowed in one comment' })
  }),
  feeds: Type.Object({ rss: Type.String(), atom: Type.String(), json: Type.String() }, { description: 'Absolute feed URLs (on this API)' }),
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

/** GET /v1/site. */
const siteRoutes: FastifyPluginAsyncTypebox<{ siteUrl: string }> = async (app, opts) => {
  app.get('/', {
    config: { publicCache: true },
    schema: {
      operationId: 'getSite',
      tags: ['Site'],
      summary: 'Get the site settings',
      description: 'Site name, language and the comment settings a frontend needs to render its comment form.',
      response: { 200: Type.Object({ data: Type.Ref('Site') }), ...problemResponses(400) }
    }
  }, async (request) => {
    const apiUrl = `${request.protocol}://${request.host}`
    return { data: toSite(app.repos.site.get(), opts.siteUrl, apiUrl) }
  })
}
export default siteRoutes
