import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema, PageQuery, listOf, problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { NotFound } from '../../errors.js'
import { parseRef } from '../../lib/refs.js'
import { pageLinks, pageMeta } from '../../lib/pagination.js'
import type { AuthorRow } from './authors-repository.js'

export const AuthorSchema = Type.Object({
  id: IdSchema,
  slug: Type.String({ examples: ['maria-lopez'] }),
  name: Type.String({ examples: ['Maria Lopez'] }),
  bio: Type.String(),
  avatar_url: Type.Union([Type.String(), Type.Null()]),
  website: Type.Union([Type.String(), Type.Null()]),
  post_count: Type.Integer({ minimum: 0, description: 'Live posts by this author' }),
  created_at: DateTimeSchema,
  updated_at: DateTimeSchema
}, { $id: 'Author', title: 'Author', description: 'An author. The e-mail address is never public.' })
export type Author = Static<typeof AuthorSchema>

export function toAuthor (row: AuthorRow): Author {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    bio: row.bio,
    avatar_url: row.avatar_url,
    website: row.website,
    post_count: row.post_count,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString()
  }
}

/** GET /v1/authors and /v1/authors/{ref}. */
const authorsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { authors } = app.repos

  app.get('/', {
    config: { publicCache: true },
    schema: {
      operationId: 'listAuthors',
      tags: ['Authors'],
      summary: 'List authors',
      description: 'All authors sorted by name, with live post counts.',
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: listOf(Type.Ref('Author')), ...problemResponses(400) }
    }
  }, async (request, reply) => {
    const page = request.query.page ?? 1
    const perPage = request.query.per_page ?? 10
    const total = authors.count()
    const rows = authors.list({ limit: perPage, offset: (page - 1) * perPage, now: Date.now() })
    const meta = pageMeta(page, perPage, total)
    reply.header('x-total-count', String(total)).header('link', pageLinks('http://x', request.url, page, meta.total_pages))
    return { data: rows.map(toAuthor), meta }
  })

  app.get('/:ref', {
    config: { publicCache: true },
    schema: {
      operationId: 'getAuthor',
      tags: ['Authors'],
      summary: 'Get an author by id or slug',
      params: RefParamsSchema,
      response: { 200: Type.Object({ data: Type.Ref('Author') }), ...problemResponses(400, 404) }
    }
  }, async (request) => {
    const ref = parseRef(request.params.ref)
    const row = ref && authors.findByRef(ref, Date.now())
    if (!row) throw new NotFound('Author', JSON.stringify(request.params.ref))
    return { data: toAuthor(row) }
  })
}
export default authorsRoutes
