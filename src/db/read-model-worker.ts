/** What the worker logs with (the core's log fits). */
interface CoreLogLike { warn: (obj: object, msg: string) => void }

/** A builder of stored documents that works through its queue and fill a few milliseconds at a time. */
export interface DocumentBuilder {
  step (budgetMs: number): { built: number, more: boolean }
  refill (): void
  /** Queues every document to be built again (a rebuild asked for by an operator). */
  rebuildAll (): void
}

// How long one background step may hold the write lock, and how often an idle worker looks
// for work left by writes that queued more than they rebuild (a rename of a tag on thousands
// of posts) or by other processes sharing the file.
const STEP_MS = 8
const IDLE_MS = 1000
const BUSY_RETRY_MS = 50
/**
 * How long after start the first step waits (core.ts): the start-up fill of a large database
 * (an upgrade, a new format) would otherwise take 8 ms slices of the event loop while the
 * server is still starting to listen; until then reads build from the rows, as they do for
 * anything not built yet.
 */
export const READ_MODEL_START_DELAY_MS = 1000

/** SQLITE_BUSY: another connection holds the write lock. */
function isBusy (err: unknown): boolean {
  return (err as { code?: string }).code === 'SQLITE_BUSY'
}

/**
 * Keeps the read model current in the background: at start, builds the documents that are
 * missing or were built with another fingerprint (an upgraded database, a new SITE_URL), then
 * works through what writes left queued. Each step is its own short transaction, so writes
 * interleave; until a document is built, reads build that answer from the rows. Steps run on
 * the event loop and better-sqlite3 waits for a lock synchronously, so `noWait` runs them with
 * busy_timeout 0: a step that would wait behind a long import's write is tried again soon
 * instead of stalling every request.
 */
export function createReadModelWorker (builders: Record<string, DocumentBuilder>, log: CoreLogLike, noWait: <T>(fn: () => T) => T = (fn) => fn(), startDelayMs = 0) {
  let timer: NodeJS.Timeout | null = null
  let running = false

  function tick (): void {
    timer = null
    if (!running) return
    let more = false
    let busy = false
    for (const [name, b] of Object.entries(builders)) {
      try {
        more = noWait(() => b.step(STEP_MS)).more || more
      } catch (err) {
        // Another connection holds the write lock (an import's worker thread, another
        // process): the documents wait a moment; reads use the rows meanwhile.
        if (isBusy(err)) busy = true
        else log.warn({ err, documents: name }, 'read model step failed; retrying')
      }
    }
    timer = setTimeout(tick, busy ? BUSY_RETRY_MS : more ? 0 : IDLE_MS)
    timer.unref()
  }

  return {
    start (): void {
      if (running) return
      running = true
      timer = setTimeout(tick, startDelayMs)
      timer.unref()
    },

    stop (): void {
      running = false
      if (timer !== null) clearTimeout(timer)
      timer = null
    },

    /** Builds every document afresh now, step after step (the command line's `rebuild`); returns how many. */
    rebuild (): number {
      let built = 0
      for (const b of Object.values(builders)) {
        b.rebuildAll()
        b.refill()
        for (;;) {
          const r = b.step(50)
          built += r.built
          if (!r.more) break
        }
      }
      return built
    },

    /** Builds what is missing or queued now, until done (tests, scripts). */
    drain (): number {
      let built = 0
      for (const b of Object.values(builders)) {
        for (;;) {
          const r = b.step(50)
          built += r.built
          if (!r.more) break
        }
      }
      return built
    }
  }
}
export type ReadModelWorker = ReturnType<typeof createReadModelWorker>
