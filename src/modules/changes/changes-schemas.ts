import { Type } from 'typebox'
import { DateTimeSchema, IdSchema } from '../../schemas/common.js'

export const ChangeSchema = Type.Object({
  resource: Type.Union(['post', 'page', 'category', 'tag', 'author', 'comment', 'site'].map((r) => Type.Literal(r))),
  id: IdSchema,
  slug: Type.Union([Type.String(), Type.Null()]),
  action: Type.Union([Type.Literal('upsert'), Type.Literal('delete')], { description: 'upsert: fetch the resource again; delete: drop it (a post that stops being public is a delete)' }),
  post_id: Type.Union([IdSchema, Type.Null()], { description: 'For a comment: the post it belongs to (fetch `/v1/comments/{id}`, or the post\'s thread); null for every other resource' }),
  changed_at: DateTimeSchema
}, { $id: 'Change', title: 'Change' })

export const ChangeListSchema = Type.Object({
  data: Type.Array(Type.Ref('Change')),
  meta: Type.Object({
    next_cursor: Type.String({ description: 'Pass as `since` next time; stays the same when nothing new happened' }),
    has_more: Type.Boolean({ description: 'More entries are waiting: call again at once' })
  })
}, {
  examples: [{
    data: [{ resource: 'post', id: 42, slug: 'blinken-warns-russia', action: 'upsert', post_id: null, changed_at: '2022-01-21T17:05:00.000Z' }],
    meta: { next_cursor: 'WyJjaGFuZ2VzIiwxNjQyNzg0NzAwMDAwLDEyXQ', has_more: false }
  }]
})

export const ListChangesQuery = Type.Object({
  since: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'meta.next_cursor of the previous call; absent to start from the beginning' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Entries per call, 1–1000' }))
}, { additionalProperties: false })

/** The schemas with an $id this module adds. */
export const changeSchemas = [ChangeSchema]
