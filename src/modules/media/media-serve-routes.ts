import { createReadStream } from 'node:fs'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { problemResponses } from '../../schemas/common.js'
import { NotFound } from '../../errors.js'
import type { MediaService } from './media-service.js'
import { FORMAT_MIME, IMAGE_TYPES, autoFormat, renderKey, renderSpec, servedSize, type ImageMime, type OutputFormat } from './media-images.js'
import { ServeParams, ServeQuery, type ServeQueryType } from './media-schemas.js'

export interface MediaServeOptions {
  service: MediaService
}

// The URL names the bytes (the filename carries a prefix of their hash, the query the render):
// a year, and never revalidated.
const IMMUTABLE = 'public, max-age=31536000, immutable'

/**
 * Serves library images at `/media/{id}/{filename}`: every answer a render (oriented, without
 * metadata), made on first request through the bounded render queue and then read from the
 * disk cache; ETag and 304; `Vary: Accept` for `format=auto`.
 */
const mediaServeRoutes: FastifyPluginAsyncTypebox<MediaServeOptions> = async (app, { service }) => {
  app.get('/:id/:filename', {
    schema: {
      operationId: 'getMediaFile',
      tags: ['Media'],
      summary: 'Get an image of the media library, resized and converted',
      description: 'Public. `w` and `h` snap up to the ladder 160, 320, 480, 640, 800, 1024, 1280, 1600, 1920, 2560 and never exceed the ' +
        'image (so one image has a bounded number of renders); `fit` applies when both are given; `format` converts (`auto`: AVIF or WebP ' +
        'as the `Accept` header allows, else the original\'s type, with `Vary: Accept`). Without a size, the image is served at most ' +
        '2560 px on either side. Answers are `Cache-Control: public, max-age=31536000, immutable` with an ETag. A filename other than ' +
        'the record\'s is a 404, so a URL always names the same bytes.',
      params: ServeParams,
      querystring: ServeQuery,
      produces: Object.values(FORMAT_MIME),
      response: {
        200: Type.String({ format: 'binary', description: 'The image' }),
        304: Type.Null({ description: 'Not modified (If-None-Match)' }),
        ...problemResponses(400, 404, 422, 503)
      }
    } as never
  }, async (request, reply) => {
    const { id, filename } = request.params as { id: number, filename: string }
    const query = request.query as ServeQueryType
    let row
    try {
      row = await service.get(id)
    } catch (err) {
      throw err instanceof NotFound ? new NotFound('Media file', `${id}/${filename}`) : err
    }
    if (row.filename !== filename) throw new NotFound('Media file', `${id}/${filename}`)
    const original = IMAGE_TYPES[row.mimeType as ImageMime].format as OutputFormat
    const format = query.format === 'auto' ? autoFormat(request.headers.accept, original) : (query.format ?? original)
    const spec = renderSpec(servedSize(row.width, row.height), query, format)
    // Strong: the same URL (and Accept, for auto) is always the same bytes.
    const etag = `"${row.sha256.slice(0, 16)}-${renderKey(spec)}"`
    reply.header('cache-control', IMMUTABLE).header('etag', etag)
    if (query.format === 'auto') reply.header('vary', 'Accept')
    const match = request.headers['if-none-match']
    if (match !== undefined && (match.trim() === '*' || match.split(',').some((t) => t.trim().replace(/^W\//, '') === etag))) {
      return reply.code(304).send()
    }
    const file = await service.render(row, spec)
    reply.header('content-type', FORMAT_MIME[spec.format]).header('content-length', String(file.bytes))
    return reply.send(createReadStream(file.path))
  })
}

export default mediaServeRoutes
