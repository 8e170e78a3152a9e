import type { CommentRow } from './comments-repository.js'
import type { PublicComment } from './comments-schemas.js'

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
