-- Posts embed each category with its parent_id and its ancestors (`path`, from the root), so a
-- category's parent, name or slug shows in the posts filed under it and under every category
-- below it: a rename or a move of a category drops and queues the documents of that whole
-- subtree's posts (the trigger of 0011 queued only the category's own posts, on slug and name).
DROP TRIGGER IF EXISTS `post_documents_category_update`;
--> statement-breakpoint
CREATE TRIGGER `post_documents_category_update` AFTER UPDATE ON `categories` WHEN
  old.slug IS NOT new.slug OR old.name IS NOT new.name OR old.parent_id IS NOT new.parent_id OR old.id IS NOT new.id
BEGIN
  DELETE FROM post_documents WHERE post_id IN (SELECT post_id FROM post_categories WHERE category_id IN (
    WITH RECURSIVE subtree(id) AS (SELECT old.id UNION SELECT k.id FROM categories k JOIN subtree ON k.parent_id = subtree.id) SELECT id FROM subtree));
  INSERT INTO post_queue (post_id) SELECT DISTINCT post_id FROM post_categories WHERE category_id IN (
    WITH RECURSIVE subtree(id) AS (SELECT old.id UNION SELECT k.id FROM categories k JOIN subtree ON k.parent_id = subtree.id) SELECT id FROM subtree)
    AND post_id NOT IN (SELECT post_id FROM post_queue);
END;
