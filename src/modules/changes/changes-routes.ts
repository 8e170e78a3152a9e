import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { DateTimeSchema, IdSchema, problemResponses } from '../../schemas/common.js'
import { InvalidCursor } from '../../errors.js'
import { decodeCursor, encodeCursor } from '../../lib/cursor.js'

export const ChangeSchema = Type.Object({
  resource: Type.Union(['post', 'category', 'tag', 'author', 'comment', 'site'].map((r) => Type.Literal(r))),
  id: IdSchema,
  slug: Type.Union([Type.String(), Type.Null()]),
  action: Type.Union([Type.Literal('upsert'), Type.Literal('delete')], { description: 'upsert: fetch the resource again; delete: drop it (a post that stops being public is a delete)' }),
  changed_at: DateTimeSchema
}, { $id: 'Change', title: 'Change' })

const ChangeListSchema = Type.Object({
  data: Type.Array(Type.Ref('Change')),
  meta: Type.Object({
    next_cursor: Type.String({ description: 'Pass as `since` next time; stays the same when nothing new happened' }),
    has_more: Type.Boolean({ description: 'More entries are waiting: call again at once' })
  })
}, {
  examples: [{
    data: [{ resource: 'post', id: 42, slug: 'blinken-warns-russia', action: 'upsert', changed_at: '2022-01-21T17:05:00.000Z' }],
    meta: { next_cursor: 'WyJjaGFuZ2VzIiwxNjQyNzg0NzAwMDAwLDEyXQ', has_more: false }
  }]
})

/** GET /v1/changes: the ordered log of public changes, for mirrors. */
const changesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', {
    config: { publicCache: true },
    schema: {
      operationId: 'listChanges',
      tags: ['Changes'],
      summary: 'Follow the change log',
      description: 'Every public change in order, oldest first. Start without `since`, store `meta.next_cursor`, and call again with it: ' +
        'fetch each `upsert`, drop each `delete`, and your copy is exactly the public content. A post that is unpublished, archived or deleted appears as a delete; ' +
        'a scheduled post appears as an upsert when it goes live. Comment entries concern approved comments; a comment change also upserts its post (comment_count). ' +
        'A category, tag or author appears only while public (once it has a live post): an upsert when it becomes public, a delete when its last live post goes.',
      querystring: Type.Object({
        since: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'meta.next_cursor of the previous call; absent to start from the beginning' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Entries per call, 1–1000' }))
      }, { additionalProperties: false }),
      response: { 200: ChangeListSchema, ...problemResponses(400) }
    }
  }, async (request) => {
    let position = { at: 0, id: 0 }
    if (request.query.since !== undefined) {
      const c = decodeCursor(request.query.since)
      if (c === null || c.sort !== 'changes' || typeof c.value !== 'number') throw new InvalidCursor()
      position = { at: c.value, id: c.id }
    }
    const limit = request.query.limit ?? 100
    const { rows, next, hasMore } = app.changes.after(position, limit)
    return {
      data: rows.map((r) => ({ resource: r.resource, id: r.resource_id, slug: r.slug, action: r.action, changed_at: new Date(r.changed_at).toISOString() })),
      meta: { next_cursor: encodeCursor({ sort: 'changes', value: next.at, id: next.id }), has_more: hasMore }
    }
  })
}
export default changesRoutes
