-- The stored documents' hashes (SQLite: migrations/0022_document_hashes.sql): the ETag of the
-- public reads made of them. Rebuilt with the new document format.
DELETE FROM "post_documents";
--> statement-breakpoint
ALTER TABLE "post_documents" ADD COLUMN "status" text NOT NULL DEFAULT '';
--> statement-breakpoint
ALTER TABLE "post_documents" ADD COLUMN "hash" text NOT NULL DEFAULT '';
--> statement-breakpoint
ALTER TABLE "comment_documents" ADD COLUMN "hash" text NOT NULL DEFAULT '';
