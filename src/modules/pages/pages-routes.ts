import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { listOf, problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { NotFound } from '../../errors.js'
import { listPage, pageOf } from '../../lib/pagination.js'
import { grantsScope } from '../../lib/scopes.js'
import { PAGES_KEY, pageKey } from '../cache-keys.js'
import type { PagesService, PageVisibility } from './pages-service.js'
import { CreatePageBody, ListPagesQuery, UpdatePageBody } from './pages-schemas.js'
import { toPage, toPageSummary } from './pages-mapper.js'
import { actorOf, type Revisions } from '../revisions/revisions-service.js'
import { IfMatchHeaders } from '../revisions/revisions-schemas.js'

export interface PagesRoutesOptions {
  service: PagesService
  siteUrl: string
  /** Revisions: who made a write, If-Match on edits, and the ETag reads with a key and writes answer. */
  edits: Pick<Revisions, 'as' | 'editAsync' | 'etag'>
}

// Any status but published needs read:drafts, checked with the key before the query is validated.
function asksForDrafts (request: FastifyRequest): boolean {
  const status = (request.query as { status?: unknown }).status
  return status !== undefined && status !== 'published'
}

const visibilityOf = (request: FastifyRequest): PageVisibility => grantsScope(request.auth?.scopes, 'read:drafts') ? 'any' : 'public'

const VISIBILITY = 'The public sees a page when it is published (its published_at passed) and so is every page above it; ' +
  'any other is a 404 as an unknown one. A key with `read:drafts` sees every page.'

const ANSWER_HELP = ' Answers the whole page when the key may read drafts (`read:drafts` or `admin`); a key with only `write:content` gets ' +
  'a receipt (id, slug, status, published_at, updated_at), as post writes do.'

const PageReceiptSchema = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  status: Type.String(),
  published_at: Type.Union([Type.String(), Type.Null()]),
  updated_at: Type.String()
}, { description: 'The answer to a page write by a key without read:drafts' })
const PageWriteEnvelope = Type.Object({ data: Type.Union([Type.Ref('Page'), PageReceiptSchema]) })

/** GET, POST, PATCH and DELETE under /v1/pages. */
const pagesRoutes: FastifyPluginAsyncTypebox<PagesRoutesOptions> = async (app, { service, siteUrl, edits }) => {
  async function found (text: string, visibility: PageVisibility) {
    const page = await service.find(text, visibility, Date.now())
    if (page === undefined) throw new NotFound('Page', JSON.stringify(text))
    return page
  }

  async function written (request: FastifyRequest, id: number) {
    const { row, path } = await found(String(id), 'any')
    const page = toPage(row, path, siteUrl, Date.now())
    if (visibilityOf(request) === 'any') return { data: page }
    return { data: { id, slug: page.slug, status: page.status, published_at: page.published_at, updated_at: page.updated_at } }
  }

  app.get('/', {
    config: { publicCache: true, cacheKeys: [PAGES_KEY], scope: 'read:drafts', scopeWhen: asksForDrafts },
    schema: {
      operationId: 'listPages',
      tags: ['Pages'],
      summary: 'List pages',
      description: 'Pages depth first (each page followed by the pages below it), siblings by `menu_order`, then title: the order of a site menu. ' +
        '`parent` lists one level (0: the top); `path` answers the one page at a full path such as `about/team` (404 when there is none). ' +
        'Bodies are left out (read one page for its `content_html`). ' + VISIBILITY,
      querystring: ListPagesQuery,
      response: { 200: listOf(Type.Ref('PageSummary')), ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const { parent, path, status } = request.query
    const page = pageOf(request.query)
    const now = Date.now()
    const { total, rows } = await service.list({ parent, path, status, offset: page.offset, limit: page.perPage }, visibilityOf(request), now)
    return listPage(reply, request.url, { ...page, total }, rows.map(({ row, path }) => toPageSummary(row, path, siteUrl, now)))
  })

  app.get('/:ref', {
    config: { publicCache: true },
    schema: {
      operationId: 'getPage',
      tags: ['Pages'],
      summary: 'Get a page by id or slug',
      description: 'The full page with its body HTML and its computed `seo` object. A nested page is also found by its full path: `GET /v1/pages?path=about/team`. ' + VISIBILITY +
        ' With a key the answer\'s `ETag` is the page\'s version, for `If-Match` on `PATCH` and on restores (a public read\'s ETag is of its cached bytes and is not).',
      params: RefParamsSchema,
      response: { 200: Type.Ref('PageEnvelope'), ...problemResponses(400, 401, 404) }
    }
  }, async (request, reply) => {
    const { row, path } = await found(request.params.ref, visibilityOf(request))
    reply.cacheKeys([PAGES_KEY, pageKey(row.id)])
    if (request.auth !== null) reply.header('etag', edits.etag('page', row.id) as string)
    return { data: toPage(row, path, siteUrl, Date.now()) }
  })

  app.post('/', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'createPage',
      tags: ['Pages'],
      summary: 'Create a page',
      description: 'Needs `write:content`. Drafts by default. `parent_id` places it in the tree (an unknown id is a 422). The slug is made from the title when absent; ' +
        'the body is sanitized as post bodies are; the excerpt is derived when absent. SEO fields beyond their limits are a 422 naming the field.' + ANSWER_HELP,
      body: CreatePageBody,
      response: { 201: PageWriteEnvelope, ...problemResponses(400, 401, 403, 409, 413, 415, 422) }
    }
  }, async (request, reply) => {
    const id = await edits.as(actorOf(request.auth), async () => await service.create(request.body))
    reply.code(201).header('location', `/v1/pages/${id}`).header('etag', edits.etag('page', id) as string)
    return await written(request, id)
  })

  app.patch('/:ref', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'updatePage',
      tags: ['Pages'],
      summary: 'Change a page',
      description: 'Needs `write:content`. Send only the fields to change; `null` clears a nullable field (`parent_id: null` moves it to the top). ' +
        'A parent that is the page itself or lies below it is a 422 (a cycle). ' +
        'Optional `If-Match` (the `ETag` of a read with a key, or of the last write\'s answer; a list, or `*`): when the page changed since, ' +
        'nothing is written and the answer is a 412 naming the current ETag in `current_etag`. Without it the last write wins. The answer carries the new `ETag`.' + ANSWER_HELP,
      params: RefParamsSchema,
      headers: IfMatchHeaders,
      body: UpdatePageBody,
      response: { 200: PageWriteEnvelope, ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 422) }
    }
  }, async (request, reply) => {
    const { row } = await found(request.params.ref, 'any')
    await edits.editAsync('page', row.id, { ifMatch: request.headers['if-match'], by: actorOf(request.auth) }, async () => { await service.update(row.id, request.body) })
    reply.header('etag', edits.etag('page', row.id) as string)
    return await written(request, row.id)
  })

  app.delete('/:ref', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'deletePage',
      tags: ['Pages'],
      summary: 'Delete a page',
      description: 'Needs `write:content`. The pages below it move up to its parent (or to the top), keeping their own order. ' +
        'Optional `If-Match` (the page\'s `ETag`, as for edits): when the page changed since, nothing is deleted and the answer is a 412 ' +
        'naming the current ETag in `current_etag`.',
      params: RefParamsSchema,
      headers: IfMatchHeaders,
      response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(401, 403, 404, 412) }
    }
  }, async (request, reply) => {
    const { row } = await found(request.params.ref, 'any')
    await edits.editAsync('page', row.id, { ifMatch: request.headers['if-match'], by: actorOf(request.auth) }, async () => { await service.remove(row.id) })
    return reply.code(204).send(null)
  })
}
export default pagesRoutes
