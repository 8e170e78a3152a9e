import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { hasScope, termScopeOf } from '../../plugins/auth.js'
import { pageLinks, cursorLink } from '../../lib/pagination.js'
import { PARTIAL_CACHE_CONTROL } from '../../lib/budget.js'
import type { Visibility } from './posts-repository.js'
import { CreatePostBody, GetPostQuery, ListPostsQuery, UpdatePostBody, type ListPostsQueryType, type Post } from './posts-schemas.js'
import { NotFound } from '../../errors.js'
import { parseRef } from '../../lib/refs.js'
import { Type } from 'typebox'

const EXAMPLE_LIST = {
  data: [{
    id: 42,
    slug: 'blinken-warns-russia',
    title: 'Blinken warns Russia of a swift, united response',
    excerpt: 'After ninety minutes with Lavrov in Geneva, the Secretary of State said any incursion would be met with a united reaction.',
    status: 'published',
    published_at: '2022-01-21T17:05:00.000Z',
    url: 'https://example.com/politics/blinken-warns-russia',
    author: { id: 3, slug: 'maria-lopez', name: 'Maria Lopez', avatar_url: null },
    categories: [{ id: 1, slug: 'politics', name: 'Politics' }],
    source: { url: 'https://wire.example.com/blinken-lavrov', name: 'Example Wire' }
  }],
  meta: { page: 1, per_page: 10, total: 64, total_pages: 7, next_cursor: 'WyItcHVibGlzaGVkX2F0IiwxNjQyNzg0NzAwMDAwLDQyXQ' }
}

// Any status but published needs read:drafts, checked with the key before the query is validated.
function asksForDrafts (request: FastifyRequest): boolean {
  const status = (request.query as { status?: unknown }).status
  return status !== undefined && status !== 'published'
}

function visibilityFor (status: ListPostsQueryType['status']): Visibility {
  return status === undefined || status === 'published' ? 'public' : status
}

/** GET /v1/posts and /v1/posts/{ref}. */
const postsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { posts } = app.services

  app.get('/', {
    config: { publicCache: true, scope: 'read:drafts', scopeWhen: asksForDrafts },
    schema: {
      operationId: 'listPosts',
      tags: ['Posts'],
      summary: 'List posts',
      description: 'Published posts, newest first, with filters, sparse fields, search (`q`) and keyset cursors. ' +
        'Headers: `Link` (first/prev/next/last, relative to the request URL), `X-Total-Count`. With a `read:drafts` key, `status` lists drafts, scheduled or archived posts (responses are then `private, no-store`). ' +
        'Unknown category, tag or author references are a 404, and so are ones the reader may not see (not public until they have a live post).',
      querystring: ListPostsQuery,
      response: {
        200: Type.Ref('PostList', { examples: [EXAMPLE_LIST] } as never),
        ...problemResponses(400, 401, 403, 404, 422)
      }
    }
  }, async (request, reply) => {
    const result = posts.list(request.query, visibilityFor(request.query.status), Date.now(), termScopeOf(request))
    reply.header('x-total-count', String(result.meta.total))
    if (result.meta.search?.timed_out === true) reply.header('cache-control', PARTIAL_CACHE_CONTROL)
    // Link targets are relative references (RFC 8288 §3.2: resolved against the request URL),
    // so they hold whatever host and path prefix the client used and nothing from its headers.
    reply.header('link', result.meta.page === null
      ? (result.meta.next_cursor ? cursorLink('http://x', request.url, result.meta.next_cursor) : '')
      : pageLinks('http://x', request.url, result.meta.page, result.meta.total_pages))
    if (reply.getHeader('link') === '') reply.removeHeader('link')
    return result
  })

  app.get('/:ref', {
    config: { publicCache: true },
    schema: {
      operationId: 'getPost',
      tags: ['Posts'],
      summary: 'Get a post by id or slug',
      description: 'The full post with its body HTML. Public readers get live published posts only; a key with `read:drafts` reads any status.',
      params: RefParamsSchema,
      querystring: GetPostQuery,
      response: {
        200: Type.Ref('PostEnvelope'),
        ...problemResponses(400, 401, 404)
      }
    }
  }, async (request) => {
    const visibility: Visibility = hasScope(request, 'read:drafts') ? 'any' : 'public'
    return { data: posts.get(request.params.ref, visibility) }
  })

  const writes = app.writes.posts
  const ANSWER_HELP = ' Answers the whole post when the key may read drafts (`read:drafts` or `admin`); a key with only `write:content` gets a ' +
    '`PostReceipt` (id, slug, status, published_at, updated_at) and never reads a draft through a write.'

  /** The answer to a write: the whole post only for a key that may read it whatever its status. */
  function written (request: FastifyRequest, id: number) {
    const post = posts.get(String(id), 'any') as Post
    if (hasScope(request, 'read:drafts')) return { data: post }
    return { data: { id, slug: post.slug, status: post.status, published_at: post.published_at, updated_at: post.updated_at } }
  }

  /** The id of a post for writing: any status, by id or slug. */
  function postId (refText: string): number {
    const ref = parseRef(refText)
    const row = ref && app.repos.posts.findByRef(ref, 'any', Date.now())
    if (!row) throw new NotFound('Post', JSON.stringify(refText))
    return row.id
  }

  app.post('/', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'createPost',
      tags: ['Posts'],
      summary: 'Create a post',
      description: 'Needs `write:content`. Drafts by default. Related resources by id; unknown ids are a 422 naming the field. ' +
        'The slug is made from the title when absent. The body is sanitized; excerpt, word count and reading time are derived.' + ANSWER_HELP,
      body: CreatePostBody,
      response: { 201: Type.Ref('PostWriteEnvelope'), ...problemResponses(400, 401, 403, 409, 413, 415, 422) }
    }
  }, async (request, reply) => {
    const id = writes.create(request.body)
    reply.code(201).header('location', `/v1/posts/${id}`)
    return written(request, id)
  })

  app.patch('/:ref', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'updatePost',
      tags: ['Posts'],
      summary: 'Change a post',
      description: 'Needs `write:content`. Send only the fields to change; `null` clears a nullable field. ' +
        'Status moves freely between draft, scheduled, published and archived; unpublishing shows as a delete in the change log.' + ANSWER_HELP,
      params: RefParamsSchema,
      body: UpdatePostBody,
      response: { 200: Type.Ref('PostWriteEnvelope'), ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422) }
    }
  }, async (request) => {
    const id = postId(request.params.ref)
    writes.update(id, request.body)
    return written(request, id)
  })

  app.delete('/:ref', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'deletePost',
      tags: ['Posts'],
      summary: 'Delete a post',
      description: 'Needs `write:content`. Deletes the post and its comments for good; to hide it but keep it, PATCH status archived.',
      params: RefParamsSchema,
      response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(401, 403, 404) }
    }
  }, async (request, reply) => {
    writes.remove(postId(request.params.ref))
    return reply.code(204).send(null)
  })
}
export default postsRoutes
