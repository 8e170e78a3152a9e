import type { Db } from '../../db/client.js'
import { LIST_COLUMNS, type PostRow } from '../posts/posts-repository.js'
import { SNIPPET_MARKERS } from '../../lib/fts-query.js'

// The search key of a published post (migrations/0003_search_keys.sql): its publication time in
// milliseconds from 0001-01-01, clamped to 49 bits, shifted left by 14 bits of slot. Keys do not
// fit in a JavaScript number, so they stay inside SQLite: statements take times and compute the
// key bounds themselves.
export const KEY_OFFSET_MS = 62135596800000
export const MAX_BUCKET = 562949953421311
// better-sqlite3 binds every JavaScript number as a REAL, and FTS5 ignores a rowid bound that is
// not an INTEGER (returning every match): the shift makes each bound an integer.
const K = (param: string) => `(min(max(${param} + ${KEY_OFFSET_MS}, 0), ${MAX_BUCKET}) << 14)`

/** The millisecond bucket of a publication time: posts sharing one are told apart by their slot. */
export function bucketOf (publishedAt: number): number {
  return Math.min(Math.max(publishedAt + KEY_OFFSET_MS, 0), MAX_BUCKET)
}

// Published posts (live or scheduled) between two publication times, inclusive, in key order.
const PUBLISHED = `f.rowid >= ${K('@lo')} AND f.rowid <= (${K('@hi')} | 16383)
  AND s.status = 'published' AND s.published_at >= @lo AND s.published_at <= @hi`
// Drafts and archived posts have keys below every published one, in id order.
const UNPUBLISHED = `f.rowid < 0 AND s.status = @status
  AND (@after IS NULL OR s.published_at > @after) AND (@before IS NULL OR s.published_at < @before)`
const ANY = '(@after IS NULL OR s.published_at > @after) AND (@before IS NULL OR s.published_at < @before)'

const FROM = 'FROM posts_fts f CROSS JOIN post_search s ON s.key = f.rowid WHERE posts_fts MATCH @match'
// BM25 with the title weighted above the excerpt and the body; the facets column weighs nothing.
const RANK = 'bm25(posts_fts, 10.0, 4.0, 1.0, 0.0)'
const snippetOf = (column: number) => `snippet(posts_fts, ${column}, '${SNIPPET_MARKERS.open}', '${SNIPPET_MARKERS.close}', '…', 24)`
const SNIPPETS = `s.post_id, ${snippetOf(0)}, ${snippetOf(1)}, ${snippetOf(2)}`

/** Which stored posts a search may return. */
export type SearchRange =
  | { kind: 'published', lo: number, hi: number }
  | { kind: 'unpublished', status: 'draft' | 'archived', after: number | null, before: number | null }
  | { kind: 'any', after: number | null, before: number | null }

export type MatchRow = [id: number, publishedAt: number | null, rank?: number]

/** All reads of the search index (posts_fts keyed by post_search.key). */
export function createSearchRepository (db: Db) {
  const c = db.$client
  // A match and its id, publication time and (for relevance) BM25 score, in key order. Run with
  // iterate(): the caller reads only as many rows as it needs and checks its budget in between.
  const walk = {
    published: {
      desc: c.prepare(`SELECT s.post_id, s.published_at ${FROM} AND ${PUBLISHED}
        AND (s.published_at < @cp OR (s.published_at = @cp AND s.post_id < @cid)) ORDER BY f.rowid DESC`).raw(),
      asc: c.prepare(`SELECT s.post_id, s.published_at ${FROM} AND ${PUBLISHED}
        AND (s.published_at > @cp OR (s.published_at = @cp AND s.post_id > @cid)) ORDER BY f.rowid ASC`).raw()
    },
    ranked: {
      published: c.prepare(`SELECT s.post_id, s.published_at, ${RANK} ${FROM} AND ${PUBLISHED} ORDER BY f.rowid DESC`).raw(),
      unpublished: c.prepare(`SELECT s.post_id, s.published_at, ${RANK} ${FROM} AND ${UNPUBLISHED} ORDER BY f.rowid DESC`).raw(),
      any: c.prepare(`SELECT s.post_id, s.published_at, ${RANK} ${FROM} AND ${ANY} ORDER BY f.rowid DESC`).raw()
    },
    unranked: {
      published: c.prepare(`SELECT s.post_id, s.published_at ${FROM} AND ${PUBLISHED} ORDER BY f.rowid DESC`).raw(),
      unpublished: c.prepare(`SELECT s.post_id, s.published_at ${FROM} AND ${UNPUBLISHED} ORDER BY f.rowid DESC`).raw(),
      any: c.prepare(`SELECT s.post_id, s.published_at ${FROM} AND ${ANY} ORDER BY f.rowid DESC`).raw()
    }
  }
  const count = c.prepare(`SELECT count(*) FROM (SELECT 1 ${FROM} AND ${PUBLISHED} LIMIT @cap)`).pluck()
  // Snippets only for the page's posts, over the key range that holds them: the matches read
  // are the page plus at most the rest of its first and last millisecond (or the ranked window).
  const snippets = {
    published: c.prepare(`SELECT ${SNIPPETS} ${FROM} AND ${PUBLISHED} AND s.post_id IN (SELECT value FROM json_each(@ids))`).raw(),
    unpublished: c.prepare(`SELECT ${SNIPPETS} ${FROM} AND f.rowid BETWEEN -4611686018427387904 + CAST(@first AS INTEGER) AND -4611686018427387904 + CAST(@last AS INTEGER)
      AND s.post_id IN (SELECT value FROM json_each(@ids))`).raw()
  }
  const rows = {
    list: c.prepare(`SELECT ${LIST_COLUMNS} FROM posts p WHERE p.id IN (SELECT value FROM json_each(?))`),
    full: c.prepare(`SELECT ${LIST_COLUMNS}, p.content_html FROM posts p WHERE p.id IN (SELECT value FROM json_each(?))`)
  }
  const sortValues = c.prepare('SELECT id, title, updated_at FROM posts WHERE id IN (SELECT value FROM json_each(?))').raw()

  function rangeParams (range: SearchRange): Record<string, unknown> {
    switch (range.kind) {
      case 'published': return { lo: range.lo, hi: range.hi }
      case 'unpublished': return { status: range.status, after: range.after, before: range.before }
      case 'any': return { after: range.after, before: range.before }
    }
  }

  return {
    /** Published matches in key (publication) order, after a position, read lazily. */
    walk (match: string, lo: number, hi: number, order: 'desc' | 'asc', cursor: { value: number, id: number }): IterableIterator<MatchRow> {
      return walk.published[order].iterate({ match, lo, hi, cp: cursor.value, cid: cursor.id }) as IterableIterator<MatchRow>
    },

    /** Matches in the range, newest key first, with their BM25 score when `ranked`. */
    window (match: string, range: SearchRange, ranked: boolean): IterableIterator<MatchRow> {
      const set = ranked ? walk.ranked : walk.unranked
      return set[range.kind].iterate({ match, ...rangeParams(range) }) as IterableIterator<MatchRow>
    },

    /** How many published matches lie in the range, counting at most `cap`. */
    count (match: string, lo: number, hi: number, cap: number): number {
      return count.get({ match, lo, hi, cap }) as number
    },

    /** Title, excerpt and body snippets of the given published posts, which lie between lo and hi. */
    publishedSnippets (match: string, lo: number, hi: number, ids: number[]): Array<[number, string, string, string]> {
      return snippets.published.all({ match, lo, hi, ids: JSON.stringify(ids) }) as Array<[number, string, string, string]>
    },

    /** The same for drafts and archived posts, whose ids lie between first and last. */
    unpublishedSnippets (match: string, first: number, last: number, ids: number[]): Array<[number, string, string, string]> {
      return snippets.unpublished.all({ match, first, last, ids: JSON.stringify(ids) }) as Array<[number, string, string, string]>
    },

    /** List rows (with the body when asked) of the given posts, in no particular order. */
    rowsOf (ids: number[], withContent: boolean): PostRow[] {
      if (ids.length === 0) return []
      return (withContent ? rows.full : rows.list).all(JSON.stringify(ids)) as PostRow[]
    },

    /** Title and updated_at of the given posts, for orders other than relevance and date. */
    sortValuesOf (ids: number[]): Map<number, { title: string, updated_at: number }> {
      const out = new Map<number, { title: string, updated_at: number }>()
      if (ids.length === 0) return out
      for (const [id, title, updatedAt] of sortValues.all(JSON.stringify(ids)) as Array<[number, string, number]>) out.set(id, { title, updated_at: updatedAt })
      return out
    }
  }
}
export type SearchRepository = ReturnType<typeof createSearchRepository>
