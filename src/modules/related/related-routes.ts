import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { PARTIAL_CACHE_CONTROL } from '../../lib/budget.js'
import type { RelatedService } from './related-service.js'
import type { RelatedPost } from './related-mapper.js'
import { RELATED_FIELDS, RelatedQuery } from './related-schemas.js'
import { parseFields, pickFields } from '../../schemas/fields.js'
import { POSTS_KEY, relatedKeys } from '../cache-keys.js'

const ANSWER_DOC = Type.Union([Type.Ref('RelatedPostList'), Type.Ref('SparseRelatedPostList')], {
  description: 'RelatedPostList without `fields`; SparseRelatedPostList (only the fields asked for) with it'
})

/** What the related routes are given: the service that finds and scores related posts. */
export interface RelatedRoutesOptions { service: Pick<RelatedService, 'page'> }

/** GET /v1/posts/{ref}/related: the posts most related to a live post. */
const relatedRoutes: FastifyPluginAsyncTypebox<RelatedRoutesOptions> = async (app, { service: related }) => {
  app.get('/posts/:ref/related', {
    config: {
      publicCache: true,
      cacheKeys: [POSTS_KEY],
      // RelatedPostList without `fields`, SparseRelatedPostList with it; the serializer uses the
      // sparse one for both (as post lists do: posts-schemas.ts).
      swaggerTransform: ({ schema, url }) => ({
        schema: { ...schema, response: { ...(schema.response as object), 200: ANSWER_DOC } },
        url
      })
    },
    schema: {
      operationId: 'listRelatedPosts',
      tags: ['Related'],
      summary: 'List the posts related to a post',
      description: 'Live published posts most related to this one, best first, never the post itself; everything a "Related posts" card needs ' +
        '(title, url, author, featured image) without a second request. Each carries a `score` in (0, 1] and the `reasons` it was chosen. ' +
        'The score combines shared tags and categories weighted by rarity (a tag on 3 posts says more than one on 3,000), the similarity of the two posts\' ' +
        'title and body terms (so posts without tags or categories still get related posts), and a mild preference for posts published close in time. ' +
        'Deterministic: the same content always gives the same list; ties go to the newer post, then the lower id. ' +
        'Unknown posts, drafts, scheduled and archived posts are a 404. `fields` narrows each related post to the fields asked for (`?fields=title,url,featured_image,score`).',
      params: RefParamsSchema,
      querystring: RelatedQuery,
      response: {
        200: Type.Ref('SparseRelatedPostList'),
        ...problemResponses(400, 404)
      }
    }
  }, async (request, reply) => {
    const limit = request.query.limit ?? 5
    const fields = parseFields(request.query.fields, RELATED_FIELDS)
    const page = related.page(request.params.ref, limit)
    // Keyed by every post shown, whether or not `fields` keeps the ids.
    reply.cacheKeys(relatedKeys(page.postId, page.ids, page.items !== undefined))
    if (page.items !== undefined) {
      const meta = { limit, timed_out: false }
      // With `fields`, the stored items are read back and narrowed like computed ones.
      if (fields !== undefined) return { data: page.items.map((item) => pickFields(JSON.parse(item) as RelatedPost, fields)), meta }
      // The read model's stored list (related-lists.ts): stored cards put together as text,
      // its ETag made of what they are made of ('r': this answer's format; meta is fixed by
      // the limit, part of the hash), not of the body.
      if (page.hash !== undefined) reply.cacheEtag(`r${page.hash}`)
      reply.type('application/json; charset=utf-8')
      return `{"data":[${page.items.join(',')}],"meta":${JSON.stringify(meta)}}`
    }
    if (page.timedOut) reply.header('cache-control', PARTIAL_CACHE_CONTROL)
    const data = page.data ?? []
    return { data: fields === undefined ? data : data.map((p) => pickFields(p, fields)), meta: { limit, timed_out: page.timedOut } }
  })
}
export default relatedRoutes
