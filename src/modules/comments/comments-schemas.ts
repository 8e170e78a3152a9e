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
  type: Type.Union([Type.Literal('comment'), Type.Literal('pingback'), Type.Literal('trackback')], { description: 'A reader\'s comment, or a pingback/trackback (imported from WordPress): render them apart' }),
  deleted: Type.Boolean({ description: 'A deleted comment kept as a placeholder so its replies stay in place' }),
  created_at: DateTimeSchema
}, { $id: 'PublicComment', title: 'PublicComment', description: 'An approved comment as the public sees it: never an e-mail or client address.' })
export type PublicComment = Static<typeof PublicCommentSchema>

export const COMMENT_STATUS_LIST = ['pending', 'approved', 'spam', 'trash'] as const
const CommentStatusSchema = Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('spam'), Type.Literal('trash')])

export const CommentSchema = Type.Object({
  id: IdSchema,
  post_id: IdSchema,
  parent_id: Type.Union([IdSchema, Type.Null()]),
  depth: Type.Integer({ minimum: 0 }),
  author_name: Type.String(),
  author_email: Type.Union([Type.String(), Type.Null()], { description: 'Shown to moderators only' }),
  author_url: Type.Union([Type.String(), Type.Null()]),
  content: Type.String({ description: 'The text as submitted' }),
  content_html: Type.String(),
  status: CommentStatusSchema,
  type: Type.Union([Type.Literal('comment'), Type.Literal('pingback'), Type.Literal('trackback')]),
  deleted: Type.Boolean(),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  created_at: DateTimeSchema,
  updated_at: DateTimeSchema
}, { $id: 'Comment', title: 'Comment', description: 'A comment as moderators see it. The client address is never stored, only a keyed hash of its network used to detect duplicates.' })
export type Comment = Static<typeof CommentSchema>

export const SubmittedCommentSchema = Type.Object({
  id: IdSchema,
  post_id: IdSchema,
  parent_id: Type.Union([IdSchema, Type.Null()]),
  depth: Type.Integer({ minimum: 0 }),
  author_name: Type.String(),
  author_url: Type.Union([Type.String(), Type.Null()]),
  content_html: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('approved')], { description: 'approved: visible now; pending: may await moderation (to its submitter, a comment that moderation first_time approved also reads pending)' }),
  created_at: DateTimeSchema
}, { $id: 'SubmittedComment', title: 'SubmittedComment' })

export const CreateCommentBody = Type.Object({
  author_name: Type.String({ minLength: 1, maxLength: 100, description: 'Shown with the comment' }),
  author_email: Type.String({ format: 'email', maxLength: 254, description: 'Never shown publicly' }),
  author_url: Type.Optional(Type.String({ pattern: '^(https?://[^\\s]+)?$', maxLength: 500, description: 'The commenter\'s site (http or https)' })),
  content: Type.String({ minLength: 1, maxLength: 5000, description: 'Plain text: blank lines make paragraphs, links become rel="nofollow ugc"' }),
  parent_id: Type.Optional(Type.Integer({ minimum: 1, description: 'The comment this replies to, on the same post' })),
  website: Type.Optional(Type.String({ maxLength: 500, description: 'Honeypot: hide this field from people and leave it empty. A filled value is accepted silently and stored as spam.' }))
}, {
  additionalProperties: false,
  examples: [{ author_name: 'Sam Reader', author_email: 'sam@example.com', content: 'Thanks for the clear summary.\n\nWhat happens next week?', parent_id: 12 }]
})
export type CreateCommentBodyType = Static<typeof CreateCommentBody>

export const UpdateCommentBody = Type.Object({
  status: Type.Optional(CommentStatusSchema),
  content: Type.Optional(Type.String({ minLength: 1, maxLength: 5000, description: 'Replace the text (plain text, formatted like a submission)' }))
}, { additionalProperties: false, minProperties: 1, examples: [{ status: 'approved' }] })

export const ListCommentsQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1, description: 'Page number, from 1' })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Items per page, 1–100' })),
  status: Type.Optional(Type.Union([...COMMENT_STATUS_LIST.map((s) => Type.Literal(s)), Type.Literal('any')], { default: 'pending', description: 'The moderation queue by default' })),
  post: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Only comments on this post (id or slug). A key without read:drafts names a live post, or by id a post that has comments; any other is a 404 as if it did not exist' }))
}, { additionalProperties: false })

/** The schemas with an $id this module adds. */
export const commentSchemas = [PublicCommentSchema, CommentSchema, SubmittedCommentSchema]
