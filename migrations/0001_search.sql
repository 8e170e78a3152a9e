-- Full-text search over posts: an external-content FTS5 index on title, excerpt and body text,
-- kept in step with every write by triggers (in the writer's transaction).
-- unicode61 with remove_diacritics 2 folds accents (café = cafe); prefix indexes make the
-- last-word prefix match of search-as-you-type cheap.
CREATE VIRTUAL TABLE `posts_fts` USING fts5(
  title, excerpt, content_text,
  content='posts', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2',
  prefix='2 3'
);
--> statement-breakpoint
INSERT INTO `posts_fts` (rowid, title, excerpt, content_text) SELECT id, title, excerpt, content_text FROM posts;
--> statement-breakpoint
CREATE TRIGGER `posts_fts_insert` AFTER INSERT ON `posts` BEGIN
  INSERT INTO posts_fts (rowid, title, excerpt, content_text) VALUES (new.id, new.title, new.excerpt, new.content_text);
END;
--> statement-breakpoint
CREATE TRIGGER `posts_fts_delete` AFTER DELETE ON `posts` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text) VALUES ('delete', old.id, old.title, old.excerpt, old.content_text);
END;
--> statement-breakpoint
CREATE TRIGGER `posts_fts_update` AFTER UPDATE OF title, excerpt, content_text ON `posts` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, content_text) VALUES ('delete', old.id, old.title, old.excerpt, old.content_text);
  INSERT INTO posts_fts (rowid, title, excerpt, content_text) VALUES (new.id, new.title, new.excerpt, new.content_text);
END;
