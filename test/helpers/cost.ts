import { performance } from 'node:perf_hooks'

/** The fastest of `runs` runs of `fn`, in milliseconds: the least disturbed by other work. */
export function fastest (fn: () => unknown, runs = 3): number {
  let best = Infinity
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    fn()
    best = Math.min(best, performance.now() - start)
  }
  return best
}
