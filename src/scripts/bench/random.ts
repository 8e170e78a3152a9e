// The generator and the shuffle are lib/seeded-random.ts, shared with the demo content.
export { seededRandom, shuffled } from '../../lib/seeded-random.js'

/** The p-th percentile (0–100) of some numbers, nearest-rank; NaN for none. */
export function percentile (values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = values.slice().sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]
}

/** Milliseconds rounded to a tenth, as the reports print them. */
export function ms (value: number): number {
  return Number.isFinite(value) ? Math.round(value * 10) / 10 : value
}
