-- Public reads name their ETag from hashes stored with the documents, made when a document is
-- built, instead of hashing every response body (issue 15): `hash` is the SHA-1 of what a post's
-- document shows (its full JSON, its card and its embedded terms), and of each public comment's
-- JSON; and the post's status, so a current document alone says whether the post is live. Posts' documents are built again anyway with the new format (POST_DOCUMENT_VERSION 6),
-- so the table is made afresh rather than altered: ADD COLUMN would put the hash after the
-- feed items, and reading it would walk every overflow page of the row (~30 KB), where early
-- in the row it is on the row's own page. The background fill builds every post's documents
-- again after start; until then a post is read from its rows, as on any upgrade.
DELETE FROM `post_cards`;
--> statement-breakpoint
DROP TABLE `post_documents`;
--> statement-breakpoint
CREATE TABLE `post_documents` (
  `post_id` integer PRIMARY KEY NOT NULL REFERENCES `posts`(`id`) ON DELETE CASCADE,
  `fingerprint` text NOT NULL,
  -- The post's status and time when the documents were built: the triggers delete a post's
  -- documents when either changes, so a current document answers "is it live?" without
  -- reading the post's (wide) row.
  `status` text NOT NULL DEFAULT '',
  `published_at` integer,
  `updated_at` integer NOT NULL,
  `body_bytes` integer NOT NULL,
  -- SHA-1 (base64url) of full, card and terms: the strong validator of the answers made of them.
  `hash` text NOT NULL DEFAULT '',
  -- Each feed item's SHA-1 (0021_feed_item_hashes.sql), early in the row too.
  `rss_hash` text NOT NULL DEFAULT '',
  `atom_hash` text NOT NULL DEFAULT '',
  `json_hash` text NOT NULL DEFAULT '',
  `terms` text NOT NULL,
  `card` text NOT NULL,
  -- The rest hold the body: last, so a card read never walks their overflow pages.
  `full` text NOT NULL,
  `rss_item` text NOT NULL,
  `atom_entry` text NOT NULL,
  `json_item` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `post_documents_fingerprint_idx` ON `post_documents` (`fingerprint`, `post_id`);
--> statement-breakpoint
-- Made again with the table (0021_feed_item_hashes.sql): what a feed reads of each item but its bytes.
CREATE INDEX `post_documents_feed_idx` ON `post_documents` (`fingerprint`, `post_id`, `rss_hash`, `atom_hash`, `json_hash`, `body_bytes`, `published_at`, `updated_at`);
--> statement-breakpoint
-- Stored comments are kept in thread order, clustered by post (WITHOUT ROWID, keyed by post and
-- path): a thread is one range of the table, where with comment ids as keys a post's comments lay
-- wherever their ids fell, a page each. Threads are built again with the new format
-- (COMMENT_DOCUMENT_VERSION 2), so the table is made afresh too.
DROP TABLE `comment_documents`;
--> statement-breakpoint
CREATE TABLE `comment_documents` (
  `comment_id` integer NOT NULL REFERENCES `comments`(`id`) ON DELETE CASCADE,
  `post_id` integer NOT NULL,
  `path` text NOT NULL,
  `parent_id` integer,
  `deleted` integer NOT NULL,
  `json` text NOT NULL,
  -- SHA-1 (base64url) of json: a thread page's ETag is made of them.
  `hash` text NOT NULL DEFAULT '',
  PRIMARY KEY (`post_id`, `path`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE UNIQUE INDEX `comment_documents_comment_idx` ON `comment_documents` (`comment_id`);
