-- Featured posts and co-authors (issue 17).
--
-- Co-authors: post_authors lists every author of a post in order, the primary author at
-- position 0. posts.author_id stays the primary author (what ?reassign=, the search facets and
-- every older reader use); the triggers below keep position 0 equal to it whoever writes the
-- post (the write services, imports, a reassign, a bulk loader), and the posts write service
-- writes the co-authors (positions 1…).
CREATE TABLE `post_authors` (
	`post_id` integer NOT NULL,
	`author_id` integer NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`post_id`, `author_id`),
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `authors`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `post_authors_author_idx` ON `post_authors` (`author_id`,`post_id`);
--> statement-breakpoint
INSERT INTO `post_authors` (post_id, author_id, position) SELECT id, author_id, 0 FROM posts;
--> statement-breakpoint
-- Featured replaces WordPress's sticky flag, which imports stored and the API never showed.
ALTER TABLE `posts` ADD `featured` integer DEFAULT false NOT NULL;
--> statement-breakpoint
UPDATE `posts` SET `featured` = `sticky` WHERE `sticky` <> 0;
--> statement-breakpoint
ALTER TABLE `posts` DROP COLUMN `sticky`;
--> statement-breakpoint
-- ?featured=true in publication order is one range of this index.
CREATE INDEX `posts_featured_published_idx` ON `posts` (`featured`,`status`,`published_at`,`id`);
--> statement-breakpoint
CREATE TRIGGER `post_authors_primary_insert` AFTER INSERT ON `posts` BEGIN
  DELETE FROM post_authors WHERE post_id = new.id AND (position = 0 OR author_id = new.author_id);
  INSERT INTO post_authors (post_id, author_id, position) VALUES (new.id, new.author_id, 0);
END;
--> statement-breakpoint
-- A new primary author takes position 0 (leaving the co-authors if it was one of them).
CREATE TRIGGER `post_authors_primary_update` AFTER UPDATE OF author_id ON `posts` WHEN old.author_id IS NOT new.author_id BEGIN
  DELETE FROM post_authors WHERE post_id = new.id AND (position = 0 OR author_id = new.author_id);
  INSERT INTO post_authors (post_id, author_id, position) VALUES (new.id, new.author_id, 0);
END;
--> statement-breakpoint
-- The read model (0011): documents show `featured` and every author, so a change of either
-- drops the post's documents and queues it.
DROP TRIGGER IF EXISTS `post_documents_post_update`;
--> statement-breakpoint
CREATE TRIGGER `post_documents_post_update` AFTER UPDATE ON `posts` WHEN
  old.slug IS NOT new.slug OR old.title IS NOT new.title OR old.excerpt IS NOT new.excerpt OR old.status IS NOT new.status OR
  old.published_at IS NOT new.published_at OR old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
  old.author_id IS NOT new.author_id OR old.featured_image_url IS NOT new.featured_image_url OR old.featured_image_alt IS NOT new.featured_image_alt OR
  old.source_url IS NOT new.source_url OR old.source_name IS NOT new.source_name OR old.canonical_url IS NOT new.canonical_url OR
  old.comment_status IS NOT new.comment_status OR old.word_count IS NOT new.word_count OR old.reading_time_minutes IS NOT new.reading_time_minutes OR
  old.comment_count IS NOT new.comment_count OR old.content_html IS NOT new.content_html OR old.featured IS NOT new.featured OR old.id IS NOT new.id
BEGIN
  DELETE FROM post_documents WHERE post_id = old.id;
  INSERT INTO post_queue (post_id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_author_link_insert` AFTER INSERT ON `post_authors` BEGIN
  DELETE FROM post_documents WHERE post_id = new.post_id;
  INSERT INTO post_queue (post_id) SELECT new.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = new.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_author_link_update` AFTER UPDATE ON `post_authors` BEGIN
  DELETE FROM post_documents WHERE post_id IN (old.post_id, new.post_id);
  INSERT INTO post_queue (post_id) SELECT old.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = old.post_id);
  INSERT INTO post_queue (post_id) SELECT new.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = new.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_documents_author_link_delete` AFTER DELETE ON `post_authors` BEGIN
  DELETE FROM post_documents WHERE post_id = old.post_id;
  INSERT INTO post_queue (post_id) SELECT old.post_id WHERE NOT EXISTS (SELECT 1 FROM post_queue WHERE post_id = old.post_id);
END;
--> statement-breakpoint
-- An author's name, slug or avatar as every post crediting them shows it (co-authors included).
DROP TRIGGER IF EXISTS `post_documents_author_update`;
--> statement-breakpoint
CREATE TRIGGER `post_documents_author_update` AFTER UPDATE ON `authors` WHEN old.slug IS NOT new.slug OR old.name IS NOT new.name OR old.avatar_url IS NOT new.avatar_url OR old.id IS NOT new.id BEGIN
  DELETE FROM post_documents WHERE post_id IN (SELECT post_id FROM post_authors WHERE author_id = old.id);
  INSERT INTO post_queue (post_id) SELECT post_id FROM post_authors WHERE author_id = old.id AND post_id NOT IN (SELECT post_id FROM post_queue);
END;
--> statement-breakpoint
-- The search index (0004) has an author facet word per author (a{id}), so `q` with `author`
-- finds co-written posts too: the facets of a post are its primary author, its co-authors
-- (post_authors beyond the primary), its categories and tags, recomputed by the triggers below
-- whenever any of them changes. Existing posts have no co-authors yet: their facets stand.
-- The primary author's row (position 0) is written by the posts triggers, whose own search
-- triggers index the post already: only co-authors' rows index it again.
DROP TRIGGER IF EXISTS `posts_search_insert`;
--> statement-breakpoint
CREATE TRIGGER `posts_search_insert` AFTER INSERT ON `posts` BEGIN
  INSERT INTO post_search (post_id, key, status, published_at, facets)
  SELECT new.id,
    coalesce(
      (SELECT k.pref WHERE NOT EXISTS (SELECT 1 FROM post_search WHERE key = k.pref)),
      (SELECT min(s.key + 1) FROM post_search s WHERE s.key >= k.base AND s.key < k.base + 16383 AND NOT EXISTS (SELECT 1 FROM post_search t WHERE t.key = s.key + 1)),
      (SELECT k.base WHERE NOT EXISTS (SELECT 1 FROM post_search WHERE key = k.base))
    ),
    new.status, new.published_at,
    'a' || new.author_id || coalesce((SELECT ' ' || group_concat('a' || pa.author_id, ' ' ORDER BY pa.author_id) FROM post_authors pa WHERE pa.post_id = new.id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = new.id)), '')
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = new.id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = new.id), '')
  FROM (SELECT x.pref AS pref, (x.pref >> 14) << 14 AS base FROM (SELECT CASE WHEN new.status = 'published' AND new.published_at IS NOT NULL
    THEN (min(max(new.published_at + 62135596800000, 0), 562949953421311) << 14) + new.id % 16384
    ELSE -4611686018427387904 + new.id END AS pref) x) k;
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT key, new.title, new.excerpt, new.content_text, facets FROM post_search WHERE post_id = new.id;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `posts_search_update`;
--> statement-breakpoint
CREATE TRIGGER `posts_search_update` AFTER UPDATE OF title, excerpt, content_text, status, published_at, author_id ON `posts`
WHEN old.title IS NOT new.title OR old.excerpt IS NOT new.excerpt OR old.content_text IS NOT new.content_text
  OR old.status IS NOT new.status OR old.published_at IS NOT new.published_at OR old.author_id IS NOT new.author_id BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', key, old.title, old.excerpt, old.content_text, facets FROM post_search WHERE post_id = old.id;
  DELETE FROM post_search WHERE post_id = old.id;
  INSERT INTO post_search (post_id, key, status, published_at, facets)
  SELECT new.id,
    coalesce(
      (SELECT k.pref WHERE NOT EXISTS (SELECT 1 FROM post_search WHERE key = k.pref)),
      (SELECT min(s.key + 1) FROM post_search s WHERE s.key >= k.base AND s.key < k.base + 16383 AND NOT EXISTS (SELECT 1 FROM post_search t WHERE t.key = s.key + 1)),
      (SELECT k.base WHERE NOT EXISTS (SELECT 1 FROM post_search WHERE key = k.base))
    ),
    new.status, new.published_at,
    'a' || new.author_id || coalesce((SELECT ' ' || group_concat('a' || pa.author_id, ' ' ORDER BY pa.author_id) FROM post_authors pa WHERE pa.post_id = new.id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = new.id)), '')
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = new.id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = new.id), '')
  FROM (SELECT x.pref AS pref, (x.pref >> 14) << 14 AS base FROM (SELECT CASE WHEN new.status = 'published' AND new.published_at IS NOT NULL
    THEN (min(max(new.published_at + 62135596800000, 0), 562949953421311) << 14) + new.id % 16384
    ELSE -4611686018427387904 + new.id END AS pref) x) k;
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT key, new.title, new.excerpt, new.content_text, facets FROM post_search WHERE post_id = new.id;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_categories_search_insert`;
--> statement-breakpoint
CREATE TRIGGER `post_categories_search_insert` AFTER INSERT ON `post_categories` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = new.post_id) || coalesce((SELECT ' ' || group_concat('a' || pa.author_id, ' ' ORDER BY pa.author_id) FROM post_authors pa WHERE pa.post_id = new.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = new.post_id)), '')
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = new.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = new.post_id), '')
    WHERE post_id = new.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = new.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_categories_search_delete`;
--> statement-breakpoint
CREATE TRIGGER `post_categories_search_delete` AFTER DELETE ON `post_categories` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = old.post_id) || coalesce((SELECT ' ' || group_concat('a' || pa.author_id, ' ' ORDER BY pa.author_id) FROM post_authors pa WHERE pa.post_id = old.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = old.post_id)), '')
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = old.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = old.post_id), '')
    WHERE post_id = old.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = old.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_categories_search_update`;
--> statement-breakpoint
CREATE TRIGGER `post_categories_search_update` AFTER UPDATE OF post_id, category_id ON `post_categories` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = post_search.post_id) || coalesce((SELECT ' ' || group_concat('a' || pa.author_id, ' ' ORDER BY pa.author_id) FROM post_authors pa WHERE pa.post_id = post_search.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = post_search.post_id)), '')
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = post_search.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = post_search.post_id), '')
    WHERE post_id IN (old.post_id, new.post_id) AND EXISTS (SELECT 1 FROM posts WHERE id = post_search.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_tags_search_insert`;
--> statement-breakpoint
CREATE TRIGGER `post_tags_search_insert` AFTER INSERT ON `post_tags` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = new.post_id) || coalesce((SELECT ' ' || group_concat('a' || pa.author_id, ' ' ORDER BY pa.author_id) FROM post_authors pa WHERE pa.post_id = new.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = new.post_id)), '')
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = new.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = new.post_id), '')
    WHERE post_id = new.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = new.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_tags_search_delete`;
--> statement-breakpoint
CREATE TRIGGER `post_tags_search_delete` AFTER DELETE ON `post_tags` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = old.post_id) || coalesce((SELECT ' ' || group_concat('a' || pa.author_id, ' ' ORDER BY pa.author_id) FROM post_authors pa WHERE pa.post_id = old.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = old.post_id)), '')
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = old.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = old.post_id), '')
    WHERE post_id = old.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = old.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_tags_search_update`;
--> statement-breakpoint
CREATE TRIGGER `post_tags_search_update` AFTER UPDATE OF post_id, tag_id ON `post_tags` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = post_search.post_id) || coalesce((SELECT ' ' || group_concat('a' || pa.author_id, ' ' ORDER BY pa.author_id) FROM post_authors pa WHERE pa.post_id = post_search.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = post_search.post_id)), '')
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = post_search.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = post_search.post_id), '')
    WHERE post_id IN (old.post_id, new.post_id) AND EXISTS (SELECT 1 FROM posts WHERE id = post_search.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_authors_search_insert` AFTER INSERT ON `post_authors` WHEN new.position > 0 BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = new.post_id) || coalesce((SELECT ' ' || group_concat('a' || pa.author_id, ' ' ORDER BY pa.author_id) FROM post_authors pa WHERE pa.post_id = new.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = new.post_id)), '')
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = new.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = new.post_id), '')
    WHERE post_id = new.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = new.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
END;
--> statement-breakpoint
CREATE TRIGGER `post_authors_search_delete` AFTER DELETE ON `post_authors` WHEN old.position > 0 BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = old.post_id) || coalesce((SELECT ' ' || group_concat('a' || pa.author_id, ' ' ORDER BY pa.author_id) FROM post_authors pa WHERE pa.post_id = old.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = old.post_id)), '')
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = old.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = old.post_id), '')
    WHERE post_id = old.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = old.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
END;
--> statement-breakpoint
CREATE TRIGGER `post_authors_search_update` AFTER UPDATE OF post_id, author_id ON `post_authors` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = post_search.post_id) || coalesce((SELECT ' ' || group_concat('a' || pa.author_id, ' ' ORDER BY pa.author_id) FROM post_authors pa WHERE pa.post_id = post_search.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = post_search.post_id)), '')
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = post_search.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = post_search.post_id), '')
    WHERE post_id IN (old.post_id, new.post_id) AND EXISTS (SELECT 1 FROM posts WHERE id = post_search.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
END;
