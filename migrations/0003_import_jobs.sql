-- Import jobs (src/modules/imports/imports-jobs.ts): an upload is spooled to a temporary file
-- and imported in the background, one job at a time per database, by the process that
-- received it; the status index serves the queue (the oldest queued job) and the list filter.
CREATE TABLE `import_jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`source` text NOT NULL,
	`file_path` text,
	`options` text DEFAULT '{}' NOT NULL,
	`bytes_total` integer DEFAULT 0 NOT NULL,
	`bytes_read` integer DEFAULT 0 NOT NULL,
	`items_read` integer DEFAULT 0 NOT NULL,
	`items_total` integer,
	`summary` text,
	`error_code` text,
	`error` text,
	`cancel_requested` integer DEFAULT false NOT NULL,
	`owner` text NOT NULL,
	`lease_until` integer NOT NULL,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `import_jobs_status_idx` ON `import_jobs` (`status`,`id`);