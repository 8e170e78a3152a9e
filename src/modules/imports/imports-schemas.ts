import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema, PageQuery } from '../../schemas/common.js'

const Counts = (description: string) => Type.Object({
  posts: Type.Integer({ minimum: 0 }),
  pages: Type.Integer({ minimum: 0 }),
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
    description: 'Items not imported by design, counted by kind: `attachment` (used only as featured images), `revision`, `wp_block`, … (pages and nav menu items are imported)',
    examples: [{ attachment: 37, wp_block: 2 }]
  }),
  seo_fields: Type.Integer({ minimum: 0, description: 'SEO fields (Yoast SEO or Rank Math post meta: meta title, description, canonical, noindex, Open Graph and Twitter) found on the posts and pages this import took in (created, updated or unchanged)' }),
  navigation: Type.Object({
    menus: Type.Integer({ minimum: 0, description: 'WordPress menus found in the file (nav_menu_item items)' }),
    items: Type.Integer({ minimum: 0, description: 'Menu items written to the site\'s navigation' }),
    applied: Type.Boolean({ description: 'Whether the menus were written to the site\'s navigation (`primary`, `secondary`): not when the site already had a non-empty menu and the import did not ask for `navigation=replace`' })
  }, { description: 'WordPress nav menus mapped to the site\'s navigation menus' }),
  skipped: Type.Array(Type.Object({
    kind: Type.String({ description: 'post, page, comment, category, tag, author, menu_item or item', examples: ['post'] }),
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

export const ImportWxrQuery = Type.Object({
  navigation: Type.Optional(Type.Union([Type.Literal('keep'), Type.Literal('replace')], {
    description: 'What the export\'s nav menus do to a site that already has a non-empty navigation menu: `keep` (default) leaves the site\'s menus and says so in `warnings`; `replace` writes the file\'s menus over them',
    examples: ['replace']
  }))
}, { additionalProperties: false })

export const ImportFeedQuery = Type.Object({
  status: Type.Optional(PublishStatus),
  source_url: Type.Optional(Type.String({ maxLength: 2000, description: 'When the feed is the body: the URL it came from, used to resolve relative links and to key its items' }))
}, { additionalProperties: false })

export const ImportJobStatusSchema = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled')], {
  description: '`queued` (waiting for its turn: one import runs at a time), `running`, `succeeded`, `failed` (`error` says why) or `cancelled`'
})

export const ImportJobSchema = Type.Object({
  id: IdSchema,
  kind: Type.Union([Type.Literal('wxr'), Type.Literal('feed')], { description: 'A WordPress export or a feed' }),
  status: ImportJobStatusSchema,
  source: Type.String({ description: '`upload`, the feed URL that was fetched, or `file:` and the file the command line read', examples: ['upload'] }),
  cancel_requested: Type.Boolean({ description: 'A cancellation was asked for: a running job stops after the item in hand' }),
  progress: Type.Object({
    items_read: Type.Integer({ minimum: 0, description: 'Items handled so far (authors, terms and posts of an export; items of a feed)' }),
    items_total: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'How many items there are, when known (a feed once it is parsed; an export is read as a stream)' }),
    bytes_read: Type.Integer({ minimum: 0 }),
    bytes_total: Type.Integer({ minimum: 0, description: 'Size of the uploaded or fetched body' })
  }),
  summary: Type.Ref('ImportSummary', { description: 'What the import has done so far; final once the job has ended' }),
  error: Type.Union([Type.Object({
    code: Type.String({ description: '`UNREADABLE_IMPORT` (not an export or a feed at all), `IMPORT_STALLED`, `IMPORT_INTERRUPTED` (the server stopped) or `IMPORT_FAILED`', examples: ['UNREADABLE_IMPORT'] }),
    message: Type.String()
  }), Type.Null()], { description: 'Why a failed job failed' }),
  created_at: DateTimeSchema,
  started_at: Type.Union([DateTimeSchema, Type.Null()]),
  finished_at: Type.Union([DateTimeSchema, Type.Null()]),
  updated_at: DateTimeSchema
}, { $id: 'ImportJob', title: 'ImportJob', description: 'An import running in the background: poll `GET /v1/imports/{id}` until `status` is `succeeded`, `failed` or `cancelled`' })
// The summary is a reference to ImportSummary, which Static cannot follow.
export type ImportJob = Omit<Static<typeof ImportJobSchema>, 'summary'> & { summary: ImportSummary }

export const ListImportsQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(ImportJobStatusSchema)
}, { additionalProperties: false })

export const PreferHeaders = Type.Object({
  prefer: Type.Optional(Type.String({
    maxLength: 200,
    description: 'RFC 7240: `wait=N` (seconds, at most 60) answers 200 with the summary when the import ends within N seconds, else 202 with the job',
    examples: ['wait=10']
  }))
})

/** A body documented as an XML (or feed) document: the routes read it as a stream. */
export const XmlDocument = (description: string) => ({ schema: { type: 'string', description } })

const JOB_LOCATION = { location: { type: 'string', description: 'The job: `/v1/imports/{id}`', examples: ['/v1/imports/7'] } }

/** 202 to an import: the job, queued or running. */
export const ImportAccepted = Type.Object({ data: Type.Ref('ImportJob') }, {
  description: 'Accepted: the body is stored and the import runs in the background. Poll `Location` (`GET /v1/imports/{id}`) until its `status` has ended.',
  headers: JOB_LOCATION
})

/** 200 to an import that waited (`Prefer: wait=N`) and ended in time: its summary. */
export const ImportFinishedResponse = Type.Object({ data: Type.Ref('ImportSummary') }, {
  description: 'With `Prefer: wait=N`, when the import ended within N seconds: the summary (`Preference-Applied: wait=N`; `Content-Location` is the job)',
  headers: {
    'preference-applied': { type: 'string', examples: ['wait=10'] },
    'content-location': { type: 'string', examples: ['/v1/imports/7'] }
  }
})

export const ImportJobEnvelope = Type.Object({ data: Type.Ref('ImportJob') })
export const ImportCancelled = Type.Object({ data: Type.Ref('ImportJob') }, { description: 'Cancelled (or cancelled already)' })
export const ImportCancelAsked = Type.Object({ data: Type.Ref('ImportJob') }, { description: 'Running: it stops after the item in hand' })

/** The $id'd schemas the module adds. */
export const importSchemas = [ImportSummarySchema, ImportJobSchema]
