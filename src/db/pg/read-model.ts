import { bigint, boolean, customType, doublePrecision, integer, pgTable, text } from 'drizzle-orm/pg-core'
import { comments, posts } from './schema.js'

// The read model on PostgreSQL, the twin of src/db/read-model.ts and src/db/read-model-related.ts:
// tables made by the hand-written migrations/pg/0004_read_model_triggers.sql (and 0005 for the
// search vector) and kept by their trigger functions. Declared here for the query builder only,
// outside schema.ts, so drizzle-kit never tries to create them, as on SQLite.

/** PostgreSQL's tsvector, written only by the trigger functions; read as its text form. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

/** A post's search key, status, time and facets; `document` its weighted full-text vector (0005). */
export const postSearch = pgTable('post_search', {
  postId: integer('post_id').primaryKey(),
  // Keys span the whole 64-bit range: exact only as bigint.
  key: bigint('key', { mode: 'bigint' }).notNull(),
  status: text('status').notNull(),
  publishedAt: bigint('published_at', { mode: 'number' }),
  facets: text('facets').notNull(),
  document: tsvector('document')
})

export const postTerms = pgTable('post_terms', {
  postId: integer('post_id').notNull().references(() => posts.id, { onDelete: 'cascade' }),
  term: text('term').notNull(),
  weight: doublePrecision('weight').notNull()
})

export const postVectors = pgTable('post_vectors', {
  postId: integer('post_id').primaryKey().references(() => posts.id, { onDelete: 'cascade' }),
  hash: text('hash').notNull(),
  status: text('status').notNull(),
  publishedAt: bigint('published_at', { mode: 'number' })
})

export const termDf = pgTable('term_df', {
  term: text('term').primaryKey(),
  df: integer('df').notNull()
})

export const relatedCounts = pgTable('related_counts', {
  kind: text('kind', { enum: ['posts', 'tag', 'category'] }).notNull(),
  id: integer('id').notNull(),
  n: integer('n').notNull()
})

export const postDocuments = pgTable('post_documents', {
  postId: integer('post_id').primaryKey().references(() => posts.id, { onDelete: 'cascade' }),
  fingerprint: text('fingerprint').notNull(),
  status: text('status').notNull().default(''),
  publishedAt: bigint('published_at', { mode: 'number' }),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  bodyBytes: integer('body_bytes').notNull(),
  hash: text('hash').notNull().default(''),
  terms: text('terms').notNull(),
  card: text('card').notNull(),
  full: text('full').notNull(),
  rssItem: text('rss_item').notNull(),
  atomEntry: text('atom_entry').notNull(),
  jsonItem: text('json_item').notNull(),
  rssHash: text('rss_hash').notNull().default(''),
  atomHash: text('atom_hash').notNull().default(''),
  jsonHash: text('json_hash').notNull().default('')
})

export const postQueue = pgTable('post_queue', {
  postId: integer('post_id').primaryKey()
})

export const commentDocuments = pgTable('comment_documents', {
  commentId: integer('comment_id').primaryKey().references(() => comments.id, { onDelete: 'cascade' }),
  postId: integer('post_id').notNull(),
  path: text('path').notNull(),
  parentId: integer('parent_id'),
  deleted: boolean('deleted').notNull(),
  json: text('json').notNull(),
  hash: text('hash').notNull().default('')
})

export const commentThreads = pgTable('comment_threads', {
  postId: integer('post_id').primaryKey(),
  fingerprint: text('fingerprint').notNull()
})

export const commentQueue = pgTable('comment_queue', {
  commentId: integer('comment_id').primaryKey(),
  postId: integer('post_id').notNull()
})

export const relatedLists = pgTable('related_lists', {
  postId: integer('post_id').primaryKey().references(() => posts.id, { onDelete: 'cascade' }),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  minScore: doublePrecision('min_score').notNull(),
  items: text('items').notNull()
})

export const relatedListItems = pgTable('related_list_items', {
  relatedId: integer('related_id').notNull(),
  postId: integer('post_id').notNull()
})

export const relatedQueue = pgTable('related_queue', {
  postId: integer('post_id').primaryKey(),
  cascade: integer('cascade').notNull(),
  seq: bigint('seq', { mode: 'number' }).notNull()
})

export const relatedState = pgTable('related_state', {
  id: integer('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  liveThrough: bigint('live_through', { mode: 'number' }).notNull()
})
