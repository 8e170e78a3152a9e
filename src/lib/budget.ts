// A time budget for one public read. better-sqlite3 can neither interrupt a statement nor run a
// progress handler, so a query's cost is bounded by construction (limits on the rows it may read)
// and the budget is the last line of defence: work is split into bounded steps and the budget is
// checked between them, so a read stops soon after it runs out and answers with what it has.

export interface Budget {
  /** True once the budget is spent; checked between bounded steps. */
  exhausted (): boolean
  /** Set by the caller when it stopped early because of the budget. */
  stopped: boolean
}

/** A budget of `ms` milliseconds from now. `clock` is for tests. */
export function createBudget (ms: number, clock: () => number = () => performance.now()): Budget {
  const deadline = clock() + ms
  return {
    stopped: false,
    exhausted: () => clock() >= deadline
  }
}

/** Cache-Control of an answer cut short by its budget: kept by no cache, so the next reader gets a full one. */
export const PARTIAL_CACHE_CONTROL = 'public, no-store'
