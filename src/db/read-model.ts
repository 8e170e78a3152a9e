import { blob, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { posts } from './schema.js'

// The read model the hand-written migrations keep beside the content: the search index
// (0004_search_keys.sql), the related-posts index (0002_related.sql,
// 0005_related_live_stats.sql), maintained by triggers and the related indexer, and the stored
// public documents with their queues (0006_read_model.sql). Declared here
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

// The stored public representations (0006_read_model.sql): documents rebuilt in the write that
// changes their rows, queued by triggers for whatever the write services do not rebuild.

/** A post's public documents, built with the configuration named by `fingerprint`. */
export const postDocuments = sqliteTable('post_documents', {
  postId: integer('post_id').primaryKey().references(() => posts.id, { onDelete: 'cascade' }),
  fingerprint: text('fingerprint').notNull(),
  /** The post's status when they were built (a status change deletes them: a current document says whether the post is live). */
  status: text('status').notNull().default(''),
  publishedAt: integer('published_at'),
  updatedAt: integer('updated_at').notNull(),
  bodyBytes: integer('body_bytes').notNull(),
  /** SHA-1 (base64url) of full, card and terms, made when they are built: the ETag of the public reads made of them (0022). */
  hash: text('hash').notNull().default(''),
  terms: text('terms').notNull(),
  card: text('card').notNull(),
  full: text('full').notNull(),
  rssItem: text('rss_item').notNull(),
  atomEntry: text('atom_entry').notNull(),
  jsonItem: text('json_item').notNull(),
  // Each item's SHA-1 (base64url, '' for an empty item), written with it: feed ETags (0021_feed_item_hashes.sql).
  rssHash: text('rss_hash').notNull().default(''),
  atomHash: text('atom_hash').notNull().default(''),
  jsonHash: text('json_hash').notNull().default('')
})

/**
 * A post's list card apart from its other documents (0020_post_cards.sql): narrow rows a list
 * page reads ten of, the card as its UTF-8 bytes and `hash` their SHA-1 (base64url), so a list
 * is sent as stored bytes joined and names its ETag from its cards' hashes. Written with the
 * post's documents, dropped with them (ON DELETE CASCADE).
 */
export const postCards = sqliteTable('post_cards', {
  postId: integer('post_id').primaryKey().references(() => postDocuments.postId, { onDelete: 'cascade' }),
  fingerprint: text('fingerprint').notNull(),
  hash: text('hash').notNull(),
  card: blob('card', { mode: 'buffer' }).notNull()
})

/** Posts whose documents are to be built (again); filled by triggers. */
export const postQueue = sqliteTable('post_queue', {
  postId: integer('post_id').primaryKey()
})

/** A public comment (approved, or a tombstone) as the thread shows it; keyed by (post_id, path), WITHOUT ROWID, comment_id unique (0022). */
export const commentDocuments = sqliteTable('comment_documents', {
  commentId: integer('comment_id').notNull(),
  postId: integer('post_id').notNull(),
  path: text('path').notNull(),
  parentId: integer('parent_id'),
  deleted: integer('deleted', { mode: 'boolean' }).notNull(),
  json: text('json').notNull(),
  /** SHA-1 (base64url) of json, made when it is built: a thread's ETag is made of them (0022). */
  hash: text('hash').notNull().default('')
})

/** Posts whose comment documents are complete, and the fingerprint they were built with. */
export const commentThreads = sqliteTable('comment_threads', {
  postId: integer('post_id').primaryKey(),
  fingerprint: text('fingerprint').notNull()
})

/** Comments whose documents are to be built (again); filled by triggers. */
export const commentQueue = sqliteTable('comment_queue', {
  commentId: integer('comment_id').primaryKey(),
  postId: integer('post_id').notNull()
})
