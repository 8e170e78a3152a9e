CREATE TABLE `legacy_urls` (
	`post_id` integer PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`path` text NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `legacy_urls_path_idx` ON `legacy_urls` (`path`,`post_id`);