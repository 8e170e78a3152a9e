import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema } from '../../schemas/common.js'

export const PublicCommentSchema = Type.Object({
  id: IdSchema,
  post_id: IdSchema,
  parent_id: Type.Union([IdSchema, Type.Null()]),
  depth: Type.Integer({ minimum: 0, description: '0 for a top-level comment, 1 for a reply, …: indent by it' }),
  author_name: Type.String({ description: 'Empty for a deleted comment kept for its replies' }),
  author_url: Type.Union([Type.String(), Type.Null()]),
  content_html: Type.String({ description: 'Escaped text in <p>, links with rel="nofollow ugc"; empty when deleted' }),
  deleted: Type.Boolean({ description: 'A deleted comment kept as a placeholder so its replies stay in place' }),
  created_at: DateTimeSchema
}, { $id: 'PublicComment', title: 'PublicComment', description: 'An approved comment as the public sees it: never an e-mail or client address.' })
export type PublicComment = Static<typeof PublicCommentSchema>
