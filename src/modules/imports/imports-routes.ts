import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import multipart from '@fastify/multipart'
import { Type, type Static } from 'typebox'
import { IdParamsSchema, listOf, problemResponses } from '../../schemas/common.js'
import { BodyTooLarge, FieldError, ImportFinished, NotFound, UnreadableImport, UnsupportedMediaType, withHeaders } from '../../errors.js'
import { listPage, pageOf } from '../../lib/pagination.js'
import { MAX_PREFER_WAIT, preferredWait } from '../../lib/prefer.js'
import { FEED_MAX_BYTES, FEED_MEDIA_TYPES, WXR_MEDIA_TYPES, fetchFeed } from './imports-service.js'
import type { ImportJobs, NewJob } from './imports-jobs.js'
import type { ImportJobRow } from './imports-jobs-repository.js'
import { spoolBytes, spoolStream } from './imports-spool.js'
import { toImportJob } from './imports-mapper.js'
import {
  ImportAccepted, ImportCancelAsked, ImportCancelled, ImportFeedBody, ImportFeedQuery, ImportFinishedResponse, ImportJobEnvelope,
  ImportWxrQuery, ListImportsQuery, PreferHeaders, XmlDocument
} from './imports-schemas.js'

export interface ImportsRoutesOptions {
  /** The import jobs of this process (imports-jobs.ts). */
  jobs: ImportJobs
  /** Whether a feed URL may point at loopback or private networks (ALLOW_PRIVATE_TARGETS). */
  allowPrivate: boolean
  /** Largest WXR body accepted, in bytes (IMPORT_MAX_BYTES). */
  wxrMaxBytes: number
  /**
   * The app's request validators: the import routes use them for all but their bodies, which
   * are streams read by the handler.
   */
  validatorCompiler: FastifySchemaCompiler<unknown>
}

const tags = ['Imports']

const MULTIPART = 'multipart/form-data'

/** A multipart body's documentation: one file part (`curl -F file=@export.xml`). */
const MultipartUpload = (description: string) => ({
  schema: {
    type: 'object',
    required: ['file'],
    properties: { file: { type: 'string', format: 'binary', description } }
  }
})

/**
 * The file part of a multipart upload, spooled like a raw body: the first file part, whatever
 * its field name; other fields are ignored. Nothing is buffered in memory.
 */
async function spoolUpload (request: FastifyRequest, max: number, what: string, limitName: string): Promise<{ file: string, bytes: number, mimetype: string }> {
  // One byte over the limit reaches spoolStream, which refuses it as it would a raw body.
  let part: Awaited<ReturnType<typeof request.file>>
  try {
    part = await request.file({ limits: { fileSize: max + 1, files: 1, fields: 20, fieldSize: 4096, parts: 40 } })
  } catch (err) {
    // A body the multipart parser cannot read (no boundary, a form cut short) is the client's
    // mistake: a 400 naming it, never a 500.
    const status = (err as { statusCode?: number }).statusCode
    if (status !== undefined && status < 500) throw err
    throw new FieldError([{ in: 'body', path: '/file', message: `is not a readable multipart/form-data body (${(err as Error).message})` }])
  }
  if (part === undefined) {
    throw new FieldError([{ in: 'body', path: '/file', message: 'the multipart body has no file part: send the file as a part, e.g. curl -F file=@export.xml' }])
  }
  const spooled = await spoolStream(part.file, max, what, limitName)
  return { ...spooled, mimetype: part.mimetype }
}

const JOB_HELP = 'The body is stored first (a body over the limit is a 413 the moment it passes the limit, and nothing is imported), ' +
  'then the import runs in the background and the answer is **202** with the job and its `Location`; poll `GET /v1/imports/{id}` for ' +
  'progress and the summary. Imports run one at a time, in order. Send `Prefer: wait=N` (seconds, at most ' + `${MAX_PREFER_WAIT}` +
  ') to have the answer wait for the end: **200** with the summary when the import ended within N seconds, a 422 problem when the ' +
  'body was not readable at all, else 202 with the job as it stands.'

/**
 * WordPress and feed imports (`write:content`) as background jobs: bodies are spooled to a
 * temporary file, then imported one job at a time off the event loop (imports-jobs.ts).
 */
const importsRoutes: FastifyPluginAsyncTypebox<ImportsRoutesOptions> = async (app, opts) => {
  const { jobs, validatorCompiler: compile } = opts

  /** 202 with the job, or with `Prefer: wait=N` the outcome once it is known within N seconds. */
  async function answer (request: FastifyRequest, reply: FastifyReply, job: NewJob) {
    let row: ImportJobRow = jobs.enqueue(job)
    const wait = preferredWait(request.headers.prefer)
    if (wait !== null) {
      row = (await jobs.waitFor(row.id, wait * 1000)) ?? row
      // A request that waited through the start of a shutdown must not keep its connection
      // open afterwards: the server's close waits for every connection.
      if (jobs.draining) reply.header('connection', 'close')
      if (row.status === 'succeeded') {
        reply.header('preference-applied', `wait=${wait}`).header('content-location', `/v1/imports/${row.id}`)
        return { data: toImportJob(row).summary }
      }
      if (row.status === 'failed' && row.errorCode === 'UNREADABLE_IMPORT') {
        reply.header('preference-applied', `wait=${wait}`).header('content-location', `/v1/imports/${row.id}`)
        throw new UnreadableImport(row.error ?? 'The body is not readable')
      }
    }
    reply.code(202).header('location', `/v1/imports/${row.id}`)
    return { data: toImportJob(row) }
  }

  function load (id: number): ImportJobRow {
    const row = jobs.get(id)
    if (row === undefined) throw new NotFound('Import job', String(id))
    return row
  }

  await app.register(async (wxr) => {
    // The raw request stream is the body: the handler reads it after auth has passed.
    wxr.addContentTypeParser(WXR_MEDIA_TYPES, (_request, payload, done) => { done(null, payload) })
    // Form uploads (curl -F, an HTML file input) are read part by part by the handler.
    await wxr.register(multipart)

    wxr.post('/wxr', {
      config: { scope: 'write:content' },
      // The body is a stream, not a string: only the query and headers are validated here.
      validatorCompiler: (route) => route.httpPart === 'body' ? () => true : compile(route),
      schema: {
        operationId: 'importWxr',
        tags,
        summary: 'Import a WordPress export (WXR)',
        description: 'Needs `write:content`. Send the file from WordPress → Tools → Export as the body (`application/xml` or `text/xml`, ' +
          `up to ${Math.round(opts.wxrMaxBytes / 1048576)} MB, IMPORT_MAX_BYTES; WXR 1.0–1.2), or upload it as a form ` +
          `(\`multipart/form-data\` with one file part: \`curl -F file=@export.xml\`). ${JOB_HELP} Authors, the category tree, tags, ` +
          'posts and their comment threads, pages with their tree and order, Yoast SEO and Rank Math fields, and nav menus (as the site\'s ' +
          '`primary` and `secondary` navigation; `?navigation=replace` to write over menus the site has already) are imported; other post ' +
          'types are counted under `ignored`, attachments serve as featured images. Every item is its own transaction: a bad item is listed under `skipped` with the reason and the rest goes on. ' +
          'Importing the same file again updates what changed and never duplicates (posts are keyed by their WordPress guid, comments by ' +
          'their id). A file broken part-way keeps what was read before the break, with a warning. Markup that could not be kept (shortcodes, ' +
          'scripts, attributes outside the allowlist, players from hosts IFRAME_HOSTS does not name) is listed per item in `warnings`, with the ' +
          'totals last; `<!--more-->` sets the excerpt and stays, with `<!--nextpage-->`, in the body; each post keeps its old address for ' +
          '`GET /v1/redirects`.',
        consumes: [...WXR_MEDIA_TYPES, MULTIPART],
        querystring: ImportWxrQuery,
        headers: PreferHeaders,
        body: {
          content: {
            ...Object.fromEntries(WXR_MEDIA_TYPES.map((t) => [t, XmlDocument('A WordPress eXtended RSS export')])),
            [MULTIPART]: MultipartUpload('The WordPress export file')
          }
        } as never,
        response: { 200: ImportFinishedResponse, 202: ImportAccepted, ...problemResponses(400, 401, 403, 413, 415, 422) }
      }
    }, async (request, reply) => {
      const wxr = { replaceNavigation: (request.query as Static<typeof ImportWxrQuery>).navigation === 'replace' }
      if (request.isMultipart()) {
        const upload = await spoolUpload(request, opts.wxrMaxBytes, 'The export', 'IMPORT_MAX_BYTES')
        return await answer(request, reply, { kind: 'wxr', source: 'upload', file: upload.file, spooled: true, bytes: upload.bytes, wxr })
      }
      // Content types parsed elsewhere in the app (JSON, text) arrive here already parsed.
      const stream = request.body as Readable | undefined
      if (stream === undefined || stream === null || typeof (stream as Readable).pipe !== 'function') {
        throw new UnsupportedMediaType([...WXR_MEDIA_TYPES, MULTIPART], request.headers['content-type'])
      }
      const declared = Number(request.headers['content-length'])
      if (Number.isFinite(declared) && declared > opts.wxrMaxBytes) {
        throw withHeaders(new BodyTooLarge(`The export (${declared} bytes)`, opts.wxrMaxBytes, 'IMPORT_MAX_BYTES'), { connection: 'close' })
      }
      const spooled = await spoolStream(stream, opts.wxrMaxBytes, 'The export', 'IMPORT_MAX_BYTES')
      return await answer(request, reply, { kind: 'wxr', source: 'upload', file: spooled.file, spooled: true, bytes: spooled.bytes, wxr })
    })
  })

  await app.register(async (feed) => {
    feed.addContentTypeParser(FEED_MEDIA_TYPES, (_request, payload, done) => { done(null, payload) })
    await feed.register(multipart)

    feed.post('/feed', {
      config: { scope: 'write:content' },
      // Feed documents arrive as a stream (their encoding is sniffed later); only the JSON request is checked.
      validatorCompiler: (route) => route.httpPart === 'body' && (route as { contentType?: string }).contentType !== 'application/json' ? () => true : compile(route),
      schema: {
        operationId: 'importFeed',
        tags,
        summary: 'Import an RSS, Atom or JSON feed',
        description: 'Needs `write:content`. Either `{ "url": "…", "status": "draft" }` as JSON — the feed is fetched first (10 s, ' +
          `${FEED_MAX_BYTES / 1048576} MB, 3 redirects; loopback and private networks refused unless ALLOW_PRIVATE_TARGETS, a refusal is a 422) — or ` +
          'the feed itself as the body (RSS 0.9x/2.0, RDF, Atom 1.0 as XML; JSON Feed 1.0/1.1 as `application/feed+json`; up to ' +
          `${FEED_MAX_BYTES / 1048576} MB) with \`?status=\` and \`?source_url=\`, or uploaded as a form (\`multipart/form-data\`, one file part: ` +
          `\`curl -F file=@feed.xml\`; the part's type, if it names one, helps read its encoding). ${JOB_HELP} Each item becomes a post with \`source\` and ` +
          '`canonical_url` pointing at the original, `draft` unless told otherwise, credited to an author named after the feed unless the item ' +
          'names one. Re-importing updates instead of duplicating (items are keyed by their id, else their link — not by where the feed came from — so a file and its URL update the same posts).',
        querystring: ImportFeedQuery,
        headers: PreferHeaders,
        body: {
          content: {
            'application/json': { schema: ImportFeedBody },
            ...Object.fromEntries(FEED_MEDIA_TYPES.map((t) => [t, XmlDocument('The feed document')])),
            [MULTIPART]: MultipartUpload('The feed document')
          }
        } as never,
        response: { 200: ImportFinishedResponse, 202: ImportAccepted, ...problemResponses(400, 401, 403, 413, 415, 422) }
      }
    }, async (request, reply) => {
      const query = request.query as Static<typeof ImportFeedQuery>
      if (request.isMultipart()) {
        const upload = await spoolUpload(request, FEED_MAX_BYTES, 'The feed', `${FEED_MAX_BYTES / 1048576} MB`)
        return await answer(request, reply, {
          kind: 'feed',
          source: query.source_url ?? 'upload',
          file: upload.file,
          spooled: true,
          bytes: upload.bytes,
          // curl and browsers send application/octet-stream for a type they cannot tell: the reader sniffs then.
          feed: { contentType: upload.mimetype === 'application/octet-stream' ? undefined : upload.mimetype, sourceUrl: query.source_url, status: query.status ?? 'draft' }
        })
      }
      const body = request.body as Readable | { url: string, status?: 'draft' | 'published' }
      if (typeof (body as Readable).pipe === 'function') {
        const spooled = await spoolStream(body as Readable, FEED_MAX_BYTES, 'The feed', `${FEED_MAX_BYTES / 1048576} MB`)
        return await answer(request, reply, {
          kind: 'feed',
          source: query.source_url ?? 'upload',
          file: spooled.file,
          spooled: true,
          bytes: spooled.bytes,
          feed: { contentType: request.headers['content-type'], sourceUrl: query.source_url, status: query.status ?? 'draft' }
        })
      }
      const { url, status } = body as { url: string, status?: 'draft' | 'published' }
      // Fetching is I/O: done here, so an unreachable or refused URL is a 422 at once.
      const fetched = await fetchFeed(url, { allowPrivate: opts.allowPrivate })
      const spooled = await spoolBytes(fetched.bytes)
      return await answer(request, reply, {
        kind: 'feed',
        source: url,
        file: spooled.file,
        spooled: true,
        bytes: spooled.bytes,
        feed: { contentType: fetched.contentType, sourceUrl: url, finalUrl: fetched.url, status: status ?? query.status ?? 'draft' }
      })
    })
  })

  app.get('/', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'listImports',
      tags,
      summary: 'List import jobs',
      description: 'Needs `write:content`. Newest first, with their status, progress and summary; `status` filters.',
      querystring: ListImportsQuery,
      response: { 200: listOf(Type.Ref('ImportJob')), ...problemResponses(400, 401, 403) }
    }
  }, async (request, reply) => {
    const query = request.query as Static<typeof ListImportsQuery>
    const page = pageOf(query)
    const { rows, total } = jobs.list(query.status ?? null, page.perPage, page.offset)
    return listPage(reply, request.url, { ...page, total }, rows.map(toImportJob))
  })

  app.get('/:id', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'getImport',
      tags,
      summary: 'Get an import job',
      description: 'Needs `write:content`. The status (`queued`, `running`, `succeeded`, `failed`, `cancelled`), progress and the summary so far; ' +
        'a failed job says why in `error`. A job whose server stopped while it was queued or running is failed with that reason.',
      params: IdParamsSchema,
      response: { 200: ImportJobEnvelope, ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request) => {
    return { data: toImportJob(load((request.params as Static<typeof IdParamsSchema>).id)) }
  })

  app.delete('/:id', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'cancelImport',
      tags,
      summary: 'Cancel an import job',
      description: 'Needs `write:content`. A queued job is cancelled at once (200); a running one stops after the item in hand (202 with ' +
        '`cancel_requested`; poll the job until `status` is `cancelled`). What was imported stays, and importing the same file again later ' +
        'picks up where it stopped (re-imports never duplicate). A job that has already ended is a 409.',
      params: IdParamsSchema,
      response: {
        200: ImportCancelled,
        202: ImportCancelAsked,
        ...problemResponses(400, 401, 403, 404, 409)
      }
    }
  }, async (request, reply) => {
    const id = (request.params as Static<typeof IdParamsSchema>).id
    load(id)
    const row = jobs.cancel(id) as ImportJobRow
    if (row.status === 'succeeded' || row.status === 'failed') throw new ImportFinished(id, row.status)
    if (row.status === 'running') reply.code(202)
    return { data: toImportJob(row) }
  })
}

export default importsRoutes
