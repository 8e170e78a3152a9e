import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema, PageQuery, listOf, problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { NotFound } from '../../errors.js'
import { parseRef } from '../../lib/refs.js'
import { termScopeOf } from '../../plugins/auth.js'
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

const categoryWritable = {
  name: Type.String({ minLength: 1, maxLength: 200, examples: ['Politics'] }),
  slug: Type.String({ pattern: '^(?!\\d+$)[a-z0-9]+(?:-[a-z0-9]+)*$', minLength: 1, maxLength: 120, description: 'Made from the name when absent; an explicit slug already taken is a 409' }),
  description: Type.String({ maxLength: 5000 }),
  parent_id: Type.Union([IdSchema, Type.Null()], { description: 'Parent category; null for the top of the tree. A cycle is a 422.' })
}
export const CreateCategoryBody = Type.Object({ ...Type.Partial(Type.Object(categoryWritable)).properties, name: categoryWritable.name }, { additionalProperties: false, examples: [{ name: 'Elections', parent_id: 1 }] })
export const UpdateCategoryBody = Type.Partial(Type.Object(categoryWritable), { additionalProperties: false, minProperties: 1 })

const VISIBILITY = ' A category is public once it has a live post (in it or a sub-category); until then (none yet, or only drafts, scheduled or archived ones) the public gets a 404 as for an unknown category, so an embargoed story\'s category never shows. Keys with `read:drafts` or `write:content` see every category.'

/** Reads (public) and writes (write:content) of categories. */
const categoriesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { categories } = app.repos

  app.get('/', {
    config: { publicCache: true },
    schema: {
      operationId: 'listCategories',
      tags: ['Categories'],
      summary: 'List categories',
      description: 'Categories sorted by name, with `parent_id` to build the tree and live post counts (posts filed directly in each).' + VISIBILITY,
      querystring: ListCategoriesQuery,
      response: { 200: listOf(Type.Ref('Category')), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    const scope = termScopeOf(request)
    const page = request.query.page ?? 1
    const perPage = request.query.per_page ?? 10
    let parentId: number | null | undefined
    if (request.query.parent !== undefined) {
      if (request.query.parent === '0') {
        parentId = null
      } else {
        const ref = parseRef(request.query.parent)
        const parent = ref && categories.findByRef(ref, scope)
        if (!parent) throw new NotFound('Category', JSON.stringify(request.query.parent))
        parentId = parent.id
      }
    }
    const total = categories.count(scope, parentId)
    const rows = categories.list({ limit: perPage, offset: (page - 1) * perPage, parentId, scope })
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
      description: 'The category with its live post count.' + VISIBILITY,
      params: RefParamsSchema,
      response: { 200: Type.Object({ data: Type.Ref('Category') }), ...problemResponses(400, 404) }
    }
  }, async (request) => {
    const ref = parseRef(request.params.ref)
    const row = ref && categories.findByRef(ref, termScopeOf(request))
    if (!row) throw new NotFound('Category', JSON.stringify(request.params.ref))
    return { data: toCategory(row) }
  })

  const service = app.writes.categories
  const ReassignQuery = Type.Object({
    reassign: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Id or slug of the category that takes over its posts' }))
  }, { additionalProperties: false })

  function idOf (refText: string, field = 'ref'): number {
    const ref = parseRef(refText)
    const row = ref && categories.findByRef(ref, 'all')
    if (!row) throw new NotFound('Category', JSON.stringify(refText) + (field === 'ref' ? '' : ` (${field})`))
    return row.id
  }

  app.post('/', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'createCategory',
      tags: ['Categories'],
      summary: 'Create a category',
      description: 'Needs `write:content`.',
      body: CreateCategoryBody,
      response: { 201: Type.Object({ data: Type.Ref('Category') }), ...problemResponses(400, 401, 403, 409, 415, 422) }
    }
  }, async (request, reply) => {
    const id = service.create(request.body)
    reply.code(201).header('location', `/v1/categories/${id}`)
    return { data: toCategory(categories.findByRef({ id }, 'all')!) }
  })

  app.patch('/:ref', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'updateCategory',
      tags: ['Categories'],
      summary: 'Change a category',
      description: 'Needs `write:content`. Send only the fields to change.',
      params: RefParamsSchema,
      body: UpdateCategoryBody,
      response: { 200: Type.Object({ data: Type.Ref('Category') }), ...problemResponses(400, 401, 403, 404, 409, 415, 422) }
    }
  }, async (request) => {
    const id = idOf(request.params.ref)
    service.update(id, request.body)
    return { data: toCategory(categories.findByRef({ id }, 'all')!) }
  })

  app.delete('/:ref', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'deleteCategory',
      tags: ['Categories'],
      summary: 'Delete a category',
      description: 'Needs `write:content`. A category still in use is a 409 unless `reassign` names the category that takes over its posts.',
      params: RefParamsSchema,
      querystring: ReassignQuery,
      response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(400, 401, 403, 404, 409, 422) }
    }
  }, async (request, reply) => {
    const id = idOf(request.params.ref)
    const to = request.query.reassign === undefined ? undefined : idOf(request.query.reassign, 'reassign')
    service.remove(id, to)
    return reply.code(204).send(null)
  })
}
export default categoriesRoutes
