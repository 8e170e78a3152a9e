-- The read model: public representations stored beside the rows they are built from, so a
-- public read is an index range scan plus concatenation (src/modules/posts/posts-documents.ts,
-- src/modules/comments/comments-documents.ts). Related-post lists are not stored yet: they are
-- computed per request as before.
--
-- The triggers queue with NOT EXISTS rather than INSERT OR IGNORE: an outer upsert (the link
-- writes' ON CONFLICT DO UPDATE) imposes its own conflict policy on the statements of the
-- triggers it fires, and OR IGNORE then fails with a UNIQUE error.
--
-- Freshness does not depend on every write path remembering to rebuild: the triggers below
-- DELETE the document of anything whose row changes and queue it (post_queue, comment_queue),
-- whoever writes (the write services, a foreign-key cascade, a bulk loader, a test). The write
-- services then rebuild what they queued before their transaction commits; what a write
-- queued beyond a bounded number, and documents of another fingerprint (SITE_URL, format
-- version), are rebuilt by a background step. A read that finds no current document builds the
-- answer from the rows. The tables start empty: an upgraded database is filled in the
-- background after start.

CREATE TABLE `post_documents` (
  `post_id` integer PRIMARY KEY NOT NULL REFERENCES `posts`(`id`) ON DELETE CASCADE,
  -- The configuration and format the documents were built with (SITE_URL, version).
  `fingerprint` text NOT NULL,
  `published_at` integer,
  `updated_at` integer NOT NULL,
  -- UTF-8 bytes of the body, for the feeds' body budget.
  `body_bytes` integer NOT NULL,
  -- The post's categories and tags as embedded ([[id, slug, name], …] each), for related posts' reasons.
  `terms` text NOT NULL,
  -- The post as lists show it (no content_html).
  `card` text NOT NULL,
  -- The rest hold the body: last, so a card read never walks their overflow pages.
  `full` text NOT NULL,
  -- Feed items with the full body, for published posts (empty otherwise).
  `rss_item` text NOT NULL,
  `atom_entry` text NOT NULL,
  `json_item` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `post_documents_fingerprint_idx` ON `post_documents` (`fingerprint`, `post_id`);
--> statement-breakpoint
CREATE TABLE `post_queue` (
  `post_id` integer PRIMARY KEY NOT NULL
);
--> statement-breakpoint
-- Public comments (approved, or deleted with replies: a tombstone) as the thread shows them.
CREATE TABLE `comment_documents` (
  `comment_id` integer PRIMARY KEY NOT NULL REFERENCES `comments`(`id`) ON DELETE CASCADE,
  `post_id` integer NOT NULL,
  `path` text NOT NULL,
  `parent_id` integer,
  `deleted` integer NOT NULL,
  `json` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `comment_documents_thread_idx` ON `comment_documents` (`post_id`, `path`);
--> statement-breakpoint
-- A post whose comment documents are complete (built with this fingerprint); with a queued
-- comment of the post they are not, and the thread is read from the rows.
CREATE TABLE `comment_threads` (
  `post_id` integer PRIMARY KEY NOT NULL REFERENCES `posts`(`id`) ON DELETE CASCADE,
  `fingerprint` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `comment_queue` (
  `comment_id` integer PRIMARY KEY NOT NULL,
  `post_id` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `comment_queue_post_idx` ON `comment_queue` (`post_id`);
--> statement-breakpoint
-- A post delete scanned scheduled_events (a foreign key without an index).
CREATE INDEX `scheduled_events_post_idx` ON `scheduled_events` (`post_id`);
--> statement-breakpoint
CREATE TRIGGER `post_documents_post_insert` AFTER INSERT ON `posts` BEGIN
  INSERT INTO post_queue (post_id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = new.id);
END;
--> statement-breakpoint
-- Every column a document shows (comment_count included; sticky and import_key are not shown).
CREATE TRIGGER `post_documents_post_update` AFTER UPDATE ON `posts` WHEN
  old.slug IS NOT new.slug OR old.title IS NOT new.title OR old.excerpt IS NOT new.excerpt OR old.status IS NOT new.status OR
  old.published_at IS NOT new.published_at OR old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
  old.author_id IS NOT new.author_id OR old.featured_image_url IS NOT new.featured_image_url OR old.featured_image_alt IS NOT new.featured_image_alt OR
  old.source_url IS NOT new.source_url OR old.source_name IS NOT new.source_name OR old.canonical_url IS NOT new.canonical_url OR
  old.comment_status IS NOT new.comment_status OR old.word_count IS NOT new.word_count OR old.reading_time_minutes IS NOT new.reading_time_minutes OR
  old.comment_count IS NOT new.comment_count OR old.content_html IS NOT new.content_html OR old.id IS NOT new.id
BEGIN
  DELETE FROM post_documents WHERE post_id = old.id;
  INSERT INTO post_queue (post_id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_category_link_insert` AFTER INSERT ON `post_categories` BEGIN
  DELETE FROM post_documents WHERE post_id = new.post_id;
  INSERT INTO post_queue (post_id) SELECT new.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = new.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_category_link_update` AFTER UPDATE ON `post_categories` BEGIN
  DELETE FROM post_documents WHERE post_id IN (old.post_id, new.post_id);
  INSERT INTO post_queue (post_id) SELECT old.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = old.post_id);
  INSERT INTO post_queue (post_id) SELECT new.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = new.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_category_link_delete` AFTER DELETE ON `post_categories` BEGIN
  DELETE FROM post_documents WHERE post_id = old.post_id;
  INSERT INTO post_queue (post_id) SELECT old.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = old.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_tag_link_insert` AFTER INSERT ON `post_tags` BEGIN
  DELETE FROM post_documents WHERE post_id = new.post_id;
  INSERT INTO post_queue (post_id) SELECT new.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = new.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_tag_link_update` AFTER UPDATE ON `post_tags` BEGIN
  DELETE FROM post_documents WHERE post_id IN (old.post_id, new.post_id);
  INSERT INTO post_queue (post_id) SELECT old.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = old.post_id);
  INSERT INTO post_queue (post_id) SELECT new.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = new.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_tag_link_delete` AFTER DELETE ON `post_tags` BEGIN
  DELETE FROM post_documents WHERE post_id = old.post_id;
  INSERT INTO post_queue (post_id) SELECT old.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = old.post_id);
END;
--> statement-breakpoint
-- What a post embeds of its terms: id, slug and name (and an author's avatar).
CREATE TRIGGER `post_documents_category_update` AFTER UPDATE ON `categories` WHEN old.slug IS NOT new.slug OR old.name IS NOT new.name OR old.id IS NOT new.id BEGIN
  DELETE FROM post_documents WHERE post_id IN (SELECT post_id FROM post_categories WHERE category_id = old.id);
  INSERT INTO post_queue (post_id) SELECT post_id FROM post_categories WHERE category_id = old.id AND post_id NOT IN (SELECT post_id FROM post_queue);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_tag_update` AFTER UPDATE ON `tags` WHEN old.slug IS NOT new.slug OR old.name IS NOT new.name OR old.id IS NOT new.id BEGIN
  DELETE FROM post_documents WHERE post_id IN (SELECT post_id FROM post_tags WHERE tag_id = old.id);
  INSERT INTO post_queue (post_id) SELECT post_id FROM post_tags WHERE tag_id = old.id AND post_id NOT IN (SELECT post_id FROM post_queue);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_author_update` AFTER UPDATE ON `authors` WHEN old.slug IS NOT new.slug OR old.name IS NOT new.name OR old.avatar_url IS NOT new.avatar_url OR old.id IS NOT new.id BEGIN
  DELETE FROM post_documents WHERE post_id IN (SELECT id FROM posts WHERE author_id = old.id);
  INSERT INTO post_queue (post_id) SELECT id FROM posts WHERE author_id = old.id AND id NOT IN (SELECT post_id FROM post_queue);
END;
--> statement-breakpoint
CREATE TRIGGER `comment_documents_insert` AFTER INSERT ON `comments` BEGIN
  INSERT INTO comment_queue (comment_id, post_id) SELECT new.id, new.post_id WHERE NOT EXISTS (SELECT 1 FROM comment_queue WHERE comment_id = new.id);
END;
--> statement-breakpoint
-- Every column the public JSON or the thread's shape depends on.
CREATE TRIGGER `comment_documents_update` AFTER UPDATE ON `comments` WHEN
  old.post_id IS NOT new.post_id OR old.parent_id IS NOT new.parent_id OR old.path IS NOT new.path OR old.depth IS NOT new.depth OR
  old.author_name IS NOT new.author_name OR old.author_url IS NOT new.author_url OR old.content_html IS NOT new.content_html OR
  old.status IS NOT new.status OR old.deleted_at IS NOT new.deleted_at OR old.created_at IS NOT new.created_at OR old.id IS NOT new.id
BEGIN
  DELETE FROM comment_documents WHERE comment_id = old.id;
  INSERT INTO comment_queue (comment_id, post_id) SELECT new.id, new.post_id WHERE NOT EXISTS (SELECT 1 FROM comment_queue WHERE comment_id = new.id);
END;
