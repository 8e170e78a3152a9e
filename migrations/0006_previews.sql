CREATE TABLE `post_previews` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`post_id` integer NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `post_previews_token_hash_unique` ON `post_previews` (`token_hash`);--> statement-breakpoint
CREATE INDEX `post_previews_post_idx` ON `post_previews` (`post_id`);--> statement-breakpoint
CREATE INDEX `post_previews_expires_idx` ON `post_previews` (`expires_at`);