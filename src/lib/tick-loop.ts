/**
 * The background loop shared by the queue workers (webhook deliveries, feed-source polls): one tick
 * at a time, the next one when work is due (at most `pollMs` later), at once when a tick filled its
 * batch or work was queued meanwhile, and a graceful stop that waits for the tick in flight.
 * Leases live in the database (each worker's repository claims rows), so several processes can
 * run the same loop on one file; this only decides *when* this process looks.
 */
export interface TickLoopOptions {
  /** What the loop is, for log lines ("webhook worker"). */
  name: string
  /** Runs one batch; resolves true when it filled the batch (more work is probably waiting). */
  tick: () => Promise<boolean>
  /** Epoch ms of the next due work, or null when nothing is queued. */
  nextDue: () => number | null
  /** False once the database is closed: the loop then stops scheduling. */
  isOpen: () => boolean
  /** Longest wait between looks, even with nothing due (other processes may queue work). */
  pollMs: number
  clock?: () => number
  log?: { error: (obj: object, msg: string) => void }
}

export interface TickLoop {
  /** Starts ticking in the background: at once, then whenever work is due. */
  start: () => void
  /** Runs a tick soon (work was just queued in this process). */
  wake: () => void
  /** Stops the background ticks and waits (up to `graceMs`) for the tick in flight. */
  stop: (graceMs?: number) => Promise<void>
}

export function createTickLoop (opts: TickLoopOptions): TickLoop {
  const clock = opts.clock ?? Date.now
  let timer: NodeJS.Timeout | null = null
  let running: Promise<unknown> | null = null
  let stopped = true
  let again = false

  function schedule (delay: number): void {
    if (stopped) return
    if (timer !== null) clearTimeout(timer)
    timer = setTimeout(run, Math.max(5, delay))
    timer.unref()
  }

  function run (): void {
    timer = null
    if (running !== null) {
      again = true
      return
    }
    running = opts.tick()
      .then((full) => { if (full) again = true })
      .catch((err: unknown) => opts.log?.error({ err }, `${opts.name} tick failed`))
      .finally(() => {
        running = null
        if (stopped || !opts.isOpen()) return
        if (again) {
          again = false
          schedule(0)
          return
        }
        try {
          const due = opts.nextDue()
          schedule(due === null ? opts.pollMs : Math.min(opts.pollMs, due - clock()))
        } catch (err) {
          opts.log?.error({ err }, `${opts.name} cannot read its queue`)
          schedule(opts.pollMs)
        }
      })
  }

  return {
    start (): void {
      if (!stopped) return
      stopped = false
      schedule(0)
    },
    wake (): void {
      if (stopped) return
      if (running !== null) again = true
      else schedule(0)
    },
    async stop (graceMs = 5000): Promise<void> {
      stopped = true
      if (timer !== null) clearTimeout(timer)
      timer = null
      if (running !== null) {
        let wait: NodeJS.Timeout | undefined
        await Promise.race([running, new Promise((resolve) => { wait = setTimeout(resolve, graceMs) })])
        clearTimeout(wait)
      }
    }
  }
}
