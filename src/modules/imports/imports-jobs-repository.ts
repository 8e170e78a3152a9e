import { and, count, desc, eq, gt, inArray, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { importJobs, type ImportJobStatus } from '../../db/schema.js'
import { placeholderOf } from '../../db/placeholders.js'
import type { ImportSummary } from './imports-schemas.js'

export type ImportJobRow = typeof importJobs.$inferSelect

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

const p = sql.placeholder
const UNFINISHED: ImportJobStatus[] = ['queued', 'running']

/**
 * The import_jobs table: the queue, the leases that tell a live owner from a dead one, and
 * the progress of the job running. Every state change is fenced by the state it leaves
 * (`WHERE status = …`), so two processes never both start, end or fail the same job.
 */
export function createImportJobsRepository (db: Db) {
  const t = importJobs
  // A value bound when the statement runs, through the column's encoder (db/placeholders.ts).
  const to = placeholderOf
  const s = {
    insert: db.insert(t).values({
      kind: p('kind'),
      status: 'queued',
      source: p('source'),
      filePath: p('filePath'),
      options: p('options'),
      bytesTotal: p('bytesTotal'),
      owner: p('owner'),
      leaseUntil: p('leaseUntil'),
      createdAt: p('now'),
      updatedAt: p('now')
    }).returning().prepare(),
    byId: db.select().from(t).where(eq(t.id, p('id'))).prepare(),
    list: db.select().from(t).orderBy(desc(t.id)).limit(p('limit')).offset(p('offset')).prepare(),
    listByStatus: db.select().from(t).where(eq(t.status, p('status'))).orderBy(desc(t.id)).limit(p('limit')).offset(p('offset')).prepare(),
    count: db.select({ n: count() }).from(t).prepare(),
    countByStatus: db.select({ n: count() }).from(t).where(eq(t.status, p('status'))).prepare(),
    unfinished: db.select({ id: t.id, status: t.status, owner: t.owner, leaseUntil: t.leaseUntil, filePath: t.filePath, options: t.options })
      .from(t).where(inArray(t.status, UNFINISHED)).orderBy(t.id).prepare(),
    liveRunning: db.select({ id: t.id }).from(t).where(and(eq(t.status, 'running'), gt(t.leaseUntil, p('now')))).limit(1).prepare(),
    oldestQueued: db.select({ id: t.id, owner: t.owner }).from(t).where(eq(t.status, 'queued')).orderBy(t.id).limit(1).prepare(),
    start: db.update(t).set({ status: 'running', startedAt: to(t.startedAt, 'now'), leaseUntil: to(t.leaseUntil, 'leaseUntil'), updatedAt: to(t.updatedAt, 'now') })
      .where(and(eq(t.id, p('id')), eq(t.status, 'queued'))).returning().prepare(),
    heartbeat: db.update(t).set({ leaseUntil: to(t.leaseUntil, 'leaseUntil') }).where(and(eq(t.owner, p('owner')), inArray(t.status, UNFINISHED))).prepare(),
    progress: db.update(t).set({
      bytesRead: to(t.bytesRead, 'bytesRead'),
      itemsRead: to(t.itemsRead, 'itemsRead'),
      itemsTotal: to(t.itemsTotal, 'itemsTotal'),
      summary: to(t.summary, 'summary'),
      updatedAt: to(t.updatedAt, 'now')
    }).where(and(eq(t.id, p('id')), eq(t.status, 'running'))).prepare(),
    // What the end does not say (no progress: a job failed before it reported) stays as it was.
    finish: db.update(t).set({
      status: to(t.status, 'status'),
      summary: sql`coalesce(${p('summary')}, ${t.summary})`,
      bytesRead: sql`coalesce(${p('bytesRead')}, ${t.bytesRead})`,
      itemsRead: sql`coalesce(${p('itemsRead')}, ${t.itemsRead})`,
      itemsTotal: sql`coalesce(${p('itemsTotal')}, ${t.itemsTotal})`,
      errorCode: to(t.errorCode, 'errorCode'),
      error: to(t.error, 'error'),
      filePath: null,
      finishedAt: to(t.finishedAt, 'now'),
      updatedAt: to(t.updatedAt, 'now')
    }).where(and(eq(t.id, p('id')), inArray(t.status, UNFINISHED))).returning().prepare(),
    cancelQueued: db.update(t).set({ status: 'cancelled', filePath: null, finishedAt: to(t.finishedAt, 'now'), updatedAt: to(t.updatedAt, 'now') })
      .where(and(eq(t.id, p('id')), eq(t.status, 'queued'))).returning().prepare(),
    requestCancel: db.update(t).set({ cancelRequested: true, updatedAt: to(t.updatedAt, 'now') })
      .where(and(eq(t.id, p('id')), eq(t.status, 'running'))).returning().prepare(),
    cancelRequested: db.select({ asked: t.cancelRequested }).from(t).where(eq(t.id, p('id'))).prepare()
  }

  return {
    /** Where the database lives: a worker thread opens the same file; an in-memory one cannot be shared. */
    // The worker thread opens the file with this connection's synchronous setting (1 NORMAL, 2 FULL).
    location: () => ({ path: db.$client.name, memory: db.$client.memory, synchronous: db.$client.pragma('synchronous', { simple: true }) === 2 ? 'full' as const : 'normal' as const }),
    insert (job: NewImportJob, now: number): ImportJobRow {
      return s.insert.get({ ...job, options: JSON.stringify(job.options), now }) as ImportJobRow
    },
    byId: (id: number) => s.byId.get({ id }),
    list: (status: ImportJobStatus | null, limit: number, offset: number) =>
      status === null ? s.list.all({ limit, offset }) : s.listByStatus.all({ status, limit, offset }),
    count: (status: ImportJobStatus | null) => (status === null ? s.count.get() : s.countByStatus.get({ status }))?.n ?? 0,
    /** Queued and running jobs, to find those whose owner is gone. */
    unfinished: () => s.unfinished.all(),
    /**
     * Starts the oldest queued job if it is this owner's and no job is running: one job at a
     * time per database, so two imports of the same file never interleave their writes.
     */
    claim (owner: string, now: number, leaseUntil: number): ImportJobRow | undefined {
      return db.transaction(() => {
        if (s.liveRunning.get({ now }) !== undefined) return undefined
        const next = s.oldestQueued.get()
        // First come, first served across processes: the oldest job waits for its own owner.
        if (next === undefined || next.owner !== owner) return undefined
        return s.start.get({ id: next.id, now, leaseUntil })
      }, { behavior: 'immediate' })
    },
    heartbeat: (owner: string, leaseUntil: number) => { s.heartbeat.run({ owner, leaseUntil }) },
    progress (id: number, progress: JobProgress, now: number): void {
      const { bytesRead, itemsRead, itemsTotal } = progress
      s.progress.run({ id, bytesRead, itemsRead, itemsTotal, summary: JSON.stringify(progress.summary), now })
    },
    /** Ends a queued or running job; undefined when it had ended already. */
    finish (id: number, end: { status: 'succeeded' | 'failed' | 'cancelled', progress?: JobProgress, errorCode?: string, error?: string }, now: number): ImportJobRow | undefined {
      const progress = end.progress
      return s.finish.get({
        id,
        status: end.status,
        summary: progress === undefined ? null : JSON.stringify(progress.summary),
        bytesRead: progress?.bytesRead ?? null,
        itemsRead: progress?.itemsRead ?? null,
        itemsTotal: progress?.itemsTotal ?? null,
        errorCode: end.errorCode ?? null,
        error: end.error ?? null,
        now
      })
    },
    cancelQueued: (id: number, now: number) => s.cancelQueued.get({ id, now }),
    requestCancel: (id: number, now: number) => s.requestCancel.get({ id, now }),
    cancelRequested: (id: number) => s.cancelRequested.get({ id })?.asked === true
  }
}
export type ImportJobsRepository = ReturnType<typeof createImportJobsRepository>
