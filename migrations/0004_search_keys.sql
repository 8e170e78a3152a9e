-- Search with a bounded cost. The full-text index was keyed by post id, so a public search had
-- to read every match's posts row to check it was live and then sort all matches: seconds for a
-- word in every post. Now every post has a search key, the index's rowid, that encodes what a
-- public search needs:
--
--   published (live or scheduled): (clamp(published_at + 62135596800000, 0, 2^49 - 1) << 14) + slot
--   draft, archived:               -2^62 + id (below every published key)
--
-- so key order is publication order (to the millisecond; a slot tells posts of the same
-- millisecond apart) and "live now" is the key range [0, key(now) | 16383]: a search reads its
-- matches newest (or oldest) first straight from the index and stops after its page, with no
-- row to check and nothing to sort. The offset is the milliseconds from 0001-01-01 to the epoch,
-- so every four-digit year has its own keys; dates outside share the first or last millisecond.
--
-- Filters are words of the index too, in a `facets` column the query text never reaches:
-- a{author id}, c{category id}, t{tag id}. `q` with a category, tag or author is then one FTS5
-- query whose matches come in key order, as cheap as `q` alone.
--
-- post_search holds each post's key, status, published_at and the facets string exactly as
-- indexed (an external-content FTS5 table must be told the old values to delete a row). It is
-- kept by triggers whoever writes (the write services, imports, bulk loaders, tests), in the
-- writer's transaction. The FTS5 content is a view over post_search and posts, for snippets.
DROP TRIGGER IF EXISTS `posts_fts_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `posts_fts_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `posts_fts_update`;
--> statement-breakpoint
DROP TABLE IF EXISTS `posts_fts`;
--> statement-breakpoint
CREATE TABLE `post_search` (
  `post_id` integer PRIMARY KEY NOT NULL,
  `key` integer NOT NULL,
  `status` text NOT NULL,
  `published_at` integer,
  `facets` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `post_search_key_unique` ON `post_search` (`key`);
--> statement-breakpoint
CREATE VIEW `post_search_content` AS
  SELECT s.key AS key, p.title AS title, p.excerpt AS excerpt, p.content_text AS content_text, s.facets AS facets
  FROM post_search s JOIN posts p ON p.id = s.post_id;
--> statement-breakpoint
-- unicode61 with remove_diacritics 2 folds accents (café = cafe); prefix indexes make the
-- last-word prefix match of search-as-you-type cheap.
CREATE VIRTUAL TABLE `posts_fts` USING fts5(
  title, excerpt, content_text, facets,
  content='post_search_content', content_rowid='key',
  tokenize='unicode61 remove_diacritics 2',
  prefix='2 3'
);
--> statement-breakpoint
-- Existing posts: slots numbered within each millisecond, then the index built from the view.
INSERT INTO `post_search` (post_id, key, status, published_at, facets)
SELECT p.id,
  CASE WHEN p.status = 'published' AND p.published_at IS NOT NULL
    THEN (min(max(p.published_at + 62135596800000, 0), 562949953421311) << 14)
      + row_number() OVER (PARTITION BY p.status = 'published' AND p.published_at IS NOT NULL, min(max(p.published_at + 62135596800000, 0), 562949953421311) ORDER BY p.id) - 1
    ELSE -4611686018427387904 + p.id END,
  p.status, p.published_at,
  'a' || p.author_id
    || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = p.id), '')
    || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = p.id), '')
FROM posts p;
--> statement-breakpoint
INSERT INTO `posts_fts` (posts_fts) VALUES ('rebuild');
--> statement-breakpoint
-- A new post: its key (the preferred slot is id % 16384; on the rare clash within one
-- millisecond, the first free slot after a taken one), then its index row.
CREATE TRIGGER `posts_search_insert` AFTER INSERT ON `posts` BEGIN
  INSERT INTO post_search (post_id, key, status, published_at, facets)
  SELECT new.id,
    coalesce(
      (SELECT k.pref WHERE NOT EXISTS (SELECT 1 FROM post_search WHERE key = k.pref)),
      (SELECT min(s.key + 1) FROM post_search s WHERE s.key >= k.base AND s.key < k.base + 16383 AND NOT EXISTS (SELECT 1 FROM post_search t WHERE t.key = s.key + 1)),
      (SELECT k.base WHERE NOT EXISTS (SELECT 1 FROM post_search WHERE key = k.base))
    ),
    new.status, new.published_at,
    'a' || new.author_id
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = new.id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = new.id), '')
  FROM (SELECT x.pref AS pref, (x.pref >> 14) << 14 AS base FROM (SELECT CASE WHEN new.status = 'published' AND new.published_at IS NOT NULL
    THEN (min(max(new.published_at + 62135596800000, 0), 562949953421311) << 14) + new.id % 16384
    ELSE -4611686018427387904 + new.id END AS pref) x) k;
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT key, new.title, new.excerpt, new.content_text, facets FROM post_search WHERE post_id = new.id;
END;
--> statement-breakpoint
-- A change to what is indexed or to the key: the row leaves the index with the values it was
-- indexed with and comes back with the new ones. Other changes (a comment count, say) cost nothing.
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
    'a' || new.author_id
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = new.id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = new.id), '')
  FROM (SELECT x.pref AS pref, (x.pref >> 14) << 14 AS base FROM (SELECT CASE WHEN new.status = 'published' AND new.published_at IS NOT NULL
    THEN (min(max(new.published_at + 62135596800000, 0), 562949953421311) << 14) + new.id % 16384
    ELSE -4611686018427387904 + new.id END AS pref) x) k;
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT key, new.title, new.excerpt, new.content_text, facets FROM post_search WHERE post_id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER `posts_search_delete` AFTER DELETE ON `posts` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', key, old.title, old.excerpt, old.content_text, facets FROM post_search WHERE post_id = old.id;
  DELETE FROM post_search WHERE post_id = old.id;
END;
--> statement-breakpoint
-- A link added or removed: the post's facets change, so its row is indexed again. When the
-- post itself is being deleted (the links go by cascade) there is nothing left to do: the
-- posts trigger removes the row with the facets it was indexed with.
CREATE TRIGGER `post_categories_search_insert` AFTER INSERT ON `post_categories` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = new.post_id)
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = new.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = new.post_id), '')
    WHERE post_id = new.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = new.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
END;
--> statement-breakpoint
CREATE TRIGGER `post_categories_search_delete` AFTER DELETE ON `post_categories` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = old.post_id)
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = old.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = old.post_id), '')
    WHERE post_id = old.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = old.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
END;
--> statement-breakpoint
-- A link moved (a category or tag merged into another with ?reassign=): both posts' rows.
CREATE TRIGGER `post_categories_search_update` AFTER UPDATE OF post_id, category_id ON `post_categories` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = post_search.post_id)
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = post_search.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = post_search.post_id), '')
    WHERE post_id IN (old.post_id, new.post_id) AND EXISTS (SELECT 1 FROM posts WHERE id = post_search.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_tags_search_insert` AFTER INSERT ON `post_tags` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = new.post_id)
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = new.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = new.post_id), '')
    WHERE post_id = new.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = new.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
END;
--> statement-breakpoint
CREATE TRIGGER `post_tags_search_delete` AFTER DELETE ON `post_tags` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = old.post_id)
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = old.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = old.post_id), '')
    WHERE post_id = old.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = old.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
END;
--> statement-breakpoint
CREATE TRIGGER `post_tags_search_update` AFTER UPDATE OF post_id, tag_id ON `post_tags` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = post_search.post_id)
      || coalesce((SELECT ' ' || group_concat('c' || category_id, ' ' ORDER BY category_id) FROM post_categories WHERE post_id = post_search.post_id), '')
      || coalesce((SELECT ' ' || group_concat('t' || tag_id, ' ' ORDER BY tag_id) FROM post_tags WHERE post_id = post_search.post_id), '')
    WHERE post_id IN (old.post_id, new.post_id) AND EXISTS (SELECT 1 FROM posts WHERE id = post_search.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
END;
