import type { CommentRow, ModerationRow } from './comments-repository.js'
import type { Comment, PublicComment } from './comments-schemas.js'

/** Row → public comment; a tombstone shows no author or content. */
export function toPublicComment (row: CommentRow): PublicComment {
  const deleted = row.deleted_at !== null
  return {
    id: row.id,
    post_id: row.post_id,
    parent_id: row.parent_id,
    depth: row.depth,
    author_name: deleted ? '' : row.author_name,
    author_url: deleted ? null : row.author_url,
    content_html: deleted ? '' : row.content_html,
    deleted,
    created_at: new Date(row.created_at).toISOString()
  }
}

/**
 * The visible thread: approved comments whose ancestors are all visible, plus deleted
 * comments kept as tombstones while they have a visible reply. Rows come in thread order.
 */
export function visibleThread (rows: CommentRow[]): CommentRow[] {
  const visible = new Set<number>()
  const kept: CommentRow[] = []
  for (const row of rows) {
    if (row.parent_id !== null && !visible.has(row.parent_id)) continue
    visible.add(row.id)
    kept.push(row)
  }
  // Drop tombstones with no visible descendant, from the deepest up.
  const hasChild = new Set<number>()
  const out: CommentRow[] = []
  for (let i = kept.length - 1; i >= 0; i--) {
    const row = kept[i]
    if (row.deleted_at !== null && !hasChild.has(row.id)) continue
    if (row.parent_id !== null) hasChild.add(row.parent_id)
    out.push(row)
  }
  return out.reverse()
}

/** Row → the moderator's view of a comment (with e-mail, never the client address). */
export function toComment (row: ModerationRow): Comment {
  return {
    id: row.id,
    post_id: row.post_id,
    parent_id: row.parent_id,
    depth: row.depth,
    author_name: row.author_name,
    author_email: row.author_email,
    author_url: row.author_url,
    content: row.content,
    content_html: row.content_html,
    status: row.status,
    type: row.type,
    deleted: row.deleted_at !== null,
    user_agent: row.user_agent,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString()
  }
}

/**
 * The status a submitter is told: `approved` only when the site approves every comment
 * (moderation `none`), which anyone can read in GET /v1/site. Under `first_time` an approval
 * depends on whether that name and e-mail already have an approved comment, so telling it
 * would answer that question for any address; the answer says `pending` and the comment shows
 * in the thread when it is approved. Spam reads as pending too, so bots learn nothing.
 */
export function statusForSubmitter (row: ModerationRow, moderation: 'all' | 'first_time' | 'none'): 'pending' | 'approved' {
  return moderation === 'none' && row.status === 'approved' ? 'approved' : 'pending'
}

/**
 * Row → a comment without its e-mail: the answer to its submitter (with `statusForSubmitter`)
 * and webhook payloads (receivers are the site's own and get the real status).
 */
export function toSubmittedComment (row: ModerationRow, status: 'pending' | 'approved' = row.status === 'approved' ? 'approved' : 'pending') {
  return {
    id: row.id,
    post_id: row.post_id,
    parent_id: row.parent_id,
    depth: row.depth,
    author_name: row.author_name,
    author_url: row.author_url,
    content_html: row.content_html,
    status,
    created_at: new Date(row.created_at).toISOString()
  }
}
