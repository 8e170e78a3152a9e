import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema, PageQuery, refParamsSchema } from '../../schemas/common.js'
import { IF_MATCH_PATTERN } from '../../lib/if-match.js'
import { EDITORIAL_FIELDS } from './revisions-service.js'

const nullableText = (description: string) => Type.Union([Type.String(), Type.Null()], { description })

export const RevisionKeySchema = Type.Union([
  Type.Object({
    id: Type.Union([Type.Integer(), Type.Null()], { description: 'The key id; null for ADMIN_TOKEN' }),
    prefix: Type.Union([Type.String(), Type.Null()], { description: 'The first characters of the key, as key lists show them (never the secret); null for ADMIN_TOKEN' }),
    name: Type.String({ description: 'The key name when the revision was made' })
  }),
  Type.Null()
], { description: 'The key that made the change; null for a write no key made (an import job, the feed poller, the command line, or a revision kept from before revisions were recorded)' })

export const RevisionSummarySchema = Type.Object({
  number: Type.Integer({ minimum: 1, description: 'From 1 (the creation) up, per post or page; numbers are never reused, and the oldest are pruned beyond REVISIONS_KEEP' }),
  created_at: DateTimeSchema,
  key: RevisionKeySchema,
  changed: Type.Array(Type.Union(EDITORIAL_FIELDS.map((f) => Type.Literal(f))), {
    description: 'The fields that differ from the revision before (all of them for revision 1; none for a restore that changed nothing)'
  }),
  restored_from: Type.Union([Type.Integer(), Type.Null()], { description: 'The revision a restore wrote back; null for an edit' })
}, {
  $id: 'RevisionSummary',
  title: 'RevisionSummary',
  examples: [{ number: 3, created_at: '2026-01-05T09:30:00.000Z', key: { id: 2, prefix: 'bs_live_3fa9', name: 'desk' }, changed: ['title', 'meta_title'], restored_from: null }]
})

export const RevisionFieldsSchema = Type.Object({
  title: Type.String(),
  excerpt: Type.String(),
  content_html: Type.String(),
  status: Type.String({ description: 'As stored: draft, published or archived (a scheduled post or page is published with a future published_at)' }),
  published_at: Type.Union([DateTimeSchema, Type.Null()]),
  meta_title: nullableText('As written; null: the fallback applies'),
  meta_description: nullableText('As written'),
  og_title: nullableText('As written'),
  og_description: nullableText('As written'),
  og_image: nullableText('As written'),
  twitter_title: nullableText('As written'),
  twitter_description: nullableText('As written'),
  twitter_image: nullableText('As written'),
  canonical_url: nullableText('As written'),
  noindex: Type.Boolean()
}, { $id: 'RevisionFields', title: 'RevisionFields', description: 'The editorial fields of the post or page as they stood after this revision: what a restore writes back' })

export const RevisionSchema = Type.Intersect([
  Type.Ref('RevisionSummary'),
  Type.Object({ fields: Type.Ref('RevisionFields') })
], { $id: 'Revision', title: 'Revision' })

export type RevisionSummary = Static<typeof RevisionSummarySchema>
export type RevisionFieldsApi = Static<typeof RevisionFieldsSchema>

export const ListRevisionsQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })

export function revisionParams (example: string) {
  return Type.Object({
    ...refParamsSchema(example).properties,
    number: Type.Integer({ ...IdSchema, description: 'The revision number', examples: [1] })
  }, { additionalProperties: false })
}

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({
    pattern: IF_MATCH_PATTERN,
    maxLength: 2000,
    description: 'Optional optimistic concurrency (RFC 9110 §13.1.1): the ETag a read with a key (or the last write) answered, a comma-separated list of them, ' +
      'or `*` (any current version). Compared strongly: a weak tag (`W/"…"`) never matches. Without it the write goes ahead (last write wins).',
    examples: ['"p12.3.mi4x2k1c"']
  }))
})

export const revisionSchemas = [RevisionSummarySchema, RevisionFieldsSchema, RevisionSchema]
