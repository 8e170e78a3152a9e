import type { FastifySchemaCompiler } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import multipart from '@fastify/multipart'
import { Type, type Static } from 'typebox'
import { IdParamsSchema, listOf, problemResponses } from '../../schemas/common.js'
import { FieldError, MediaTooLarge, withHeaders } from '../../errors.js'
import { cursorListPage } from '../../lib/pagination.js'
import { decodeCursor, encodeCursor } from '../../lib/cursor.js'
import { InvalidCursor } from '../../errors.js'
import type { MediaService, Received } from './media-service.js'
import type { MediaUrls } from './media-mapper.js'
import type { MediaMeta } from './media-repository.js'
import { ACCEPTED_MIME_TYPES } from './media-images.js'
import {
  DeleteMediaQuery, FIELD_MAX, ListMediaQuery, MediaEnvelope, MediaListMeta, PatchMediaBody, UPLOAD_FIELDS, UploadForm,
  type ListMediaQueryType, type PatchMediaBodyType
} from './media-schemas.js'

export interface MediaRoutesOptions {
  service: MediaService
  urls: MediaUrls
  /** MEDIA_MAX_BYTES. */
  maxBytes: number
  /** The app's request validators: the upload route uses them for all but its body, a stream read by the handler. */
  validatorCompiler: FastifySchemaCompiler<unknown>
}

/**
 * The parts of a multipart body; a body the multipart parser cannot read at all (no boundary,
 * not multipart inside) is the client's mistake, a 400 naming it, never a 500.
 */
async function * unreadableAs400<T> (parts: AsyncIterable<T>): AsyncGenerator<T> {
  const it = parts[Symbol.asyncIterator]()
  for (;;) {
    let next: IteratorResult<T>
    try {
      next = await it.next()
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode
      if (status !== undefined && status < 500) throw err
      throw new FieldError([{ in: 'body', path: 'body', message: `is not a readable multipart/form-data body (${(err as Error).message})` }])
    }
    if (next.done === true) return
    yield next.value
  }
}

const tags = ['Media']
const MULTIPART = 'multipart/form-data'
// A multipart body is the file plus a few short fields and the part headers: a request that
// declares more than this over the file limit is refused before a byte is read.
const FORM_OVERHEAD = 64 * 1024

/** The media library API (`write:content`): upload, list, read, change and delete. */
const mediaRoutes: FastifyPluginAsyncTypebox<MediaRoutesOptions> = async (app, opts) => {
  const { service, urls, validatorCompiler: compile } = opts

  await app.register(async (upload) => {
    // Parts are read one by one by the handler: the file is streamed to disk, never buffered whole.
    await upload.register(multipart, { throwFileSizeLimit: false })

    upload.post('/', {
      config: { scope: 'write:content' },
      validatorCompiler: (route) => route.httpPart === 'body' ? () => true : compile(route),
      schema: {
        operationId: 'uploadMedia',
        tags,
        summary: 'Upload an image',
        description: 'Needs `write:content`. A `multipart/form-data` form with `file` and optional `title`, `alt`, `caption`, `credit`. ' +
          `The type is read from the file's bytes, not its name or declared type: ${ACCEPTED_MIME_TYPES.join(', ')} are accepted, anything else ` +
          '(SVG, PDF, HEIC, …) is a 415 naming them. A file over MEDIA_MAX_BYTES is a 413 the moment it passes the limit; an image over ' +
          'MEDIA_MAX_PIXELS, or one that does not decode, a 422. Nothing is stored unless all is well. The answer is the record with its ' +
          'URL, size, ready-made WebP and AVIF `variants` and a `srcset`. Every served image is oriented and stripped of EXIF/GPS metadata.',
        consumes: [MULTIPART],
        body: { content: { [MULTIPART]: { schema: UploadForm } } } as never,
        response: { 201: MediaEnvelope, ...problemResponses(400, 401, 403, 413, 415, 422) }
      }
    }, async (request, reply) => {
      const declared = Number(request.headers['content-length'])
      if (Number.isFinite(declared) && declared > opts.maxBytes + FORM_OVERHEAD) {
        throw withHeaders(new MediaTooLarge(opts.maxBytes), { connection: 'close' })
      }
      const meta: MediaMeta = { title: '', alt: '', caption: '', credit: '' }
      let received: Received | undefined
      try {
        const parts = request.parts({ limits: { fileSize: opts.maxBytes + 1, files: 1, fields: UPLOAD_FIELDS.length, fieldSize: 4000, parts: UPLOAD_FIELDS.length + 1 } })
        for await (const part of unreadableAs400(parts)) {
          if (part.type === 'file') {
            if (part.fieldname !== 'file') {
              part.file.resume()
              throw new FieldError([{ in: 'body', path: part.fieldname, message: 'is not a file field of the upload: send the image as `file`' }])
            }
            received = await service.receive({ stream: part.file, filename: part.filename, truncated: () => part.file.truncated })
          } else {
            const name = part.fieldname as typeof UPLOAD_FIELDS[number]
            if (!UPLOAD_FIELDS.includes(name)) {
              throw new FieldError([{ in: 'body', path: part.fieldname, message: `is not a field of the upload: send file, ${UPLOAD_FIELDS.join(', ')}` }])
            }
            const value = String(part.value)
            if (value.length > FIELD_MAX[name] || part.valueTruncated) {
              throw new FieldError([{ in: 'body', path: name, message: `must be at most ${FIELD_MAX[name]} characters` }])
            }
            // The rule of every other body (plugins/validation.ts): PostgreSQL text cannot hold NUL.
            if (value.includes('\u0000')) throw new FieldError([{ in: 'body', path: name, message: 'must not contain the NUL character (U+0000)' }])
            meta[name] = value
          }
        }
        if (received === undefined) throw new FieldError([{ in: 'body', path: 'file', message: 'is required: the image to upload' }])
        const row = await service.store(received, meta)
        received = undefined
        reply.code(201).header('location', `/v1/media/${row.id}`)
        return { data: urls.toMedia(row) }
      } finally {
        if (received !== undefined) await service.discard(received)
      }
    })
  })

  app.get('/', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'listMedia',
      tags,
      summary: 'List the media library',
      description: 'Needs `write:content`. Newest first, by cursor: pass `meta.next_cursor` as `cursor` for the next page. ' +
        '`type` filters by type or family, `created_after`/`created_before` by upload time.',
      querystring: ListMediaQuery,
      response: { 200: listOf(Type.Ref('Media'), MediaListMeta), ...problemResponses(400, 401, 403) }
    }
  }, async (request, reply) => {
    const query = request.query as ListMediaQueryType
    const perPage = query.per_page ?? 20
    let at: { createdAt: number, id: number } | undefined
    if (query.cursor !== undefined) {
      const c = decodeCursor(query.cursor)
      // Upload times are whole milliseconds: any other value was never given out.
      if (c === null || c.sort !== 'media' || typeof c.value !== 'number' || !Number.isSafeInteger(c.value)) throw new InvalidCursor()
      at = { createdAt: c.value, id: c.id }
    }
    const filter = {
      type: query.type,
      after: query.created_after === undefined ? undefined : Date.parse(query.created_after),
      before: query.created_before === undefined ? undefined : Date.parse(query.created_before)
    }
    const { rows, total } = await service.list(filter, perPage + 1, at)
    const page = rows.slice(0, perPage)
    const last = page[page.length - 1]
    const nextCursor = rows.length > perPage && last !== undefined ? encodeCursor({ sort: 'media', value: last.createdAt, id: last.id }) : null
    return cursorListPage(reply, request.url, { page: null, perPage, total, nextCursor }, page.map(urls.toMedia))
  })

  app.get('/:id', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'getMedia',
      tags,
      summary: 'Get a media record',
      description: 'Needs `write:content`.',
      params: IdParamsSchema,
      response: { 200: MediaEnvelope, ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request) => {
    return { data: urls.toMedia(await service.get((request.params as Static<typeof IdParamsSchema>).id)) }
  })

  app.patch('/:id', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'updateMedia',
      tags,
      summary: 'Change a media record\'s text',
      description: 'Needs `write:content`. `title`, `alt`, `caption`, `credit`; posts showing the image as their featured image are announced as changed.',
      params: IdParamsSchema,
      body: PatchMediaBody,
      response: { 200: MediaEnvelope, ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request) => {
    const { id } = request.params as Static<typeof IdParamsSchema>
    return { data: urls.toMedia(await service.update(id, request.body as PatchMediaBodyType)) }
  })

  app.delete('/:id', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'deleteMedia',
      tags,
      summary: 'Delete a media record and its files',
      description: 'Needs `write:content`. A 409 while it is the featured image of a post, unless `?force=true`, which clears it from those ' +
        'posts. The uploaded file and every cached render go with it (unless another record has the same bytes).',
      params: IdParamsSchema,
      querystring: DeleteMediaQuery,
      response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParamsSchema>
    await service.remove(id, (request.query as Static<typeof DeleteMediaQuery>).force === true)
    return reply.code(204).send(null)
  })
}

export default mediaRoutes
