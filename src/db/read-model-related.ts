import { integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { posts } from './schema.js'

// The related-post lists of the read model (migrations/0018_related_lists.sql, kept by
// src/modules/related/related-lists.ts). Declared for the query builder only, outside
// schema.ts, as the other read-model tables are (read-model.ts): the migration is hand-written
// (triggers, a WITHOUT ROWID table).

/** A live post's best related posts as [[id, score, [tag ids], [category ids], text similarity], …]. */
export const relatedLists = sqliteTable('related_lists', {
  postId: integer('post_id').primaryKey().references(() => posts.id, { onDelete: 'cascade' }),
  seq: integer('seq').notNull(),
  minScore: real('min_score').notNull(),
  items: text('items').notNull()
})

/** Which list (postId) names which post (relatedId). */
export const relatedListItems = sqliteTable('related_list_items', {
  relatedId: integer('related_id').notNull(),
  postId: integer('post_id').notNull()
})

/** Posts whose list is to be rebuilt; cascade 1 when the post itself changed (at change `seq`). */
export const relatedQueue = sqliteTable('related_queue', {
  postId: integer('post_id').primaryKey(),
  cascade: integer('cascade').notNull(),
  seq: integer('seq').notNull()
})

/** One row (id 1): changed posts processed so far, and how far going-live-by-time has been looked at. */
export const relatedState = sqliteTable('related_state', {
  id: integer('id').primaryKey(),
  seq: integer('seq').notNull(),
  liveThrough: integer('live_through').notNull()
})
