import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { PageQuery, listOf, problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { pageLinks, pageMeta } from '../../lib/pagination.js'
import { toPublicComment, visibleThread } from './comments-mapper.js'

/** Public comment threads: GET /v1/posts/{ref}/comments. */
const commentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/posts/:ref/comments', {
    config: { publicCache: true },
    schema: {
      operationId: 'listPostComments',
      tags: ['Comments'],
      summary: 'List the approved comments of a post',
      description: 'Thread order: each reply comes right after its parent (and the parent\'s earlier replies), with `parent_id` and `depth` for indentation. ' +
        'Pages cut the thread in that order. Only approved comments of live posts; never an e-mail.',
      params: RefParamsSchema,
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: listOf(Type.Ref('PublicComment')), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    const post = app.services.posts.requireLive(request.params.ref)
    const page = request.query.page ?? 1
    const perPage = request.query.per_page ?? 10
    const thread = visibleThread(app.repos.comments.publicThread(post.id))
    const meta = pageMeta(page, perPage, thread.length)
    reply.header('x-total-count', String(thread.length)).header('link', pageLinks('http://x', request.url, page, meta.total_pages))
    return { data: thread.slice((page - 1) * perPage, page * perPage).map(toPublicComment), meta }
  })
}
export default commentsRoutes
