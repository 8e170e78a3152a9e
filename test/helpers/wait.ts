// Waiting in tests for something that happens at a time of its own (a scheduled post going live,
// a delivery), without betting on how fast a loaded machine runs: wait until the time, then
// poll the observable state until it holds or a generous deadline passes. The suite runs several
// test files per core, so a timer can fire late; a fixed sleep just past the time fails then.

/** Resolves once the clock has passed `at` (ms since the epoch). */
export async function until (at: number): Promise<void> {
  const left = at - Date.now()
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left + 1))
}

/** Polls `check` every 20 ms until it answers true; throws naming `what` after `timeoutMs`. */
export async function eventually (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
