-- Full-text search on PostgreSQL (issue 20), the counterpart of SQLite's FTS5 index posts_fts
-- (migrations 0001, 0004): a weighted tsvector per post in post_search.document — title A,
-- excerpt B, body C, as bm25's 10 / 4 / 1 — kept by the search trigger function of 0004 in the
-- writer's transaction, with a GIN index. Queried by src/db/pg/search.ts.
--
-- The text search configuration is `simple` (no stemming, no stop words, like FTS5's unicode61
-- tokenizer: "talks" does not match "talk" on either engine) with unaccent in front of it, as
-- remove_diacritics folds accents (café = cafe). An `english` configuration would stem and drop
-- stop words: better recall for English-only sites, but different answers from SQLite's and
-- wrong for other languages. unaccent is a contrib extension shipped with PostgreSQL (Debian's
-- postgresql, the postgres Docker images) and trusted: a database owner may create it.
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION broadsheet_simple (COPY = pg_catalog.simple);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION broadsheet_simple ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
--> statement-breakpoint
ALTER TABLE "post_search" ADD COLUMN "document" tsvector;
--> statement-breakpoint
-- PostgreSQL's parser reads `<b>`-like text as an HTML tag (and drops it), and e-mail
-- addresses, URLs, hosts and paths as single tokens; FTS5's unicode61 splits all of them into
-- words. These five characters become control characters (blanks to the parser) before
-- parsing, so "<and>" is the word "and" and "user@example.com" the words user, example, com,
-- as on SQLite; src/db/pg/search.ts maps them back in snippets.
CREATE FUNCTION bs_search_text(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT translate(t, '<>@/.', E'\x04\x05\x06\x07\x08')
$$;
--> statement-breakpoint
-- A post's vector. A tsvector holds at most 1 MB and positions up to 16,383, so the body is
-- indexed up to its first 500,000 characters (a post longer than that still saves; FTS5 has no
-- such limit, the difference is the tail of very long bodies).
CREATE FUNCTION bs_post_document(title text, excerpt text, body text) RETURNS tsvector LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('broadsheet_simple', bs_search_text(coalesce(title, ''))), 'A')
    || setweight(to_tsvector('broadsheet_simple', bs_search_text(coalesce(excerpt, ''))), 'B')
    || setweight(to_tsvector('broadsheet_simple', bs_search_text(left(coalesce(body, ''), 500000))), 'C')
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION bs_posts_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM post_search WHERE post_id = OLD.id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO post_search (post_id, key, status, published_at, facets, document)
    VALUES (NEW.id, bs_search_key(NEW.id, NEW.status, NEW.published_at), NEW.status, NEW.published_at, bs_post_facets(NEW.id),
      bs_post_document(NEW.title, NEW.excerpt, NEW.content_text));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
UPDATE "post_search" s SET "document" = bs_post_document(p.title, p.excerpt, p.content_text) FROM "posts" p WHERE p.id = s.post_id;
--> statement-breakpoint
CREATE INDEX "post_search_document_idx" ON "post_search" USING gin ("document");
--> statement-breakpoint
-- The query of a search text already cut into words by src/lib/fts-query.ts searchTerms (the
-- same words SQLite gets): every word must match, the last also as a prefix (search as you
-- type) when it has two characters or more. plainto_tsquery reads its input as plain words,
-- whatever it holds: no operator of tsquery syntax can come from a user.
CREATE FUNCTION bs_search_query(head text, last text) RETURNS tsquery LANGUAGE sql STABLE AS $$
  SELECT plainto_tsquery('broadsheet_simple', head) && CASE
    WHEN char_length(last) >= 2 AND numnode(plainto_tsquery('broadsheet_simple', last)) > 0
      THEN (plainto_tsquery('broadsheet_simple', last)::text || ':*')::tsquery
    ELSE plainto_tsquery('broadsheet_simple', last) END
$$;
