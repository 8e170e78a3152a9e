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

export interface NewComment {
  post_id: number
  parent_id: number | null
  author_name: string
  author_email: string | null
  author_url: string | null
  content: string
  content_html: string
  content_hash: string
  status: CommentRow['status']
  type?: CommentRow['type']
  client_hash?: string | null
  user_agent?: string | null
  created_at: number
  import_key?: string | null
}

/** Comment writes; callers run them inside a transaction. */
export function createCommentsWriter (db: Db) {
  const client = db.$client
  const insert = client.prepare(`INSERT INTO comments (post_id, parent_id, path, depth, author_name, author_email, author_url, content,
    content_html, content_hash, status, type, client_hash, user_agent, created_at, updated_at, import_key)
    VALUES (@post_id, @parent_id, '', @depth, @author_name, @author_email, @author_url, @content, @content_html, @content_hash,
    @status, @type, @client_hash, @user_agent, @created_at, @created_at, @import_key) RETURNING id`).pluck()
  const setPath = client.prepare('UPDATE comments SET path = ? WHERE id = ?')
  const parentOf = client.prepare('SELECT id, post_id, path, depth FROM comments WHERE id = ?')
  const recount = client.prepare(`UPDATE posts SET comment_count =
    (SELECT count(*) FROM comments WHERE post_id = @id AND status = 'approved' AND deleted_at IS NULL) WHERE id = @id`)
  return {
    parentOf (id: number): { id: number, post_id: number, path: string, depth: number } | undefined {
      return parentOf.get(id) as { id: number, post_id: number, path: string, depth: number } | undefined
    },
    /** Inserts a comment under its parent (path and depth follow it) and recounts the post. */
    insert (c: NewComment): number {
      const parent = c.parent_id === null ? undefined : this.parentOf(c.parent_id)
      const id = insert.get({
        ...c,
        parent_id: parent?.id ?? null,
        depth: parent ? parent.depth + 1 : 0,
        type: c.type ?? 'comment',
        client_hash: c.client_hash ?? null,
        user_agent: c.user_agent ?? null,
        import_key: c.import_key ?? null
      }) as number
      setPath.run(parent ? `${parent.path}/${pathSegment(id)}` : pathSegment(id), id)
      recount.run({ id: c.post_id })
      return id
    },
    /** Sets posts.comment_count from the approved, undeleted comments. */
    recount (postId: number): void {
      recount.run({ id: postId })
    }
  }
}
export type CommentsWriter = ReturnType<typeof createCommentsWriter>

export interface ModerationRow extends CommentRow { user_agent: string | null }

/** Moderation reads and changes. */
export function createModerationRepository (db: Db) {
  const client = db.$client
  const cols = `${COLUMNS}, user_agent`
  return {
    byId: client.prepare(`SELECT ${cols} FROM comments WHERE id = ?`),
    list (filter: { status?: string, postId?: number }, limit: number, offset: number): ModerationRow[] {
      const where: string[] = []
      const params: unknown[] = []
      if (filter.status !== undefined) { where.push('status = ?'); params.push(filter.status) }
      if (filter.postId !== undefined) { where.push('post_id = ?'); params.push(filter.postId) }
      const sql = `SELECT ${cols} FROM comments ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`
      return client.prepare(sql).all(...params, limit, offset) as ModerationRow[]
    },
    count (filter: { status?: string, postId?: number }): number {
      const where: string[] = []
      const params: unknown[] = []
      if (filter.status !== undefined) { where.push('status = ?'); params.push(filter.status) }
      if (filter.postId !== undefined) { where.push('post_id = ?'); params.push(filter.postId) }
      return client.prepare(`SELECT count(*) FROM comments ${where.length ? 'WHERE ' + where.join(' AND ') : ''}`).pluck().get(...params) as number
    },
    setStatus: client.prepare('UPDATE comments SET status = ?, updated_at = ? WHERE id = ?'),
    setContent: client.prepare('UPDATE comments SET content = ?, content_html = ?, content_hash = ?, updated_at = ? WHERE id = ?'),
    hasReplies: client.prepare('SELECT 1 FROM comments WHERE parent_id = ? LIMIT 1').pluck(),
    // A tombstone keeps the thread's shape and drops what identifies the author.
    tombstone: client.prepare(`UPDATE comments SET deleted_at = ?, updated_at = ?, author_name = '', author_email = NULL, author_url = NULL,
      content = '', content_html = '', client_hash = NULL, user_agent = NULL WHERE id = ?`),
    remove: client.prepare('DELETE FROM comments WHERE id = ?'),
    duplicate: client.prepare(`SELECT 1 FROM comments WHERE post_id = ? AND content_hash = ? AND deleted_at IS NULL
      AND (author_email = ? COLLATE NOCASE OR client_hash = ?) LIMIT 1`).pluck(),
    // Exact name and e-mail (binary comparison), like WordPress's comment_previously_approved.
    knownAuthor: client.prepare(`SELECT 1 FROM comments WHERE author_name = ? AND author_email = ? AND status = 'approved'
      AND deleted_at IS NULL LIMIT 1`).pluck()
  }
}
