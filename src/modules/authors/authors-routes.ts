import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema, PageQuery, listOf, problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { NotFound } from '../../errors.js'
import { parseRef } from '../../lib/refs.js'
import { termScopeOf } from '../../plugins/auth.js'
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

const OptionalUrl = Type.Union([Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2000 }), Type.Null()])
const authorWritable = {
  name: Type.String({ minLength: 1, maxLength: 200, examples: ['Maria Lopez'] }),
  slug: Type.String({ pattern: '^(?!\\d+$)[a-z0-9]+(?:-[a-z0-9]+)*$', minLength: 1, maxLength: 120, description: 'Made from the name when absent; an explicit slug already taken is a 409' }),
  email: Type.Union([Type.String({ format: 'email', maxLength: 320 }), Type.Null()], { description: 'Never shown publicly' }),
  bio: Type.String({ maxLength: 5000 }),
  avatar_url: OptionalUrl,
  website: OptionalUrl
}
export const CreateAuthorBody = Type.Object({ ...Type.Partial(Type.Object(authorWritable)).properties, name: authorWritable.name }, { additionalProperties: false, examples: [{ name: 'Maria Lopez', bio: 'Diplomatic correspondent.' }] })
export const UpdateAuthorBody = Type.Partial(Type.Object(authorWritable), { additionalProperties: false, minProperties: 1 })

const VISIBILITY = ' A author is public once it has a live post; until then (none yet, or only drafts, scheduled or archived ones) the public gets a 404 as for an unknown author, so an embargoed story\'s author never shows. Keys with `read:drafts` or `write:content` see every author.'

/** Reads (public) and writes (write:content) of authors. */
const authorsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { authors } = app.repos

  app.get('/', {
    config: { publicCache: true },
    schema: {
      operationId: 'listAuthors',
      tags: ['Authors'],
      summary: 'List authors',
      description: 'Authors sorted by name, with live post counts.' + VISIBILITY,
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: listOf(Type.Ref('Author')), ...problemResponses(400) }
    }
  }, async (request, reply) => {
    const page = request.query.page ?? 1
    const perPage = request.query.per_page ?? 10
    const total = authors.count(termScopeOf(request))
    const rows = authors.list({ limit: perPage, offset: (page - 1) * perPage, scope: termScopeOf(request) })
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
      description: 'The author with their live post count; never an e-mail.' + VISIBILITY,
      params: RefParamsSchema,
      response: { 200: Type.Object({ data: Type.Ref('Author') }), ...problemResponses(400, 404) }
    }
  }, async (request) => {
    const ref = parseRef(request.params.ref)
    const row = ref && authors.findByRef(ref, termScopeOf(request))
    if (!row) throw new NotFound('Author', JSON.stringify(request.params.ref))
    return { data: toAuthor(row) }
  })

  const service = app.writes.authors
  const ReassignQuery = Type.Object({
    reassign: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Id or slug of the author that takes over its posts' }))
  }, { additionalProperties: false })

  function idOf (refText: string, field = 'ref'): number {
    const ref = parseRef(refText)
    const row = ref && authors.findByRef(ref, 'all')
    if (!row) throw new NotFound('Author', JSON.stringify(refText) + (field === 'ref' ? '' : ` (${field})`))
    return row.id
  }

  app.post('/', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'createAuthor',
      tags: ['Authors'],
      summary: 'Create a author',
      description: 'Needs `write:content`.',
      body: CreateAuthorBody,
      response: { 201: Type.Object({ data: Type.Ref('Author') }), ...problemResponses(400, 401, 403, 409, 415, 422) }
    }
  }, async (request, reply) => {
    const id = service.create(request.body)
    reply.code(201).header('location', `/v1/authors/${id}`)
    return { data: toAuthor(authors.findByRef({ id }, 'all')!) }
  })

  app.patch('/:ref', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'updateAuthor',
      tags: ['Authors'],
      summary: 'Change a author',
      description: 'Needs `write:content`. Send only the fields to change.',
      params: RefParamsSchema,
      body: UpdateAuthorBody,
      response: { 200: Type.Object({ data: Type.Ref('Author') }), ...problemResponses(400, 401, 403, 404, 409, 415, 422) }
    }
  }, async (request) => {
    const id = idOf(request.params.ref)
    service.update(id, request.body)
    return { data: toAuthor(authors.findByRef({ id }, 'all')!) }
  })

  app.delete('/:ref', {
    config: { scope: 'write:content' },
    schema: {
      operationId: 'deleteAuthor',
      tags: ['Authors'],
      summary: 'Delete a author',
      description: 'Needs `write:content`. A author still in use is a 409 unless `reassign` names the author that takes over its posts.',
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
export default authorsRoutes
