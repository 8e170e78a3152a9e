import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema, PageQuery, listOf, problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { NotFound } from '../../errors.js'
import { parseRef } from '../../lib/refs.js'
import { pageLinks, pageMeta } from '../../lib/pagination.js'
import type { TagRow } from './tags-repository.js'

export const TagSchema = Type.Object({
  id: IdSchema,
  slug: Type.String({ examples: ['ukraine'] }),
  name: Type.String({ examples: ['Ukraine'] }),
  description: Type.String(),
  post_count: Type.Integer({ minimum: 0, description: 'Live posts with this tag' }),
  created_at: DateTimeSchema,
  updated_at: DateTimeSchema
}, { $id: 'Tag', title: 'Tag' })
export type Tag = Static<typeof TagSchema>

export function toTag (row: TagRow): Tag {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    post_count: row.post_count,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString()
  }
}

/** GET /v1/tags and /v1/tags/{ref}. */
const tagsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tags } = app.repos

  app.get('/', {
    config: { publicCache: true },
    schema: {
      operationId: 'listTags',
      tags: ['Tags'],
      summary: 'List tags',
      description: 'All tags sorted by name, with live post counts.',
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: listOf(Type.Ref('Tag')), ...problemResponses(400) }
    }
  }, async (request, reply) => {
    const page = request.query.page ?? 1
    const perPage = request.query.per_page ?? 10
    const total = tags.count()
    const rows = tags.list({ limit: perPage, offset: (page - 1) * perPage, now: Date.now() })
    const meta = pageMeta(page, perPage, total)
    reply.header('x-total-count', String(total)).header('link', pageLinks('http://x', request.url, page, meta.total_pages))
    return { data: rows.map(toTag), meta }
  })

  app.get('/:ref', {
    config: { publicCache: true },
    schema: {
      operationId: 'getTag',
      tags: ['Tags'],
      summary: 'Get a tag by id or slug',
      params: RefParamsSchema,
      response: { 200: Type.Object({ data: Type.Ref('Tag') }), ...problemResponses(400, 404) }
    }
  }, async (request) => {
    const ref = parseRef(request.params.ref)
    const row = ref && tags.findByRef(ref, Date.now())
    if (!row) throw new NotFound('Tag', JSON.stringify(request.params.ref))
    return { data: toTag(row) }
  })
}
export default tagsRoutes
