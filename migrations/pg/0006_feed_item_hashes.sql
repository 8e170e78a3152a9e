-- Each stored feed item's own hash, as SQLite's 0021_feed_item_hashes.sql: feed ETags are built
-- from them, never from hashing the document again.
ALTER TABLE "post_documents" ADD COLUMN "rss_hash" text DEFAULT '' NOT NULL;
--> statement-breakpoint
ALTER TABLE "post_documents" ADD COLUMN "atom_hash" text DEFAULT '' NOT NULL;
--> statement-breakpoint
ALTER TABLE "post_documents" ADD COLUMN "json_hash" text DEFAULT '' NOT NULL;
--> statement-breakpoint
CREATE INDEX "post_documents_feed_idx" ON "post_documents" ("fingerprint", "post_id", "rss_hash", "atom_hash", "json_hash", "body_bytes", "published_at", "updated_at");
