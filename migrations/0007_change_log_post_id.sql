ALTER TABLE `changes` ADD `post_id` integer;--> statement-breakpoint
-- Entries logged before this column: the post of a comment that still exists.
UPDATE `changes` SET `post_id` = (SELECT `post_id` FROM `comments` WHERE `comments`.`id` = `changes`.`resource_id`) WHERE `resource` = 'comment';
