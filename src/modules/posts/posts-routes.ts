import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { cursorListPage } from '../../lib/pagination.js'
import { envelopeEtag, envelopeOf } from '../../lib/stored-json.js'
import { PARTIAL_CACHE_CONTROL } from '../../lib/budget.js'
import { grantsScope, termScopeFor } from '../../lib/scopes.js'
import { FieldError, NotFound } from '../../errors.js'
import { parseRef } from '../../lib/refs.js'
import type { PostsRepository, Visibility } from './posts-repository.js'
import type { PostsService } from './posts-service.js'
import type { PostsWriteService, WriteWarning } from './posts-write-service.js'
import { withSeo, type PostSeoRepository } from './posts-seo.js'
import { POSTS_KEY, postKey, postListKeys } from '../cache-keys.js'
import { actorOf, type Revisions } from '../revisions/revisions-service.js'
import { IfMatchHeaders } from '../revisions/revisions-schemas.js'
import { CreatePostBody, GetPostQuery, ListPostsQuery, POST_LIST_EXAMPLE, SINGLE_POST_FIELDS, UpdatePostBody, type ListPostsQueryType, type Post } from './posts-schemas.js'
import { parseFields, pickFields } from '../../schemas/fields.js'

// Any status but published needs read:drafts, checked with the key before the query is validated.
function asksForDrafts (request: FastifyRequest): boolean {
  const status = (request.query as { status?: unknown }).status
  return status !== undefined && status !== 'published'
}

function visibilityFor (status: ListPostsQueryType['status']): Visibility {
  return status === undefined || status === 'published' ? 'public' : status
}

const LIST_ANSWER_DOC = Type.Union([Type.Ref('PostList'), Type.Ref('SparsePostList')], {
  description: 'PostList without `fields`; SparsePostList (only the fields asked for) with it',
  examples: [POST_LIST_EXAMPLE]
})

const SINGLE_ANSWER_DOC = Type.Union([Type.Ref('PostEnvelope'), Type.Ref('SparsePostEnvelope')], {
  description: 'PostEnvelope without `fields`; SparsePostEnvelope (only the fields asked for) with it'
})

const mayReadDrafts = (request: FastifyRequest) => grantsScope(request.auth?.scopes, 'read:drafts')

/** What the post routes are given: the reads (one post, lists with filters and search) and the writes. */
export interface PostsRoutesOptions {
  repo: Pick<PostsRepository, 'findByRef'>
  service: Pick<PostsService, 'list' | 'listJson' | 'get' | 'getPublic'>
  writes: Pick<PostsWriteService, 'create' | 'update' | 'remove'>
  /** The SEO fields single reads show (posts-seo.ts). */
  seo: Pick<PostSeoRepository, 'get'>
  /** Revisions: who made a write, If-Match on edits, and the ETag reads with a key and writes answer. */
  edits: Pick<Revisions, 'as' | 'edit' | 'etag'>
}

/** GET, POST, PATCH and DELETE under /v1/posts. */
const postsRoutes: FastifyPluginAsyncTypebox<PostsRoutesOptions> = async (app, { repo, service: posts, writes, seo, edits }) => {
  app.get('/', {
    config: {
      publicCache: true,
      cacheKeys: [POSTS_KEY],
      scope: 'read:drafts',
      scopeWhen: asksForDrafts,
      // The spec says which answer comes when: PostList (every field present) without `fields`,
      // SparsePostList with it. The serializer uses SparsePostList for both (posts-schemas.ts).
      swaggerTransform: ({ schema, url }) => ({
        schema: { ...schema, response: { ...(schema.response as object), 200: LIST_ANSWER_DOC } },
        url
      })
    },
    schema: {
      operationId: 'listPosts',
      tags: ['Posts'],
      summary: 'List posts',
      description: 'Published posts, newest first, with filters, sparse fields, search (`q`) and keyset cursors. ' +
        'Headers: `Link` (first/prev/next/last, relative to the request URL), `X-Total-Count`. With a `read:drafts` key, `status` lists drafts, scheduled or archived posts (responses are then `private, no-store`). ' +
        'Unknown category, tag or author references are a 404, and so are ones the reader may not see (not public until they have a live post).',
      querystring: ListPostsQuery,
      response: {
        200: Type.Ref('SparsePostList'),
        ...problemResponses(400, 401, 403, 404, 422)
      }
    }
  }, async (request, reply) => {
    // `page` has a default, so only the raw query tells whether the client sent it with a cursor.
    if (request.query.cursor !== undefined && /[?&]page=/.test(request.url)) {
      throw new FieldError([{ in: 'query', path: 'page', message: 'cannot be combined with cursor: a cursor continues after the last item it was given for; drop page' }])
    }
    const visibility = visibilityFor(request.query.status)
    const terms = termScopeFor(request.auth?.scopes)
    // The common public page or search is sent as the stored cards' bytes joined, without
    // serializing each field again (the read model: posts-documents.ts, post_cards).
    const stored = posts.listJson(request.query, visibility, Date.now(), terms)
    if (stored !== null) {
      reply.cacheKeys(postListKeys(stored.ids, request.query))
      if (stored.search?.timed_out === true) reply.header('cache-control', PARTIAL_CACHE_CONTROL)
      const { meta } = cursorListPage(reply, request.url, stored, [])
      const metaJson = JSON.stringify(stored.search === undefined ? meta : { ...meta, search: stored.search })
      reply.type('application/json; charset=utf-8')
      // The stored cards' bytes joined (no string made), named by their stored hashes.
      reply.cacheEtag(envelopeEtag(stored.hashes, metaJson))
      return envelopeOf(stored.cards, metaJson)
    }
    const result = posts.list(request.query, visibility, Date.now(), terms)
    reply.cacheKeys(postListKeys(result.ids, request.query))
    if (result.search?.timed_out === true) reply.header('cache-control', PARTIAL_CACHE_CONTROL)
    // Link targets are relative references (RFC 8288 §3.2: resolved against the request URL),
    // so they hold whatever host and path prefix the client used and nothing from its headers.
    const page = cursorListPage(reply, request.url, result, result.data)
    return result.search === undefined ? page : { ...page, meta: { ...page.meta, search: result.search } }
  })

  app.get('/:ref', {
    config: {
      publicCache: true,
      optionalScopes: ['read:drafts'],
      // As for lists: PostEnvelope without `fields`, SparsePostEnvelope with it; the serializer
      // uses the sparse one for both (every field optional, the same output for a whole post).
      swaggerTransform: ({ schema, url }) => ({
        schema: { ...schema, response: { ...(schema.response as object), 200: SINGLE_ANSWER_DOC } },
        url
      })
    },
    schema: {
      operationId: 'getPost',
      tags: ['Posts'],
      summary: 'Get a post by id or slug',
      description: 'The full post with its body HTML, its SEO and social fields and the computed `seo` object (head tags with their fallbacks). Public readers get live published posts only; a key with `read:drafts` reads any status. ' +
        'With a key the answer\'s `ETag` is the post\'s version, for `If-Match` on `PATCH` and on restores (a public read\'s ETag is opaque and is not). ' +
        '`fields` narrows it to the fields asked for (`?fields=id,title,primary_category,seo`).',
      params: RefParamsSchema,
      querystring: GetPostQuery,
      response: {
        200: Type.Ref('SparsePostEnvelope'),
        ...problemResponses(400, 401, 404)
      }
    }
  }, async (request, reply) => {
    const fields = parseFields(request.query.fields, SINGLE_POST_FIELDS)
    if (!mayReadDrafts(request)) {
      // A public read: the stored document, sent as it is (posts-documents.ts).
      const { id, body, hash } = posts.getPublic(request.params.ref)
      reply.cacheKeys([postKey(id)])
      if (request.auth !== null) reply.header('etag', edits.etag('post', id) as string)
      if (fields !== undefined) return { data: pickFields((JSON.parse(body.toString()) as { data: Post }).data, fields) }
      // The stored document's hash names these bytes: no hash of the body per request ('p':
      // this answer's format, so no other answer made of the same document shares the tag).
      if (hash !== null) reply.cacheEtag(`p${hash}`)
      reply.type('application/json; charset=utf-8')
      // A Buffer or string is sent as it is (Fastify serializes only objects); the typed reply knows only the object form.
      return body as unknown as { data: Post }
    }
    const post = posts.get(request.params.ref, 'any')
    reply.cacheKeys([postKey(post.id as number)])
    reply.header('etag', edits.etag('post', post.id as number) as string)
    return { data: pickFields(withSeo(post, seo.get(post.id as number)), fields) }
  })

  const IF_MATCH_HELP = 'Optional `If-Match` (the `ETag` of a read with a key, or of the last write\'s answer; a list, or `*`): when the post changed since, ' +
    'nothing is written and the answer is a 412 naming the current ETag in `current_etag`. Without it the last write wins. The answer carries the new `ETag`.'

  const ANSWER_HELP = ' Answers the whole post when the key may read drafts (`read:drafts` or `admin`); a key with only `write:content` gets a ' +
    '`PostReceipt` (id, slug, status, published_at, updated_at) and never reads a draft through a write.'

  /**
   * The answer to a write: the whole post only for a key that may read it whatever its status,
   * and what the write removed from what it was sent.
   */
  function written (request: FastifyRequest, id: number, warnings: WriteWarning[]) {
    const post = posts.get(String(id), 'any') as Post
    if (mayReadDrafts(request)) return { data: withSeo(post, seo.get(id)), warnings }
    return { data: { id, slug: post.slug, status: post.status, published_at: post.published_at, updated_at: post.updated_at }, warnings }
  }

  /** The id of a post for writing: any status, by id or slug. */
  function postId (refText: string): number {
    const ref = parseRef(refText)
    const row = ref && repo.findByRef(ref, 'any', Date.now())
    if (!row) throw new NotFound('Post', JSON.stringify(refText))
    return row.id
  }

  app.post('/', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'createPost',
      tags: ['Posts'],
      summary: 'Create a post',
      description: 'Needs `write:content`. Drafts by default. Related resources by id or slug (`author_id: "maria-lopez"`, `category_ids: ["politics", 4]`); ' +
        'an unknown one is a 422 whose `errors[]` names it and its place (`category_ids.1`). ' +
        'The slug is made from the title when absent. The body is sanitized; what was removed is listed in `warnings` (empty when nothing was). ' +
        'Excerpt, word count and reading time are derived.' + ANSWER_HELP,
      body: CreatePostBody,
      response: { 201: Type.Ref('PostWriteEnvelope'), ...problemResponses(400, 401, 403, 409, 413, 415, 422) }
    }
  }, async (request, reply) => {
    const warnings: WriteWarning[] = []
    const id = edits.as(actorOf(request.auth), () => writes.create(request.body, warnings))
    reply.code(201).header('location', `/v1/posts/${id}`).header('etag', edits.etag('post', id) as string)
    return written(request, id, warnings)
  })

  app.patch('/:ref', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'updatePost',
      tags: ['Posts'],
      summary: 'Change a post',
      description: 'Needs `write:content`. Send only the fields to change; `null` clears a nullable field. ' +
        'Status moves freely between draft, scheduled, published and archived; unpublishing shows as a delete in the change log. ' +
        'A new body is sanitized as on create, with `warnings`. ' + IF_MATCH_HELP + ANSWER_HELP,
      params: RefParamsSchema,
      headers: IfMatchHeaders,
      body: UpdatePostBody,
      response: { 200: Type.Ref('PostWriteEnvelope'), ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 422) }
    }
  }, async (request, reply) => {
    const id = postId(request.params.ref)
    const warnings: WriteWarning[] = []
    edits.edit('post', id, { ifMatch: request.headers['if-match'], by: actorOf(request.auth) }, () => writes.update(id, request.body, warnings))
    reply.header('etag', edits.etag('post', id) as string)
    return written(request, id, warnings)
  })

  app.delete('/:ref', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'deletePost',
      tags: ['Posts'],
      summary: 'Delete a post',
      description: 'Needs `write:content`. Deletes the post and its comments for good; to hide it but keep it, PATCH status archived. ' +
        'Optional `If-Match` (the post\'s `ETag`, as for edits): when the post changed since, nothing is deleted and the answer is a 412 ' +
        'naming the current ETag in `current_etag`, so an editor never deletes a copy someone else has just changed.',
      params: RefParamsSchema,
      headers: IfMatchHeaders,
      response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(400, 401, 403, 404, 412) }
    }
  }, async (request, reply) => {
    const id = postId(request.params.ref)
    edits.edit('post', id, { ifMatch: request.headers['if-match'], by: actorOf(request.auth) }, () => writes.remove(id))
    return reply.code(204).send(null)
  })
}
export default postsRoutes
