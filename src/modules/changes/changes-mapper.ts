import type { ChangeRow } from './changes-repository.js'

/** Row → change log entry. */
export function toChange (row: ChangeRow) {
  return { resource: row.resource, id: row.resourceId, slug: row.slug, action: row.action, post_id: row.postId, changed_at: new Date(row.changedAt).toISOString() }
}
