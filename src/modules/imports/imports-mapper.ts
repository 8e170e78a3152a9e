import type { ImportJobRow } from './imports-jobs-repository.js'
import type { ImportJob, ImportSummary } from './imports-schemas.js'
import { emptySummary, zero } from './imports-summary.js'

// An import job row as the API shows it.

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/**
 * A stored summary, with the counts later versions added (pages, SEO fields, navigation) filled
 * in for jobs that ran before them.
 */
function storedSummary (kind: string, text: string): ImportSummary {
  const s = JSON.parse(text) as ImportSummary
  const base = emptySummary(kind)
  return {
    ...base,
    ...s,
    created: { ...zero(), ...s.created },
    updated: { ...zero(), ...s.updated },
    unchanged: { ...zero(), ...s.unchanged },
    navigation: { ...base.navigation, ...s.navigation }
  }
}

/** A job row as the API shows it: the summary so far, or an empty one before the first item. */
export function toImportJob (row: ImportJobRow): ImportJob {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    source: row.source,
    cancel_requested: row.cancelRequested,
    progress: { items_read: row.itemsRead, items_total: row.itemsTotal, bytes_read: row.bytesRead, bytes_total: row.bytesTotal },
    summary: row.summary === null ? emptySummary(row.kind) : storedSummary(row.kind, row.summary),
    error: row.errorCode === null ? null : { code: row.errorCode, message: row.error ?? '' },
    created_at: iso(row.createdAt) as string,
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
    updated_at: iso(row.updatedAt) as string
  }
}
