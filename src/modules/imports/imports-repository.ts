import type { Db } from '../../db/client.js'
import { clientHashKey } from '../../db/client-hash-key.js'

export interface ImportedPostRow {
  id: number
  slug: string
  title: string
  excerpt: string
  content_html: string
  status: 'draft' | 'published' | 'archived'
  published_at: number | null
  author_id: number
  featured_image_url: string | null
  featured_image_alt: string | null
  source_url: string | null
  source_name: string | null
  canonical_url: string | null
  comment_status: 'open' | 'closed'
  sticky: number
}

export interface ImportedCommentRow {
  id: number
  post_id: number
  parent_id: number | null
  author_name: string
  author_email: string | null
  author_url: string | null
  content: string
  content_html: string
  status: 'pending' | 'approved' | 'spam' | 'trash'
  type: 'comment' | 'pingback' | 'trackback'
  created_at: number
  deleted_at: number | null
}

export interface TermRow { id: number, slug: string, name: string, description: string }
export interface CategoryRow extends TermRow { parent_id: number | null }
export interface AuthorRow { id: number, slug: string, name: string, email: string | null, website: string | null, bio: string }

/**
 * The lookups an import needs to match incoming items with what an earlier import (or an
 * editor) created: terms and authors by slug, posts and comments by their import key.
 * Writes go through the write services; only imported comments are changed here, since
 * moderation has no call for replacing an author or a date.
 */
export function createImportsRepository (db: Db) {
  const client = db.$client
  const authorBySlug = client.prepare('SELECT id, slug, name, email, website, bio FROM authors WHERE slug = ?')
  const categoryBySlug = client.prepare('SELECT id, slug, name, description, parent_id FROM categories WHERE slug = ?')
  const tagBySlug = client.prepare('SELECT id, slug, name, description FROM tags WHERE slug = ?')
  const postByKey = client.prepare(`SELECT id, slug, title, excerpt, content_html, status, published_at, author_id, featured_image_url,
    featured_image_alt, source_url, source_name, canonical_url, comment_status, sticky FROM posts WHERE import_key = ?`)
  const postSlugTaken = client.prepare('SELECT 1 FROM posts WHERE slug = ? AND id IS NOT ?').pluck()
  const categoryIdsOf = client.prepare('SELECT category_id FROM post_categories WHERE post_id = ? ORDER BY position').pluck()
  const tagIdsOf = client.prepare('SELECT tag_id FROM post_tags WHERE post_id = ? ORDER BY position').pluck()
  const commentByKey = client.prepare(`SELECT id, post_id, parent_id, author_name, author_email, author_url, content, content_html,
    status, type, created_at, deleted_at FROM comments WHERE import_key = ?`)
  const updateComment = client.prepare(`UPDATE comments SET author_name = @author_name, author_email = @author_email,
    author_url = @author_url, content = @content, content_html = @content_html, content_hash = @content_hash, status = @status,
    type = @type, created_at = @created_at, updated_at = @updated_at WHERE id = @id`)
  const featuredImage = client.prepare('SELECT featured_image_url, featured_image_alt FROM posts WHERE id = ?')
  return {
    authorBySlug: (slug: string) => authorBySlug.get(slug) as AuthorRow | undefined,
    categoryBySlug: (slug: string) => categoryBySlug.get(slug) as CategoryRow | undefined,
    tagBySlug: (slug: string) => tagBySlug.get(slug) as TermRow | undefined,
    postByImportKey: (key: string) => postByKey.get(key) as ImportedPostRow | undefined,
    postSlugTaken: (slug: string, exceptId: number | null) => Boolean(postSlugTaken.get(slug, exceptId)),
    categoryIdsOf: (postId: number) => categoryIdsOf.all(postId) as number[],
    tagIdsOf: (postId: number) => tagIdsOf.all(postId) as number[],
    commentByImportKey: (key: string) => commentByKey.get(key) as ImportedCommentRow | undefined,
    /** Replaces what an import owns of a comment; its place in the thread never moves. */
    updateComment (row: Omit<ImportedCommentRow, 'post_id' | 'parent_id' | 'deleted_at'> & { content_hash: string, updated_at: number }): void {
      updateComment.run(row)
    },
    featuredImageOf: (postId: number) => featuredImage.get(postId) as { featured_image_url: string | null, featured_image_alt: string | null } | undefined,
    /** The per-installation key that client addresses are hashed with (kept beside the database, never in it). */
    clientHashKey: () => clientHashKey(db)
  }
}
export type ImportsRepository = ReturnType<typeof createImportsRepository>
