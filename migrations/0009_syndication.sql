DROP INDEX `webhook_deliveries_uuid_unique`;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` DROP COLUMN `uuid`;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `previous_secret` text;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `previous_secret_expires_at` integer;--> statement-breakpoint
-- Queued payloads carried their uuid as `id`; the integer delivery id is put first at send time now.
UPDATE `webhook_deliveries` SET `payload` = json_remove(`payload`, '$.id') WHERE json_valid(`payload`);

--> statement-breakpoint
CREATE TABLE `source_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source_id` integer NOT NULL,
	`started_at` integer NOT NULL,
	`url` text NOT NULL,
	`http_status` integer,
	`items_seen` integer DEFAULT 0 NOT NULL,
	`items_new` integer DEFAULT 0 NOT NULL,
	`items_updated` integer DEFAULT 0 NOT NULL,
	`items_skipped` integer DEFAULT 0 NOT NULL,
	`duration_ms` integer NOT NULL,
	`error` text,
	FOREIGN KEY (`source_id`) REFERENCES `sources`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `source_runs_source_idx` ON `source_runs` (`source_id`,`id`);--> statement-breakpoint
CREATE TABLE `sources` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`feed_url` text NOT NULL,
	`name` text NOT NULL,
	`category_ids` text NOT NULL,
	`tag_ids` text NOT NULL,
	`author_id` integer,
	`status` text DEFAULT 'draft' NOT NULL,
	`interval_minutes` integer DEFAULT 30 NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`attribution_name` text,
	`attribution_url` text,
	`etag` text,
	`last_modified` text,
	`next_poll_at` integer NOT NULL,
	`lease_until` integer,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`disabled_reason` text,
	`last_polled_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`author_id`) REFERENCES `authors`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `sources_due_idx` ON `sources` (`enabled`,`next_poll_at`);
--> statement-breakpoint
CREATE TABLE `key_usage` (
	`key_id` integer NOT NULL,
	`window` text NOT NULL,
	`start` integer NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`limited` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`key_id`, `window`, `start`),
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `api_keys` ADD `rate_limit_per_minute` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `rate_limit_per_day` integer;