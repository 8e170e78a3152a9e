import { Worker } from 'node:worker_threads'
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { rmdirSync, rmSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import type { ContentChange } from '../../db/change-bus.js'
import { projectPath } from '../../lib/project-root.js'
import type { ImportJobRow, ImportJobsRepository } from './imports-jobs-repository.js'
import { runImport, type ImportJobSpec, type ImportOutcome, type ImportProgress } from './imports-run.js'
import type { FeedImportOptions, ImportService, WxrImportOptions } from './imports-service.js'

// Imports are background jobs. An upload is spooled to a temporary file and queued; this
// process runs its own jobs, one at a time per database (a job waits while any other job,
// of any process sharing the file, runs), so two imports of one file never interleave their
// writes. The import itself runs on a worker thread with its own connection to the database
// file, so parsing, formatting and sanitizing never hold up requests; a watchdog stops a
// worker that makes no progress. An in-memory database cannot be shared with a thread: there
// the import runs on the event loop, yielding every few milliseconds.

/** What a job's worker thread is given. */
export interface ImportWorkerData {
  dbPath: string
  /** The main connection's DATABASE_SYNCHRONOUS. */
  synchronous: 'normal' | 'full'
  jobId: number
  owner: string
  leaseMs: number
  spec: ImportJobSpec
  iframeHosts: string[]
  siteUrl: string
  /** Int32 flag: 1 asks the import to stop after the item in hand. */
  cancel: SharedArrayBuffer
  /** How often the worker reports that it is alive (and what it committed). */
  tickMs: number
}

/** What a worker thread says: progress while it runs (also its heartbeat), then the outcome. */
export type ImportWorkerMessage =
  | { type: 'progress', itemsRead: number, changes: ContentChange[] }
  | { type: 'done', outcome: ImportOutcome, changes: ContentChange[] }

export interface ImportJobsOptions {
  /** The job rows, on the database the imports go into (a file lets them run on a worker thread). */
  repo: ImportJobsRepository
  /** Runs an import on the event loop (an in-memory database, or `inline`). */
  importer: ImportService
  /** Told of every commit a worker thread made, as the write services' own bus would be. */
  announce: (changes: ContentChange[]) => void
  /** Given to a job's worker thread, which builds its own write services (src/imports-worker.ts). */
  iframeHosts: string[]
  siteUrl: string
  /** A job that reports no progress for this long is stopped and failed. */
  stallMs: number
  log: { info: (obj: object, msg: string) => void, warn: (obj: object, msg: string) => void, error: (obj: object, msg: string) => void }
  /** Run on the event loop even with a database file (the command line, which has nothing else to do). */
  inline?: boolean
  /** Told of the progress of jobs that run on the event loop (the command line's progress bar). */
  onProgress?: (jobId: number, progress: ImportProgress) => void
}

export interface NewJob {
  kind: 'wxr' | 'feed'
  source: string
  /** The body to read. */
  file: string
  /** True when `file` is a spooled upload that the job owns and removes when it ends. */
  spooled: boolean
  bytes: number
  feed?: FeedImportOptions
  wxr?: WxrImportOptions
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled'])
const PROGRESS_WRITE_MS = 1000
const BEAT_MS = 2000
// The most a worker may take to load before its first report (1 s under tsx, less bundled).
const BOOT_MS = 60_000
const SPOOL_PREFIX = 'broadsheet-import-'

export const isTerminal = (status: string) => TERMINAL.has(status)

/** What a job row says about how to read its body. */
function readOptions (row: { options: string }): { spooled: boolean, feed: FeedImportOptions, wxr: WxrImportOptions } {
  const { spooled, replaceNavigation, ...feed } = JSON.parse(row.options) as FeedImportOptions & WxrImportOptions & { spooled?: boolean }
  return { spooled: spooled === true, feed, wxr: { replaceNavigation: replaceNavigation === true } }
}

/**
 * The progress of a running job, written to its row at most once a second, with the lease
 * of every job of its owner; it also reads whether another process asked the job to stop.
 * Used on whichever thread writes the import, so the row never waits for the import's
 * transactions.
 */
export function createProgressWriter (repo: ImportJobsRepository, jobId: number, owner: string, leaseMs: number) {
  let last = 0
  let stopAsked = false
  return {
    /** Records progress now and then; true once the job was asked to stop. */
    tick (p: ImportProgress, force = false): boolean {
      const now = Date.now()
      if (!force && now - last < PROGRESS_WRITE_MS) return stopAsked
      last = now
      try {
        repo.progress(jobId, p, now)
        repo.heartbeat(owner, now + leaseMs)
        stopAsked ||= repo.cancelRequested(jobId)
      } catch {
        // The database stayed busy (another process writing): progress is noted next time.
      }
      return stopAsked
    }
  }
}

/**
 * The spool directory of an upload, removed with its file, before the job is seen to end.
 * Nothing else is ever removed: not a file the command line was given, not a directory
 * that is not ours.
 */
export function removeSpool (file: string | null, spooled = true): void {
  if (file === null || !spooled || basename(file) !== 'body' || !basename(dirname(file)).startsWith(SPOOL_PREFIX)) return
  try {
    rmSync(file, { force: true })
    rmdirSync(dirname(file))
  } catch {
    // Already gone, or not empty: nothing of ours to remove.
  }
}
export { SPOOL_PREFIX }

// Owners alive in this process (an app being built in a test beside another on one file).
const liveOwners = new Set<string>()

function pidAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

// The worker entry: src/imports-worker.ts under tsx (npm start, tests), dist/imports-worker.js
// in the production bundle. Under tsx a worker does not inherit the TypeScript loader on every
// Node version, so it registers it before loading the entry.
function startWorker (data: ImportWorkerData): Worker {
  const options = { workerData: data, resourceLimits: { maxOldGenerationSizeMb: 512 } }
  if (!import.meta.url.endsWith('.ts')) return new Worker(projectPath('dist', 'imports-worker.js'), options)
  const entry = new URL('../../imports-worker.ts', import.meta.url).href
  const loader = import.meta.resolve('tsx/esm/api')
  const boot = `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}) })`
  return new Worker(boot, { ...options, eval: true })
}

interface Running {
  job: ImportJobRow
  lastTick: number
  /** Whether the worker has started (loading a worker is not progress, nor a stall). */
  started: boolean
  /** Why this process is stopping the job (shutdown, watchdog); null when it is not. */
  stopReason: { code: string, message: string } | null
  stop: () => void
  kill: () => void
  done: Promise<void>
}

/** How a job ended; progress is absent when a worker died before reporting it (the row keeps the last). */
interface Ending { status: 'succeeded' | 'failed' | 'cancelled', progress?: ImportProgress, code?: string, message?: string }

/**
 * The import jobs of this process: enqueue, list, cancel and wait for jobs, run them one at a
 * time, fail jobs whose process is gone, and stop cleanly with the app.
 */
export function createImportJobs (opts: ImportJobsOptions) {
  const { repo } = opts
  const host = hostname()
  const owner = `${host}:${process.pid}:${randomBytes(4).toString('hex')}`
  const { path: dbPath, memory, synchronous } = repo.location()
  const inThread = opts.inline !== true && !memory
  // Long enough that a slow item never makes a live owner look dead; short enough that a job
  // of a process killed without a trace is failed within a minute or so.
  const leaseMs = Math.max(30_000, opts.stallMs + 10_000)
  const tickMs = Math.max(10, Math.min(250, Math.floor(opts.stallMs / 4)))
  const mine = new Set<number>()
  const waiters = new Map<number, Set<(row: ImportJobRow | undefined) => void>>()
  let current: Running | null = null
  let stopping = false
  let beat: NodeJS.Timeout | null = null

  function notify (id: number, row: ImportJobRow | undefined): void {
    const set = waiters.get(id)
    if (set === undefined) return
    waiters.delete(id)
    for (const resolve of set) resolve(row)
  }

  /** Why a job of another owner is dead, or null while its owner may be alive. */
  function staleReason (job: { owner: string, leaseUntil: number, status: string }, now: number): string | null {
    const [jobHost, pidText] = job.owner.split(':')
    const pid = Number(pidText)
    // On this host a dead process is known at once: its pid is gone, or it is this process's
    // pid (a restarted container) under an owner this process never had.
    const gone = job.leaseUntil <= now ||
      (jobHost === host && (pid === process.pid ? !liveOwners.has(job.owner) : !pidAlive(pid)))
    if (!gone) return null
    return job.status === 'running'
      ? 'The server process running this import stopped before it finished (a restart or a crash). What was imported stays; send the file again to import the rest: a re-import only adds and updates what is missing or changed.'
      : 'The server process holding this import stopped before it started (a restart or a crash). Send the file again.'
  }

  /** Fails the queued and running jobs of processes that are gone. */
  function sweep (): void {
    const now = Date.now()
    for (const job of repo.unfinished()) {
      if (job.owner === owner) continue
      const reason = staleReason(job, now)
      if (reason === null) continue
      const ended = repo.finish(job.id, { status: 'failed', errorCode: 'IMPORT_INTERRUPTED', error: reason }, now)
      if (ended !== undefined) {
        opts.log.warn({ job: job.id, owner: job.owner }, 'import job of a stopped process marked failed')
        removeSpool(job.filePath, readOptions(job).spooled)
      }
    }
  }

  function end (run: Running, ending: Ending): void {
    const now = Date.now()
    const { job } = run
    // A job that finished before it noticed it was asked to stop has succeeded all the same.
    const result: Ending = ending.status !== 'succeeded' && run.stopReason !== null
      ? { status: 'failed', progress: ending.progress, code: run.stopReason.code, message: run.stopReason.message }
      : ending
    let row: ImportJobRow | undefined
    try {
      row = repo.finish(job.id, { status: result.status, progress: result.progress, errorCode: result.code, error: result.message }, now)
    } catch (err) {
      opts.log.error({ err, job: job.id }, 'could not record the end of an import job')
    }
    removeSpool(job.filePath, readOptions(job).spooled)
    mine.delete(job.id)
    current = null
    opts.log.info({ job: job.id, status: result.status, items: result.progress?.itemsRead }, 'import job ended')
    notify(job.id, row ?? repo.byId(job.id))
    kick()
  }

  const endingOf = (outcome: ImportOutcome): Ending => outcome.status === 'failed'
    ? { status: 'failed', progress: outcome.progress, code: outcome.code, message: outcome.message }
    : { status: outcome.status, progress: outcome.progress }

  function runInThread (job: ImportJobRow, spec: ImportJobSpec): Running {
    const cancel = new SharedArrayBuffer(4)
    const flag = new Int32Array(cancel)
    const worker = startWorker({ dbPath, synchronous, jobId: job.id, owner, leaseMs, spec, iframeHosts: opts.iframeHosts, siteUrl: opts.siteUrl, cancel, tickMs })
    let outcome: ImportOutcome | null = null
    let resolveDone: () => void = () => {}
    const run: Running = {
      job,
      lastTick: Date.now(),
      started: false,
      stopReason: null,
      stop: () => { Atomics.store(flag, 0, 1) },
      kill: () => { void worker.terminate() },
      done: new Promise((resolve) => { resolveDone = resolve })
    }
    let failure: string | null = null
    worker.on('message', (message: ImportWorkerMessage) => {
      run.lastTick = Date.now()
      run.started = true
      if (message.changes.length > 0) opts.announce(message.changes)
      if (message.type === 'done') outcome = message.outcome
    })
    worker.on('error', (err) => {
      failure = `The import stopped on an error: ${err.message}`
      opts.log.error({ err, job: job.id }, 'import worker failed')
    })
    worker.on('exit', () => {
      end(run, outcome !== null ? endingOf(outcome) : { status: 'failed', code: 'IMPORT_FAILED', message: failure ?? 'The import stopped unexpectedly.' })
      resolveDone()
    })
    return run
  }

  function runInline (job: ImportJobRow, spec: ImportJobSpec): Running {
    let stop = false
    let resolveDone: () => void = () => {}
    const run: Running = {
      job,
      lastTick: Date.now(),
      started: true,
      stopReason: null,
      stop: () => { stop = true },
      kill: () => { stop = true },
      done: new Promise((resolve) => { resolveDone = resolve })
    }
    const progress = createProgressWriter(repo, job.id, owner, leaseMs)
    void (async () => {
      // Let the request that queued the job be answered first.
      await new Promise((resolve) => setImmediate(resolve))
      const outcome = await runImport(opts.importer, spec, {
        progress: (p) => {
          run.lastTick = Date.now()
          if (progress.tick(p)) stop = true
          opts.onProgress?.(job.id, p)
        },
        cancelled: () => stop,
        sliceMs: 10
      })
      end(run, endingOf(outcome))
      resolveDone()
    })()
    return run
  }

  function start (job: ImportJobRow): void {
    const options = readOptions(job)
    const spec: ImportJobSpec = { kind: job.kind, file: job.filePath ?? '', feed: job.kind === 'feed' ? options.feed : undefined, wxr: job.kind === 'wxr' ? options.wxr : undefined }
    opts.log.info({ job: job.id, kind: job.kind, bytes: job.bytesTotal }, 'import job started')
    current = inThread ? runInThread(job, spec) : runInline(job, spec)
  }

  /** Starts the next job when this process may. */
  function kick (): void {
    if (current !== null || stopping || mine.size === 0) return
    try {
      sweep()
      const now = Date.now()
      const job = repo.claim(owner, now, now + leaseMs)
      if (job !== undefined) start(job)
    } catch (err) {
      // The database was busy for longer than its timeout: the next beat tries again.
      opts.log.warn({ err }, 'could not start an import job')
    }
  }

  function tick (): void {
    if (current !== null) {
      const limit = current.started ? opts.stallMs : Math.max(opts.stallMs, BOOT_MS)
      if (inThread && Date.now() - current.lastTick > limit && current.stopReason === null) {
        current.stopReason = { code: 'IMPORT_STALLED', message: `The import made no progress for ${opts.stallMs / 1000} s (IMPORT_STALL_TIMEOUT_MS) and was stopped. What was imported stays.` }
        opts.log.warn({ job: current.job.id }, 'import job stalled: stopping its worker')
        current.kill()
      }
      return
    }
    if (mine.size === 0) return
    try {
      // No import of ours is writing: keep our queued jobs alive while they wait.
      repo.heartbeat(owner, Date.now() + leaseMs)
    } catch {}
    kick()
  }

  return {
    owner,
    /** True once the app is closing: no job starts any more. */
    get draining (): boolean { return stopping },
    /** Whether imports run on a worker thread (a database file) or on the event loop (:memory:). */
    inThread,

    /** Queues a job for a spooled body and starts it when its turn comes. */
    enqueue (job: NewJob): ImportJobRow {
      const now = Date.now()
      const row = repo.insert({ kind: job.kind, source: job.source, filePath: job.file, bytesTotal: job.bytes, options: { ...job.feed, ...job.wxr, spooled: job.spooled }, owner, leaseUntil: now + leaseMs }, now)
      mine.add(row.id)
      kick()
      return repo.byId(row.id) ?? row
    },

    get (id: number): ImportJobRow | undefined {
      sweep()
      return repo.byId(id)
    },

    list (status: ImportJobRow['status'] | null, limit: number, offset: number): { rows: ImportJobRow[], total: number } {
      sweep()
      return { rows: repo.list(status, limit, offset), total: repo.count(status) }
    },

    /**
     * Cancels a job: a queued one at once, a running one after the item in hand (what was
     * committed stays). Undefined for an unknown id; a finished job is returned as it is.
     */
    cancel (id: number): ImportJobRow | undefined {
      sweep()
      const row = repo.byId(id)
      if (row === undefined || isTerminal(row.status)) return row
      const now = Date.now()
      if (row.status === 'queued') {
        const cancelled = repo.cancelQueued(id, now)
        if (cancelled !== undefined) {
          mine.delete(id)
          removeSpool(row.filePath, readOptions(row).spooled)
          notify(id, cancelled)
          return cancelled
        }
      }
      const asked = repo.requestCancel(id, now) ?? repo.byId(id)
      if (current?.job.id === id) current.stop()
      return asked
    },

    /** The job once it has ended, or as it stands after `ms`. */
    async waitFor (id: number, ms: number): Promise<ImportJobRow | undefined> {
      const row = repo.byId(id)
      if (row === undefined || isTerminal(row.status) || ms <= 0) return row
      return await new Promise((resolve) => {
        const set = waiters.get(id) ?? new Set()
        waiters.set(id, set)
        const done = (r: ImportJobRow | undefined) => {
          clearTimeout(timer)
          set.delete(done)
          resolve(r)
        }
        const timer = setTimeout(() => done(repo.byId(id)), ms)
        set.add(done)
      })
    },

    /** Fails what other processes left behind, then runs this process's jobs as their turn comes. */
    start (): void {
      liveOwners.add(owner)
      sweep()
      beat = setInterval(tick, Math.min(BEAT_MS, tickMs * 2))
      beat.unref()
    },

    /** No new job starts; requests waiting for a job are answered within `ms`. */
    drain (ms: number): void {
      stopping = true
      setTimeout(() => {
        for (const id of [...waiters.keys()]) notify(id, repo.byId(id))
      }, ms).unref()
    },

    /**
     * Stops with the app: queued jobs are failed (they never started), a running one is asked
     * to stop after its item and failed with the reason, or stopped after `graceMs`.
     */
    async stop (graceMs: number): Promise<void> {
      stopping = true
      if (beat !== null) clearInterval(beat)
      const now = Date.now()
      for (const id of [...mine]) {
        if (current?.job.id === id) continue
        const before = repo.byId(id)
        const row = repo.finish(id, { status: 'failed', errorCode: 'IMPORT_INTERRUPTED', error: 'The server stopped before this import started. Send the file again.' }, now)
        mine.delete(id)
        if (row !== undefined && before !== undefined) removeSpool(before.filePath, readOptions(before).spooled)
        notify(id, row)
      }
      const run = current
      if (run !== null) {
        run.stopReason = { code: 'IMPORT_INTERRUPTED', message: 'The server was stopped during the import. What was imported stays; send the file again to import the rest: a re-import only adds and updates what is missing or changed.' }
        run.stop()
        let timer: NodeJS.Timeout | undefined
        const late = await Promise.race([run.done.then(() => false), new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), graceMs) })])
        clearTimeout(timer)
        if (late) {
          run.kill()
          await run.done
        }
      }
      for (const id of [...waiters.keys()]) notify(id, repo.byId(id))
      liveOwners.delete(owner)
    }
  }
}
export type ImportJobs = ReturnType<typeof createImportJobs>
