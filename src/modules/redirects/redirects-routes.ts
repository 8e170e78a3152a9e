import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { listOf, problemResponses } from '../../schemas/common.js'
import { FieldError } from '../../errors.js'
import { legacyPath } from '../../lib/legacy-url.js'
import { listPage, pageOf } from '../../lib/pagination.js'
import { POSTS_KEY } from '../cache-keys.js'
import type { RedirectsRepository } from './redirects-repository.js'
import { ListRedirectsQuery } from './redirects-schemas.js'

/** GET /v1/redirects: old addresses of imported posts, for a frontend to answer them with a 301. */
const redirectsRoutes: FastifyPluginAsyncTypebox<{ repo: RedirectsRepository }> = async (app, { repo }) => {
  app.get('/', {
    // Setting an old address touches its post, which purges `posts`.
    config: { publicCache: true, cacheKeys: [POSTS_KEY] },
    schema: {
      operationId: 'listRedirects',
      tags: ['Redirects'],
      summary: 'List the redirects of imported posts',
      description: 'Each post imported from WordPress keeps its old permalink. A frontend that takes over the old domain asks with the ' +
        'path it was requested at (`?path=/2019/05/geneva-talks/`) and answers **301** to the post\'s new address when there is an entry, ' +
        'or fetches the whole map page by page (oldest post first) to build its server\'s redirect rules. Only live posts are listed. ' +
        'Plain permalinks (`/?p=123`) are matched with their id.',
      querystring: ListRedirectsQuery,
      response: {
        200: {
          ...listOf(Type.Ref('Redirect')),
          examples: [{
            data: [{ from: 'https://old.example.com/2019/05/geneva-talks/', path: '/2019/05/geneva-talks', post_id: 42, post_slug: 'geneva-talks' }],
            meta: { page: 1, per_page: 10, total: 1, total_pages: 1 }
          }]
        },
        ...problemResponses(400)
      }
    }
  }, async (request, reply) => {
    const query = request.query
    let path: string | null = null
    if (query.path !== undefined) {
      path = legacyPath(query.path)
      if (path === null) throw new FieldError([{ in: 'querystring', path: '/path', message: 'must be a path (/2019/05/post-name/) or an http(s) URL' }])
    }
    const page = pageOf(query)
    const { rows, total } = await repo.list(path, Date.now(), page.perPage, page.offset)
    return listPage(reply, request.url, { ...page, total }, rows.map((r) => ({ from: r.url, path: r.path, post_id: r.postId, post_slug: r.slug })))
  })
}
export default redirectsRoutes
