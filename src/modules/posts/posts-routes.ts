import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { hasScope } from '../../plugins/auth.js'
import { pageLinks, cursorLink } from '../../lib/pagination.js'
import { Forbidden, Unauthorized } from '../../errors.js'
import type { Visibility } from './posts-repository.js'
import { GetPostQuery, ListPostsQuery, type ListPostsQueryType } from './posts-schemas.js'
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

function visibilityFor (request: FastifyRequest, status: ListPostsQueryType['status']): Visibility {
  if (status === undefined || status === 'published') return 'public'
  if (request.auth === null) throw new Unauthorized(`status=${status} needs an API key with the read:drafts scope`)
  if (!hasScope(request, 'read:drafts')) throw new Forbidden('status other than published needs the read:drafts scope')
  return status
}

/** GET /v1/posts and /v1/posts/{ref}. */
const postsRoutes: FastifyPluginAsyncTypebox<{ siteUrl: string }> = async (app, opts) => {
  const { posts } = app.services

  app.get('/', {
    config: { publicCache: true },
    schema: {
      operationId: 'listPosts',
      tags: ['Posts'],
      summary: 'List posts',
      description: 'Published posts, newest first, with filters, sparse fields, search (`q`) and keyset cursors. ' +
        'Headers: `Link` (first/prev/next/last), `X-Total-Count`. With a `read:drafts` key, `status` lists drafts, scheduled or archived posts (responses are then `private, no-store`). ' +
        'Unknown category, tag or author references are a 404.',
      querystring: ListPostsQuery,
      security: [{}, { bearerAuth: [] }],
      response: {
        200: Type.Ref('PostList', { examples: [EXAMPLE_LIST] } as never),
        ...problemResponses(400, 401, 403, 404)
      }
    }
  }, async (request, reply) => {
    const result = posts.list(request.query, visibilityFor(request, request.query.status))
    reply.header('x-total-count', String(result.meta.total))
    reply.header('link', result.meta.page === null
      ? (result.meta.next_cursor ? cursorLink(opts.siteUrl, request.url, result.meta.next_cursor) : '')
      : pageLinks(opts.siteUrl, request.url, result.meta.page, result.meta.total_pages))
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
      security: [{}, { bearerAuth: [] }],
      response: {
        200: Type.Ref('PostEnvelope'),
        ...problemResponses(400, 401, 404)
      }
    }
  }, async (request) => {
    const visibility: Visibility = hasScope(request, 'read:drafts') ? 'any' : 'public'
    return { data: posts.get(request.params.ref, visibility) }
  })
}
export default postsRoutes
