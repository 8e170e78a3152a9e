import type { PostFilter, PostRow } from '../posts/posts-repository.js'
import type { PostSort } from '../posts/posts-schemas.js'
import type { CursorValue } from '../../lib/cursor.js'
import { createBudget, type Budget } from '../../lib/budget.js'
import { SNIPPET_MARKERS, toFtsQuery } from '../../lib/fts-query.js'
import { InvalidCursor, QueryTooBroad } from '../../errors.js'
import { compareCodePoints } from '../../lib/code-point-order.js'
import { bucketOf, type MatchRow, type SearchRange, type SearchRepository, type SnippetMatchRow, type SnippetRow } from './search-repository.js'

/**
 * What one search may read. `results`: the most matches an order other than date ranks (the
 * newest ones), the most a total counts, and the deepest a page number reaches (a cursor goes on
 * in date order). `checkEvery`: matches read between two looks at the clock.
 */
export const SEARCH_LIMITS = { results: 1000, checkEvery: 64 }

/** How a search answer relates to the whole set of matches (meta.search). */
export interface SearchMeta {
  /** Something was left out: only the newest matches were ranked, the count stopped, or time ran out. */
  bounded: boolean
  /** How many matches were ranked (orders other than date), else null: date order reads matches in order. */
  scored: number | null
  /** Whether meta.total is the exact number of matches. */
  total_exact: boolean
  /** Whether the time budget stopped the search; the page holds what was found by then. */
  timed_out: boolean
}

export interface SearchPage {
  rows: PostRow[]
  total: number
  hasMore: boolean
  search: SearchMeta
  /** Matches read out of the index for the page (not the count), so tests can see the work is bounded. */
  read: number
}

export interface SearchOptions {
  sort: PostSort
  limit: number
  offset: number
  after?: { value: CursorValue, id: number }
  withContent: boolean
  /**
   * Published matches only (a public search): the rows carry the id, status, publication time
   * and snippet alone, no post row is read (the page is sent from stored cards).
   */
  keysOnly?: boolean
}

export interface SearchEngine {
  /** One page of posts matching `q` and the filter, or null when q has no searchable word. */
  list (q: string, filter: PostFilter, opts: SearchOptions): SearchPage | null
}

const MIN_TIME = -8.64e15
const MAX_TIME = 8.64e15

// SQLite's order: NULL first, then numbers, then text by code point (BINARY on UTF-8).
function compareValues (a: CursorValue, b: CursorValue): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'number') return -1
  if (typeof b === 'number') return 1
  return compareCodePoints(a, b)
}

/** The FTS5 expression: the words over the text columns, each filter as facet words. */
export function matchExpression (q: string, f: Pick<PostFilter, 'categoryIds' | 'tagIds' | 'authorId'>): string | null {
  const text = toFtsQuery(q)
  if (text === null) return null
  const parts = [`{title excerpt content_text} : (${text})`]
  if (f.categoryIds !== undefined) parts.push(`facets : (${f.categoryIds.map((id) => `"c${id}"`).join(' OR ')})`)
  if (f.tagIds !== undefined) parts.push(`facets : (${f.tagIds.map((id) => `"t${id}"`).join(' OR ')})`)
  if (f.authorId !== undefined) parts.push(`facets : "a${f.authorId}"`)
  return parts.join(' AND ')
}

function rangeOf (f: PostFilter): SearchRange | null {
  const after = f.publishedAfter ?? null
  const before = f.publishedBefore ?? null
  const lo = after === null ? MIN_TIME : after + 1
  const hi = before === null ? MAX_TIME : before - 1
  switch (f.visibility) {
    case 'public': return lo <= Math.min(hi, f.now) ? { kind: 'published', lo, hi: Math.min(hi, f.now) } : null
    case 'scheduled': return Math.max(lo, f.now + 1) <= hi ? { kind: 'published', lo: Math.max(lo, f.now + 1), hi } : null
    case 'draft':
    case 'archived': return { kind: 'unpublished', status: f.visibility, after, before }
    case 'any': return { kind: 'any', after, before }
  }
}

// Chooses the snippet of the column whose window holds the most distinct matched words, then the
// most matches; ties go to the earlier column (title, excerpt, body), as FTS5 does with -1.
function bestSnippet (candidates: string[]): string {
  let best = candidates[0]
  let bestScore = -1
  for (const s of candidates) {
    const words = new Set<string>()
    let marks = 0
    let at = s.indexOf(SNIPPET_MARKERS.open)
    while (at !== -1) {
      const end = s.indexOf(SNIPPET_MARKERS.close, at)
      if (end === -1) break
      words.add(s.slice(at + 1, end).toLowerCase())
      marks++
      at = s.indexOf(SNIPPET_MARKERS.open, end)
    }
    const score = words.size * 1000 + marks
    if (score > bestScore) {
      best = s
      bestScore = score
    }
  }
  return best
}

/**
 * Full-text search with a cost bounded by construction (migrations/0003_search_keys.sql):
 * - date order over published posts walks the matches in key order and stops after the page
 *   (plus the rest of its last millisecond, and a count of at most SEARCH_LIMITS.results);
 * - every other order (relevance, title, -updated_at, and any order over drafts, archived or
 *   all posts) ranks the newest SEARCH_LIMITS.results matches and sorts them;
 * - a time budget, checked every SEARCH_LIMITS.checkEvery matches, stops the rest: the answer
 *   is what was found by then, flagged, or a 422 when that is nothing.
 */
export function createSearchEngine (repo: SearchRepository, opts: { budgetMs: number, limits?: typeof SEARCH_LIMITS }): SearchEngine {
  const limits = opts.limits ?? SEARCH_LIMITS

  function walkPage (match: string, range: Extract<SearchRange, { kind: 'published' }>, o: SearchOptions, budget: Budget) {
    const desc = o.sort === '-published_at'
    let { lo, hi } = range
    let cursor = { value: desc ? hi + 1 : lo - 1, id: 0 }
    if (o.after !== undefined) {
      if (typeof o.after.value !== 'number') throw new InvalidCursor()
      cursor = { value: o.after.value, id: o.after.id }
      if (desc) hi = Math.min(hi, cursor.value)
      else lo = Math.max(lo, cursor.value)
    }
    const cap = limits.results
    // Page numbers reach the first `results` matches; deeper, a cursor goes on.
    if (o.offset >= cap) {
      const total = repo.count(match, range.lo, range.hi, cap + 1)
      return { page: [] as Array<MatchRow | SnippetMatchRow>, total: Math.min(total, cap), exact: total <= cap, read: 0, more: false, snippets: false }
    }
    const need = o.offset + o.limit + 1
    // A first page reads its snippets in the walk: it shows all it reads but the one row more
    // and the rest of its last millisecond. Deeper pages read them for their own rows after.
    const snippets = o.offset === 0
    const taken: Array<MatchRow | SnippetMatchRow> = []
    let last = NaN
    let seen = 0
    // Whether the walk read every match of the range (it did not stop for a full page or the budget).
    let all = true
    const walk = lo > hi ? [] : snippets ? repo.walkWithSnippets(match, lo, hi, desc ? 'desc' : 'asc', cursor) : repo.walk(match, lo, hi, desc ? 'desc' : 'asc', cursor)
    for (const row of walk) {
      // Posts of one millisecond share a key prefix in no particular slot order: the page's
      // last millisecond is read whole, then sorted by (published_at, id) with the rest.
      const bucket = bucketOf(row[1] as number)
      if (taken.length >= need && bucket !== last) {
        all = false
        break
      }
      taken.push(row)
      last = bucket
      if (++seen % limits.checkEvery === 0 && budget.exhausted()) {
        budget.stopped = true
        all = false
        break
      }
    }
    const sign = desc ? -1 : 1
    taken.sort((a, b) => sign * (((a[1] as number) - (b[1] as number)) || (a[0] - b[0])))
    const page = taken.slice(o.offset, need)
    let total: number
    let exact: boolean
    if (budget.stopped || budget.exhausted()) {
      // No time left to count: what the walk saw is a lower bound.
      total = Math.min(o.offset + page.length, cap)
      exact = false
    } else {
      // A walk from the start of the range that read every match has counted them: a rare
      // word's search is then one pass over the index, not two. Otherwise counting inside
      // SQLite is several times cheaper than reading the rows out.
      const counted = all && o.after === undefined ? seen : repo.count(match, range.lo, range.hi, cap + 1)
      total = Math.min(counted, cap)
      exact = counted <= cap
    }
    return { page, total, exact, read: seen, more: page.length > o.limit || (budget.stopped && page.length > 0), snippets }
  }

  function windowPage (match: string, range: SearchRange, o: SearchOptions, budget: Budget) {
    const ranked = o.sort === 'relevance'
    const rows: MatchRow[] = []
    let bounded = false
    for (const row of repo.window(match, range, ranked)) {
      if (rows.length === limits.results) {
        bounded = true
        break
      }
      rows.push(row)
      if (rows.length % limits.checkEvery === 0 && budget.exhausted()) {
        budget.stopped = true
        break
      }
    }
    let ordered: MatchRow[]
    let offset = o.offset
    if (ranked) {
      // Better BM25 first (SQLite's bm25 is negative), then newer, then the higher id.
      ordered = rows.sort((a, b) => (a[2] as number) - (b[2] as number) || compareValues(b[1], a[1]) || b[0] - a[0])
    } else {
      const values = o.sort === 'title' || o.sort === '-updated_at' ? repo.sortValuesOf(rows.map((r) => r[0])) : null
      const valueOf = (r: MatchRow): CursorValue => o.sort === 'title' ? values?.get(r[0])?.title ?? null : o.sort === '-updated_at' ? values?.get(r[0])?.updatedAt ?? null : r[1]
      const sign = o.sort === '-published_at' || o.sort === '-updated_at' ? -1 : 1
      const order = (va: CursorValue, ia: number, vb: CursorValue, ib: number) => sign * (compareValues(va, vb) || ia - ib)
      ordered = rows.sort((a, b) => order(valueOf(a), a[0], valueOf(b), b[0]))
      const after = o.after
      if (after !== undefined) {
        ordered = ordered.filter((r) => order(valueOf(r), r[0], after.value, after.id) > 0)
        offset = 0
      }
    }
    const page = ordered.slice(offset, offset + o.limit + 1)
    return { page, total: rows.length, exact: !bounded && !budget.stopped, bounded, scored: rows.length, read: rows.length + (bounded ? 1 : 0), more: page.length > o.limit }
  }

  function withSnippets (match: string, range: SearchRange, rows: PostRow[]): void {
    const published = rows.filter((r) => r.status === 'published' && r.publishedAt !== null)
    const unpublished = rows.filter((r) => !(r.status === 'published' && r.publishedAt !== null))
    const found: SnippetRow[] = []
    if (published.length > 0 && range.kind !== 'unpublished') {
      const times = published.map((r) => r.publishedAt as number)
      found.push(...repo.publishedSnippets(match, Math.min(...times), Math.max(...times), published.map((r) => r.id)))
    }
    if (unpublished.length > 0 && range.kind !== 'published') {
      const ids = unpublished.map((r) => r.id)
      found.push(...repo.unpublishedSnippets(match, Math.min(...ids), Math.max(...ids), ids))
    }
    const byId = new Map(found.map((r) => [r.postId, bestSnippet([r.title, r.excerpt, r.body])]))
    for (const row of rows) {
      const snippet = byId.get(row.id)
      if (snippet !== undefined) row.snippet = snippet
    }
  }

  return {
    list (q, filter, o) {
      const match = matchExpression(q, filter)
      if (match === null) return null
      const budget = createBudget(opts.budgetMs)
      const range = rangeOf(filter)
      const none: SearchPage = { rows: [], total: 0, hasMore: false, read: 0, search: { bounded: false, scored: null, total_exact: true, timed_out: false } }
      if (range === null) return none
      const byDate = range.kind === 'published' && (o.sort === '-published_at' || o.sort === 'published_at')
      let page: Array<MatchRow | SnippetMatchRow>
      let walked = false
      let total: number
      let exact: boolean
      let more: boolean
      let scored: number | null = null
      let bounded = false
      let read: number
      if (byDate) {
        const r = walkPage(match, range, o, budget)
        ;({ page, total, exact, more, read } = r)
        walked = r.snippets
        bounded = !exact
      } else {
        const r = windowPage(match, range, o, budget)
        ;({ page, total, exact, more, scored, read } = r)
        bounded = r.bounded || budget.stopped
      }
      if (budget.stopped && page.length === 0) throw new QueryTooBroad()
      if (page.length > o.limit) page = page.slice(0, o.limit)
      let rows: PostRow[]
      if (o.keysOnly === true && range.kind === 'published') {
        rows = page.map((r) => ({ id: r[0], status: 'published', publishedAt: r[1] }) as PostRow)
      } else {
        const loaded = new Map(repo.rowsOf(page.map((r) => r[0]), o.withContent).map((r) => [r.id, r]))
        rows = page.flatMap((r) => loaded.get(r[0]) ?? [])
      }
      // Snippets are the last step and only decoration: past the budget the page goes without them.
      if (budget.exhausted()) budget.stopped = true
      else if (!walked) withSnippets(match, range, rows)
      else {
        const byId = new Map(page.map((r) => [r[0], r as SnippetMatchRow]))
        for (const row of rows) {
          const found = byId.get(row.id)
          if (found !== undefined) row.snippet = bestSnippet([found[2], found[3], found[4]])
        }
      }
      return {
        rows,
        total,
        hasMore: more,
        read,
        search: { bounded: bounded || budget.stopped, scored, total_exact: exact, timed_out: budget.stopped }
      }
    }
  }
}
