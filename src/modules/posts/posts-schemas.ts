import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema, PageQuery, idOrSlugSchema } from '../../schemas/common.js'
import { seoReadable, seoWritable } from '../../schemas/seo.js'
import { fieldsParam, sparseOf } from '../../schemas/fields.js'

export const TermRefSchema = Type.Object({
  id: IdSchema,
  slug: Type.String(),
  name: Type.String()
}, { $id: 'TermRef', title: 'TermRef', description: 'A tag as embedded in a post, or a category in a `path`' })

export const CategoryRefSchema = Type.Object({
  id: IdSchema,
  slug: Type.String(),
  name: Type.String(),
  parent_id: Type.Union([IdSchema, Type.Null()], { description: 'The parent category, null at the top of the tree' }),
  path: Type.Array(Type.Ref('TermRef'), {
    description: 'The categories above this one, from the top of the tree down to its parent (itself excluded; empty at the top): ' +
      'a breadcrumb is `path` followed by the category itself'
  })
}, {
  $id: 'CategoryRef',
  title: 'CategoryRef',
  description: 'A category as embedded in a post, with its place in the tree',
  examples: [{ id: 4, slug: 'elections', name: 'Elections', parent_id: 1, path: [{ id: 1, slug: 'politics', name: 'Politics' }] }]
})

export const AuthorRefSchema = Type.Object({
  id: IdSchema,
  slug: Type.String(),
  name: Type.String(),
  avatar_url: Type.Union([Type.String(), Type.Null()])
}, { $id: 'AuthorRef', title: 'AuthorRef', description: 'The author as embedded in a post' })

export const POST_FIELDS = [
  'id', 'slug', 'title', 'excerpt', 'content_html', 'status', 'published_at', 'created_at', 'updated_at', 'url',
  'author', 'authors', 'featured', 'categories', 'primary_category', 'tags', 'featured_image', 'source', 'canonical_url', 'word_count',
  'reading_time_minutes', 'comment_status', 'comment_count', 'snippet'
] as const
export type PostField = typeof POST_FIELDS[number]

const postProperties = {
  id: IdSchema,
  slug: Type.String({ examples: ['blinken-warns-russia'] }),
  title: Type.String({ examples: ['Blinken warns Russia of a swift, united response'] }),
  excerpt: Type.String({ description: 'Plain-text summary (derived from the body when not written)' }),
  content_html: Type.String({ description: 'Sanitized body HTML' }),
  status: Type.Union([Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('published'), Type.Literal('archived')], { description: 'A scheduled post reads as published once its published_at has passed' }),
  published_at: Type.Union([DateTimeSchema, Type.Null()]),
  created_at: DateTimeSchema,
  updated_at: DateTimeSchema,
  url: Type.String({ description: 'Public URL on the frontend: SITE_URL/{primary category slug}/{slug} (configured, never taken from the request)' }),
  author: Type.Ref('AuthorRef', { description: 'The primary author (the first of `authors`)' }),
  authors: Type.Array(Type.Ref('AuthorRef'), { minItems: 1, description: 'Every author, in order: the primary author first, then the co-authors' }),
  featured: Type.Boolean({ description: 'An editors\' pick (`GET /v1/posts?featured=true`); WordPress sticky posts import as featured' }),
  categories: Type.Array(Type.Ref('CategoryRef'), { description: 'The first is the primary category' }),
  primary_category: Type.Union([Type.Ref('CategoryRef'), Type.Null()], { description: 'The primary category (the first of `categories`, the one `url` is built from); null when the post has none' }),
  tags: Type.Array(Type.Ref('TermRef')),
  featured_image: Type.Union([Type.Ref('FeaturedImage'), Type.Null()]),
  source: Type.Union([Type.Object({ url: Type.String(), name: Type.String() }), Type.Null()], { description: 'The original publisher of a syndicated post' }),
  canonical_url: Type.Union([Type.String(), Type.Null()], { description: 'For <link rel="canonical">: the stored canonical_url, else the source url of a syndicated post, else the post url' }),
  word_count: Type.Integer({ minimum: 0 }),
  reading_time_minutes: Type.Integer({ minimum: 1 }),
  comment_status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  comment_count: Type.Integer({ minimum: 0, description: 'Approved comments' })
}

// Single reads (and write answers) also carry the SEO fields and the computed `seo`; lists do not.
const seoProperties = {
  ...Object.fromEntries(Object.entries(seoReadable).map(([k, v]) => [k, Type.Optional(v)])) as { [K in keyof typeof seoReadable]: ReturnType<typeof Type.Optional<typeof seoReadable[K]>> },
  seo: Type.Optional(Type.Ref('Seo', { description: 'Single reads: every head tag with its fallback applied' }))
}

export const PostSchema = Type.Object({ ...postProperties, ...seoProperties }, { $id: 'Post', title: 'Post' })
export type Post = Static<typeof PostSchema>

const { content_html: contentHtml, ...summaryProperties } = postProperties
const SNIPPET = Type.String({ description: 'With q: the matching passage, matches wrapped in <mark>' })

export const PostSummarySchema = Type.Object({
  ...summaryProperties,
  content_html: Type.Optional(contentHtml),
  snippet: Type.Optional(SNIPPET)
}, {
  $id: 'PostSummary',
  title: 'PostSummary',
  description: 'A post in a list without `fields`: every field, except content_html (only when `fields` asks for it) and snippet (only with `q`).'
})

/** A post in a list narrowed by `fields`: only the fields asked for. */
export const SparsePostSummarySchema = Type.Partial(Type.Object({ ...postProperties, snippet: SNIPPET }), {
  $id: 'SparsePostSummary',
  title: 'SparsePostSummary',
  description: 'A post in a list read with `fields`: only the fields asked for (snippet only with `q`).'
})

export const SORTS = ['-published_at', 'published_at', '-updated_at', 'title', 'relevance'] as const
export type PostSort = typeof SORTS[number]

export const ListPostsQuery = Type.Object({
  ...PageQuery,
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Opaque keyset cursor from meta.next_cursor; continues exactly after the last item (use instead of page)' })),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Category id or slug; includes its sub-categories', examples: ['politics'] })),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'Comma-separated tag ids or slugs; a post matches when it has any of them', examples: ['ukraine,nato'] })),
  author: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Author id or slug; matches posts it wrote or co-wrote' })),
  featured: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'Only featured posts (true) or only the others (false)' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 5000, description: 'Full-text search over title, excerpt and body; any text is safe' })),
  published_after: Type.Optional(Type.String({ maxLength: 40, description: 'Only posts published strictly after this time: an ISO 8601 date-time, or a date alone (the start of that day in UTC)' })),
  published_before: Type.Optional(Type.String({ maxLength: 40, description: 'Only posts published strictly before this time: an ISO 8601 date-time, or a date alone (the start of that day in UTC)' })),
  status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('published'), Type.Literal('archived'), Type.Literal('any')], { description: 'Needs a key with read:drafts; default published' })),
  sort: Type.Optional(Type.Union([Type.Literal('-published_at'), Type.Literal('published_at'), Type.Literal('-updated_at'), Type.Literal('title'), Type.Literal('relevance')], { default: '-published_at', description: 'Sort order; relevance needs q' })),
  fields: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: `Comma-separated top-level fields to return, from: ${POST_FIELDS.join(', ')}`, examples: ['id,slug,title,excerpt,published_at,author'] }))
}, { additionalProperties: false })
export type ListPostsQueryType = Static<typeof ListPostsQuery>

export const PostListMetaSchema = Type.Object({
  page: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The page number; null when paging by cursor' }),
  per_page: Type.Integer({ minimum: 1, maximum: 100 }),
  total: Type.Integer({ minimum: 0 }),
  total_pages: Type.Integer({ minimum: 0 }),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page' }),
  search: Type.Optional(Type.Ref('SearchMeta'))
}, { $id: 'PostListMeta', title: 'PostListMeta' })

export const PostListSchema = Type.Object({
  data: Type.Array(Type.Ref('PostSummary')),
  meta: Type.Ref('PostListMeta')
}, { $id: 'PostList', title: 'PostList', description: 'A list of posts read without `fields`' })

/**
 * A list read with `fields`. It is also what the server serializes every list with: a serializer
 * for the full items would refuse a sparse one, and one schema per answer keeps serializing
 * a single pass (an `anyOf` would validate each answer first). The spec shows both.
 */
export const SparsePostListSchema = Type.Object({
  data: Type.Array(Type.Ref('SparsePostSummary')),
  meta: Type.Ref('PostListMeta')
}, { $id: 'SparsePostList', title: 'SparsePostList', description: 'A list of posts read with `fields`: each item has the fields asked for' })

/** The fields a single read may be narrowed to: a list's (no snippet), the SEO fields and `seo`. */
export const SINGLE_POST_FIELDS = [...POST_FIELDS.filter((f) => f !== 'snippet'), ...Object.keys(seoReadable) as Array<keyof typeof seoReadable>, 'seo'] as const
export type SinglePostField = typeof SINGLE_POST_FIELDS[number]

export const GetPostQuery = Type.Object({
  fields: fieldsParam(SINGLE_POST_FIELDS, 'the post')
}, { additionalProperties: false })

export const PostEnvelopeSchema = Type.Object({ data: Type.Ref('Post') }, { $id: 'PostEnvelope', title: 'PostEnvelope' })

/** A post read with `fields`: only the fields asked for. */
export const SparsePostSchema = sparseOf(PostSchema, { $id: 'SparsePost', title: 'SparsePost', description: 'A post read with `fields`: only the fields asked for.' })

/** A single read with `fields`; like lists, what the server serializes every single read with (posts-routes.ts). */
export const SparsePostEnvelopeSchema = Type.Object({ data: Type.Ref('SparsePost') }, {
  $id: 'SparsePostEnvelope',
  title: 'SparsePostEnvelope',
  description: 'A post read with `fields`',
  examples: [{ data: { id: 42, title: 'Blinken warns Russia of a swift, united response', primary_category: { id: 1, slug: 'politics', name: 'Politics', parent_id: null, path: [] } } }]
})

/**
 * What a post write answers to a key that may not read drafts: enough to address the post and
 * see where it stands, none of its content (a write key must not read a draft through a PATCH).
 */
export const PostReceiptSchema = Type.Object({
  id: IdSchema,
  slug: postProperties.slug,
  status: postProperties.status,
  published_at: postProperties.published_at,
  updated_at: postProperties.updated_at
}, {
  $id: 'PostReceipt',
  title: 'PostReceipt',
  description: 'The answer to a post write by a key without read:drafts: the post\'s identity and state, no content.',
  examples: [{ id: 42, slug: 'blinken-warns-russia', status: 'scheduled', published_at: '2030-01-21T06:00:00.000Z', updated_at: '2030-01-20T17:05:00.000Z' }]
})

/** What a write changed in what it was sent: markup the sanitizer removed from the body. */
export const WriteWarningSchema = Type.Object({
  field: Type.String({ description: 'The body field it is about', examples: ['content_html'] }),
  code: Type.Unsafe<'MARKUP_REMOVED'>({ type: 'string', enum: ['MARKUP_REMOVED'], description: 'MARKUP_REMOVED: the sanitizer removed markup outside the allowlist (see the README)' }),
  removed: Type.String({ description: 'What was removed: an element (`<script>`), an attribute on an element (`onclick on <a>`) or a class (`class="lead" on <p>`)', examples: ['<script>'] }),
  count: Type.Integer({ minimum: 1, description: 'How many times' }),
  message: Type.String({ examples: ['content_html: removed 2 <script> elements'] })
}, { $id: 'WriteWarning', title: 'WriteWarning', description: 'Something a write changed in what it was sent' })

export const PostWriteEnvelopeSchema = Type.Object({
  data: Type.Union([Type.Ref('Post'), Type.Ref('PostReceipt')], {
    description: 'The whole post (as GET /v1/posts/{ref} shows it to the key) when the key may read drafts (read:drafts or admin); else a PostReceipt'
  }),
  warnings: Type.Array(Type.Ref('WriteWarning'), {
    maxItems: 51,
    description: 'What the write removed from the body (sanitizing): each kind of element, attribute or class once, counted; empty when nothing was. At most 50 kinds, then one that counts the rest.'
  })
}, {
  $id: 'PostWriteEnvelope',
  title: 'PostWriteEnvelope',
  examples: [{
    data: { id: 42, slug: 'blinken-warns-russia', status: 'draft', published_at: null, updated_at: '2030-01-20T17:05:00.000Z' },
    warnings: [
      { field: 'content_html', code: 'MARKUP_REMOVED', removed: '<script>', count: 1, message: 'content_html: removed 1 <script> element' },
      { field: 'content_html', code: 'MARKUP_REMOVED', removed: 'class="lead" on <p>', count: 2, message: 'content_html: removed class "lead" from 2 <p> (not in the class allowlist)' }
    ]
  }]
})

/** Every $id'd schema of the module, added by its plugin (PostListMeta refers to the search module's SearchMeta). */
export const postSchemas = [TermRefSchema, CategoryRefSchema, AuthorRefSchema, PostSchema, PostSummarySchema, SparsePostSummarySchema, PostListMetaSchema, PostListSchema, SparsePostListSchema, PostEnvelopeSchema, SparsePostSchema, SparsePostEnvelopeSchema, PostReceiptSchema, WriteWarningSchema, PostWriteEnvelopeSchema]

const HttpUrl = (description: string) => Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2000, description })
const RefList = (description: string, maxItems: number) => Type.Array(idOrSlugSchema('An id or a slug'), { uniqueItems: true, maxItems, description })

const writableProperties = {
  title: Type.String({ minLength: 1, maxLength: 300, examples: ['Blinken warns Russia of a swift, united response'] }),
  slug: Type.String({ pattern: '^(?!\\d+$)[a-z0-9]+(?:-[a-z0-9]+)*$', minLength: 1, maxLength: 120, description: 'Made from the title when absent (transliterated to ASCII, made unique); an explicit slug already taken is a 409' }),
  excerpt: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], { description: 'Plain text; derived from the body when absent, empty or null' }),
  content_html: Type.String({
    maxLength: 2_000_000,
    description: 'Body HTML; sanitized to a safe allowlist on write (no scripts, styles, event handlers, javascript: URLs; iframes only from IFRAME_HOSTS). ' +
      'Headings and links keep a plain `id`; any element keeps the WordPress classes of the allowlist (alignleft, aligncenter, alignright, alignnone, alignwide, alignfull, ' +
      'wp-caption, wp-caption-text, size-*, wp-image-*, wp-block-*, has-text-align-*, is-style-*, gallery…; `language-*` on code); a link keeps `target="_blank"`, ' +
      'with `rel="noopener noreferrer"` added. What was removed is listed in the answer\'s `warnings`.'
  }),
  status: Type.Union([Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('published'), Type.Literal('archived')], {
    description: 'draft (default); scheduled needs a future published_at and goes live by itself; published uses published_at or now (a future date schedules it); archived hides it'
  }),
  published_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'ISO 8601 time of publication' }),
  author_id: idOrSlugSchema('The (primary) author, by id or slug (`3` or `"maria-lopez"`); an unknown one is a 422 naming it. On a post with co-authors it replaces the primary author and keeps the co-authors'),
  author_ids: RefList('Every author by id or slug, in order: the first is the primary author, the rest co-authors (`["maria-lopez", 7]`). With author_id too, author_id must name the first one (else a 422)', 20),
  featured: Type.Boolean({ description: 'An editors\' pick; default false' }),
  category_ids: RefList('Categories by id or slug (`[1, "politics"]`); the first is the primary category. An unknown one is a 422 naming it and its place (`category_ids.1`)', 20),
  tag_ids: RefList('Tags by id or slug (`["ukraine", 7]`); an unknown one is a 422 naming it and its place', 50),
  featured_image: Type.Union([Type.Object({ url: HttpUrl('Absolute image URL'), alt: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }), Type.Null()], {
    description: 'An external image (no size or srcset known); setting it clears featured_media_id'
  }),
  featured_media_id: Type.Union([IdSchema, Type.Null()], { description: 'An image of the media library (`POST /v1/media`); setting it clears featured_image. Reads give its size, srcset, caption and credit' }),
  source: Type.Union([Type.Object({ url: HttpUrl('Original article URL'), name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }), Type.Null()], { description: 'The original publisher, for a syndicated post' }),
  canonical_url: Type.Union([HttpUrl('URL for <link rel="canonical">'), Type.Null()]),
  comment_status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  ...seoWritable
}

export const CreatePostBody = Type.Object({
  ...Type.Partial(Type.Object(writableProperties)).properties,
  title: writableProperties.title
}, {
  additionalProperties: false,
  description: 'An author is required: author_id, author_ids, or both when author_id names the first of author_ids (anything else is a 400 or 422 naming the field).',
  // author_id is required unless author_ids is given.
  if: { not: { required: ['author_ids'] } },
  then: { required: ['author_id'] },
  examples: [{
    title: 'Blinken warns Russia of a swift, united response',
    content_html: '<p>Geneva talks ended without a breakthrough.</p><h2>What comes next</h2><p>A written answer next week.</p>',
    status: 'scheduled',
    published_at: '2030-01-21T06:00:00.000Z',
    author_id: 1,
    category_ids: [1, 4],
    tag_ids: [2],
    source: { url: 'https://wire.example.com/blinken-lavrov', name: 'Example Wire' }
  }]
})
export type CreatePostBodyType = Static<typeof CreatePostBody>

export const UpdatePostBody = Type.Partial(Type.Object(writableProperties), {
  additionalProperties: false,
  minProperties: 1,
  examples: [{ status: 'published' }, { title: 'A better headline', tag_ids: [2, 5] }]
})
export type UpdatePostBodyType = Static<typeof UpdatePostBody>

/** A list page as the API answers it, shown in the spec. */
export const POST_LIST_EXAMPLE = {
  data: [{
    id: 42,
    slug: 'blinken-warns-russia',
    title: 'Blinken warns Russia of a swift, united response',
    excerpt: 'After ninety minutes with Lavrov in Geneva, the Secretary of State said any incursion would be met with a united reaction.',
    status: 'published',
    published_at: '2022-01-21T17:05:00.000Z',
    url: 'https://example.com/elections/blinken-warns-russia',
    author: { id: 3, slug: 'maria-lopez', name: 'Maria Lopez', avatar_url: null },
    authors: [{ id: 3, slug: 'maria-lopez', name: 'Maria Lopez', avatar_url: null }, { id: 5, slug: 'tom-reyes', name: 'Tom Reyes', avatar_url: null }],
    featured: true,
    categories: [{ id: 4, slug: 'elections', name: 'Elections', parent_id: 1, path: [{ id: 1, slug: 'politics', name: 'Politics' }] }],
    primary_category: { id: 4, slug: 'elections', name: 'Elections', parent_id: 1, path: [{ id: 1, slug: 'politics', name: 'Politics' }] },
    source: { url: 'https://wire.example.com/blinken-lavrov', name: 'Example Wire' }
  }],
  meta: { page: 1, per_page: 10, total: 64, total_pages: 7, next_cursor: 'WyItcHVibGlzaGVkX2F0IiwxNjQyNzg0NzAwMDAwLDQyXQ' }
}
