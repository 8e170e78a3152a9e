CREATE TABLE `pages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`parent_id` integer,
	`menu_order` integer DEFAULT 0 NOT NULL,
	`excerpt` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`published_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`featured_image_url` text,
	`featured_image_alt` text,
	`meta_title` text,
	`meta_description` text,
	`og_title` text,
	`og_description` text,
	`og_image` text,
	`twitter_title` text,
	`twitter_description` text,
	`twitter_image` text,
	`canonical_url` text,
	`noindex` integer DEFAULT false NOT NULL,
	`import_key` text,
	`content_html` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`parent_id`) REFERENCES `pages`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pages_slug_unique` ON `pages` (`slug`);--> statement-breakpoint
CREATE UNIQUE INDEX `pages_import_key_unique` ON `pages` (`import_key`);--> statement-breakpoint
CREATE INDEX `pages_parent_order_idx` ON `pages` (`parent_id`,`menu_order`,`id`);--> statement-breakpoint
CREATE INDEX `pages_status_published_idx` ON `pages` (`status`,`published_at`);--> statement-breakpoint
CREATE TABLE `post_seo` (
	`post_id` integer PRIMARY KEY NOT NULL,
	`meta_title` text,
	`meta_description` text,
	`og_title` text,
	`og_description` text,
	`og_image` text,
	`twitter_title` text,
	`twitter_description` text,
	`twitter_image` text,
	`noindex` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `site_settings` ADD `navigation` text DEFAULT '{"primary":[],"secondary":[]}' NOT NULL;--> statement-breakpoint
-- The read model (0011) stores each post's full document with its SEO fields: a change of its
-- post_seo row drops the stored documents of the post and queues it.
CREATE TRIGGER `post_documents_seo_insert` AFTER INSERT ON `post_seo` BEGIN
  DELETE FROM post_documents WHERE post_id = new.post_id;
  INSERT INTO post_queue (post_id) SELECT new.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = new.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_seo_update` AFTER UPDATE ON `post_seo` BEGIN
  DELETE FROM post_documents WHERE post_id IN (old.post_id, new.post_id);
  INSERT INTO post_queue (post_id) SELECT old.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = old.post_id);
  INSERT INTO post_queue (post_id) SELECT new.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = new.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_seo_delete` AFTER DELETE ON `post_seo` BEGIN
  DELETE FROM post_documents WHERE post_id = old.post_id;
  INSERT INTO post_queue (post_id) SELECT old.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = old.post_id);
END;
