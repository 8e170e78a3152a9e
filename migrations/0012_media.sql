CREATE TABLE `media` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`sha256` text NOT NULL,
	`filename` text NOT NULL,
	`mime_type` text NOT NULL,
	`bytes` integer NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`title` text DEFAULT '' NOT NULL,
	`alt` text DEFAULT '' NOT NULL,
	`caption` text DEFAULT '' NOT NULL,
	`credit` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `media_created_idx` ON `media` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `media_sha256_idx` ON `media` (`sha256`);--> statement-breakpoint
CREATE TABLE `post_featured_media` (
	`post_id` integer PRIMARY KEY NOT NULL,
	`media_id` integer NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `post_featured_media_media_idx` ON `post_featured_media` (`media_id`);--> statement-breakpoint
-- The read model (0011) stores each post's featured image: a change of the link or of the
-- image's record drops the stored documents of the posts that show it and queues them.
CREATE TRIGGER `post_documents_featured_insert` AFTER INSERT ON `post_featured_media` BEGIN
  DELETE FROM post_documents WHERE post_id = new.post_id;
  INSERT INTO post_queue (post_id) SELECT new.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = new.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_featured_update` AFTER UPDATE ON `post_featured_media` BEGIN
  DELETE FROM post_documents WHERE post_id IN (old.post_id, new.post_id);
  INSERT INTO post_queue (post_id) SELECT old.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = old.post_id);
  INSERT INTO post_queue (post_id) SELECT new.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = new.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_featured_delete` AFTER DELETE ON `post_featured_media` BEGIN
  DELETE FROM post_documents WHERE post_id = old.post_id;
  INSERT INTO post_queue (post_id) SELECT old.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = old.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_media_update` AFTER UPDATE ON `media` BEGIN
  DELETE FROM post_documents WHERE post_id IN (SELECT post_id FROM post_featured_media WHERE media_id = old.id);
  INSERT INTO post_queue (post_id) SELECT post_id FROM post_featured_media WHERE media_id = old.id AND post_id NOT IN (SELECT post_id FROM post_queue);
END;
