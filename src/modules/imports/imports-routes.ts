import type { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { problemResponses } from '../../schemas/common.js'
import { createValidatorCompiler } from '../../plugins/validation.js'
import { UnsupportedImportType } from './imports-errors.js'
import { BodyTooLarge, FEED_MAX_BYTES, FEED_MEDIA_TYPES, WXR_MEDIA_TYPES, createImportService, fetchFeed, limitBytes } from './imports-service.js'
import { ImportFeedBody, ImportFeedQuery, type ImportSummary } from './imports-schemas.js'

export interface ImportsRoutesOptions {
  allowPrivate: boolean
  iframeHosts: string[]
  siteUrl: string
  /** Largest WXR body accepted, in bytes. */
  wxrMaxBytes: number
}

const SummaryResponse = Type.Object({ data: Type.Ref('ImportSummary') })
const tags = ['Imports']

const XmlDocument = (description: string) => ({ schema: { type: 'string', description } })

/**
 * WordPress and feed imports (`write:content`). The WXR body is streamed straight from the
 * socket into the parser, so memory stays flat however large the export is; feeds are
 * small and read whole.
 */
const importsRoutes: FastifyPluginAsyncTypebox<ImportsRoutesOptions> = async (app, opts) => {
  const importer = createImportService(app.db, app.writes, { iframeHosts: opts.iframeHosts })
  const compile = createValidatorCompiler()

  await app.register(async (wxr) => {
    // The raw request stream is the body: the handler reads it after auth has passed.
    wxr.addContentTypeParser(WXR_MEDIA_TYPES, (_request, payload, done) => { done(null, payload) })

    wxr.post('/wxr', {
      config: { scope: 'write:content' },
      // The body is a stream, not a string: only the query and headers are validated here.
      validatorCompiler: () => () => true,
      schema: {
        operationId: 'importWxr',
        tags,
        summary: 'Import a WordPress export (WXR)',
        description: 'Needs `write:content`. Send the file from WordPress → Tools → Export as the body (`application/xml` or `text/xml`, ' +
          `up to ${Math.round(opts.wxrMaxBytes / 1048576)} MB; WXR 1.0–1.2). Authors, the category tree, tags, posts and their comment ` +
          'threads are imported; pages, menus and other post types are counted under `ignored`, attachments serve as featured images. ' +
          'Every item is its own transaction: a bad item is listed under `skipped` with the reason and the rest goes on. Importing the ' +
          'same file again updates what changed and never duplicates (posts are keyed by their WordPress guid, comments by their id). ' +
          'A body that is not a readable export at all is a 422; a file broken part-way answers 200 with what was read and a warning.',
        consumes: WXR_MEDIA_TYPES,
        body: { content: Object.fromEntries(WXR_MEDIA_TYPES.map((t) => [t, XmlDocument('A WordPress eXtended RSS export')])) } as never,
        response: { 200: SummaryResponse, ...problemResponses(400, 401, 403, 413, 415, 422) }
      }
    }, async (request) => {
      // Content types parsed elsewhere in the app (JSON, text) arrive here already parsed.
      const stream = request.body as Readable | undefined
      if (stream === undefined || stream === null || typeof (stream as Readable).pipe !== 'function') {
        throw new UnsupportedImportType(`Send the export as ${WXR_MEDIA_TYPES.join(', ')}`)
      }
      const declared = Number(request.headers['content-length'])
      if (Number.isFinite(declared) && declared > opts.wxrMaxBytes) {
        throw new BodyTooLarge(`The export is ${declared} bytes; at most ${opts.wxrMaxBytes} are accepted`)
      }
      const summary: ImportSummary = await importer.wxr(limitBytes(stream, opts.wxrMaxBytes))
      return { data: summary }
    })
  })

  await app.register(async (feed) => {
    feed.addContentTypeParser(FEED_MEDIA_TYPES, { parseAs: 'buffer', bodyLimit: FEED_MAX_BYTES }, (_request, body, done) => { done(null, body) })

    feed.post('/feed', {
      config: { scope: 'write:content' },
      // Feed documents arrive as bytes (their encoding is sniffed later); only the JSON request is checked.
      validatorCompiler: (route) => route.httpPart === 'body' && (route as { contentType?: string }).contentType !== 'application/json' ? () => true : compile(route),
      schema: {
        operationId: 'importFeed',
        tags,
        summary: 'Import an RSS, Atom or JSON feed',
        description: 'Needs `write:content`. Either `{ "url": "…", "status": "draft" }` as JSON — the feed is fetched (10 s, ' +
          `${FEED_MAX_BYTES / 1048576} MB, 3 redirects; loopback and private networks refused unless ALLOW_PRIVATE_TARGETS) — or the feed ` +
          'itself as the body (RSS 0.9x/2.0, RDF, Atom 1.0 as XML; JSON Feed 1.0/1.1 as `application/feed+json`) with `?status=` and ' +
          '`?source_url=`. Each item becomes a post with `source` and `canonical_url` pointing at the original, `draft` unless told ' +
          'otherwise, credited to an author named after the feed unless the item names one. Re-importing updates instead of duplicating ' +
          '(items are keyed by the feed and their id or link).',
        querystring: ImportFeedQuery,
        body: {
          content: {
            'application/json': { schema: ImportFeedBody },
            ...Object.fromEntries(FEED_MEDIA_TYPES.map((t) => [t, XmlDocument('The feed document')]))
          }
        } as never,
        response: { 200: SummaryResponse, ...problemResponses(400, 401, 403, 413, 415, 422) }
      }
    }, async (request) => {
      const query = request.query as Static<typeof ImportFeedQuery>
      const body = request.body as Buffer | { url: string, status?: 'draft' | 'published' }
      if (Buffer.isBuffer(body)) {
        const summary = await importer.feed(body, {
          contentType: request.headers['content-type'],
          sourceUrl: query.source_url,
          status: query.status ?? 'draft'
        })
        return { data: summary }
      }
      const fetched = await fetchFeed(body.url, { allowPrivate: opts.allowPrivate })
      const summary = await importer.feed(fetched.bytes, {
        contentType: fetched.contentType,
        sourceUrl: body.url,
        finalUrl: fetched.url,
        status: body.status ?? query.status ?? 'draft'
      })
      return { data: summary }
    })
  })
}

export default importsRoutes
