DROP INDEX `webhook_deliveries_uuid_unique`;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` DROP COLUMN `uuid`;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `previous_secret` text;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `previous_secret_expires_at` integer;--> statement-breakpoint
-- Queued payloads carried their uuid as `id`; the integer delivery id is put first at send time now.
UPDATE `webhook_deliveries` SET `payload` = json_remove(`payload`, '$.id') WHERE json_valid(`payload`);
