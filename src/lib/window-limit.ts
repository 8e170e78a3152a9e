/**
 * A sliding-window counter of events per client, in this process's memory: `check` tells
 * whether one more event is allowed now, `hit` records one. Counting is separate from
 * checking so a caller counts only what it accepted (a comment stored), never a request it
 * refused for a mistake the client can correct.
 *
 * Memory is bounded: a client's log holds at most `max` times, and at most `maxClients`
 * clients are tracked (the least recently seen one is forgotten first).
 */
export interface WindowVerdict {
  allowed: boolean
  limit: number
  /** Events left in the window after this one would be counted. */
  remaining: number
  /** Seconds until the oldest counted event leaves the window (0 when none is counted). */
  resetSeconds: number
}

export function createWindowLimit (max: number, windowMs: number, maxClients = 100_000) {
  // Map order is insertion order: deleting and re-inserting on every hit keeps the least
  // recently active client first, so it is the one evicted.
  const logs = new Map<string, number[]>()

  function live (key: string, now: number): number[] {
    const log = logs.get(key)
    if (log === undefined) return []
    while (log.length > 0 && log[0] <= now - windowMs) log.shift()
    if (log.length === 0) logs.delete(key)
    return log
  }

  return {
    check (key: string, now = Date.now()): WindowVerdict {
      const log = live(key, now)
      const resetSeconds = log.length === 0 ? 0 : Math.max(1, Math.ceil((log[0] + windowMs - now) / 1000))
      return { allowed: log.length < max, limit: max, remaining: Math.max(0, max - log.length - 1), resetSeconds }
    },

    hit (key: string, now = Date.now()): void {
      const log = live(key, now)
      logs.delete(key)
      log.push(now)
      if (log.length > max) log.shift()
      logs.set(key, log)
      if (logs.size > maxClients) logs.delete(logs.keys().next().value as string)
    }
  }
}
export type WindowLimit = ReturnType<typeof createWindowLimit>
