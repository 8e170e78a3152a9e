import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { listOf, problemResponses } from '../../schemas/common.js'
import { NotFound } from '../../errors.js'
import { listPage, pageOf } from '../../lib/pagination.js'
import type { RevisionKind } from './revisions-repository.js'
import { actorOf, type Revisions } from './revisions-service.js'
import { IfMatchHeaders, ListRevisionsQuery, revisionParams } from './revisions-schemas.js'
import { toRevision, toRevisionSummary } from './revisions-mapper.js'

export interface RevisionsRoutesOptions {
  kind: RevisionKind
  revisions: Pick<Revisions, 'list' | 'get' | 'restore' | 'etag'>
  /** The id of a post or page of any status by its ref (id or slug), if there is one. */
  find: (ref: string) => number | undefined
}

const PRIVATE = 'Revisions are never public: reads need `read:drafts` and answer `Cache-Control: private, no-store`.'

/** GET …/{ref}/revisions, GET …/{ref}/revisions/{number} and POST …/{ref}/revisions/{number}/restore of posts or pages. */
const revisionsRoutes: FastifyPluginAsyncTypebox<RevisionsRoutesOptions> = async (app, { kind, revisions, find }) => {
  const Kind = kind === 'post' ? 'Post' : 'Page'
  const tags = [kind === 'post' ? 'Posts' : 'Pages']
  const params = revisionParams(kind === 'post' ? 'blinken-warns-russia' : 'about')
  const refParams = Type.Object({ ref: params.properties.ref }, { additionalProperties: false })

  function idOf (ref: string): number {
    const id = find(ref)
    if (id === undefined) throw new NotFound(Kind, JSON.stringify(ref))
    return id
  }

  app.get('/:ref/revisions', {
    config: { scope: 'read:drafts' },
    schema: {
      operationId: `list${Kind}Revisions`,
      tags,
      summary: `List a ${kind}'s revisions`,
      description: `Newest first: each revision's number, time, the key that made it and the fields that changed. Every change of a ${kind}'s title, excerpt, body, ` +
        'status (or published_at) or SEO fields stores one; revision 1 is the creation (or, for content older than revisions, its state when they were introduced). ' +
        'Only the newest REVISIONS_KEEP (default 25) are kept. Headers: `Link`, `X-Total-Count`. ' + PRIVATE,
      params: refParams,
      querystring: ListRevisionsQuery,
      response: { 200: listOf(Type.Ref('RevisionSummary')), ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const id = idOf(request.params.ref)
    const page = pageOf(request.query)
    const { total, rows } = await revisions.list(kind, id, page.offset, page.perPage)
    return listPage(reply, request.url, { ...page, total }, rows.map(toRevisionSummary))
  })

  app.get('/:ref/revisions/:number', {
    config: { scope: 'read:drafts' },
    schema: {
      operationId: `get${Kind}Revision`,
      tags,
      summary: `Get one revision of a ${kind}`,
      description: `The revision with every editorial field as it stood after it. ${PRIVATE}`,
      params,
      response: { 200: Type.Object({ data: Type.Ref('Revision') }), ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request) => {
    return { data: toRevision(await revisions.get(kind, idOf(request.params.ref), request.params.number)) }
  })

  app.post('/:ref/revisions/:number/restore', {
    config: { scope: 'write:content' },
    schema: {
      operationId: `restore${Kind}Revision`,
      tags,
      summary: `Restore a revision of a ${kind}`,
      description: `Needs \`write:content\`. Writes the revision's fields back through the ordinary ${kind} update (so the change log, webhooks and caches follow) ` +
        'and stores a new revision with them (`restored_from`), even when nothing differed. ' +
        `Answers 201 with the new revision, \`Location\` naming it, and the ${kind}'s new \`ETag\` for the next edit's If-Match. ` +
        'A stale `If-Match` is a **409** here (edits answer 412), naming the current ETag in `current_etag`; without If-Match the restore goes ahead.',
      params,
      headers: IfMatchHeaders,
      response: {
        201: Type.Object({ data: Type.Ref('Revision') }, {
          description: `The new revision; the ETag header is the ${kind}'s new ETag`,
          headers: {
            location: { type: 'string', description: 'The new revision', examples: [`/v1/${kind}s/12/revisions/4`] },
            etag: { type: 'string', description: `The ${kind}'s new ETag, for the next edit's If-Match`, examples: [`"${kind === 'post' ? 'p' : 'g'}12.4.mi4x2k1c"`] }
          }
        }),
        ...problemResponses(400, 401, 403, 404, 409)
      }
    }
  }, async (request, reply) => {
    const id = idOf(request.params.ref)
    const row = revisions.restore(kind, id, request.params.number, { ifMatch: request.headers['if-match'], by: actorOf(request.auth) })
    reply.code(201)
      .header('location', `/v1/${kind}s/${id}/revisions/${row.number}`)
      .header('etag', revisions.etag(kind, id) as string)
    return { data: toRevision(row) }
  })
}
export default revisionsRoutes
