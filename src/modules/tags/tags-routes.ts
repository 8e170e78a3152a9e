import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema, PageQuery, listOf, problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { NotFound } from '../../errors.js'
import { parseRef } from '../../lib/refs.js'
import { termScopeOf } from '../../plugins/auth.js'
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

const tagWritable = {
  name: Type.String({ minLength: 1, maxLength: 200, examples: ['Ukraine'] }),
  slug: Type.String({ pattern: '^(?!\\d+$)[a-z0-9]+(?:-[a-z0-9]+)*$', minLength: 1, maxLength: 120, description: 'Made from the name when absent; an explicit slug already taken is a 409' }),
  description: Type.String({ maxLength: 5000 })
}
export const CreateTagBody = Type.Object({ ...Type.Partial(Type.Object(tagWritable)).properties, name: tagWritable.name }, { additionalProperties: false, examples: [{ name: 'Ukraine' }] })
export const UpdateTagBody = Type.Partial(Type.Object(tagWritable), { additionalProperties: false, minProperties: 1 })

const VISIBILITY = ' A tag is public once it has a live post; until then (none yet, or only drafts, scheduled or archived ones) the public gets a 404 as for an unknown tag, so an embargoed story\'s tag never shows. Keys with `read:drafts` or `write:content` see every tag.'

/** Reads (public) and writes (write:content) of tags. */
const tagsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tags } = app.repos

  app.get('/', {
    config: { publicCache: true },
    schema: {
      operationId: 'listTags',
      tags: ['Tags'],
      summary: 'List tags',
      description: 'Tags sorted by name, with live post counts.' + VISIBILITY,
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: listOf(Type.Ref('Tag')), ...problemResponses(400) }
    }
  }, async (request, reply) => {
    const page = request.query.page ?? 1
    const perPage = request.query.per_page ?? 10
    const total = tags.count(termScopeOf(request))
    const rows = tags.list({ limit: perPage, offset: (page - 1) * perPage, scope: termScopeOf(request) })
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
      description: 'The tag with its live post count.' + VISIBILITY,
      params: RefParamsSchema,
      response: { 200: Type.Object({ data: Type.Ref('Tag') }), ...problemResponses(400, 404) }
    }
  }, async (request) => {
    const ref = parseRef(request.params.ref)
    const row = ref && tags.findByRef(ref, termScopeOf(request))
    if (!row) throw new NotFound('Tag', JSON.stringify(request.params.ref))
    return { data: toTag(row) }
  })

  const service = app.writes.tags
  const ReassignQuery = Type.Object({
    reassign: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Id or slug of the tag that takes over its posts' }))
  }, { additionalProperties: false })

  function idOf (refText: string, field = 'ref'): number {
    const ref = parseRef(refText)
    const row = ref && tags.findByRef(ref, 'all')
    if (!row) throw new NotFound('Tag', JSON.stringify(refText) + (field === 'ref' ? '' : ` (${field})`))
    return row.id
  }

  app.post('/', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'createTag',
      tags: ['Tags'],
      summary: 'Create a tag',
      description: 'Needs `write:content`.',
      body: CreateTagBody,
      response: { 201: Type.Object({ data: Type.Ref('Tag') }), ...problemResponses(400, 401, 403, 409, 415, 422) }
    }
  }, async (request, reply) => {
    const id = service.create(request.body)
    reply.code(201).header('location', `/v1/tags/${id}`)
    return { data: toTag(tags.findByRef({ id }, 'all')!) }
  })

  app.patch('/:ref', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'updateTag',
      tags: ['Tags'],
      summary: 'Change a tag',
      description: 'Needs `write:content`. Send only the fields to change.',
      params: RefParamsSchema,
      body: UpdateTagBody,
      response: { 200: Type.Object({ data: Type.Ref('Tag') }), ...problemResponses(400, 401, 403, 404, 409, 415, 422) }
    }
  }, async (request) => {
    const id = idOf(request.params.ref)
    service.update(id, request.body)
    return { data: toTag(tags.findByRef({ id }, 'all')!) }
  })

  app.delete('/:ref', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'deleteTag',
      tags: ['Tags'],
      summary: 'Delete a tag',
      description: 'Needs `write:content`. A tag still in use is a 409 unless `reassign` names the tag that takes over its posts.',
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
export default tagsRoutes
