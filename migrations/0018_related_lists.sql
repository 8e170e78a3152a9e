-- Related-post lists in the read model (src/modules/related/related-lists.ts): each live post's
-- best RELATED_STORED related posts, scored by the same code as a request, stored as ids,
-- scores and reasons (the cards come from post_documents at read time, so a list never shows
-- an old title or a post that is no longer live). What a write can change is found precisely:
-- the triggers below queue every post whose vector, status, time or links change; a background
-- step rebuilds its list, the lists that name it, and the lists it now scores into (scores are
-- symmetric: from its own candidates' scores against each list's weakest entry). A read serves
-- a stored list only while nothing is queued, no post went live since the last step looked, the
-- list is not older than the drift allowance, and every post it names is live; otherwise it
-- computes, as before. The tables start empty: the background fills them after start.

CREATE TABLE `related_lists` (
  `post_id` integer PRIMARY KEY NOT NULL REFERENCES `posts`(`id`) ON DELETE CASCADE,
  -- related_state.seq when it was built: the changes since then are its drift.
  `seq` integer NOT NULL,
  -- The weakest stored score, 0 while the list holds fewer than it could.
  `min_score` real NOT NULL,
  -- [[id, score, [shared tag ids], [shared category ids], text similarity], …], best first.
  `items` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `related_lists_seq_idx` ON `related_lists` (`seq`);
--> statement-breakpoint
-- Which lists name which post (post_id names related_id): the lists a change of related_id affects.
CREATE TABLE `related_list_items` (
  `related_id` integer NOT NULL,
  `post_id` integer NOT NULL,
  PRIMARY KEY (`related_id`, `post_id`)
) WITHOUT ROWID;
--> statement-breakpoint
-- A list's own entries, to replace them when it is rebuilt (without it each save scanned the
-- whole table: 200,000 rows at 10,000 posts).
CREATE INDEX `related_list_items_post_idx` ON `related_list_items` (`post_id`);
--> statement-breakpoint
-- Posts whose list is to be rebuilt; `cascade` 1: the post itself changed, so the lists that
-- name it or that it now scores into are rebuilt too, of those built before the change
-- (`seq`, related_state.seq when it was queued; a list built since has seen it).
CREATE TABLE `related_queue` (
  `post_id` integer PRIMARY KEY NOT NULL,
  `cascade` integer NOT NULL,
  `seq` integer NOT NULL
);
--> statement-breakpoint
-- One row: a counter of changes (each trigger event below, each post going live by time), and
-- the publication time up to which scheduled posts that went live by time have been queued.
-- A list stores the counter it was built at: lists built before a change are the ones that
-- change can make out of date, and the counter's advance since is a list's drift.
CREATE TABLE `related_state` (
  `id` integer PRIMARY KEY NOT NULL,
  `seq` integer NOT NULL,
  `live_through` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `related_state` (id, seq, live_through) VALUES (1, 0, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
--> statement-breakpoint
-- post_vectors is the indexer's copy of a post's text fingerprint, status and time.
CREATE TRIGGER `related_lists_vector_insert` AFTER INSERT ON `post_vectors` BEGIN
  UPDATE related_state SET seq = seq + 1 WHERE id = 1;
  INSERT INTO related_queue (post_id, cascade, seq) SELECT new.post_id, 1, (SELECT seq FROM related_state WHERE id = 1) WHERE NOT EXISTS (SELECT 1 FROM related_queue WHERE post_id = new.post_id);
  UPDATE related_queue SET cascade = 1, seq = (SELECT seq FROM related_state WHERE id = 1) WHERE post_id = new.post_id;
END;
--> statement-breakpoint
CREATE TRIGGER `related_lists_vector_update` AFTER UPDATE ON `post_vectors` WHEN
  old.hash IS NOT new.hash OR old.status IS NOT new.status OR old.published_at IS NOT new.published_at OR old.post_id IS NOT new.post_id BEGIN
  UPDATE related_state SET seq = seq + 1 WHERE id = 1;
  INSERT INTO related_queue (post_id, cascade, seq) SELECT new.post_id, 1, (SELECT seq FROM related_state WHERE id = 1) WHERE NOT EXISTS (SELECT 1 FROM related_queue WHERE post_id = new.post_id);
  UPDATE related_queue SET cascade = 1, seq = (SELECT seq FROM related_state WHERE id = 1) WHERE post_id = new.post_id;
END;
--> statement-breakpoint
CREATE TRIGGER `related_lists_vector_delete` AFTER DELETE ON `post_vectors` BEGIN
  UPDATE related_state SET seq = seq + 1 WHERE id = 1;
  INSERT INTO related_queue (post_id, cascade, seq) SELECT old.post_id, 1, (SELECT seq FROM related_state WHERE id = 1) WHERE NOT EXISTS (SELECT 1 FROM related_queue WHERE post_id = old.post_id);
  UPDATE related_queue SET cascade = 1, seq = (SELECT seq FROM related_state WHERE id = 1) WHERE post_id = old.post_id;
END;
--> statement-breakpoint
CREATE TRIGGER `related_lists_tag_link_insert` AFTER INSERT ON `post_tags` BEGIN
  UPDATE related_state SET seq = seq + 1 WHERE id = 1;
  INSERT INTO related_queue (post_id, cascade, seq) SELECT new.post_id, 1, (SELECT seq FROM related_state WHERE id = 1) WHERE NOT EXISTS (SELECT 1 FROM related_queue WHERE post_id = new.post_id);
  UPDATE related_queue SET cascade = 1, seq = (SELECT seq FROM related_state WHERE id = 1) WHERE post_id = new.post_id;
END;
--> statement-breakpoint
CREATE TRIGGER `related_lists_tag_link_update` AFTER UPDATE ON `post_tags` WHEN old.post_id IS NOT new.post_id OR old.tag_id IS NOT new.tag_id BEGIN
  UPDATE related_state SET seq = seq + 1 WHERE id = 1;
  INSERT INTO related_queue (post_id, cascade, seq) SELECT old.post_id, 1, (SELECT seq FROM related_state WHERE id = 1) WHERE NOT EXISTS (SELECT 1 FROM related_queue WHERE post_id = old.post_id);
  UPDATE related_state SET seq = seq + 1 WHERE id = 1;
  INSERT INTO related_queue (post_id, cascade, seq) SELECT new.post_id, 1, (SELECT seq FROM related_state WHERE id = 1) WHERE NOT EXISTS (SELECT 1 FROM related_queue WHERE post_id = new.post_id);
  UPDATE related_queue SET cascade = 1, seq = (SELECT seq FROM related_state WHERE id = 1) WHERE post_id IN (old.post_id, new.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `related_lists_tag_link_delete` AFTER DELETE ON `post_tags` BEGIN
  UPDATE related_state SET seq = seq + 1 WHERE id = 1;
  INSERT INTO related_queue (post_id, cascade, seq) SELECT old.post_id, 1, (SELECT seq FROM related_state WHERE id = 1) WHERE NOT EXISTS (SELECT 1 FROM related_queue WHERE post_id = old.post_id);
  UPDATE related_queue SET cascade = 1, seq = (SELECT seq FROM related_state WHERE id = 1) WHERE post_id = old.post_id;
END;
--> statement-breakpoint
CREATE TRIGGER `related_lists_category_link_insert` AFTER INSERT ON `post_categories` BEGIN
  UPDATE related_state SET seq = seq + 1 WHERE id = 1;
  INSERT INTO related_queue (post_id, cascade, seq) SELECT new.post_id, 1, (SELECT seq FROM related_state WHERE id = 1) WHERE NOT EXISTS (SELECT 1 FROM related_queue WHERE post_id = new.post_id);
  UPDATE related_queue SET cascade = 1, seq = (SELECT seq FROM related_state WHERE id = 1) WHERE post_id = new.post_id;
END;
--> statement-breakpoint
CREATE TRIGGER `related_lists_category_link_update` AFTER UPDATE ON `post_categories` WHEN old.post_id IS NOT new.post_id OR old.category_id IS NOT new.category_id BEGIN
  UPDATE related_state SET seq = seq + 1 WHERE id = 1;
  INSERT INTO related_queue (post_id, cascade, seq) SELECT old.post_id, 1, (SELECT seq FROM related_state WHERE id = 1) WHERE NOT EXISTS (SELECT 1 FROM related_queue WHERE post_id = old.post_id);
  UPDATE related_state SET seq = seq + 1 WHERE id = 1;
  INSERT INTO related_queue (post_id, cascade, seq) SELECT new.post_id, 1, (SELECT seq FROM related_state WHERE id = 1) WHERE NOT EXISTS (SELECT 1 FROM related_queue WHERE post_id = new.post_id);
  UPDATE related_queue SET cascade = 1, seq = (SELECT seq FROM related_state WHERE id = 1) WHERE post_id IN (old.post_id, new.post_id);
END;
--> statement-breakpoint
CREATE TRIGGER `related_lists_category_link_delete` AFTER DELETE ON `post_categories` BEGIN
  UPDATE related_state SET seq = seq + 1 WHERE id = 1;
  INSERT INTO related_queue (post_id, cascade, seq) SELECT old.post_id, 1, (SELECT seq FROM related_state WHERE id = 1) WHERE NOT EXISTS (SELECT 1 FROM related_queue WHERE post_id = old.post_id);
  UPDATE related_queue SET cascade = 1, seq = (SELECT seq FROM related_state WHERE id = 1) WHERE post_id = old.post_id;
END;
