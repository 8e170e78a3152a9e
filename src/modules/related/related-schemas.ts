import { Type } from 'typebox'
import { POST_FIELDS, PostSchema } from '../posts/posts-schemas.js'
import { fieldsParam, sparseOf } from '../../schemas/fields.js'

// A related post carries the list fields of a post: everything but the body.
const { content_html: _body, ...listProperties } = PostSchema.properties

// One response as the API gives it, shown in the spec.
const EXAMPLE = {
  data: [{
    id: 57,
    slug: 'nato-allies-weigh-troop-deployments',
    title: 'NATO allies weigh troop deployments to eastern Europe',
    excerpt: 'Defence officials are drawing up options to reinforce allies if Russia crosses the Ukrainian border.',
    status: 'published',
    published_at: '2022-01-24T09:30:00.000Z',
    created_at: '2022-01-24T08:00:00.000Z',
    updated_at: '2022-01-24T09:30:00.000Z',
    url: 'https://example.com/politics/nato-allies-weigh-troop-deployments',
    author: { id: 3, slug: 'maria-lopez', name: 'Maria Lopez', avatar_url: null },
    categories: [{ id: 1, slug: 'politics', name: 'Politics', parent_id: null, path: [] }],
    primary_category: { id: 1, slug: 'politics', name: 'Politics', parent_id: null, path: [] },
    tags: [{ id: 8, slug: 'ukraine', name: 'Ukraine' }, { id: 9, slug: 'nato', name: 'NATO' }],
    featured_image: { url: 'https://images.example.com/nato-troops.jpg', alt: 'Troops boarding a transport plane' },
    source: null,
    canonical_url: 'https://example.com/politics/nato-allies-weigh-troop-deployments',
    word_count: 812,
    reading_time_minutes: 4,
    comment_status: 'open',
    comment_count: 12,
    score: 0.842137,
    reasons: {
      shared_tags: [{ id: 9, slug: 'nato', name: 'NATO' }, { id: 8, slug: 'ukraine', name: 'Ukraine' }],
      shared_categories: [{ id: 1, slug: 'politics', name: 'Politics' }],
      text_similarity: 0.413562
    }
  }],
  meta: { limit: 5, timed_out: false }
}

export const RelatedReasonsSchema = Type.Object({
  shared_tags: Type.Array(Type.Ref('TermRef'), { description: 'Tags this post shares with the one asked about, rarest first' }),
  shared_categories: Type.Array(Type.Ref('TermRef'), { description: 'Categories it shares, rarest first' }),
  text_similarity: Type.Number({ minimum: 0, maximum: 1, description: 'Cosine similarity of the two posts\' title and body terms, each weighted by its rarity (0 = no content word in common)' })
}, { $id: 'RelatedReasons', title: 'RelatedReasons', description: 'Why the post was chosen', examples: [EXAMPLE.data[0].reasons] })

export const RelatedPostSchema = Type.Object({
  ...listProperties,
  score: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1,
    description: 'Relatedness in (0, 1], six decimals: shared tags and categories weighted by rarity combined with text similarity, times a mild recency factor. ' +
      'Comparable within one response; not a probability.',
    examples: [0.842137]
  }),
  reasons: Type.Ref('RelatedReasons')
}, { $id: 'RelatedPost', title: 'RelatedPost', description: 'A post as in lists (no content_html), with its score and reasons' })

export const RelatedPostListSchema = Type.Object({
  data: Type.Array(Type.Ref('RelatedPost')),
  meta: Type.Object({
    limit: Type.Integer({ minimum: 1, maximum: 20, description: 'The limit asked for; data may hold fewer' }),
    timed_out: Type.Boolean({ description: 'The query budget (QUERY_BUDGET_MS) ran out: only the best candidates by a first estimate were scored, so the list may differ from the full answer' })
  })
}, { $id: 'RelatedPostList', title: 'RelatedPostList', examples: [EXAMPLE] })

/** A related post read with `fields`: only the fields asked for. */
export const SparseRelatedPostSchema = sparseOf(RelatedPostSchema, { $id: 'SparseRelatedPost', title: 'SparseRelatedPost', description: 'A related post read with `fields`: only the fields asked for' })

/** A related list read with `fields`; what the server serializes every related list with (as post lists do). */
export const SparseRelatedPostListSchema = Type.Object({
  data: Type.Array(Type.Ref('SparseRelatedPost')),
  meta: RelatedPostListSchema.properties.meta
}, {
  $id: 'SparseRelatedPostList',
  title: 'SparseRelatedPostList',
  description: 'A related list read with `fields`: each item has the fields asked for',
  examples: [{ data: [{ title: EXAMPLE.data[0].title, url: EXAMPLE.data[0].url, score: EXAMPLE.data[0].score }], meta: EXAMPLE.meta }]
})

/** The fields a related post may be narrowed to: a list card's (no body), its score and reasons. */
export const RELATED_FIELDS = [...POST_FIELDS.filter((f) => f !== 'content_html' && f !== 'snippet'), 'score', 'reasons'] as const

export const RelatedQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 5, description: 'How many related posts, 1–20' })),
  fields: fieldsParam(RELATED_FIELDS, 'each related post')
}, { additionalProperties: false })

export const relatedSchemas = [RelatedReasonsSchema, RelatedPostSchema, RelatedPostListSchema, SparseRelatedPostSchema, SparseRelatedPostListSchema]
