-- Each stored feed item's own hash (SHA-1, base64url; '' when the item is empty), written with
-- the item (src/modules/posts/posts-documents.ts): a feed's ETag is a hash over its frame's
-- hash and its items' hashes (src/modules/feeds/feeds-routes.ts), so an uncached feed request
-- never hashes its ~100 KB of items again. Rows built before this column have '' and an older
-- fingerprint (POST_DOCUMENT_VERSION 6 came with it): never read, rebuilt after start.
ALTER TABLE `post_documents` ADD `rss_hash` text DEFAULT '' NOT NULL;
--> statement-breakpoint
ALTER TABLE `post_documents` ADD `atom_hash` text DEFAULT '' NOT NULL;
--> statement-breakpoint
ALTER TABLE `post_documents` ADD `json_hash` text DEFAULT '' NOT NULL;
--> statement-breakpoint
-- What a feed reads of each item besides its bytes, answered from this index alone: the
-- hashes sit at the end of rows whose overflow pages (card, full document, three items) a read
-- of them would otherwise walk, item after item, on every feed request.
CREATE INDEX `post_documents_feed_idx` ON `post_documents` (`fingerprint`, `post_id`, `rss_hash`, `atom_hash`, `json_hash`, `body_bytes`, `published_at`, `updated_at`);
