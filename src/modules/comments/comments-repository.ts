import type { Db } from '../../db/client.js'

export interface CommentRow {
  id: number
  post_id: number
  parent_id: number | null
  path: string
  depth: number
  author_name: string
  author_email: string | null
  author_url: string | null
  content: string
  content_html: string
  status: 'pending' | 'approved' | 'spam' | 'trash'
  type: 'comment' | 'pingback' | 'trackback'
  deleted_at: number | null
  created_at: number
  updated_at: number
}

const COLUMNS = `id, post_id, parent_id, path, depth, author_name, author_email, author_url, content, content_html,
  status, type, deleted_at, created_at, updated_at`

/** Zero-padded id segment of a comment's materialized path; ORDER BY path is thread order. */
export function pathSegment (id: number): string {
  return String(id).padStart(12, '0')
}

/** All database access for comments. */
export function createCommentsRepository (db: Db) {
  const client = db.$client
  // Approved comments and tombstones, in thread order; the service drops tombstones with no
  // visible replies and replies whose parent is hidden.
  const threadStmt = client.prepare(`SELECT ${COLUMNS} FROM comments
    WHERE post_id = ? AND (status = 'approved' OR deleted_at IS NOT NULL) ORDER BY path`)
  return {
    /** Comments a public reader may see on a post (before hiding orphans), in thread order. */
    publicThread (postId: number): CommentRow[] {
      return threadStmt.all(postId) as CommentRow[]
    }
  }
}
export type CommentsRepository = ReturnType<typeof createCommentsRepository>
