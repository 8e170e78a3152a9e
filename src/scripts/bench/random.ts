/** A small deterministic generator (mulberry32): the same seed gives the same URL lists on every run. */
export function seededRandom (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6D2B79F5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Fisher–Yates on a copy. */
export function shuffled<T> (items: readonly T[], rand: () => number): T[] {
  const out = items.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    const x = out[i]
    out[i] = out[j]
    out[j] = x
  }
  return out
}

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
