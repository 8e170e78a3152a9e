/**
 * Zipf's law over ranks 0…n-1: rank k is drawn with probability proportional to 1/(k+1)^s.
 * The cumulative distribution is computed once, each draw is a binary search: fast enough to
 * precompute the hundred thousand URLs of the newsroom scenario in a few milliseconds.
 */
export function zipfSampler (n: number, s: number, rand: () => number): () => number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`zipf needs at least one rank, got ${n}`)
  if (!(s >= 0)) throw new RangeError(`zipf exponent must be ≥ 0, got ${s}`)
  const cdf = new Float64Array(n)
  let total = 0
  for (let k = 0; k < n; k++) {
    total += 1 / Math.pow(k + 1, s)
    cdf[k] = total
  }
  return () => {
    const x = rand() * total
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cdf[mid] < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** Draws one of the keys with the given weights (any positive numbers, not necessarily summing to 1). */
export function weightedPicker<K extends string> (weights: Record<K, number>, rand: () => number): () => K {
  const entries = (Object.entries(weights) as Array<[K, number]>).filter(([, w]) => w > 0)
  if (entries.length === 0) throw new RangeError('weightedPicker needs a positive weight')
  const total = entries.reduce((n, [, w]) => n + w, 0)
  return () => {
    let x = rand() * total
    for (const [key, w] of entries) {
      x -= w
      if (x < 0) return key
    }
    return entries[entries.length - 1][0]
  }
}
