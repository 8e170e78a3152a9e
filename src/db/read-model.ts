import { integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { posts } from './schema.js'

// The read model the hand-written migrations keep beside the content: the search index
// (0004_search_keys.sql) and the related-posts index (0002_related.sql,
// 0005_related_live_stats.sql), maintained by triggers and the related indexer. Declared here
// for the query builder only: outside schema.ts, so drizzle-kit never tries to create them
// (FTS5 tables, WITHOUT ROWID tables and descending keys are beyond what it writes).

/** A post's search key (the rowid of posts_fts), with the status, time and facets it was indexed with. */
export const postSearch = sqliteTable('post_search', {
  postId: integer('post_id').primaryKey(),
  key: integer('key').notNull(),
  status: text('status').notNull(),
  publishedAt: integer('published_at'),
  facets: text('facets').notNull()
})

/** The FTS5 index over title, excerpt, body and facets (a{author} c{category} t{tag}), keyed by the search key. */
export const postsFts = sqliteTable('posts_fts', {
  rowid: integer('rowid').notNull(),
  title: text('title'),
  excerpt: text('excerpt'),
  contentText: text('content_text'),
  facets: text('facets')
})

/** Each post's term vector, one row per term, in canonical order (weight desc, term asc); '' for no terms. */
export const postTerms = sqliteTable('post_terms', {
  postId: integer('post_id').notNull().references(() => posts.id, { onDelete: 'cascade' }),
  term: text('term').notNull(),
  weight: real('weight').notNull()
})

/** One row per indexed post: the fingerprint its vector was built from, and a copy of its status and time. */
export const postVectors = sqliteTable('post_vectors', {
  postId: integer('post_id').primaryKey().references(() => posts.id, { onDelete: 'cascade' }),
  hash: text('hash').notNull(),
  status: text('status').notNull(),
  publishedAt: integer('published_at')
})

/** Published posts whose vector holds the term (scheduled ones included), kept by triggers. */
export const termDf = sqliteTable('term_df', {
  term: text('term').primaryKey(),
  df: integer('df').notNull()
})

/** Published posts with a vector ('posts', 0) and those carrying each tag and category, kept by triggers. */
export const relatedCounts = sqliteTable('related_counts', {
  kind: text('kind', { enum: ['posts', 'tag', 'category'] }).notNull(),
  id: integer('id').notNull(),
  n: integer('n').notNull()
})
