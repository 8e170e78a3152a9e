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
  /**
   * The PostgreSQL migration that made it, once done: for triggers, one of the same name on the
   * same table (test/db/pg-read-model.test.ts reads pg_trigger).
   */
  ported?: string
  /** For tables: the PostgreSQL tables that stand for them (checked in information_schema). */
  tables?: string[]
}

const READ_MODEL = 'migrations/pg/0004_read_model_triggers.sql'

export const SQLITE_ONLY: SqliteOnlyObject[] = [
  {
    match: /^__drizzle_migrations$/,
    is: 'drizzle\'s record of applied SQLite migrations',
    planned: 'drizzle.__drizzle_migrations, written by the node-postgres migrator under the advisory lock (src/db/pg/client.ts)'
  },
  {
    match: /^posts_fts(_data|_idx|_docsize|_config)?$/,
    is: 'the FTS5 index over title, excerpt, body and facets (0001, 0004), and its shadow tables',
    planned: 'post_search.document, a tsvector (title A, excerpt B, body C; text search configuration broadsheet_simple = simple + unaccent, as unicode61 with remove_diacritics) kept by the search trigger function, with a GIN index; src/db/pg/search.ts queries it (our own words through plainto_tsquery, the last also a prefix; ts_rank weighted like bm25; ts_headline snippets escaped by snippetHtml). Facets are filtered on post_search.facets, not indexed as words',
    ported: 'migrations/pg/0005_full_text_search.sql',
    tables: ['post_search']
  },
  {
    match: /^post_search_content$/,
    is: 'the view the FTS5 index reads its external content from',
    planned: 'none needed: the vector is computed from the posts row in the trigger function, and ts_headline reads posts directly',
    ported: 'migrations/pg/0005_full_text_search.sql'
  },
  {
    match: /^(posts|post_categories|post_tags|post_authors)_search_(insert|update|delete)$/,
    is: 'triggers keeping the search key, status, time and facets of a post in post_search and posts_fts',
    planned: 'plpgsql bs_posts_search (key by bs_search_key, facets by bs_post_facets) and bs_link_search, AFTER … FOR EACH ROW, same names',
    ported: READ_MODEL
  },
  {
    match: /^(related_lists|related_list_items|related_queue|related_state)$/,
    is: 'the related-post lists of the read model and their queue and change counter (src/db/read-model-related.ts, 0018)',
    planned: 'ordinary tables with the same keys (seq columns bigint); related_state its one row, updated by the trigger functions',
    ported: READ_MODEL,
    tables: ['related_lists', 'related_list_items', 'related_queue', 'related_state']
  },
  {
    match: /^related_lists_(vector|tag_link|category_link)_(insert|update|delete)$/,
    is: 'triggers queueing a post\'s related list when its vector, tags or categories change (0018)',
    planned: 'plpgsql bs_related_queue (bs_related_enqueue: related_state.seq bumped, related_queue upserted) on post_vectors, post_tags and post_categories',
    ported: READ_MODEL
  },
  {
    match: /^post_authors_primary_(insert|update)$/,
    is: 'triggers keeping post_authors position 0 equal to posts.author_id, whoever writes the post (0017)',
    planned: 'plpgsql bs_post_authors_primary AFTER INSERT / UPDATE OF author_id ON posts; stands aside while migrate-to copies (SET LOCAL broadsheet.copying)',
    ported: READ_MODEL
  },
  {
    match: /^(post_search|post_terms|post_vectors|term_df|related_counts|post_documents|post_queue|comment_documents|comment_threads|comment_queue)$/,
    is: 'read-model tables (src/db/read-model.ts; WITHOUT ROWID, descending keys)',
    planned: 'ordinary tables with the same columns and keys (src/db/pg/read-model.ts declares them for the query builder); post_terms\' descending key a unique index; terms and comment paths COLLATE "C"',
    ported: READ_MODEL,
    tables: ['post_search', 'post_terms', 'post_vectors', 'term_df', 'related_counts', 'post_documents', 'post_queue', 'comment_documents', 'comment_threads', 'comment_queue']
  },
  {
    match: /^post_cards$/,
    is: 'the list cards apart from the other stored documents, as UTF-8 bytes with their SHA-1 (0020_post_cards.sql; src/db/read-model.ts postCards)',
    planned: 'a table post_cards (post_id integer PRIMARY KEY REFERENCES post_documents ON DELETE CASCADE, fingerprint text, hash text, card bytea) in src/db/pg/read-model.ts, written beside post_documents by the same save'
  },
  {
    match: /^(post_categories|post_tags)_stats_(insert|update|delete)$|^post_terms_df_(insert|delete)$|^post_vectors_stats_(in|out|publish|unpublish)$/,
    is: 'triggers keeping term_df and related_counts (the related-posts statistics)',
    planned: 'plpgsql bs_post_terms_df, bs_post_vectors_stats and bs_link_stats doing the same upserts (INSERT … ON CONFLICT DO UPDATE); the "post is published" test, a subquery SQLite puts in WHEN, inside the functions',
    ported: READ_MODEL
  },
  {
    match: /^post_documents_[a-z_]+$|^comment_documents_(insert|update)$/,
    is: 'triggers queueing read-model rebuilds (post_queue, comment_queue) when the rows a document shows change',
    planned: 'plpgsql bs_post_documents, bs_post_documents_shown (a category\'s whole subtree by WITH RECURSIVE) and bs_comment_documents, queueing ON CONFLICT DO NOTHING; the rebuild worker is to claim queue rows with FOR UPDATE SKIP LOCKED (async port)',
    ported: READ_MODEL
  }
]
