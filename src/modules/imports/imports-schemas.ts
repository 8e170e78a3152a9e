import { Type, type Static } from 'typebox'

const Counts = (description: string) => Type.Object({
  posts: Type.Integer({ minimum: 0 }),
  categories: Type.Integer({ minimum: 0 }),
  tags: Type.Integer({ minimum: 0 }),
  authors: Type.Integer({ minimum: 0 }),
  comments: Type.Integer({ minimum: 0 })
}, { description })

export const ImportSummarySchema = Type.Object({
  format: Type.String({ description: 'What was read: `wxr-1.2` (or 1.0, 1.1), `rss`, `atom`, `rdf`, `json`', examples: ['wxr-1.2'] }),
  created: Counts('Resources created by this import'),
  updated: Counts('Resources that existed (same import key or slug) and were changed to match the file'),
  unchanged: Counts('Resources that existed and already matched the file'),
  ignored: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
    description: 'Items not imported by design, counted by kind: `page`, `attachment` (used only as featured images), `nav_menu_item`, …',
    examples: [{ page: 21, attachment: 37, nav_menu_item: 70 }]
  }),
  skipped: Type.Array(Type.Object({
    kind: Type.String({ description: 'post, comment, category, tag, author or item', examples: ['post'] }),
    ref: Type.String({ description: 'What the file calls it: a WordPress id, guid, slug or feed item id', examples: ['wp:1241'] }),
    reason: Type.String({ examples: ['a post in the trash'] })
  }), { description: 'Items that were not imported, each with the reason; nothing of a skipped item was written' }),
  warnings: Type.Array(Type.String(), { description: 'Problems that did not stop an item (a missing featured image, a broken tail of the file, …)' })
}, { $id: 'ImportSummary', title: 'ImportSummary', description: 'What an import created, updated, left alone and skipped' })
export type ImportSummary = Static<typeof ImportSummarySchema>

export const PublishStatus = Type.Union([Type.Literal('draft'), Type.Literal('published')], {
  description: 'Status of the imported posts: `draft` (default, for an editor to review) or `published`'
})

export const ImportFeedBody = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2000, description: 'The feed to fetch: an http(s) URL (private networks refused unless ALLOW_PRIVATE_TARGETS)', examples: ['https://partner.example.org/feed.xml'] }),
  status: Type.Optional(PublishStatus)
}, { additionalProperties: false })

export const ImportFeedQuery = Type.Object({
  status: Type.Optional(PublishStatus),
  source_url: Type.Optional(Type.String({ maxLength: 2000, description: 'When the feed is the body: the URL it came from, used to resolve relative links and to key its items' }))
}, { additionalProperties: false })

export const importSchemas = [ImportSummarySchema]
