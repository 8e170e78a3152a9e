CREATE TABLE `scheduled_page_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`page_id` integer NOT NULL,
	`event` text NOT NULL,
	`due_at` integer NOT NULL,
	FOREIGN KEY (`page_id`) REFERENCES `pages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `scheduled_page_events_due_idx` ON `scheduled_page_events` (`due_at`);--> statement-breakpoint
-- Pages scheduled before this migration get their go-live event too (as a write would give them).
INSERT INTO `scheduled_page_events` (`page_id`, `event`, `due_at`)
SELECT `id`, 'page.published', `published_at` FROM `pages`
WHERE `status` = 'published' AND `published_at` > CAST(unixepoch('subsec') * 1000 AS INTEGER);
