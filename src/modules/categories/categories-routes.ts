import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema, PageQuery, listOf, problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { NotFound } from '../../errors.js'
import { parseRef } from '../../lib/refs.js'
import { pageLinks, pageMeta } from '../../lib/pagination.js'
import type { CategoryRow } from './categories-repository.js'

export const CategorySchema = Type.Object({
  id: IdSchema,
  slug: Type.String({ examples: ['politics'] }),
  name: Type.String({ examples: ['Politics'] }),
  description: Type.String(),
  parent_id: Type.Union([IdSchema, Type.Null()], { description: 'The parent category, null at the top of the tree' }),
  post_count: Type.Integer({ minimum: 0, description: 'Live posts filed directly in this category' }),
  created_at: DateTimeSchema,
  updated_at: DateTimeSchema
}, { $id: 'Category', title: 'Category' })
export type Category = Static<typeof CategorySchema>

export function toCategory (row: CategoryRow): Category {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    parent_id: row.parent_id,
    post_count: row.post_count,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString()
  }
}

const ListCategoriesQuery = Type.Object({
  ...PageQuery,
  parent: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Only children of this category (id or slug); 0 for top-level categories' }))
}, { additionalProperties: false })

/** GET /v1/categories and /v1/categories/{ref}. */
const categoriesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { categories } = app.repos

  app.get('/', {
    config: { publicCache: true },
    schema: {
      operationId: 'listCategories',
      tags: ['Categories'],
      summary: 'List categories',
      description: 'All categories sorted by name, with `parent_id` to build the tree and live post counts.',
      querystring: ListCategoriesQuery,
      response: { 200: listOf(Type.Ref('Category')), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    const now = Date.now()
    const page = request.query.page ?? 1
    const perPage = request.query.per_page ?? 10
    let parentId: number | null | undefined
    if (request.query.parent !== undefined) {
      if (request.query.parent === '0') {
        parentId = null
      } else {
        const ref = parseRef(request.query.parent)
        const parent = ref && categories.findByRef(ref, now)
        if (!parent) throw new NotFound('Category', JSON.stringify(request.query.parent))
        parentId = parent.id
      }
    }
    const total = categories.count(parentId)
    const rows = categories.list({ limit: perPage, offset: (page - 1) * perPage, parentId, now })
    const meta = pageMeta(page, perPage, total)
    reply.header('x-total-count', String(total)).header('link', pageLinks('http://x', request.url, page, meta.total_pages))
    return { data: rows.map(toCategory), meta }
  })

  app.get('/:ref', {
    config: { publicCache: true },
    schema: {
      operationId: 'getCategory',
      tags: ['Categories'],
      summary: 'Get a category by id or slug',
      params: RefParamsSchema,
      response: { 200: Type.Object({ data: Type.Ref('Category') }), ...problemResponses(400, 404) }
    }
  }, async (request) => {
    const ref = parseRef(request.params.ref)
    const row = ref && categories.findByRef(ref, Date.now())
    if (!row) throw new NotFound('Category', JSON.stringify(request.params.ref))
    return { data: toCategory(row) }
  })
}
export default categoriesRoutes
