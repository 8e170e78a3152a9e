-- The read model and its triggers on PostgreSQL (issue 20): the tables src/db/read-model.ts and
-- src/db/read-model-related.ts declare for SQLite (migrations 0002, 0004, 0005, 0011–0018) and
-- the plpgsql counterparts of every SQLite trigger listed in src/db/pg/sqlite-only.ts, under the
-- same trigger names, so a write leaves the same search keys and facets, queues, counters and
-- post_authors rows on both engines (test/db/pg-read-model.test.ts replays one sequence of
-- writes on both and compares those tables row for row). The full-text vector comes in 0005.
--
-- Differences from SQLite that are not visible in the rows:
-- - PostgreSQL fires the triggers of one event in name order, SQLite in its own; none of them
--   reads what another of the same event writes, except through idempotent queue inserts.
-- - "IS NOT" becomes IS DISTINCT FROM; "INSERT … WHERE NOT EXISTS" becomes ON CONFLICT DO NOTHING.
-- - Search keys: two writers can run at once here, so the free-slot search of a published
--   millisecond takes a transaction advisory lock on the millisecond first (SQLite has one writer).
-- - related_state is one row every link change updates: writers queue on its row lock, as
--   they queue on SQLite's single write lock today.
-- - `SET LOCAL broadsheet.copying = 'on'` (src/db/pg/copy.ts, `migrate-to`) makes the
--   post_authors position-0 trigger stand aside: the copy brings SQLite's post_authors rows,
--   position 0 included. Every other trigger fires during a copy and builds the search keys,
--   facets and queues of the copied posts.

CREATE TABLE "post_search" (
  "post_id" integer PRIMARY KEY NOT NULL,
  "key" bigint NOT NULL,
  "status" text NOT NULL,
  "published_at" bigint,
  "facets" text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "post_search_key_unique" ON "post_search" ("key");
--> statement-breakpoint
-- Terms sort in byte order ("C") on every server, whatever the database's locale.
CREATE TABLE "post_terms" (
  "post_id" integer NOT NULL REFERENCES "posts"("id") ON DELETE CASCADE,
  "term" text COLLATE "C" NOT NULL,
  "weight" double precision NOT NULL
);
--> statement-breakpoint
-- SQLite's primary key (post_id, weight DESC, term): a constraint cannot be descending, a unique index can.
CREATE UNIQUE INDEX "post_terms_pkey" ON "post_terms" ("post_id", "weight" DESC, "term");
--> statement-breakpoint
CREATE INDEX "post_terms_term_idx" ON "post_terms" ("term", "weight" DESC, "post_id");
--> statement-breakpoint
CREATE TABLE "term_df" (
  "term" text COLLATE "C" PRIMARY KEY NOT NULL,
  "df" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "post_vectors" (
  "post_id" integer PRIMARY KEY NOT NULL REFERENCES "posts"("id") ON DELETE CASCADE,
  "hash" text NOT NULL,
  "status" text NOT NULL,
  "published_at" bigint
);
--> statement-breakpoint
CREATE INDEX "post_vectors_status_published_idx" ON "post_vectors" ("status", "published_at");
--> statement-breakpoint
CREATE TABLE "related_counts" (
  "kind" text NOT NULL,
  "id" integer NOT NULL,
  "n" integer NOT NULL,
  PRIMARY KEY ("kind", "id")
);
--> statement-breakpoint
CREATE TABLE "post_documents" (
  "post_id" integer PRIMARY KEY NOT NULL REFERENCES "posts"("id") ON DELETE CASCADE,
  "fingerprint" text NOT NULL,
  "published_at" bigint,
  "updated_at" bigint NOT NULL,
  "body_bytes" integer NOT NULL,
  "terms" text NOT NULL,
  "card" text NOT NULL,
  "full" text NOT NULL,
  "rss_item" text NOT NULL,
  "atom_entry" text NOT NULL,
  "json_item" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "post_documents_fingerprint_idx" ON "post_documents" ("fingerprint", "post_id");
--> statement-breakpoint
CREATE TABLE "post_queue" (
  "post_id" integer PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "comment_documents" (
  "comment_id" integer PRIMARY KEY NOT NULL REFERENCES "comments"("id") ON DELETE CASCADE,
  "post_id" integer NOT NULL,
  "path" text COLLATE "C" NOT NULL,
  "parent_id" integer,
  "deleted" boolean NOT NULL,
  "json" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "comment_documents_thread_idx" ON "comment_documents" ("post_id", "path");
--> statement-breakpoint
CREATE TABLE "comment_threads" (
  "post_id" integer PRIMARY KEY NOT NULL REFERENCES "posts"("id") ON DELETE CASCADE,
  "fingerprint" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "comment_queue" (
  "comment_id" integer PRIMARY KEY NOT NULL,
  "post_id" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "comment_queue_post_idx" ON "comment_queue" ("post_id");
--> statement-breakpoint
CREATE TABLE "related_lists" (
  "post_id" integer PRIMARY KEY NOT NULL REFERENCES "posts"("id") ON DELETE CASCADE,
  "seq" bigint NOT NULL,
  "min_score" double precision NOT NULL,
  "items" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "related_lists_seq_idx" ON "related_lists" ("seq");
--> statement-breakpoint
CREATE TABLE "related_list_items" (
  "related_id" integer NOT NULL,
  "post_id" integer NOT NULL,
  PRIMARY KEY ("related_id", "post_id")
);
--> statement-breakpoint
CREATE INDEX "related_list_items_post_idx" ON "related_list_items" ("post_id");
--> statement-breakpoint
CREATE TABLE "related_queue" (
  "post_id" integer PRIMARY KEY NOT NULL,
  "cascade" integer NOT NULL,
  "seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "related_state" (
  "id" integer PRIMARY KEY NOT NULL,
  "seq" bigint NOT NULL,
  "live_through" bigint NOT NULL
);
--> statement-breakpoint
INSERT INTO "related_state" ("id", "seq", "live_through") VALUES (1, 0, (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
--> statement-breakpoint

-- ── Search keys and facets (SQLite 0004, 0017) ─────────────────────────────────────────────

-- The facets string of a post: a{primary author} a{co-authors…} c{categories…} t{tags…}, ids ascending.
CREATE FUNCTION bs_post_facets(pid integer) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT 'a' || p.author_id
    || coalesce((SELECT ' ' || string_agg('a' || pa.author_id, ' ' ORDER BY pa.author_id) FROM post_authors pa WHERE pa.post_id = p.id AND pa.author_id <> p.author_id), '')
    || coalesce((SELECT ' ' || string_agg('c' || pc.category_id, ' ' ORDER BY pc.category_id) FROM post_categories pc WHERE pc.post_id = p.id), '')
    || coalesce((SELECT ' ' || string_agg('t' || pt.tag_id, ' ' ORDER BY pt.tag_id) FROM post_tags pt WHERE pt.post_id = p.id), '')
  FROM posts p WHERE p.id = pid
$$;
--> statement-breakpoint
-- A post's search key: published, (clamped ms from 0001-01-01 << 14) + slot, the slot id % 16384
-- or else the first free one after a taken one in that millisecond, or the millisecond's first;
-- drafts and archived, -2^62 + id. The same arithmetic as SQLite's posts_search_insert.
CREATE FUNCTION bs_search_key(pid integer, st text, published bigint) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  pref bigint;
  base bigint;
BEGIN
  IF st <> 'published' OR published IS NULL THEN
    RETURN -4611686018427387904 + pid;
  END IF;
  base := least(greatest(published + 62135596800000, 0), 562949953421311) << 14;
  pref := base + pid % 16384;
  PERFORM pg_advisory_xact_lock(base >> 14);
  RETURN coalesce(
    (SELECT pref WHERE NOT EXISTS (SELECT 1 FROM post_search WHERE key = pref)),
    (SELECT min(s.key + 1) FROM post_search s WHERE s.key >= base AND s.key < base + 16383 AND NOT EXISTS (SELECT 1 FROM post_search t WHERE t.key = s.key + 1)),
    (SELECT base WHERE NOT EXISTS (SELECT 1 FROM post_search WHERE key = base)));
END $$;
--> statement-breakpoint
-- posts_search_insert, posts_search_update, posts_search_delete.
CREATE FUNCTION bs_posts_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM post_search WHERE post_id = OLD.id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO post_search (post_id, key, status, published_at, facets)
    VALUES (NEW.id, bs_search_key(NEW.id, NEW.status, NEW.published_at), NEW.status, NEW.published_at, bs_post_facets(NEW.id));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "posts_search_insert" AFTER INSERT ON "posts" FOR EACH ROW EXECUTE FUNCTION bs_posts_search();
--> statement-breakpoint
CREATE TRIGGER "posts_search_update" AFTER UPDATE OF title, excerpt, content_text, status, published_at, author_id ON "posts" FOR EACH ROW
  WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.excerpt IS DISTINCT FROM NEW.excerpt OR OLD.content_text IS DISTINCT FROM NEW.content_text
    OR OLD.status IS DISTINCT FROM NEW.status OR OLD.published_at IS DISTINCT FROM NEW.published_at OR OLD.author_id IS DISTINCT FROM NEW.author_id)
  EXECUTE FUNCTION bs_posts_search();
--> statement-breakpoint
CREATE TRIGGER "posts_search_delete" AFTER DELETE ON "posts" FOR EACH ROW EXECUTE FUNCTION bs_posts_search();
--> statement-breakpoint
-- A category, tag or co-author link added, moved or removed: the facets of the posts it names
-- (none when the post itself is being deleted: its row is gone with it).
CREATE FUNCTION bs_link_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE post_search SET facets = bs_post_facets(post_id)
  WHERE post_id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.post_id END, CASE WHEN TG_OP <> 'DELETE' THEN NEW.post_id END)
    AND EXISTS (SELECT 1 FROM posts WHERE id = post_search.post_id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "post_categories_search_insert" AFTER INSERT ON "post_categories" FOR EACH ROW EXECUTE FUNCTION bs_link_search();
--> statement-breakpoint
CREATE TRIGGER "post_categories_search_update" AFTER UPDATE OF post_id, category_id ON "post_categories" FOR EACH ROW EXECUTE FUNCTION bs_link_search();
--> statement-breakpoint
CREATE TRIGGER "post_categories_search_delete" AFTER DELETE ON "post_categories" FOR EACH ROW EXECUTE FUNCTION bs_link_search();
--> statement-breakpoint
CREATE TRIGGER "post_tags_search_insert" AFTER INSERT ON "post_tags" FOR EACH ROW EXECUTE FUNCTION bs_link_search();
--> statement-breakpoint
CREATE TRIGGER "post_tags_search_update" AFTER UPDATE OF post_id, tag_id ON "post_tags" FOR EACH ROW EXECUTE FUNCTION bs_link_search();
--> statement-breakpoint
CREATE TRIGGER "post_tags_search_delete" AFTER DELETE ON "post_tags" FOR EACH ROW EXECUTE FUNCTION bs_link_search();
--> statement-breakpoint
-- Position 0 is posts.author_id, already the leading facet: only co-authors change the facets.
CREATE TRIGGER "post_authors_search_insert" AFTER INSERT ON "post_authors" FOR EACH ROW WHEN (NEW.position > 0) EXECUTE FUNCTION bs_link_search();
--> statement-breakpoint
CREATE TRIGGER "post_authors_search_update" AFTER UPDATE OF post_id, author_id ON "post_authors" FOR EACH ROW EXECUTE FUNCTION bs_link_search();
--> statement-breakpoint
CREATE TRIGGER "post_authors_search_delete" AFTER DELETE ON "post_authors" FOR EACH ROW WHEN (OLD.position > 0) EXECUTE FUNCTION bs_link_search();
--> statement-breakpoint

-- ── post_authors position 0 = posts.author_id (SQLite 0017) ────────────────────────────────

CREATE FUNCTION bs_post_authors_primary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('broadsheet.copying', true) = 'on' THEN
    RETURN NULL;
  END IF;
  DELETE FROM post_authors WHERE post_id = NEW.id AND (position = 0 OR author_id = NEW.author_id);
  INSERT INTO post_authors (post_id, author_id, position) VALUES (NEW.id, NEW.author_id, 0);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "post_authors_primary_insert" AFTER INSERT ON "posts" FOR EACH ROW EXECUTE FUNCTION bs_post_authors_primary();
--> statement-breakpoint
CREATE TRIGGER "post_authors_primary_update" AFTER UPDATE OF author_id ON "posts" FOR EACH ROW
  WHEN (OLD.author_id IS DISTINCT FROM NEW.author_id) EXECUTE FUNCTION bs_post_authors_primary();
--> statement-breakpoint

-- ── Related-posts statistics: term_df and related_counts (SQLite 0002, 0005) ───────────────
-- A trigger's WHEN cannot hold a subquery in PostgreSQL: "the post is published" is checked in
-- the functions.

CREATE FUNCTION bs_post_terms_df() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF EXISTS (SELECT 1 FROM post_vectors WHERE post_id = NEW.post_id AND status = 'published') THEN
      INSERT INTO term_df (term, df) VALUES (NEW.term, 1) ON CONFLICT (term) DO UPDATE SET df = term_df.df + 1;
    END IF;
  ELSIF EXISTS (SELECT 1 FROM post_vectors WHERE post_id = OLD.post_id AND status = 'published') THEN
    UPDATE term_df SET df = df - 1 WHERE term = OLD.term;
    DELETE FROM term_df WHERE term = OLD.term AND df <= 0;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "post_terms_df_insert" AFTER INSERT ON "post_terms" FOR EACH ROW WHEN (NEW.term <> '') EXECUTE FUNCTION bs_post_terms_df();
--> statement-breakpoint
CREATE TRIGGER "post_terms_df_delete" AFTER DELETE ON "post_terms" FOR EACH ROW WHEN (OLD.term <> '') EXECUTE FUNCTION bs_post_terms_df();
--> statement-breakpoint
-- A post's vector counted in (published) or out: the post count, its terms' df, its tags' and categories' counts.
CREATE FUNCTION bs_post_vectors_stats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  counting_in boolean := TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.status = 'published');
  pid integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.post_id ELSE NEW.post_id END;
BEGIN
  IF counting_in THEN
    INSERT INTO related_counts (kind, id, n) VALUES ('posts', 0, 1) ON CONFLICT (kind, id) DO UPDATE SET n = related_counts.n + 1;
    INSERT INTO term_df (term, df) SELECT term, 1 FROM post_terms WHERE post_id = pid AND term <> '' ON CONFLICT (term) DO UPDATE SET df = term_df.df + 1;
    INSERT INTO related_counts (kind, id, n) SELECT 'tag', tag_id, 1 FROM post_tags WHERE post_id = pid ON CONFLICT (kind, id) DO UPDATE SET n = related_counts.n + 1;
    INSERT INTO related_counts (kind, id, n) SELECT 'category', category_id, 1 FROM post_categories WHERE post_id = pid ON CONFLICT (kind, id) DO UPDATE SET n = related_counts.n + 1;
  ELSE
    UPDATE related_counts SET n = n - 1 WHERE kind = 'posts' AND id = 0;
    UPDATE term_df SET df = df - 1 WHERE term IN (SELECT term FROM post_terms WHERE post_id = pid);
    DELETE FROM term_df WHERE df <= 0 AND term IN (SELECT term FROM post_terms WHERE post_id = pid);
    UPDATE related_counts SET n = n - 1 WHERE kind = 'tag' AND id IN (SELECT tag_id FROM post_tags WHERE post_id = pid);
    UPDATE related_counts SET n = n - 1 WHERE kind = 'category' AND id IN (SELECT category_id FROM post_categories WHERE post_id = pid);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "post_vectors_stats_in" AFTER INSERT ON "post_vectors" FOR EACH ROW WHEN (NEW.status = 'published') EXECUTE FUNCTION bs_post_vectors_stats();
--> statement-breakpoint
CREATE TRIGGER "post_vectors_stats_out" AFTER DELETE ON "post_vectors" FOR EACH ROW WHEN (OLD.status = 'published') EXECUTE FUNCTION bs_post_vectors_stats();
--> statement-breakpoint
CREATE TRIGGER "post_vectors_stats_publish" AFTER UPDATE OF status ON "post_vectors" FOR EACH ROW
  WHEN (OLD.status <> 'published' AND NEW.status = 'published') EXECUTE FUNCTION bs_post_vectors_stats();
--> statement-breakpoint
CREATE TRIGGER "post_vectors_stats_unpublish" AFTER UPDATE OF status ON "post_vectors" FOR EACH ROW
  WHEN (OLD.status = 'published' AND NEW.status <> 'published') EXECUTE FUNCTION bs_post_vectors_stats();
--> statement-breakpoint
-- A tag or category link of a published (vectored) post: TG_ARGV[0] is the kind, TG_ARGV[1] the link's column.
CREATE FUNCTION bs_link_stats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kind_name text := TG_ARGV[0];
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (SELECT 1 FROM post_vectors WHERE post_id = OLD.post_id AND status = 'published') THEN
    UPDATE related_counts SET n = n - 1 WHERE kind = kind_name AND id = (to_jsonb(OLD) ->> TG_ARGV[1])::integer;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND EXISTS (SELECT 1 FROM post_vectors WHERE post_id = NEW.post_id AND status = 'published') THEN
    INSERT INTO related_counts (kind, id, n) VALUES (kind_name, (to_jsonb(NEW) ->> TG_ARGV[1])::integer, 1) ON CONFLICT (kind, id) DO UPDATE SET n = related_counts.n + 1;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "post_categories_stats_insert" AFTER INSERT ON "post_categories" FOR EACH ROW EXECUTE FUNCTION bs_link_stats('category', 'category_id');
--> statement-breakpoint
CREATE TRIGGER "post_categories_stats_update" AFTER UPDATE OF post_id, category_id ON "post_categories" FOR EACH ROW EXECUTE FUNCTION bs_link_stats('category', 'category_id');
--> statement-breakpoint
CREATE TRIGGER "post_categories_stats_delete" AFTER DELETE ON "post_categories" FOR EACH ROW EXECUTE FUNCTION bs_link_stats('category', 'category_id');
--> statement-breakpoint
CREATE TRIGGER "post_tags_stats_insert" AFTER INSERT ON "post_tags" FOR EACH ROW EXECUTE FUNCTION bs_link_stats('tag', 'tag_id');
--> statement-breakpoint
CREATE TRIGGER "post_tags_stats_update" AFTER UPDATE OF post_id, tag_id ON "post_tags" FOR EACH ROW EXECUTE FUNCTION bs_link_stats('tag', 'tag_id');
--> statement-breakpoint
CREATE TRIGGER "post_tags_stats_delete" AFTER DELETE ON "post_tags" FOR EACH ROW EXECUTE FUNCTION bs_link_stats('tag', 'tag_id');
--> statement-breakpoint

-- ── Related lists' queue (SQLite 0018) ──────────────────────────────────────────────────────

-- Bumps the change counter and queues a post with cascade 1 at the new counter.
CREATE FUNCTION bs_related_enqueue(pid integer, bumps integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s bigint;
BEGIN
  UPDATE related_state SET seq = seq + bumps WHERE id = 1 RETURNING seq INTO s;
  INSERT INTO related_queue (post_id, "cascade", seq) VALUES (pid, 1, s)
    ON CONFLICT (post_id) DO UPDATE SET "cascade" = 1, seq = EXCLUDED.seq;
END $$;
--> statement-breakpoint
-- A vector written (its post), a tag or category link added or removed (its post), or moved
-- (both posts, at the counter after two bumps, as SQLite's trigger leaves them).
CREATE FUNCTION bs_related_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM bs_related_enqueue(NEW.post_id, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM bs_related_enqueue(OLD.post_id, 1);
  ELSIF TG_TABLE_NAME = 'post_vectors' THEN
    PERFORM bs_related_enqueue(NEW.post_id, 1);
  ELSE
    PERFORM bs_related_enqueue(OLD.post_id, 2);
    PERFORM bs_related_enqueue(NEW.post_id, 0);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "related_lists_vector_insert" AFTER INSERT ON "post_vectors" FOR EACH ROW EXECUTE FUNCTION bs_related_queue();
--> statement-breakpoint
CREATE TRIGGER "related_lists_vector_update" AFTER UPDATE ON "post_vectors" FOR EACH ROW
  WHEN (OLD.hash IS DISTINCT FROM NEW.hash OR OLD.status IS DISTINCT FROM NEW.status OR OLD.published_at IS DISTINCT FROM NEW.published_at OR OLD.post_id IS DISTINCT FROM NEW.post_id)
  EXECUTE FUNCTION bs_related_queue();
--> statement-breakpoint
CREATE TRIGGER "related_lists_vector_delete" AFTER DELETE ON "post_vectors" FOR EACH ROW EXECUTE FUNCTION bs_related_queue();
--> statement-breakpoint
CREATE TRIGGER "related_lists_tag_link_insert" AFTER INSERT ON "post_tags" FOR EACH ROW EXECUTE FUNCTION bs_related_queue();
--> statement-breakpoint
CREATE TRIGGER "related_lists_tag_link_update" AFTER UPDATE ON "post_tags" FOR EACH ROW
  WHEN (OLD.post_id IS DISTINCT FROM NEW.post_id OR OLD.tag_id IS DISTINCT FROM NEW.tag_id) EXECUTE FUNCTION bs_related_queue();
--> statement-breakpoint
CREATE TRIGGER "related_lists_tag_link_delete" AFTER DELETE ON "post_tags" FOR EACH ROW EXECUTE FUNCTION bs_related_queue();
--> statement-breakpoint
CREATE TRIGGER "related_lists_category_link_insert" AFTER INSERT ON "post_categories" FOR EACH ROW EXECUTE FUNCTION bs_related_queue();
--> statement-breakpoint
CREATE TRIGGER "related_lists_category_link_update" AFTER UPDATE ON "post_categories" FOR EACH ROW
  WHEN (OLD.post_id IS DISTINCT FROM NEW.post_id OR OLD.category_id IS DISTINCT FROM NEW.category_id) EXECUTE FUNCTION bs_related_queue();
--> statement-breakpoint
CREATE TRIGGER "related_lists_category_link_delete" AFTER DELETE ON "post_categories" FOR EACH ROW EXECUTE FUNCTION bs_related_queue();
--> statement-breakpoint

-- ── Stored documents' queues (SQLite 0011–0017) ─────────────────────────────────────────────

-- Drops the documents of the given posts and queues them.
CREATE FUNCTION bs_post_requeue(ids integer[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM post_documents WHERE post_id = ANY(ids);
  INSERT INTO post_queue (post_id) SELECT DISTINCT unnest(ids) ON CONFLICT (post_id) DO NOTHING;
$$;
--> statement-breakpoint
-- A post written (insert: only queued), or a row its documents embed linked, moved or unlinked
-- (categories, tags, authors, featured media, SEO): the posts on both sides.
CREATE FUNCTION bs_post_documents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'posts' THEN
    IF TG_OP = 'INSERT' THEN
      INSERT INTO post_queue (post_id) VALUES (NEW.id) ON CONFLICT (post_id) DO NOTHING;
    ELSE
      DELETE FROM post_documents WHERE post_id = OLD.id;
      INSERT INTO post_queue (post_id) VALUES (NEW.id) ON CONFLICT (post_id) DO NOTHING;
    END IF;
  ELSIF TG_OP = 'INSERT' THEN
    PERFORM bs_post_requeue(ARRAY[NEW.post_id]);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM bs_post_requeue(ARRAY[OLD.post_id]);
  ELSE
    PERFORM bs_post_requeue(ARRAY[OLD.post_id, NEW.post_id]);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "post_documents_post_insert" AFTER INSERT ON "posts" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_post_update" AFTER UPDATE ON "posts" FOR EACH ROW WHEN (
  OLD.slug IS DISTINCT FROM NEW.slug OR OLD.title IS DISTINCT FROM NEW.title OR OLD.excerpt IS DISTINCT FROM NEW.excerpt OR OLD.status IS DISTINCT FROM NEW.status OR
  OLD.published_at IS DISTINCT FROM NEW.published_at OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.updated_at IS DISTINCT FROM NEW.updated_at OR
  OLD.author_id IS DISTINCT FROM NEW.author_id OR OLD.featured_image_url IS DISTINCT FROM NEW.featured_image_url OR OLD.featured_image_alt IS DISTINCT FROM NEW.featured_image_alt OR
  OLD.source_url IS DISTINCT FROM NEW.source_url OR OLD.source_name IS DISTINCT FROM NEW.source_name OR OLD.canonical_url IS DISTINCT FROM NEW.canonical_url OR
  OLD.comment_status IS DISTINCT FROM NEW.comment_status OR OLD.word_count IS DISTINCT FROM NEW.word_count OR OLD.reading_time_minutes IS DISTINCT FROM NEW.reading_time_minutes OR
  OLD.comment_count IS DISTINCT FROM NEW.comment_count OR OLD.content_html IS DISTINCT FROM NEW.content_html OR OLD.featured IS DISTINCT FROM NEW.featured OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_category_link_insert" AFTER INSERT ON "post_categories" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_category_link_update" AFTER UPDATE ON "post_categories" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_category_link_delete" AFTER DELETE ON "post_categories" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_tag_link_insert" AFTER INSERT ON "post_tags" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_tag_link_update" AFTER UPDATE ON "post_tags" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_tag_link_delete" AFTER DELETE ON "post_tags" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_author_link_insert" AFTER INSERT ON "post_authors" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_author_link_update" AFTER UPDATE ON "post_authors" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_author_link_delete" AFTER DELETE ON "post_authors" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_featured_insert" AFTER INSERT ON "post_featured_media" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_featured_update" AFTER UPDATE ON "post_featured_media" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_featured_delete" AFTER DELETE ON "post_featured_media" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_seo_insert" AFTER INSERT ON "post_seo" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_seo_update" AFTER UPDATE ON "post_seo" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
CREATE TRIGGER "post_documents_seo_delete" AFTER DELETE ON "post_seo" FOR EACH ROW EXECUTE FUNCTION bs_post_documents();
--> statement-breakpoint
-- A renamed author, tag or medium (or a category renamed or moved: its whole subtree, whose
-- posts embed its path) drops and queues the documents of the posts that show it.
CREATE FUNCTION bs_post_documents_shown() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids integer[];
BEGIN
  IF TG_TABLE_NAME = 'authors' THEN
    ids := ARRAY(SELECT post_id FROM post_authors WHERE author_id = OLD.id);
  ELSIF TG_TABLE_NAME = 'tags' THEN
    ids := ARRAY(SELECT post_id FROM post_tags WHERE tag_id = OLD.id);
  ELSIF TG_TABLE_NAME = 'media' THEN
    ids := ARRAY(SELECT post_id FROM post_featured_media WHERE media_id = OLD.id);
  ELSE
    ids := ARRAY(SELECT post_id FROM post_categories WHERE category_id IN (
      WITH RECURSIVE subtree(id) AS (SELECT OLD.id UNION SELECT k.id FROM categories k JOIN subtree ON k.parent_id = subtree.id) SELECT id FROM subtree));
  END IF;
  PERFORM bs_post_requeue(ids);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "post_documents_author_update" AFTER UPDATE ON "authors" FOR EACH ROW
  WHEN (OLD.slug IS DISTINCT FROM NEW.slug OR OLD.name IS DISTINCT FROM NEW.name OR OLD.avatar_url IS DISTINCT FROM NEW.avatar_url OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION bs_post_documents_shown();
--> statement-breakpoint
CREATE TRIGGER "post_documents_tag_update" AFTER UPDATE ON "tags" FOR EACH ROW
  WHEN (OLD.slug IS DISTINCT FROM NEW.slug OR OLD.name IS DISTINCT FROM NEW.name OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION bs_post_documents_shown();
--> statement-breakpoint
CREATE TRIGGER "post_documents_media_update" AFTER UPDATE ON "media" FOR EACH ROW EXECUTE FUNCTION bs_post_documents_shown();
--> statement-breakpoint
CREATE TRIGGER "post_documents_category_update" AFTER UPDATE ON "categories" FOR EACH ROW
  WHEN (OLD.slug IS DISTINCT FROM NEW.slug OR OLD.name IS DISTINCT FROM NEW.name OR OLD.parent_id IS DISTINCT FROM NEW.parent_id OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION bs_post_documents_shown();
--> statement-breakpoint
-- A comment written, or changed in what its public document shows.
CREATE FUNCTION bs_comment_documents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM comment_documents WHERE comment_id = OLD.id;
  END IF;
  INSERT INTO comment_queue (comment_id, post_id) VALUES (NEW.id, NEW.post_id) ON CONFLICT (comment_id) DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "comment_documents_insert" AFTER INSERT ON "comments" FOR EACH ROW EXECUTE FUNCTION bs_comment_documents();
--> statement-breakpoint
CREATE TRIGGER "comment_documents_update" AFTER UPDATE ON "comments" FOR EACH ROW WHEN (
  OLD.post_id IS DISTINCT FROM NEW.post_id OR OLD.parent_id IS DISTINCT FROM NEW.parent_id OR OLD.path IS DISTINCT FROM NEW.path OR OLD.depth IS DISTINCT FROM NEW.depth OR
  OLD.author_name IS DISTINCT FROM NEW.author_name OR OLD.author_url IS DISTINCT FROM NEW.author_url OR OLD.content_html IS DISTINCT FROM NEW.content_html OR
  OLD.status IS DISTINCT FROM NEW.status OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION bs_comment_documents();
--> statement-breakpoint

-- ── What a database migrated before this one holds (a `migrate-to` copy made at 0003) ───────
-- The counters start as SQLite's do; every existing post gets its search row (in id order, as
-- the copy inserts them) and is queued for its documents, every comment for its own. Related
-- vectors are built by the indexer, which fills post_terms and post_vectors, so the triggers above count them.
INSERT INTO "related_counts" ("kind", "id", "n") VALUES ('posts', 0, 0);
--> statement-breakpoint
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT id, status, published_at FROM posts ORDER BY id LOOP
    INSERT INTO post_search (post_id, key, status, published_at, facets)
    VALUES (r.id, bs_search_key(r.id, r.status, r.published_at), r.status, r.published_at, bs_post_facets(r.id));
  END LOOP;
END $$;
--> statement-breakpoint
INSERT INTO "post_authors" ("post_id", "author_id", "position") SELECT "id", "author_id", 0 FROM "posts" ON CONFLICT DO NOTHING;
--> statement-breakpoint
INSERT INTO "post_queue" ("post_id") SELECT "id" FROM "posts";
--> statement-breakpoint
INSERT INTO "comment_queue" ("comment_id", "post_id") SELECT "id", "post_id" FROM "comments";
