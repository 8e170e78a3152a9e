import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type TSchema } from 'typebox'
import { listOf, problemResponses, refParamsSchema } from '../../schemas/common.js'
import { NotFound } from '../../errors.js'
import { parseRef } from '../../lib/refs.js'
import { listPage, pageOf } from '../../lib/pagination.js'
import { TERM_SCOPES_SEEING_ALL, termScopeFor } from '../../lib/scopes.js'
import type { TermScope } from '../../db/term-visibility.js'
import type { AnyTermKind, TermInputOf } from './terms-kind.js'
import type { TermsRepository } from './terms-repository.js'
import type { TermsService } from './terms-service.js'
import { reassignQuery, termFields, termListQuery } from './terms-schemas.js'
import { parseFields, pickFields } from '../../schemas/fields.js'
import { termKey } from '../cache-keys.js'
import { toTerm } from './terms-mapper.js'

/** How a kind shows over HTTP: its prefix, its schemas and the words of its docs. */
export interface TermsApi {
  /** Where its routes live, and what a new term's Location starts with ('/v1/tags'). */
  prefix: string
  /** 'a' or 'an', before the kind's name in the docs. */
  article: 'a' | 'an'
  /** The API object ($id'd) and the create and update bodies. */
  schemas: { item: TSchema, create: TSchema, update: TSchema }
  /** The descriptions of the list and of a single read (the visibility rule is added to both). */
  docs: { list: string, get: string }
}

/** What the routes of a kind are given: its reads and its writes. */
export interface TermsRoutesOptions<K extends AnyTermKind> {
  repo: TermsRepository<K>
  service: TermsService<K>
}

const capital = (text: string) => text[0].toUpperCase() + text.slice(1)

/**
 * The routes of one kind of term: list and read by id or slug (public, shaped by the
 * visibility rule), create, change and delete (`write:content`).
 */
export function createTermsRoutes<K extends AnyTermKind> (kind: K, api: TermsApi): FastifyPluginAsyncTypebox<TermsRoutesOptions<K>> {
  const { name, plural, label } = kind
  const Plural = capital(plural)
  const aTerm = `${api.article} ${name}`
  const { item } = api.schemas
  const ref = '$id' in item ? item.$id : undefined
  if (typeof ref !== 'string') throw new Error(`the ${name} schema needs an $id`)
  const one = Type.Object({ data: Type.Ref(ref) })
  const fields = termFields(item)
  const sparseRef = `Sparse${ref}`
  const listAnswerDoc = Type.Union([listOf(Type.Ref(ref)), listOf(Type.Ref(sparseRef))], {
    description: `The ${plural} without \`fields\`; only the fields asked for (${sparseRef}) with it`
  })
  // The example slug of the kind's own schema, so Try it out asks for a category, not a post.
  const slugExample = (item as { properties?: { slug?: { examples?: unknown[] } } }).properties?.slug?.examples?.[0]
  const RefParams = refParamsSchema(typeof slugExample === 'string' ? slugExample : '1')
  const visibility = ` ${capital(aTerm)} is public once it has a live post${kind.tree ? ' (in it or a sub-category)' : ''}; until then (none yet, or only drafts, scheduled or archived ones) the public gets a 404 as for an unknown ${name}, so an embargoed story's ${name} never shows. Keys with \`read:drafts\` or \`write:content\` see every ${name}.`
  // The bodies are validated against the kind's own schemas, whose static type is its input.
  type Input = TermInputOf<K>

  return async (app, { repo, service }) => {
    /** The term a ref names, if `scope` may see it; else the 404 of an unknown term (`field` names a query parameter). */
    async function find (text: string, scope: TermScope, field?: string) {
      const parsed = parseRef(text)
      const row = parsed === null ? undefined : await repo.findByRef(parsed, scope)
      if (row === undefined) throw new NotFound(label, JSON.stringify(text) + (field === undefined ? '' : ` (${field})`))
      return row
    }
    /** The answer to a write: the term as it now is. */
    const written = async (id: number) => ({ data: toTerm(kind, await find(String(id), 'all')) })

    app.get('/', {
      config: {
        publicCache: true,
        cacheKeys: [termKey(kind.name)],
        optionalScopes: TERM_SCOPES_SEEING_ALL,
        // The full items without `fields`, the sparse ones with it; the serializer uses the
        // sparse schema for both (as post lists do: posts-schemas.ts).
        swaggerTransform: ({ schema, url }) => ({
          schema: { ...schema, response: { ...(schema.response as object), 200: listAnswerDoc } },
          url
        })
      },
      schema: {
        operationId: `list${Plural}`,
        tags: [Plural],
        summary: `List ${plural}`,
        description: api.docs.list + visibility + ` \`fields\` narrows each ${name} to the fields asked for.`,
        querystring: termListQuery(kind, fields),
        response: { 200: listOf(Type.Ref(sparseRef)), ...(kind.tree ? problemResponses(400, 404) : problemResponses(400)) }
      }
    }, async (request, reply) => {
      const asked = parseFields((request.query as { fields?: string }).fields, fields)
      const scope = termScopeFor(request.auth?.scopes)
      // Only a tree's list query has `parent` (terms-schemas.ts termListQuery).
      const { parent } = request.query as { parent?: string }
      const parentId = parent === undefined ? undefined : parent === '0' ? null : (await find(parent, scope)).id
      const page = pageOf(request.query)
      const total = await repo.count(scope, parentId)
      const rows = await repo.list({ limit: page.perPage, offset: page.offset, parentId, scope })
      return listPage(reply, request.url, { ...page, total }, rows.map((row) => pickFields(toTerm(kind, row), asked)))
    })

    app.get('/:ref', {
      config: { publicCache: true, cacheKeys: [termKey(kind.name)], optionalScopes: TERM_SCOPES_SEEING_ALL },
      schema: {
        operationId: `get${label}`,
        tags: [Plural],
        summary: `Get ${aTerm} by id or slug`,
        description: api.docs.get + visibility,
        params: RefParams,
        response: { 200: one, ...problemResponses(400, 404) }
      }
    }, async (request) => {
      return { data: toTerm(kind, await find(request.params.ref, termScopeFor(request.auth?.scopes))) }
    })

    app.post('/', {
      config: { scope: 'write:content' },
      schema: {
        operationId: `create${label}`,
        tags: [Plural],
        summary: `Create ${aTerm}`,
        description: 'Needs `write:content`.',
        body: api.schemas.create,
        response: { 201: one, ...problemResponses(400, 401, 403, 409, 415, 422) }
      }
    }, async (request, reply) => {
      const id = await service.create(request.body as Input & { name: string })
      reply.code(201).header('location', `${api.prefix}/${id}`)
      return await written(id)
    })

    app.patch('/:ref', {
      config: { scope: 'write:content' },
      schema: {
        operationId: `update${label}`,
        tags: [Plural],
        summary: `Change ${aTerm}`,
        description: 'Needs `write:content`. Send only the fields to change.',
        params: RefParams,
        body: api.schemas.update,
        response: { 200: one, ...problemResponses(400, 401, 403, 404, 409, 415, 422) }
      }
    }, async (request) => {
      const { id } = await find(request.params.ref, 'all')
      await service.update(id, request.body as Input)
      return await written(id)
    })

    app.delete('/:ref', {
      config: { scope: 'write:content' },
      schema: {
        operationId: `delete${label}`,
        tags: [Plural],
        summary: `Delete ${aTerm}`,
        description: `Needs \`write:content\`. ${capital(aTerm)} still in use is a 409 unless \`reassign\` names the ${name} that takes over its posts.`,
        params: RefParams,
        querystring: reassignQuery(kind),
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(400, 401, 403, 404, 409, 422) }
      }
    }, async (request, reply) => {
      const { id } = await find(request.params.ref, 'all')
      const to = request.query.reassign === undefined ? undefined : (await find(request.query.reassign, 'all', 'reassign')).id
      await service.remove(id, to)
      return reply.code(204).send(null)
    })
  }
}
