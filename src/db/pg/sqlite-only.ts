// The SQLite objects of the hand-written migrations that src/db/pg/schema.ts does not declare,
// each with the PostgreSQL counterpart planned for the port of the repositories (issue 20).
// test/db/pg-schema-parity.test.ts reads every table, view and trigger of a migrated SQLite
// database: one that is neither in the twin nor matched here fails it, so a new trigger or
// read-model table comes with its plan.

export interface SqliteOnlyObject {
  /** Names it covers (sqlite_master.name). */
  match: RegExp
  /** What it is in SQLite. */
  is: string
  /** What stands for it in PostgreSQL. */
  planned: string
}

export const SQLITE_ONLY: SqliteOnlyObject[] = [
  {
    match: /^__drizzle_migrations$/,
    is: 'drizzle\'s record of applied SQLite migrations',
    planned: 'drizzle.__drizzle_migrations, written by the node-postgres migrator under the advisory lock (src/db/pg/client.ts)'
  },
  {
    match: /^posts_fts(_data|_idx|_docsize|_config)?$/,
    is: 'the FTS5 index over title, excerpt, body and facets (0001, 0004), and its shadow tables',
    planned: 'a weighted tsvector column in post_search (setweight title A, excerpt B, body C, facets D) with a GIN index, queried with websearch_to_tsquery (safe for any input), ranked with ts_rank_cd, snippets by ts_headline with the same escaping'
  },
  {
    match: /^post_search_content$/,
    is: 'the view the FTS5 index reads its external content from',
    planned: 'the expression that builds the tsvector, in the trigger function below (no view needed)'
  },
  {
    match: /^(posts|post_categories|post_tags|post_authors)_search_(insert|update|delete)$/,
    is: 'triggers keeping the search key, status, time and facets of a post in post_search and posts_fts',
    planned: 'plpgsql trigger functions (AFTER INSERT/UPDATE/DELETE … FOR EACH ROW) updating post_search and its tsvector'
  },
  {
    match: /^(related_lists|related_list_items|related_queue|related_state)$/,
    is: 'the related-post lists of the read model and their queue and change counter (src/db/read-model-related.ts, 0018)',
    planned: 'ordinary tables with the same keys; the counter a one-row table updated by the trigger functions below'
  },
  {
    match: /^related_lists_(vector|tag_link|category_link)_(insert|update|delete)$/,
    is: 'triggers queueing a post\'s related list when its vector, tags or categories change (0018)',
    planned: 'plpgsql trigger functions on post_vectors, post_tags and post_categories inserting into related_queue and bumping related_state'
  },
  {
    match: /^post_authors_primary_(insert|update)$/,
    is: 'triggers keeping post_authors position 0 equal to posts.author_id, whoever writes the post (0017)',
    planned: 'one plpgsql trigger function AFTER INSERT OR UPDATE OF author_id ON posts upserting position 0 (INSERT … ON CONFLICT)'
  },
  {
    match: /^(post_search|post_terms|post_vectors|term_df|related_counts|post_documents|post_queue|comment_documents|comment_threads|comment_queue)$/,
    is: 'read-model tables (src/db/read-model.ts; WITHOUT ROWID, descending keys)',
    planned: 'ordinary tables with the same columns, primary keys and btree indexes (DESC where SQLite has descending keys), declared beside the twin outside drizzle-kit\'s schema as today, or generated with it'
  },
  {
    match: /^(post_categories|post_tags)_stats_(insert|update|delete)$|^post_terms_df_(insert|delete)$|^post_vectors_stats_(in|out|publish|unpublish)$/,
    is: 'triggers keeping term_df and related_counts (the related-posts statistics)',
    planned: 'plpgsql trigger functions doing the same upserts (INSERT … ON CONFLICT DO UPDATE); statement-level with transition tables if row-level counters contend'
  },
  {
    match: /^post_documents_[a-z_]+$|^comment_documents_(insert|update)$/,
    is: 'triggers queueing read-model rebuilds (post_queue, comment_queue) when the rows a document shows change',
    planned: 'plpgsql trigger functions inserting into the queues ON CONFLICT DO NOTHING; the rebuild worker claims queue rows with FOR UPDATE SKIP LOCKED'
  }
]
