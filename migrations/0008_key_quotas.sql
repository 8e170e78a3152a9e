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