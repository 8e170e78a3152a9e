import type { Db } from '../../db/client.js'
import type { ImportJobStatus } from '../../db/schema.js'
import type { ImportSummary } from './imports-schemas.js'

export interface ImportJobRow {
  id: number
  kind: 'wxr' | 'feed'
  status: ImportJobStatus
  source: string
  file_path: string | null
  options: string
  bytes_total: number
  bytes_read: number
  items_read: number
  items_total: number | null
  summary: string | null
  error_code: string | null
  error: string | null
  cancel_requested: number
  owner: string
  lease_until: number
  created_at: number
  started_at: number | null
  finished_at: number | null
  updated_at: number
}

export interface NewImportJob {
  kind: 'wxr' | 'feed'
  source: string
  filePath: string
  bytesTotal: number
  options: Record<string, unknown>
  owner: string
  leaseUntil: number
}

export interface JobProgress {
  bytesRead: number
  itemsRead: number
  itemsTotal: number | null
  summary: ImportSummary
}

const COLUMNS = `id, kind, status, source, file_path, options, bytes_total, bytes_read, items_read, items_total, summary,
  error_code, error, cancel_requested, owner, lease_until, created_at, started_at, finished_at, updated_at`

/**
 * The import_jobs table: the queue, the leases that tell a live owner from a dead one, and
 * the progress of the job running. Every state change is fenced by the state it leaves
 * (`WHERE status = …`), so two processes never both start, end or fail the same job.
 */
export function createImportJobsRepository (db: Db) {
  const client = db.$client
  const s = {
    insert: client.prepare(`INSERT INTO import_jobs (kind, status, source, file_path, options, bytes_total, owner, lease_until, created_at, updated_at)
      VALUES (@kind, 'queued', @source, @filePath, @options, @bytesTotal, @owner, @leaseUntil, @now, @now) RETURNING ${COLUMNS}`),
    byId: client.prepare(`SELECT ${COLUMNS} FROM import_jobs WHERE id = ?`),
    list: client.prepare(`SELECT ${COLUMNS} FROM import_jobs WHERE @status IS NULL OR status = @status ORDER BY id DESC LIMIT @limit OFFSET @offset`),
    count: client.prepare('SELECT count(*) FROM import_jobs WHERE @status IS NULL OR status = @status').pluck(),
    unfinished: client.prepare("SELECT id, status, owner, lease_until, file_path, options FROM import_jobs WHERE status IN ('queued', 'running') ORDER BY id"),
    liveRunning: client.prepare("SELECT 1 FROM import_jobs WHERE status = 'running' AND lease_until > ? LIMIT 1").pluck(),
    oldestQueued: client.prepare("SELECT id, owner FROM import_jobs WHERE status = 'queued' ORDER BY id LIMIT 1"),
    start: client.prepare(`UPDATE import_jobs SET status = 'running', started_at = @now, lease_until = @leaseUntil, updated_at = @now
      WHERE id = @id AND status = 'queued' RETURNING ${COLUMNS}`),
    heartbeat: client.prepare("UPDATE import_jobs SET lease_until = @leaseUntil WHERE owner = @owner AND status IN ('queued', 'running')"),
    progress: client.prepare(`UPDATE import_jobs SET bytes_read = @bytesRead, items_read = @itemsRead, items_total = @itemsTotal, summary = @summary,
      updated_at = @now WHERE id = @id AND status = 'running'`),
    finish: client.prepare(`UPDATE import_jobs SET status = @status, summary = coalesce(@summary, summary), bytes_read = coalesce(@bytesRead, bytes_read),
      items_read = coalesce(@itemsRead, items_read), items_total = coalesce(@itemsTotal, items_total), error_code = @errorCode, error = @error,
      file_path = NULL, finished_at = @now, updated_at = @now WHERE id = @id AND status IN ('queued', 'running') RETURNING ${COLUMNS}`),
    cancelQueued: client.prepare(`UPDATE import_jobs SET status = 'cancelled', file_path = NULL, finished_at = @now, updated_at = @now
      WHERE id = @id AND status = 'queued' RETURNING ${COLUMNS}`),
    requestCancel: client.prepare(`UPDATE import_jobs SET cancel_requested = 1, updated_at = @now WHERE id = @id AND status = 'running' RETURNING ${COLUMNS}`),
    cancelRequested: client.prepare('SELECT cancel_requested FROM import_jobs WHERE id = ?').pluck()
  }
  const claim = client.transaction((owner: string, now: number, leaseUntil: number): ImportJobRow | undefined => {
    if (s.liveRunning.get(now) !== undefined) return undefined
    const next = s.oldestQueued.get() as { id: number, owner: string } | undefined
    // First come, first served across processes: the oldest job waits for its own owner.
    if (next === undefined || next.owner !== owner) return undefined
    return s.start.get({ id: next.id, now, leaseUntil }) as ImportJobRow | undefined
  })
  return {
    insert (job: NewImportJob, now: number): ImportJobRow {
      return s.insert.get({ ...job, options: JSON.stringify(job.options), now }) as ImportJobRow
    },
    byId: (id: number) => s.byId.get(id) as ImportJobRow | undefined,
    list: (status: ImportJobStatus | null, limit: number, offset: number) => s.list.all({ status, limit, offset }) as ImportJobRow[],
    count: (status: ImportJobStatus | null) => s.count.get({ status }) as number,
    /** Queued and running jobs, to find those whose owner is gone. */
    unfinished: () => s.unfinished.all() as Array<Pick<ImportJobRow, 'id' | 'status' | 'owner' | 'lease_until' | 'file_path' | 'options'>>,
    /**
     * Starts the oldest queued job if it is this owner's and no job is running: one job at a
     * time per database, so two imports of the same file never interleave their writes.
     */
    claim: (owner: string, now: number, leaseUntil: number): ImportJobRow | undefined => claim.immediate(owner, now, leaseUntil),
    heartbeat: (owner: string, leaseUntil: number) => { s.heartbeat.run({ owner, leaseUntil }) },
    progress (id: number, p: JobProgress, now: number): void {
      s.progress.run({ id, bytesRead: p.bytesRead, itemsRead: p.itemsRead, itemsTotal: p.itemsTotal, summary: JSON.stringify(p.summary), now })
    },
    /** Ends a queued or running job; undefined when it had ended already. */
    finish (id: number, end: { status: 'succeeded' | 'failed' | 'cancelled', progress?: JobProgress, errorCode?: string, error?: string }, now: number): ImportJobRow | undefined {
      const p = end.progress
      return s.finish.get({
        id,
        status: end.status,
        summary: p === undefined ? null : JSON.stringify(p.summary),
        bytesRead: p?.bytesRead ?? null,
        itemsRead: p?.itemsRead ?? null,
        itemsTotal: p?.itemsTotal ?? null,
        errorCode: end.errorCode ?? null,
        error: end.error ?? null,
        now
      }) as ImportJobRow | undefined
    },
    cancelQueued: (id: number, now: number) => s.cancelQueued.get({ id, now }) as ImportJobRow | undefined,
    requestCancel: (id: number, now: number) => s.requestCancel.get({ id, now }) as ImportJobRow | undefined,
    cancelRequested: (id: number) => s.cancelRequested.get(id) === 1
  }
}
export type ImportJobsRepository = ReturnType<typeof createImportJobsRepository>
