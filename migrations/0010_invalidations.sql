CREATE TABLE `invalidations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`keys` text NOT NULL
);
--> statement-breakpoint
-- Cached responses were keyed by a global content version before; invalidations replace it.
DELETE FROM `meta` WHERE `key` = 'content_version';
