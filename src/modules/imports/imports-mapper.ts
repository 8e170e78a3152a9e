import type { ImportJobRow } from './imports-jobs-repository.js'
import type { ImportJob, ImportSummary } from './imports-schemas.js'
import { emptySummary } from './imports-summary.js'

// An import job row as the API shows it.

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** A job row as the API shows it: the summary so far, or an empty one before the first item. */
export function toImportJob (row: ImportJobRow): ImportJob {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    source: row.source,
    cancel_requested: row.cancelRequested,
    progress: { items_read: row.itemsRead, items_total: row.itemsTotal, bytes_read: row.bytesRead, bytes_total: row.bytesTotal },
    summary: row.summary === null ? emptySummary(row.kind) : JSON.parse(row.summary) as ImportSummary,
    error: row.errorCode === null ? null : { code: row.errorCode, message: row.error ?? '' },
    created_at: iso(row.createdAt) as string,
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
    updated_at: iso(row.updatedAt) as string
  }
}
