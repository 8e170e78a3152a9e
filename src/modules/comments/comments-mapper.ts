import type { CommentRow, ThreadRow } from './comments-repository.js'
import type { Comment, PublicComment } from './comments-schemas.js'

/** Row → public comment; a tombstone shows no author or content. */
export function toPublicComment (row: ThreadRow): PublicComment {
  const deleted = row.deletedAt !== null
  return {
    id: row.id,
    post_id: row.postId,
    parent_id: row.parentId,
    depth: row.depth,
    author_name: deleted ? '' : row.authorName,
    author_url: deleted ? null : row.authorUrl,
    content_html: deleted ? '' : row.contentHtml,
    type: row.type,
    deleted,
    created_at: new Date(row.createdAt).toISOString()
  }
}

/**
 * The visible thread: approved comments whose ancestors are all visible, plus deleted
 * comments kept as tombstones while they have a visible reply. Rows come in thread order.
 */
export function visibleThread<R extends Pick<ThreadRow, 'id' | 'parentId' | 'deletedAt'>> (rows: R[]): R[] {
  const visible = new Set<number>()
  const kept: R[] = []
  for (const row of rows) {
    if (row.parentId !== null && !visible.has(row.parentId)) continue
    visible.add(row.id)
    kept.push(row)
  }
  // Drop tombstones with no visible descendant, from the deepest up.
  const hasChild = new Set<number>()
  const out: R[] = []
  for (let i = kept.length - 1; i >= 0; i--) {
    const row = kept[i]
    if (row.deletedAt !== null && !hasChild.has(row.id)) continue
    if (row.parentId !== null) hasChild.add(row.parentId)
    out.push(row)
  }
  return out.reverse()
}

/** Row → the moderator's view of a comment (with e-mail, never the client address). */
export function toComment (row: CommentRow): Comment {
  return {
    id: row.id,
    post_id: row.postId,
    parent_id: row.parentId,
    depth: row.depth,
    author_name: row.authorName,
    author_email: row.authorEmail,
    author_url: row.authorUrl,
    content: row.content,
    content_html: row.contentHtml,
    status: row.status,
    type: row.type,
    deleted: row.deletedAt !== null,
    user_agent: row.userAgent,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString()
  }
}

/**
 * The status a submitter is told: `approved` only when the site approves every comment
 * (moderation `none`), which anyone can read in GET /v1/site. Under `first_time` an approval
 * depends on whether that name and e-mail already have an approved comment, so telling it
 * would answer that question for any address; the answer says `pending` and the comment shows
 * in the thread when it is approved. Spam reads as pending too, so bots learn nothing.
 */
export function statusForSubmitter (row: Pick<CommentRow, 'status'>, moderation: 'all' | 'first_time' | 'none'): 'pending' | 'approved' {
  return moderation === 'none' && row.status === 'approved' ? 'approved' : 'pending'
}

/**
 * Row → a comment without its e-mail: the answer to its submitter (with `statusForSubmitter`)
 * and webhook payloads (receivers are the site's own and get the real status).
 */
export function toSubmittedComment (row: CommentRow, status: 'pending' | 'approved' = row.status === 'approved' ? 'approved' : 'pending') {
  return {
    id: row.id,
    post_id: row.postId,
    parent_id: row.parentId,
    depth: row.depth,
    author_name: row.authorName,
    author_url: row.authorUrl,
    content_html: row.contentHtml,
    status,
    created_at: new Date(row.createdAt).toISOString()
  }
}
