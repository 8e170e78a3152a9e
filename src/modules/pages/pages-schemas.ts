import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema, PageQuery, slugSchema } from '../../schemas/common.js'
import { seoReadable, seoWritable } from '../../schemas/seo.js'

export const PAGE_STATUSES = ['draft', 'scheduled', 'published'] as const

const status = Type.Union([Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('published')], { description: 'A scheduled page reads as published once its published_at has passed' })

const pageProperties = {
  id: IdSchema,
  slug: Type.String({ examples: ['team'] }),
  title: Type.String({ examples: ['Our team'] }),
  parent_id: Type.Union([IdSchema, Type.Null()], { description: 'The page above it; null at the top' }),
  path: Type.String({ description: 'The slugs from the top page down to this one, joined by "/"', examples: ['about/team'] }),
  url: Type.String({ description: 'Public URL on the frontend: SITE_URL/{path}' }),
  menu_order: Type.Integer({ description: 'Order among its siblings (lower first; then title)' }),
  excerpt: Type.String({ description: 'Plain-text summary' }),
  content_html: Type.String({ description: 'Sanitized body HTML' }),
  status,
  published_at: Type.Union([DateTimeSchema, Type.Null()]),
  created_at: DateTimeSchema,
  updated_at: DateTimeSchema,
  featured_image: Type.Union([Type.Object({ url: Type.String(), alt: Type.String() }), Type.Null()]),
  canonical_url: Type.Union([Type.String(), Type.Null()], { description: 'As written; null when the page url is canonical (see seo.canonical_url)' }),
  ...seoReadable,
  seo: Type.Ref('Seo')
}

export const PageSchema = Type.Object(pageProperties, {
  $id: 'Page',
  title: 'Page',
  examples: [{
    id: 2,
    slug: 'team',
    title: 'Our team',
    parent_id: 1,
    path: 'about/team',
    url: 'https://news.example.com/about/team',
    menu_order: 0,
    excerpt: 'The people behind the paper.',
    content_html: '<p>The people behind the paper.</p>',
    status: 'published',
    published_at: '2026-01-05T09:00:00.000Z',
    created_at: '2026-01-05T09:00:00.000Z',
    updated_at: '2026-01-05T09:00:00.000Z',
    featured_image: null,
    canonical_url: null,
    meta_title: null,
    meta_description: null,
    og_title: null,
    og_description: null,
    og_image: null,
    twitter_title: null,
    twitter_description: null,
    twitter_image: null,
    noindex: false,
    seo: {
      title: 'Our team',
      description: 'The people behind the paper.',
      canonical_url: 'https://news.example.com/about/team',
      robots: 'index, follow',
      og: { type: 'website', url: 'https://news.example.com/about/team', title: 'Our team', description: 'The people behind the paper.', image: null },
      twitter: { card: 'summary', title: 'Our team', description: 'The people behind the paper.', image: null }
    }
  }]
})
export type Page = Static<typeof PageSchema>

const { content_html: _body, ...summaryProperties } = pageProperties
export const PageSummarySchema = Type.Object(summaryProperties, {
  $id: 'PageSummary',
  title: 'PageSummary',
  description: 'A page in a list: every field but content_html'
})
export type PageSummary = Static<typeof PageSummarySchema>

export const PageEnvelopeSchema = Type.Object({ data: Type.Ref('Page') }, { $id: 'PageEnvelope', title: 'PageEnvelope' })

export const ListPagesQuery = Type.Object({
  ...PageQuery,
  parent: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Only the children of this page (id or slug); 0 for the top level' })),
  path: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'The page at this full path (e.g. about/team): a list of that one page, or a 404', examples: ['about/team'] })),
  status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('published'), Type.Literal('any')], { description: 'Needs a key with read:drafts; default published' }))
}, { additionalProperties: false })
export type ListPagesQueryType = Static<typeof ListPagesQuery>

const HttpUrl = (description: string) => Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2000, description })

const writableProperties = {
  title: Type.String({ minLength: 1, maxLength: 300, examples: ['Our team'] }),
  slug: slugSchema('Made from the title when absent (unique over all pages); an explicit slug already taken is a 409'),
  parent_id: Type.Union([IdSchema, Type.Null()], { description: 'The page above it; null at the top. A page cannot sit below itself (422)' }),
  menu_order: Type.Integer({ minimum: -1000000, maximum: 1000000, description: 'Order among siblings; default 0' }),
  excerpt: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], { description: 'Plain text; derived from the body when absent, empty or null' }),
  content_html: Type.String({ maxLength: 2_000_000, description: 'Body HTML; sanitized to the same allowlist as posts' }),
  status: Type.Union([Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('published')], { description: 'draft (default); scheduled needs a future published_at; published uses published_at or now' }),
  published_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'ISO 8601 time of publication' }),
  featured_image: Type.Union([Type.Object({ url: HttpUrl('Absolute image URL'), alt: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }), Type.Null()]),
  canonical_url: Type.Union([HttpUrl('URL for <link rel="canonical">'), Type.Null()]),
  ...seoWritable
}

export const CreatePageBody = Type.Object({
  ...Type.Partial(Type.Object(writableProperties)).properties,
  title: writableProperties.title
}, {
  additionalProperties: false,
  examples: [{ title: 'Our team', parent_id: 1, menu_order: 2, content_html: '<p>The people behind the paper.</p>', status: 'published', meta_description: 'Who writes and edits the paper' }]
})
export type CreatePageBodyType = Static<typeof CreatePageBody>

export const UpdatePageBody = Type.Partial(Type.Object(writableProperties), {
  additionalProperties: false,
  minProperties: 1,
  examples: [{ status: 'published' }, { parent_id: null, menu_order: 5 }]
})
export type UpdatePageBodyType = Static<typeof UpdatePageBody>

/** Every $id'd schema of the module. */
export const pageSchemas = [PageSchema, PageSummarySchema, PageEnvelopeSchema]
