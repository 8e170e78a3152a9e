-- The search facets triggers (0004, 0017) joined ids with group_concat(… ORDER BY …), syntax of
-- SQLite 3.44 and later: better-sqlite3 bundles a newer SQLite, but an older sqlite3 command line
-- (Debian 12 has 3.40) refused to open the database at all ("malformed database schema"), so an
-- operator could not inspect or .backup it with the system's tool. The same triggers, ordering in a
-- subquery instead (the facets are the same words in the same order).
DROP TRIGGER IF EXISTS `post_authors_search_delete`;
--> statement-breakpoint
CREATE TRIGGER `post_authors_search_delete` AFTER DELETE ON `post_authors` WHEN old.position > 0 BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = old.post_id) || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'a' || pa.author_id AS f FROM post_authors pa WHERE pa.post_id = old.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = old.post_id) ORDER BY pa.author_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'c' || category_id AS f FROM post_categories WHERE post_id = old.post_id ORDER BY category_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 't' || tag_id AS f FROM post_tags WHERE post_id = old.post_id ORDER BY tag_id)), '')
    WHERE post_id = old.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = old.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_authors_search_insert`;
--> statement-breakpoint
CREATE TRIGGER `post_authors_search_insert` AFTER INSERT ON `post_authors` WHEN new.position > 0 BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = new.post_id) || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'a' || pa.author_id AS f FROM post_authors pa WHERE pa.post_id = new.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = new.post_id) ORDER BY pa.author_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'c' || category_id AS f FROM post_categories WHERE post_id = new.post_id ORDER BY category_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 't' || tag_id AS f FROM post_tags WHERE post_id = new.post_id ORDER BY tag_id)), '')
    WHERE post_id = new.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = new.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_authors_search_update`;
--> statement-breakpoint
CREATE TRIGGER `post_authors_search_update` AFTER UPDATE OF post_id, author_id ON `post_authors` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = post_search.post_id) || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'a' || pa.author_id AS f FROM post_authors pa WHERE pa.post_id = post_search.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = post_search.post_id) ORDER BY pa.author_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'c' || category_id AS f FROM post_categories WHERE post_id = post_search.post_id ORDER BY category_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 't' || tag_id AS f FROM post_tags WHERE post_id = post_search.post_id ORDER BY tag_id)), '')
    WHERE post_id IN (old.post_id, new.post_id) AND EXISTS (SELECT 1 FROM posts WHERE id = post_search.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_categories_search_delete`;
--> statement-breakpoint
CREATE TRIGGER `post_categories_search_delete` AFTER DELETE ON `post_categories` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = old.post_id) || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'a' || pa.author_id AS f FROM post_authors pa WHERE pa.post_id = old.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = old.post_id) ORDER BY pa.author_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'c' || category_id AS f FROM post_categories WHERE post_id = old.post_id ORDER BY category_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 't' || tag_id AS f FROM post_tags WHERE post_id = old.post_id ORDER BY tag_id)), '')
    WHERE post_id = old.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = old.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_categories_search_insert`;
--> statement-breakpoint
CREATE TRIGGER `post_categories_search_insert` AFTER INSERT ON `post_categories` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = new.post_id) || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'a' || pa.author_id AS f FROM post_authors pa WHERE pa.post_id = new.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = new.post_id) ORDER BY pa.author_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'c' || category_id AS f FROM post_categories WHERE post_id = new.post_id ORDER BY category_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 't' || tag_id AS f FROM post_tags WHERE post_id = new.post_id ORDER BY tag_id)), '')
    WHERE post_id = new.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = new.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_categories_search_update`;
--> statement-breakpoint
CREATE TRIGGER `post_categories_search_update` AFTER UPDATE OF post_id, category_id ON `post_categories` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = post_search.post_id) || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'a' || pa.author_id AS f FROM post_authors pa WHERE pa.post_id = post_search.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = post_search.post_id) ORDER BY pa.author_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'c' || category_id AS f FROM post_categories WHERE post_id = post_search.post_id ORDER BY category_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 't' || tag_id AS f FROM post_tags WHERE post_id = post_search.post_id ORDER BY tag_id)), '')
    WHERE post_id IN (old.post_id, new.post_id) AND EXISTS (SELECT 1 FROM posts WHERE id = post_search.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_tags_search_delete`;
--> statement-breakpoint
CREATE TRIGGER `post_tags_search_delete` AFTER DELETE ON `post_tags` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = old.post_id) || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'a' || pa.author_id AS f FROM post_authors pa WHERE pa.post_id = old.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = old.post_id) ORDER BY pa.author_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'c' || category_id AS f FROM post_categories WHERE post_id = old.post_id ORDER BY category_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 't' || tag_id AS f FROM post_tags WHERE post_id = old.post_id ORDER BY tag_id)), '')
    WHERE post_id = old.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = old.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = old.post_id;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_tags_search_insert`;
--> statement-breakpoint
CREATE TRIGGER `post_tags_search_insert` AFTER INSERT ON `post_tags` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = new.post_id) || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'a' || pa.author_id AS f FROM post_authors pa WHERE pa.post_id = new.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = new.post_id) ORDER BY pa.author_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'c' || category_id AS f FROM post_categories WHERE post_id = new.post_id ORDER BY category_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 't' || tag_id AS f FROM post_tags WHERE post_id = new.post_id ORDER BY tag_id)), '')
    WHERE post_id = new.post_id AND EXISTS (SELECT 1 FROM posts WHERE id = new.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id = new.post_id;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_tags_search_update`;
--> statement-breakpoint
CREATE TRIGGER `post_tags_search_update` AFTER UPDATE OF post_id, tag_id ON `post_tags` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text, facets)
  SELECT 'delete', s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
  UPDATE post_search SET facets = 'a' || (SELECT author_id FROM posts WHERE id = post_search.post_id) || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'a' || pa.author_id AS f FROM post_authors pa WHERE pa.post_id = post_search.post_id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = post_search.post_id) ORDER BY pa.author_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'c' || category_id AS f FROM post_categories WHERE post_id = post_search.post_id ORDER BY category_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 't' || tag_id AS f FROM post_tags WHERE post_id = post_search.post_id ORDER BY tag_id)), '')
    WHERE post_id IN (old.post_id, new.post_id) AND EXISTS (SELECT 1 FROM posts WHERE id = post_search.post_id);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT s.key, p.title, p.excerpt, p.content_text, s.facets FROM post_search s JOIN posts p ON p.id = s.post_id WHERE s.post_id IN (old.post_id, new.post_id);
END;
--> statement-breakpoint
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
    'a' || new.author_id || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'a' || pa.author_id AS f FROM post_authors pa WHERE pa.post_id = new.id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = new.id) ORDER BY pa.author_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'c' || category_id AS f FROM post_categories WHERE post_id = new.id ORDER BY category_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 't' || tag_id AS f FROM post_tags WHERE post_id = new.id ORDER BY tag_id)), '')
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
    'a' || new.author_id || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'a' || pa.author_id AS f FROM post_authors pa WHERE pa.post_id = new.id AND pa.author_id <> (SELECT author_id FROM posts WHERE id = new.id) ORDER BY pa.author_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 'c' || category_id AS f FROM post_categories WHERE post_id = new.id ORDER BY category_id)), '')
      || coalesce((SELECT ' ' || group_concat(f, ' ') FROM (SELECT 't' || tag_id AS f FROM post_tags WHERE post_id = new.id ORDER BY tag_id)), '')
  FROM (SELECT x.pref AS pref, (x.pref >> 14) << 14 AS base FROM (SELECT CASE WHEN new.status = 'published' AND new.published_at IS NOT NULL
    THEN (min(max(new.published_at + 62135596800000, 0), 562949953421311) << 14) + new.id % 16384
    ELSE -4611686018427387904 + new.id END AS pref) x) k;
  INSERT INTO posts_fts (rowid, title, excerpt, content_text, facets)
  SELECT key, new.title, new.excerpt, new.content_text, facets FROM post_search WHERE post_id = new.id;
END;
