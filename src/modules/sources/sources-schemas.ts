import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema, PageQuery } from '../../schemas/common.js'

const FeedUrl = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: 'The feed (RSS, RDF, Atom or JSON Feed): an http(s) URL on port 80 or 443 with a public internet address, unless ALLOW_PRIVATE_TARGETS=true',
  examples: ['https://partner.example.org/feed.xml']
})
const Ids = (what: string) => Type.Array(IdSchema, { maxItems: 50, uniqueItems: true, description: `${what} every imported post gets (ids that exist)` })
const Status = Type.Union([Type.Literal('draft'), Type.Literal('published')], {
  description: 'Status of new posts: `draft` (default, for an editor to review) or `published`'
})
const Interval = Type.Integer({ minimum: 5, maximum: 10080, description: 'Minutes between two polls: at least 5 (default 30), at most a week. The feed is never fetched more often.' })
const Attribution = Type.Object({
  name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], { description: 'Credited as `source.name` instead of the feed\'s title' })),
  url: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://' }), Type.Null()], { description: 'Credited as `source.url` instead of the item\'s link (`canonical_url` stays the item\'s link)' }))
}, { additionalProperties: false, description: 'Overrides what posts credit in `source`' })

export const SourceSchema = Type.Object({
  id: IdSchema,
  feed_url: Type.String({ description: 'The feed; updated by the poller when the feed moved for good (301, 308)' }),
  name: Type.String(),
  category_ids: Type.Array(IdSchema),
  tag_ids: Type.Array(IdSchema),
  author_id: Type.Union([IdSchema, Type.Null()], { description: 'The author new posts are credited to; null: the author each item names, else one named after the feed' }),
  status: Status,
  interval_minutes: Type.Integer(),
  enabled: Type.Boolean({ description: 'false: not polled (set by you, or by the poller after too many failures: see `disabled_reason`)' }),
  attribution: Type.Object({ name: Type.Union([Type.String(), Type.Null()]), url: Type.Union([Type.String(), Type.Null()]) }),
  last_polled_at: Type.Union([DateTimeSchema, Type.Null()]),
  next_poll_at: Type.Union([DateTimeSchema, Type.Null()], { description: 'When it is polled next; null when disabled' }),
  consecutive_failures: Type.Integer({ minimum: 0, description: 'Failed polls in a row; each one doubles the wait (with jitter), and SOURCE_MAX_FAILURES of them disable the source' }),
  last_error: Type.Union([Type.String(), Type.Null()], { description: 'Why the last failed poll failed' }),
  disabled_reason: Type.Union([Type.String(), Type.Null()], { description: 'Why the poller disabled it; cleared when it is enabled again' }),
  created_at: DateTimeSchema,
  updated_at: DateTimeSchema
}, { $id: 'Source', title: 'Source', description: 'A feed subscription: its new items become posts crediting the original' })
export type Source = Static<typeof SourceSchema>

export const SourceRunSchema = Type.Object({
  id: IdSchema,
  source_id: IdSchema,
  started_at: DateTimeSchema,
  url: Type.String({ description: 'The URL fetched (the last one, after redirects)' }),
  http_status: Type.Union([Type.Integer(), Type.Null()], { description: 'The answer\'s status (304: unchanged since the last poll); null when there was none' }),
  items_seen: Type.Integer({ minimum: 0, description: 'Items in the feed' }),
  items_new: Type.Integer({ minimum: 0, description: 'Posts created' }),
  items_updated: Type.Integer({ minimum: 0, description: 'Posts changed (only drafts are: a published post is left as the editor made it)' }),
  items_skipped: Type.Integer({ minimum: 0, description: 'Items already imported and unchanged, left alone, or not importable' }),
  duration_ms: Type.Integer({ minimum: 0 }),
  error: Type.Union([Type.String(), Type.Null()])
}, { $id: 'SourceRun', title: 'SourceRun', description: 'One poll of a source' })
export type SourceRun = Static<typeof SourceRunSchema>

export const CreateSourceBody = Type.Object({
  feed_url: FeedUrl,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  category_ids: Type.Optional(Ids('Categories')),
  tag_ids: Type.Optional(Ids('Tags, besides the item\'s own categories,')),
  author_id: Type.Optional(Type.Union([IdSchema, Type.Null()])),
  status: Type.Optional(Status),
  interval_minutes: Type.Optional(Interval),
  enabled: Type.Optional(Type.Boolean({ default: true })),
  attribution: Type.Optional(Attribution)
}, {
  additionalProperties: false,
  examples: [{ feed_url: 'https://partner.example.org/feed.xml', name: 'Partner wire', category_ids: [3], status: 'draft', interval_minutes: 30 }]
})
export type CreateSourceBodyType = Static<typeof CreateSourceBody>

export const UpdateSourceBody = Type.Object({
  feed_url: Type.Optional(FeedUrl),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  category_ids: Type.Optional(Ids('Categories')),
  tag_ids: Type.Optional(Ids('Tags')),
  author_id: Type.Optional(Type.Union([IdSchema, Type.Null()])),
  status: Type.Optional(Status),
  interval_minutes: Type.Optional(Interval),
  enabled: Type.Optional(Type.Boolean()),
  attribution: Type.Optional(Attribution)
}, { additionalProperties: false, minProperties: 1, examples: [{ enabled: true }, { interval_minutes: 60 }] })
export type UpdateSourceBodyType = Static<typeof UpdateSourceBody>

export const ListRunsQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })

export const sourceSchemas = [SourceSchema, SourceRunSchema]
