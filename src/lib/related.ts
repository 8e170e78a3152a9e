import { englishStopwords, stemEnglish } from './lazy.js'

// Related posts: the pure scoring core. No database here: each post's term vector is built once
// at write time from that post alone (buildTermVector) and stored; everything corpus-wide
// (document frequencies, tag and category post counts, the number of documents) is passed in at
// query time, so stored vectors never go stale when the corpus changes.
//
// Text
//   tokenize(s): normalizeText (NFKD, diacritics stripped, ß→ss, æ→ae, œ→oe, ø→o, ł→l, đ/ð→d,
//   þ→th, lowercase; possessive 's dropped and in-word apostrophes removed so "don't" → "dont";
//   every other non-letter/digit → space), split on spaces, drop tokens shorter than 3 characters,
//   English stopwords (the `stopword` package's list, checked before stemming) and pure numbers,
//   then the Porter2 ("English") stemmer of the Snowball project (the `wink-porter2-stemmer`
//   package) on [a-z]+ tokens: vote / votes / voted / voting all become "vote", policy / policies
//   "polici", while news, virus and species keep their s. Vectors stored by an older tokenizer
//   are rebuilt (modules/related/related-index.ts VECTOR_VERSION).
//
// Term vector (write time)
//   tf(t) = 3 · count in title + count in body. The maxTerms (default 32) terms with the highest
//   tf are kept (ties: earlier first occurrence, title before body, wins), weights are tf / ‖tf‖₂
//   over the kept terms, and the vector is stored sorted by weight desc, then term asc.
//
// Score (query time), for target a and candidate b, N = max(1, docCount):
//   idf(x)      = ln(1 + N / df(x)), df clamped to [1, N], so idf ∈ [ln 2, ln(1 + N)]; for a
//                 term df is the number of posts whose vector holds it, for a tag or category
//                 the number of posts carrying it
//   text        = cosine(a, b) with each weight multiplied by idf(t)                ∈ [0, 1]
//   raw         = Σ_shared tags idf(tag) + 0.7 · Σ_shared categories idf(category)
//   tax         = 1 − exp(−raw / 4)                                                  ∈ [0, 1)
//                 (one tag on 3 of 3,000 posts gives 0.82; a tag on every post gives 0.16)
//   relevance   = 1 − (1 − text) · (1 − 0.8 · tax)
//   recency     = 0.85 + 0.15 · 2^(−|Δdays| / 180)     Δdays between the two publishedAt
//   score       = round6(relevance · recency)                                        ∈ (0, 1]
// Candidates scoring 0 after rounding and the target itself are dropped; results are ordered by
// score desc, then newer publishedAt, then lower id. Every sum runs in an order fixed by the data
// (vector order, ids sorted), never by candidate iteration order, so results are reproducible;
// callers must pass vectors in their stored order (ORDER BY weight DESC, term ASC).
//
// Speed: the expensive part is the candidate's norm, which needs an idf for each of its terms.
// It is computed only for candidates whose upper bound (unshared terms at the minimum idf ln 2)
// can still reach the top `limit`, which never changes the result, only the work.

export interface TermVector { terms: string[], weights: number[] }

export interface RelatedDoc { id: number, tagIds: number[], categoryIds: number[], publishedAt: number, vector: TermVector }

export interface CorpusStats { docCount: number, termDf: (term: string) => number, tagCount: (id: number) => number, categoryCount: (id: number) => number }

export interface RelatedReason { shared_tags: number[], shared_categories: number[], text_similarity: number }

export interface RelatedResult { id: number, score: number, reasons: RelatedReason }

const DEFAULT_MAX_TERMS = 32
const TITLE_BOOST = 3
const CATEGORY_FACTOR = 0.7
const TAX_SATURATION = 4
const TAX_WEIGHT = 0.8
const RECENCY_FLOOR = 0.85
const HALF_LIFE_DAYS = 180
const DAY_MS = 86_400_000

let stopwords: Set<string> | undefined

const FOLD: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' }

/** Lowercases, folds to ASCII where Unicode allows (é→e, ß→ss) and turns punctuation into single spaces. */
export function normalizeText (s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (c) => FOLD[c])
    .replace(/(\p{L})['’ʼ]s(?![\p{L}\p{N}])/gu, '$1')
    .replace(/(\p{L})['’ʼ](?=\p{L})/gu, '$1')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

// Stems of the words seen lately: a post's words repeat within it and across posts, and a stem
// is a pure function of its word. Bounded; emptied when full.
const stems = new Map<string, string>()

function stem (w: string): string {
  if (!/^[a-z]+$/.test(w)) return w
  let s = stems.get(w)
  if (s === undefined) {
    if (stems.size >= 50_000) stems.clear()
    s = stemEnglish(w)
    stems.set(w, s)
  }
  return s
}

function isStopword (w: string): boolean {
  stopwords ??= new Set(englishStopwords())
  return stopwords.has(w)
}

/** Splits text into stemmed content words: no stopwords, no pure numbers, nothing under 3 characters. */
export function tokenize (s: string): string[] {
  const out: string[] = []
  for (const w of normalizeText(s).split(' ')) {
    if (w.length < 3 || isStopword(w) || /^\p{N}+$/u.test(w)) continue
    out.push(stem(w))
  }
  return out
}

/** Builds the write-time term vector of one post: L2-normalised term frequencies, title terms counted three times. */
export function buildTermVector (title: string, bodyText: string, maxTerms = DEFAULT_MAX_TERMS): TermVector {
  const limit = Number.isFinite(maxTerms) ? Math.max(0, Math.floor(maxTerms)) : DEFAULT_MAX_TERMS
  const counts = new Map<string, { tf: number, first: number }>()
  let pos = 0
  const add = (term: string, by: number) => {
    const e = counts.get(term)
    if (e === undefined) counts.set(term, { tf: by, first: pos })
    else e.tf += by
    pos++
  }
  for (const term of tokenize(title)) add(term, TITLE_BOOST)
  for (const term of tokenize(bodyText)) add(term, 1)
  // Among equal counts, terms met first (title, lead paragraph) say most about the post.
  const kept = [...counts].sort((x, y) => y[1].tf - x[1].tf || x[1].first - y[1].first).slice(0, limit)
  let sq = 0
  for (const [, e] of kept) sq += e.tf * e.tf
  const norm = Math.sqrt(sq)
  kept.sort((x, y) => y[1].tf - x[1].tf || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
  return { terms: kept.map(([term]) => term), weights: kept.map(([, e]) => e.tf / norm) }
}

// df is clamped to [1, N] so every idf lies in [ln 2, ln(1 + N)] even when the caller's counts
// drift apart (a term counted in more posts than docCount); the pruning bound relies on ln 2.
function idf (n: number, df: number): number {
  return Math.log(1 + n / Math.min(n, Math.max(1, Number.isFinite(df) ? df : 1)))
}

const MIN_IDF = Math.LN2

// A cheap pre-filter for "is this one of the target's terms": a bit per (first char, last char,
// length) triple. Reading three numbers off a string is far cheaper than hashing it, so only the
// rare candidate terms that pass reach the Map.
function filterSlot (term: string): number {
  return ((term.charCodeAt(0) & 31) << 10) | ((term.charCodeAt(term.length - 1) & 31) << 5) | (term.length & 31)
}

function round6 (x: number): number {
  return Math.round(x * 1e6) / 1e6
}

// Monotonic in text, which is what lets an upper bound on text prune a candidate.
function combine (text: number, taxPart: number, recency: number): number {
  return Math.min(1, round6((1 - (1 - text) * (1 - taxPart)) * recency))
}

interface Ranked { id: number, score: number, publishedAt: number }
interface Scored extends Ranked { text: number, tags: number[], cats: number[] }
// A candidate after pass 1: score is exact when it shares no terms, else an upper bound.
interface Pending extends Ranked { exact: boolean, doc: RelatedDoc, dot: number, taxPart: number, recency: number, tags: number[], cats: number[] }

// Total order of results: score desc, then newer, then lower id. Negative when x ranks first.
function compareScored (x: Ranked, y: Ranked): number {
  return y.score - x.score || y.publishedAt - x.publishedAt || x.id - y.id
}

interface TargetTerm { idf: number, target: number }

const NONE: number[] = []

// Shared ids, rarest first (highest idf) then lowest id: both the summing order and the order
// shown in reasons, so neither depends on how the caller ordered the ids.
function shared (ids: number[], idfs: Map<number, number>): number[] {
  let out = NONE
  for (const id of ids) {
    if (idfs.has(id) && !out.includes(id)) {
      if (out === NONE) out = []
      out.push(id)
    }
  }
  if (out.length > 1) out.sort((x, y) => (idfs.get(y) as number) - (idfs.get(x) as number) || x - y)
  return out
}

function idfSum (ids: number[], idfs: Map<number, number>): number {
  let sum = 0
  for (const id of ids) sum += idfs.get(id) as number
  return sum
}

/** Scores candidates against a target post and returns the best `limit` of them, best first. */
export function scoreRelated (target: RelatedDoc, candidates: Iterable<RelatedDoc>, stats: CorpusStats, limit: number): RelatedResult[] {
  const max = Math.floor(limit)
  if (!(max >= 1)) return []
  const n = Math.max(1, Number.isFinite(stats.docCount) ? stats.docCount : 1)

  // For each target term: its idf, and its idf-weighted weight times idf again, so a candidate's
  // dot product needs only the candidate's raw weight.
  const targetTerms = new Map<string, TargetTerm>()
  const filter = new Uint8Array(1 << 15)
  let targetSq = 0
  for (let i = 0; i < target.vector.terms.length; i++) {
    const term = target.vector.terms[i]
    if (term.length === 0) continue
    const g = idf(n, stats.termDf(term))
    const w = target.vector.weights[i] * g
    targetSq += w * w
    targetTerms.set(term, { idf: g, target: w * g })
    filter[filterSlot(term)] = 1
  }
  const targetNorm = Math.sqrt(targetSq)
  const otherIdf = new Map<string, number>()

  const tagIdf = new Map<number, number>()
  for (const id of target.tagIds) tagIdf.set(id, idf(n, stats.tagCount(id)))
  const catIdf = new Map<number, number>()
  for (const id of target.categoryIds) catIdf.set(id, idf(n, stats.categoryCount(id)))

  const targetTime = target.publishedAt
  // Pass 1 does the cheap part for every candidate (shared terms only, taxonomy, recency) and an
  // upper bound on its score: every idf is at least ln 2, which bounds the candidate's norm from
  // below. Pass 2 takes candidates by that bound and computes the exact norm (one idf per term,
  // the expensive part) only while the bound can still beat the current top: usually a few
  // dozen candidates, whatever the input order.
  const pending: Pending[] = []
  for (const c of candidates) {
    if (c.id === target.id) continue
    const cTerms = c.vector.terms
    const cWeights = c.vector.weights

    let dot = 0
    let sharedSq = 0
    let sharedW2 = 0
    let totalW2 = 0
    if (targetNorm > 0) {
      for (let i = 0; i < cTerms.length; i++) {
        const w = cWeights[i]
        totalW2 += w * w
        const term = cTerms[i]
        if (term.length === 0 || filter[filterSlot(term)] === 0) continue
        const e = targetTerms.get(term)
        if (e === undefined) continue
        dot += e.target * w
        const x = w * e.idf
        sharedSq += x * x
        sharedW2 += w * w
      }
    }

    const tags = tagIdf.size === 0 ? NONE : shared(c.tagIds, tagIdf)
    const cats = catIdf.size === 0 ? NONE : shared(c.categoryIds, catIdf)
    if (!(dot > 0) && tags.length === 0 && cats.length === 0) continue
    const raw = (tags.length > 0 ? idfSum(tags, tagIdf) : 0) + (cats.length > 0 ? CATEGORY_FACTOR * idfSum(cats, catIdf) : 0)
    const taxPart = TAX_WEIGHT * (raw > 0 ? 1 - Math.exp(-raw / TAX_SATURATION) : 0)
    const gapDays = Math.abs(targetTime - c.publishedAt) / DAY_MS
    const recency = Number.isFinite(gapDays) ? RECENCY_FLOOR + (1 - RECENCY_FLOOR) * Math.pow(2, -gapDays / HALF_LIFE_DAYS) : RECENCY_FLOOR
    const publishedAt = Number.isFinite(c.publishedAt) ? c.publishedAt : -Infinity
    let score: number
    if (dot > 0) {
      // Loosened a hair so floating error can never make the bound undercut the exact score.
      const lower = Math.sqrt(sharedSq + Math.max(0, totalW2 - sharedW2) * MIN_IDF * MIN_IDF) * (1 - 1e-9)
      score = combine(Math.min(1, dot / (targetNorm * lower)), taxPart, recency)
    } else {
      score = combine(0, taxPart, recency)
    }
    if (!(score > 0)) continue
    pending.push({ id: c.id, score, publishedAt, exact: !(dot > 0), doc: c, dot, taxPart, recency, tags, cats })
  }
  pending.sort(compareScored)

  // The best results so far, kept sorted, never longer than max.
  const top: Scored[] = []
  for (const p of pending) {
    if (top.length === max && compareScored(p, top[max - 1]) >= 0) break
    let text = 0
    let score = p.score
    if (!p.exact) {
      const { terms: cTerms, weights: cWeights } = p.doc.vector
      let sq = 0
      for (let i = 0; i < cTerms.length; i++) {
        const term = cTerms[i]
        let g = term.length === 0 || filter[filterSlot(term)] === 0 ? undefined : targetTerms.get(term)?.idf
        if (g === undefined) {
          g = otherIdf.get(term)
          if (g === undefined) {
            g = idf(n, stats.termDf(term))
            otherIdf.set(term, g)
          }
        }
        const w = cWeights[i] * g
        sq += w * w
      }
      text = Math.min(1, p.dot / (targetNorm * Math.sqrt(sq)))
      score = combine(text, p.taxPart, p.recency)
      if (!(score > 0)) continue
    }
    const s: Scored = { id: p.id, score, publishedAt: p.publishedAt, text, tags: p.tags, cats: p.cats }
    if (top.length === max && compareScored(s, top[max - 1]) >= 0) continue
    // The same id given twice keeps its better entry, whatever the order it came in.
    const dup = top.findIndex((x) => x.id === s.id)
    if (dup !== -1) {
      if (compareScored(s, top[dup]) >= 0) continue
      top.splice(dup, 1)
    }
    let at = top.length
    while (at > 0 && compareScored(s, top[at - 1]) < 0) at--
    top.splice(at, 0, s)
    if (top.length > max) top.pop()
  }

  return top.map((s) => ({
    id: s.id,
    score: s.score,
    reasons: { shared_tags: [...s.tags], shared_categories: [...s.cats], text_similarity: round6(s.text) }
  }))
}
