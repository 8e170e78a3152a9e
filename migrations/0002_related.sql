-- Related posts: each post's term vector (src/lib/related.ts buildTermVector), written by the
-- related indexer on the change bus inside every post write. JavaScript builds the vectors, so
-- this migration only makes the tables; posts that existed before it are indexed by a
-- backfill that the first related request starts (src/modules/related/related-service.ts).
--
-- post_terms: one row per kept term, clustered by post in the vector's canonical order (weight
-- desc, term asc), so a vector is one range read; a post whose text has no terms at all gets a
-- single row with term ''. The (term, weight, post_id) index is the posting list of a term,
-- strongest posts first, so a common term's list can be read only as far as it matters.
CREATE TABLE `post_terms` (
  `post_id` integer NOT NULL REFERENCES `posts`(`id`) ON DELETE CASCADE,
  `term` text NOT NULL,
  `weight` real NOT NULL,
  PRIMARY KEY (`post_id`, `weight` DESC, `term`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `post_terms_term_idx` ON `post_terms` (`term`, `weight` DESC, `post_id`);
--> statement-breakpoint
-- Document frequency per term (the number of posts whose vector holds it), kept exact by
-- triggers whoever writes post_terms (the indexer, a foreign-key cascade, a bulk loader), so a
-- query reads an idf in one lookup instead of counting a posting list.
CREATE TABLE `term_df` (
  `term` text PRIMARY KEY NOT NULL,
  `df` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TRIGGER `post_terms_df_insert` AFTER INSERT ON `post_terms` WHEN new.term <> '' BEGIN
  INSERT INTO term_df (term, df) VALUES (new.term, 1) ON CONFLICT (term) DO UPDATE SET df = df + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `post_terms_df_delete` AFTER DELETE ON `post_terms` WHEN old.term <> '' BEGIN
  UPDATE term_df SET df = df - 1 WHERE term = old.term;
  DELETE FROM term_df WHERE term = old.term AND df <= 0;
END;
--> statement-breakpoint
-- One row per indexed post: a fingerprint of the title and text its vector was built from (so
-- writes that do not change them, like a renamed category touching thousands of posts, skip
-- the tokenizer) and a copy of status and published_at, kept by the same listener, so the
-- candidate query filters live posts from this narrow table instead of the wide posts rows.
-- A post without a row here has not been indexed yet.
CREATE TABLE `post_vectors` (
  `post_id` integer PRIMARY KEY NOT NULL REFERENCES `posts`(`id`) ON DELETE CASCADE,
  `hash` text NOT NULL,
  `status` text NOT NULL,
  `published_at` integer
);
