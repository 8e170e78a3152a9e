// Deterministic randomness for generated content (the demo newsroom, the benchmark corpus and
// its request mixes): the same seed gives the same choices on every run and machine.

/** A small seeded generator (mulberry32): fast, and good enough for picking text and URLs. */
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
