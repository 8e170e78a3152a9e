-- Related-post statistics over published posts only. term_df counted every stored vector, and
-- idf used the number of all posts and the links of every tag and category, drafts included:
-- writing or editing a draft changed public scores (and so told readers about it). Now:
--
--   term_df(term)             posts whose vector holds the term and whose status is published
--   related_counts('posts', 0) published posts with a vector
--   related_counts('tag', id)  published posts with a vector carrying the tag; 'category' alike
--
-- "published" is post_vectors.status, the indexer's copy of the post's status, and includes
-- scheduled posts: the related service subtracts those not yet live at read time (a grouped
-- read over the few scheduled posts, once per content stamp, which changes at each go-live).
-- Every count is kept by triggers in the writer's transaction, whatever writes (the indexer, a
-- foreign-key cascade, a bulk loader). Each trigger looks at the other table's current state,
-- so a cascade deleting terms, links and vector in any order counts each post out exactly once.
-- A request then reads O(1) rows per statistic instead of counting links (a tag on every post
-- cost a count over all of them after every write).
DROP TRIGGER IF EXISTS `post_terms_df_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `post_terms_df_delete`;
--> statement-breakpoint
CREATE INDEX `post_vectors_status_published_idx` ON `post_vectors` (`status`, `published_at`);
--> statement-breakpoint
CREATE TABLE `related_counts` (
  `kind` text NOT NULL,
  `id` integer NOT NULL,
  `n` integer NOT NULL,
  PRIMARY KEY (`kind`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
DELETE FROM `term_df`;
--> statement-breakpoint
INSERT INTO `term_df` (term, df)
SELECT t.term, count(*) FROM post_terms t JOIN post_vectors v ON v.post_id = t.post_id
WHERE v.status = 'published' AND t.term <> '' GROUP BY t.term;
--> statement-breakpoint
INSERT INTO `related_counts` (kind, id, n) SELECT 'posts', 0, count(*) FROM post_vectors WHERE status = 'published';
--> statement-breakpoint
INSERT INTO `related_counts` (kind, id, n)
SELECT 'tag', l.tag_id, count(*) FROM post_tags l JOIN post_vectors v ON v.post_id = l.post_id WHERE v.status = 'published' GROUP BY l.tag_id;
--> statement-breakpoint
INSERT INTO `related_counts` (kind, id, n)
SELECT 'category', l.category_id, count(*) FROM post_categories l JOIN post_vectors v ON v.post_id = l.post_id WHERE v.status = 'published' GROUP BY l.category_id;
--> statement-breakpoint
-- A post counts in once it has a published vector: its terms, tags and categories with it.
CREATE TRIGGER `post_vectors_stats_in` AFTER INSERT ON `post_vectors` WHEN new.status = 'published' BEGIN
  INSERT INTO related_counts (kind, id, n) VALUES ('posts', 0, 1) ON CONFLICT (kind, id) DO UPDATE SET n = n + 1;
  INSERT INTO term_df (term, df) SELECT term, 1 FROM post_terms WHERE post_id = new.post_id AND term <> '' ON CONFLICT (term) DO UPDATE SET df = df + 1;
  INSERT INTO related_counts (kind, id, n) SELECT 'tag', tag_id, 1 FROM post_tags WHERE post_id = new.post_id ON CONFLICT (kind, id) DO UPDATE SET n = n + 1;
  INSERT INTO related_counts (kind, id, n) SELECT 'category', category_id, 1 FROM post_categories WHERE post_id = new.post_id ON CONFLICT (kind, id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `post_vectors_stats_publish` AFTER UPDATE OF status ON `post_vectors` WHEN old.status <> 'published' AND new.status = 'published' BEGIN
  INSERT INTO related_counts (kind, id, n) VALUES ('posts', 0, 1) ON CONFLICT (kind, id) DO UPDATE SET n = n + 1;
  INSERT INTO term_df (term, df) SELECT term, 1 FROM post_terms WHERE post_id = new.post_id AND term <> '' ON CONFLICT (term) DO UPDATE SET df = df + 1;
  INSERT INTO related_counts (kind, id, n) SELECT 'tag', tag_id, 1 FROM post_tags WHERE post_id = new.post_id ON CONFLICT (kind, id) DO UPDATE SET n = n + 1;
  INSERT INTO related_counts (kind, id, n) SELECT 'category', category_id, 1 FROM post_categories WHERE post_id = new.post_id ON CONFLICT (kind, id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `post_vectors_stats_unpublish` AFTER UPDATE OF status ON `post_vectors` WHEN old.status = 'published' AND new.status <> 'published' BEGIN
  UPDATE related_counts SET n = n - 1 WHERE kind = 'posts' AND id = 0;
  UPDATE term_df SET df = df - 1 WHERE term IN (SELECT term FROM post_terms WHERE post_id = old.post_id);
  DELETE FROM term_df WHERE df <= 0 AND term IN (SELECT term FROM post_terms WHERE post_id = old.post_id);
  UPDATE related_counts SET n = n - 1 WHERE kind = 'tag' AND id IN (SELECT tag_id FROM post_tags WHERE post_id = old.post_id);
  UPDATE related_counts SET n = n - 1 WHERE kind = 'category' AND id IN (SELECT category_id FROM post_categories WHERE post_id = old.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `post_vectors_stats_out` AFTER DELETE ON `post_vectors` WHEN old.status = 'published' BEGIN
  UPDATE related_counts SET n = n - 1 WHERE kind = 'posts' AND id = 0;
  UPDATE term_df SET df = df - 1 WHERE term IN (SELECT term FROM post_terms WHERE post_id = old.post_id);
  DELETE FROM term_df WHERE df <= 0 AND term IN (SELECT term FROM post_terms WHERE post_id = old.post_id);
  UPDATE related_counts SET n = n - 1 WHERE kind = 'tag' AND id IN (SELECT tag_id FROM post_tags WHERE post_id = old.post_id);
  UPDATE related_counts SET n = n - 1 WHERE kind = 'category' AND id IN (SELECT category_id FROM post_categories WHERE post_id = old.post_id);
END;
--> statement-breakpoint
-- A term, tag or category of a post that is in already.
CREATE TRIGGER `post_terms_df_insert` AFTER INSERT ON `post_terms`
WHEN new.term <> '' AND EXISTS (SELECT 1 FROM post_vectors WHERE post_id = new.post_id AND status = 'published') BEGIN
  INSERT INTO term_df (term, df) VALUES (new.term, 1) ON CONFLICT (term) DO UPDATE SET df = df + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `post_terms_df_delete` AFTER DELETE ON `post_terms`
WHEN old.term <> '' AND EXISTS (SELECT 1 FROM post_vectors WHERE post_id = old.post_id AND status = 'published') BEGIN
  UPDATE term_df SET df = df - 1 WHERE term = old.term;
  DELETE FROM term_df WHERE term = old.term AND df <= 0;
END;
--> statement-breakpoint
CREATE TRIGGER `post_tags_stats_insert` AFTER INSERT ON `post_tags`
WHEN EXISTS (SELECT 1 FROM post_vectors WHERE post_id = new.post_id AND status = 'published') BEGIN
  INSERT INTO related_counts (kind, id, n) VALUES ('tag', new.tag_id, 1) ON CONFLICT (kind, id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `post_tags_stats_delete` AFTER DELETE ON `post_tags`
WHEN EXISTS (SELECT 1 FROM post_vectors WHERE post_id = old.post_id AND status = 'published') BEGIN
  UPDATE related_counts SET n = n - 1 WHERE kind = 'tag' AND id = old.tag_id;
END;
--> statement-breakpoint
CREATE TRIGGER `post_tags_stats_update` AFTER UPDATE OF post_id, tag_id ON `post_tags` BEGIN
  UPDATE related_counts SET n = n - 1 WHERE kind = 'tag' AND id = old.tag_id
    AND EXISTS (SELECT 1 FROM post_vectors WHERE post_id = old.post_id AND status = 'published');
  INSERT INTO related_counts (kind, id, n) SELECT 'tag', new.tag_id, 1
    WHERE EXISTS (SELECT 1 FROM post_vectors WHERE post_id = new.post_id AND status = 'published')
    ON CONFLICT (kind, id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `post_categories_stats_insert` AFTER INSERT ON `post_categories`
WHEN EXISTS (SELECT 1 FROM post_vectors WHERE post_id = new.post_id AND status = 'published') BEGIN
  INSERT INTO related_counts (kind, id, n) VALUES ('category', new.category_id, 1) ON CONFLICT (kind, id) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `post_categories_stats_delete` AFTER DELETE ON `post_categories`
WHEN EXISTS (SELECT 1 FROM post_vectors WHERE post_id = old.post_id AND status = 'published') BEGIN
  UPDATE related_counts SET n = n - 1 WHERE kind = 'category' AND id = old.category_id;
END;
--> statement-breakpoint
CREATE TRIGGER `post_categories_stats_update` AFTER UPDATE OF post_id, category_id ON `post_categories` BEGIN
  UPDATE related_counts SET n = n - 1 WHERE kind = 'category' AND id = old.category_id
    AND EXISTS (SELECT 1 FROM post_vectors WHERE post_id = old.post_id AND status = 'published');
  INSERT INTO related_counts (kind, id, n) SELECT 'category', new.category_id, 1
    WHERE EXISTS (SELECT 1 FROM post_vectors WHERE post_id = new.post_id AND status = 'published')
    ON CONFLICT (kind, id) DO UPDATE SET n = n + 1;
END;
