/** What the worker logs with (the core's log fits). */
interface CoreLogLike { warn: (obj: object, msg: string) => void }

/** A builder of stored documents that works through its queue and fill a few milliseconds at a time. */
export interface DocumentBuilder {
  step (budgetMs: number): { built: number, more: boolean }
  refill (): void
  /** Queues every document to be built again (a rebuild asked for by an operator). */
  rebuildAll (): void
}

// How long one background tick may hold the event loop (and the write lock), all builders
// together, and how often an idle worker looks for work left by writes that queued more than
// they rebuild (a rename of a tag on thousands of posts) or by other processes sharing the
// file. A step does at least one item, so a tick can pass this by one item (a related list:
// ~3 ms, rarely 10+). Each builder used to get 8 ms of its own in every tick: up to 24 ms and
// more in one go, which under load is every request waiting that long.
export const STEP_MS = 4
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
  const entries = Object.entries(builders)
  // The builder the next tick starts with: a tick that runs out of time resumes with the next
  // one, so no kind of document waits behind another's long backlog.
  let first = 0

  function tick (): void {
    timer = null
    if (!running) return
    let more = false
    let busy = false
    const start = performance.now()
    for (let k = 0; k < entries.length; k++) {
      const i = (first + k) % entries.length
      const left = STEP_MS - (performance.now() - start)
      if (left <= 0) {
        first = i
        more = true
        break
      }
      const [name, b] = entries[i]
      try {
        more = noWait(() => b.step(left)).more || more
      } catch (err) {
        // Another connection holds the write lock (an import's worker thread, another
        // process): the documents wait a moment; reads use the rows meanwhile.
        if (isBusy(err)) busy = true
        else log.warn({ err, documents: name }, 'read model step failed; retrying')
      }
      if (k === entries.length - 1) first = (i + 1) % entries.length
    }
    // setImmediate between busy ticks: requests that arrived meanwhile are read first.
    if (!busy && more) {
      immediate = setImmediate(() => { immediate = null; tick() })
      immediate.unref()
      return
    }
    timer = setTimeout(tick, busy ? BUSY_RETRY_MS : IDLE_MS)
    timer.unref()
  }
  let immediate: NodeJS.Immediate | null = null

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
      if (immediate !== null) clearImmediate(immediate)
      timer = null
      immediate = null
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
