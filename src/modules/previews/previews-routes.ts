import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { PageQuery, listOf, problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { listPage, pageOf } from '../../lib/pagination.js'
import { RelatedQuery } from '../related/related-schemas.js'
import type { PreviewsService } from './previews-service.js'
import { CreatePreviewBody, TokenParamsSchema } from './previews-schemas.js'

/** Previews are for one person's eyes: no shared cache, browser cache or search engine keeps them. */
export const PREVIEW_CACHE_CONTROL = 'private, no-store'

/** What the preview routes are given: the service that makes, revokes and opens links. */
export interface PreviewsRoutesOptions { service: PreviewsService }

const TOKEN_404 = 'Unknown, expired, revoked and malformed tokens all answer the same 404 (`PREVIEW_NOT_FOUND`), at the same speed.'
const PRIVATE = 'Never cached: `Cache-Control: private, no-store`, `X-Robots-Tag: noindex`, no `Surrogate-Key` (nothing reaches the response cache or a CDN).'

/**
 * POST and DELETE /v1/posts/{ref}/previews (with a key) and GET /v1/previews/{token} with its
 * related posts and comments (with the token). None is marked publicCache, so the caching
 * plugin neither stores them nor gives them surrogate keys; the hook below makes every answer
 * of these routes, 404s included, private and unindexed.
 */
const previewsRoutes: FastifyPluginAsyncTypebox<PreviewsRoutesOptions> = async (app, { service }) => {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('cache-control', PREVIEW_CACHE_CONTROL)
    if (request.method === 'GET' || request.method === 'HEAD') reply.header('x-robots-tag', 'noindex')
    return payload
  })

  app.post('/posts/:ref/previews', {
    config: { scope: ['write:content', 'read:drafts'] },
    // The body may be left out: an hour.
    preValidation: async (request) => {
      if (request.body === undefined || request.body === null) request.body = {}
    },
    schema: {
      operationId: 'createPreviewLink',
      tags: ['Previews'],
      summary: 'Create a preview link to a post',
      description: 'Needs `write:content` or `read:drafts`. A link that shows the post (draft, scheduled, published or archived) to whoever opens it, ' +
        'without a key, until it expires (`expires_in` seconds, 60 s to 7 days, an hour by default) or is revoked (DELETE, or deleting the post). ' +
        'The token is shown only in this answer; only its SHA-256 is kept. `preview_url` is `PREVIEW_URL_TEMPLATE` with the token in it, so an editor can open the frontend directly. ' +
        'Previews are private: not in the change log, no webhook.',
      params: RefParamsSchema,
      body: CreatePreviewBody,
      response: { 201: Type.Ref('PreviewLinkEnvelope'), ...problemResponses(400, 404, 415) }
    }
  }, async (request, reply) => {
    const link = await service.create(request.params.ref, request.body.expires_in)
    reply.code(201).header('location', `/v1/previews/${link.token}`)
    return { data: link }
  })

  app.delete('/posts/:ref/previews', {
    config: { scope: ['write:content', 'read:drafts'] },
    schema: {
      operationId: 'revokePreviewLinks',
      tags: ['Previews'],
      summary: 'Revoke every preview link to a post',
      description: 'Needs `write:content` or `read:drafts`. Every link made for this post stops working at once (a 404 from then on); none left is not an error.',
      params: RefParamsSchema,
      response: { 204: Type.Null({ description: 'Revoked' }), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    await service.revokeAll(request.params.ref)
    return reply.code(204).send(null)
  })

  app.get('/previews/:token', {
    schema: {
      operationId: 'getPreview',
      tags: ['Previews'],
      summary: 'Get a post through a preview link',
      description: 'No key: the token is the credential. The post as it is **now** (later edits show at once), whatever its status, in the shape of GET /v1/posts/{ref} plus `"preview": true`. ' +
        PRIVATE + ' ' + TOKEN_404,
      params: TokenParamsSchema,
      response: { 200: Type.Ref('PreviewEnvelope'), ...problemResponses(404) }
    }
  }, async (request) => {
    return { data: await service.post(request.params.token) }
  })

  app.get('/previews/:token/related', {
    schema: {
      operationId: 'listPreviewRelatedPosts',
      tags: ['Previews'],
      summary: 'List the posts related to a previewed post',
      description: 'As GET /v1/posts/{ref}/related for the previewed post (whatever its status): live published posts only, best first. ' + PRIVATE + ' ' + TOKEN_404,
      params: TokenParamsSchema,
      querystring: RelatedQuery,
      response: { 200: Type.Ref('RelatedPostList'), ...problemResponses(400, 404) }
    }
  }, async (request) => {
    const limit = request.query.limit ?? 5
    const page = await service.related(request.params.token, limit)
    return { data: page.data, meta: { limit, timed_out: page.timedOut } }
  })

  app.get('/previews/:token/comments', {
    schema: {
      operationId: 'listPreviewComments',
      tags: ['Previews'],
      summary: 'List the approved comments of a previewed post',
      description: 'As GET /v1/posts/{ref}/comments for the previewed post (usually none for a draft): thread order, approved comments only. ' + PRIVATE + ' ' + TOKEN_404,
      params: TokenParamsSchema,
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: listOf(Type.Ref('PublicComment')), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    const thread = await service.comments(request.params.token)
    const page = pageOf(request.query)
    return listPage(reply, request.url, { ...page, total: thread.length }, thread.slice(page.offset, page.offset + page.perPage))
  })
}
export default previewsRoutes
