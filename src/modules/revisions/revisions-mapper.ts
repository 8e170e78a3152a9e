import type { RevisionRow, RevisionSummaryRow } from './revisions-repository.js'
import type { RevisionFields } from './revisions-service.js'
import type { RevisionFieldsApi, RevisionSummary } from './revisions-schemas.js'

const iso = (ms: number) => new Date(ms).toISOString()

export function toRevisionSummary (row: RevisionSummaryRow): RevisionSummary {
  return {
    number: row.number,
    created_at: iso(row.createdAt),
    key: row.keyName === null ? null : { id: row.keyId, prefix: row.keyPrefix, name: row.keyName },
    changed: row.changed as RevisionSummary['changed'],
    restored_from: row.restoredFrom
  }
}

export function toRevision (row: RevisionRow): RevisionSummary & { fields: RevisionFieldsApi } {
  const fields = row.fields as unknown as RevisionFields
  return { ...toRevisionSummary(row), fields: { ...fields, published_at: fields.published_at === null ? null : iso(fields.published_at) } }
}
