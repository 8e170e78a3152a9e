import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { problemResponses } from '../../schemas/common.js'
import type { ExportRepository } from './export-repository.js'
import { exportFileName, writeWxr } from './export-wxr.js'

export interface ExportRoutesOptions {
  repo: ExportRepository
  siteUrl: string
}

const WXR_TYPE = 'application/rss+xml'

/** GET /v1/export: the whole site as a WordPress export, streamed. */
const exportRoutes: FastifyPluginAsyncTypebox<ExportRoutesOptions> = async (app, opts) => {
  app.get('/', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'exportWxr',
      tags: ['Export'],
      summary: 'Export the site as a WordPress file (WXR 1.2)',
      description: 'Needs `admin`. The whole site as WordPress eXtended RSS 1.2, streamed as it is read (no size limit, nothing held in memory): ' +
        'authors, the category tree, tags, every post whatever its status (drafts, scheduled, archived ones as `private` with ' +
        '`_broadsheet_status`), its categories and tags, co-authors (as Co-Authors Plus `author` terms, in byline order), featured image ' +
        '(as an attachment), SEO fields (as Yoast SEO post meta), source attribution and canonical URL (post meta), old WordPress address ' +
        '(`<link>`), and its comment thread with every status; then every page with its parent, menu order, featured image, SEO fields ' +
        'and canonical URL; and the site\'s two menus as nav menus named Primary and Secondary. WordPress → Tools → Import → WordPress ' +
        'reads it, and so does `POST /v1/imports/wxr`: importing it into an empty Broadsheet gives back the same posts, pages, terms, ' +
        'authors, bylines, SEO fields, comments and menus. Not exported: site settings, media library entries other than featured ' +
        'images, and commenters\' addresses (never stored). ' +
        'The file is read a post at a time, not as one snapshot: a post written during the export may or may not be in it, never twice. ' +
        'Same as `npm run cli -- export wxr FILE`.',
      produces: [WXR_TYPE],
      querystring: Type.Object({}, { additionalProperties: false }),
      response: {
        200: {
          description: 'The export, as an attachment named like WordPress\'s (`<site>.wordpress.<date>.xml`)',
          headers: { 'content-disposition': { type: 'string', description: 'attachment; filename="…"', examples: ['attachment; filename="the-harbour-gazette.wordpress.2026-11-30.xml"'] } },
          content: { [WXR_TYPE]: { schema: Type.String({ description: 'A WXR 1.2 document', examples: ['<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" …><channel>…</channel></rss>'] }) } }
        },
        ...problemResponses(400, 401, 403)
      }
    }
  }, async (_request, reply) => {
    const now = Date.now()
    const title = (await opts.repo.site())?.title ?? ''
    reply.type(`${WXR_TYPE}; charset=utf-8`)
      .header('content-disposition', `attachment; filename="${exportFileName(title, now)}"`)
      .header('cache-control', 'no-store')
    // The 200 schema documents the document; what is sent is its stream.
    return reply.send(Readable.from(writeWxr(opts.repo, { siteUrl: opts.siteUrl, now })) as never)
  })
}
export default exportRoutes
