import type { SourceRow, SourceRunRow } from './sources-repository.js'
import type { Source, SourceRun } from './sources-schemas.js'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** Row → API source (validators and the lease stay inside). */
export function toSource (row: SourceRow): Source {
  return {
    id: row.id,
    feed_url: row.feedUrl,
    name: row.name,
    category_ids: row.categoryIds,
    tag_ids: row.tagIds,
    author_id: row.authorId,
    status: row.status,
    interval_minutes: row.intervalMinutes,
    enabled: row.enabled,
    attribution: { name: row.attributionName, url: row.attributionUrl },
    last_polled_at: iso(row.lastPolledAt),
    next_poll_at: row.enabled ? iso(row.nextPollAt) : null,
    consecutive_failures: row.consecutiveFailures,
    last_error: row.lastError,
    disabled_reason: row.disabledReason,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString()
  }
}

export function toSourceRun (row: SourceRunRow): SourceRun {
  return {
    id: row.id,
    source_id: row.sourceId,
    started_at: new Date(row.startedAt).toISOString(),
    url: row.url,
    http_status: row.httpStatus,
    items_seen: row.itemsSeen,
    items_new: row.itemsNew,
    items_updated: row.itemsUpdated,
    items_skipped: row.itemsSkipped,
    duration_ms: row.durationMs,
    error: row.error
  }
}
