CREATE TABLE `revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`post_id` integer,
	`page_id` integer,
	`number` integer NOT NULL,
	`created_at` integer NOT NULL,
	`key_id` integer,
	`key_prefix` text,
	`key_name` text,
	`changed` text NOT NULL,
	`restored_from` integer,
	`fields` text NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`page_id`) REFERENCES `pages`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "revisions_one_owner" CHECK(("revisions"."post_id" IS NULL) <> ("revisions"."page_id" IS NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `revisions_post_number_unique` ON `revisions` (`post_id`,`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `revisions_page_number_unique` ON `revisions` (`page_id`,`number`);--> statement-breakpoint
-- Revision 1 of every post and page written before revisions were kept: their state now, so
-- the first edit after this migration has something to differ from and to restore.
INSERT INTO `revisions` (`post_id`, `number`, `created_at`, `changed`, `fields`)
SELECT p.`id`, 1, p.`updated_at`,
  '["title","excerpt","content_html","status","published_at","meta_title","meta_description","og_title","og_description","og_image","twitter_title","twitter_description","twitter_image","canonical_url","noindex"]',
  json_object('title', p.`title`, 'excerpt', p.`excerpt`, 'content_html', p.`content_html`, 'status', p.`status`, 'published_at', p.`published_at`,
    'meta_title', s.`meta_title`, 'meta_description', s.`meta_description`, 'og_title', s.`og_title`, 'og_description', s.`og_description`,
    'og_image', s.`og_image`, 'twitter_title', s.`twitter_title`, 'twitter_description', s.`twitter_description`, 'twitter_image', s.`twitter_image`,
    'canonical_url', p.`canonical_url`, 'noindex', json(CASE WHEN s.`noindex` = 1 THEN 'true' ELSE 'false' END))
FROM `posts` p LEFT JOIN `post_seo` s ON s.`post_id` = p.`id`;
--> statement-breakpoint
INSERT INTO `revisions` (`page_id`, `number`, `created_at`, `changed`, `fields`)
SELECT g.`id`, 1, g.`updated_at`,
  '["title","excerpt","content_html","status","published_at","meta_title","meta_description","og_title","og_description","og_image","twitter_title","twitter_description","twitter_image","canonical_url","noindex"]',
  json_object('title', g.`title`, 'excerpt', g.`excerpt`, 'content_html', g.`content_html`, 'status', g.`status`, 'published_at', g.`published_at`,
    'meta_title', g.`meta_title`, 'meta_description', g.`meta_description`, 'og_title', g.`og_title`, 'og_description', g.`og_description`,
    'og_image', g.`og_image`, 'twitter_title', g.`twitter_title`, 'twitter_description', g.`twitter_description`, 'twitter_image', g.`twitter_image`,
    'canonical_url', g.`canonical_url`, 'noindex', json(CASE WHEN g.`noindex` = 1 THEN 'true' ELSE 'false' END))
FROM `pages` g;
