import { and, count, desc, eq, gt, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { posts } from '../../db/schema.js'
import { postSearch as s, postsFts as f } from '../../db/read-model.js'
import { idList, inIdList, prepareIterator } from '../../db/statements.js'
import { SNIPPET_MARKERS } from '../../lib/fts-query.js'
import { POST_COLUMNS, POST_LIST_COLUMNS, type PostRow } from '../posts/posts-repository.js'

const p = sql.placeholder

// The search key of a published post (migrations/0004_search_keys.sql): its publication time in
// milliseconds from 0001-01-01, clamped to 49 bits, shifted left by 14 bits of slot. Keys do not
// fit in a JavaScript number, so they stay inside SQLite: statements take times and compute the
// key bounds themselves.
export const KEY_OFFSET_MS = 62135596800000
export const MAX_BUCKET = 562949953421311
// better-sqlite3 binds every JavaScript number as a REAL, and FTS5 ignores a rowid bound that is
// not an INTEGER (returning every match): the shift makes each bound an integer.
const keyOf = (time: string) => sql`(min(max(${p(time)} + ${KEY_OFFSET_MS}, 0), ${MAX_BUCKET}) << 14)`

/** The millisecond bucket of a publication time: posts sharing one are told apart by their slot. */
export function bucketOf (publishedAt: number): number {
  return Math.min(Math.max(publishedAt + KEY_OFFSET_MS, 0), MAX_BUCKET)
}

const match = sql`${f} MATCH ${p('match')}`
// Published posts (live or scheduled) between two publication times, inclusive, in key order.
const PUBLISHED = and(match, sql`${f.rowid} >= ${keyOf('lo')}`, sql`${f.rowid} <= (${keyOf('hi')} | 16383)`,
  eq(s.status, 'published'), gte(s.publishedAt, p('lo')), lte(s.publishedAt, p('hi')))
// Drafts and archived posts have keys below every published one, in id order.
const between = and(
  or(sql`${p('after')} IS NULL`, gt(s.publishedAt, p('after'))),
  or(sql`${p('before')} IS NULL`, lt(s.publishedAt, p('before'))))
const UNPUBLISHED = and(match, lt(f.rowid, 0), eq(s.status, p('status')), between)
const ANY = and(match, between)
// BM25 with the title weighted above the excerpt and the body; the facets column weighs nothing.
const rank = sql<number>`bm25(${f}, 10.0, 4.0, 1.0, 0.0)`
const { open, close } = SNIPPET_MARKERS
const SNIPPETS = {
  postId: s.postId,
  title: sql<string>`snippet(${f}, 0, ${open}, ${close}, '…', 24)`,
  excerpt: sql<string>`snippet(${f}, 1, ${open}, ${close}, '…', 24)`,
  body: sql<string>`snippet(${f}, 2, ${open}, ${close}, '…', 24)`
}

/** Which stored posts a search may return. */
export type SearchRange =
  | { kind: 'published', lo: number, hi: number }
  | { kind: 'unpublished', status: 'draft' | 'archived', after: number | null, before: number | null }
  | { kind: 'any', after: number | null, before: number | null }

export type MatchRow = [id: number, publishedAt: number | null, rank?: number]
/** A published match with its title, excerpt and body snippets (walkWithSnippets). */
export type SnippetMatchRow = [id: number, publishedAt: number, title: string, excerpt: string, body: string]

/** A post's best passages in its title, excerpt and body, matches between SNIPPET_MARKERS. */
export interface SnippetRow { postId: number, title: string, excerpt: string, body: string }

/**
 * All reads of the search index (posts_fts keyed by post_search.key). FTS5's MATCH, bm25() and
 * snippet() are SQLite's own, so they are written with Drizzle's sql template; the rest is the
 * query builder. Posts come first from the index (CROSS JOIN keeps that order), so a search
 * walks its matches in key order and stops when it has read enough.
 */
export function createSearchRepository (db: Db) {
  const matches = (fields: { postId: typeof s.postId, publishedAt: typeof s.publishedAt, rank?: typeof rank }, where: SQL | undefined) =>
    db.select(fields).from(f).crossJoin(s).where(and(eq(s.key, f.rowid), where)).orderBy(desc(f.rowid))
  const plain = { postId: s.postId, publishedAt: s.publishedAt }
  const ranked = { ...plain, rank }
  // A match and its id, publication time and (for relevance) BM25 score, in key order. Read
  // lazily: the caller reads only as many rows as it needs and checks its budget in between.
  const walk = {
    desc: prepareIterator<MatchRow>(db, matches(plain, and(PUBLISHED,
      or(lt(s.publishedAt, p('cp')), and(eq(s.publishedAt, p('cp')), lt(s.postId, p('cid'))))))),
    asc: prepareIterator<MatchRow>(db, db.select(plain).from(f).crossJoin(s).where(and(eq(s.key, f.rowid), PUBLISHED,
      or(gt(s.publishedAt, p('cp')), and(eq(s.publishedAt, p('cp')), gt(s.postId, p('cid')))))).orderBy(f.rowid))
  }
  // The same walk with each match's snippets: for a first page, whose rows are nearly all shown
  // (all of them for a rare word), one pass over the index instead of a second for the snippets.
  const snippeted = { postId: s.postId, publishedAt: s.publishedAt, title: SNIPPETS.title, excerpt: SNIPPETS.excerpt, body: SNIPPETS.body }
  const walkSnippets = {
    desc: prepareIterator<SnippetMatchRow>(db, db.select(snippeted).from(f).crossJoin(s).where(and(eq(s.key, f.rowid), PUBLISHED,
      or(lt(s.publishedAt, p('cp')), and(eq(s.publishedAt, p('cp')), lt(s.postId, p('cid')))))).orderBy(desc(f.rowid))),
    asc: prepareIterator<SnippetMatchRow>(db, db.select(snippeted).from(f).crossJoin(s).where(and(eq(s.key, f.rowid), PUBLISHED,
      or(gt(s.publishedAt, p('cp')), and(eq(s.publishedAt, p('cp')), gt(s.postId, p('cid')))))).orderBy(f.rowid))
  }
  const window = {
    ranked: {
      published: prepareIterator<MatchRow>(db, matches(ranked, PUBLISHED)),
      unpublished: prepareIterator<MatchRow>(db, matches(ranked, UNPUBLISHED)),
      any: prepareIterator<MatchRow>(db, matches(ranked, ANY))
    },
    unranked: {
      published: prepareIterator<MatchRow>(db, matches(plain, PUBLISHED)),
      unpublished: prepareIterator<MatchRow>(db, matches(plain, UNPUBLISHED)),
      any: prepareIterator<MatchRow>(db, matches(plain, ANY))
    }
  }
  const counted = db.select({ n: count() })
    .from(db.select({ one: sql`1` }).from(f).crossJoin(s).where(and(eq(s.key, f.rowid), PUBLISHED)).limit(p('cap')).as('m')).prepare()
  // Snippets only for the page's posts, over the key range that holds them: the matches read
  // are the page plus at most the rest of its first and last millisecond (or the ranked window).
  const snippets = {
    published: db.select(SNIPPETS).from(f).crossJoin(s).where(and(eq(s.key, f.rowid), PUBLISHED, inIdList(s.postId, 'ids'))).prepare(),
    // Unpublished keys are -2^62 + id.
    unpublished: db.select(SNIPPETS).from(f).crossJoin(s).where(and(eq(s.key, f.rowid), match,
      sql`${f.rowid} BETWEEN (-1 << 62) + CAST(${p('first')} AS INTEGER) AND (-1 << 62) + CAST(${p('last')} AS INTEGER)`,
      inIdList(s.postId, 'ids'))).prepare()
  }
  const rows = {
    list: db.select(POST_LIST_COLUMNS).from(posts).where(inIdList(posts.id, 'ids')).prepare(),
    full: db.select(POST_COLUMNS).from(posts).where(inIdList(posts.id, 'ids')).prepare()
  }
  const sortValues = db.select({ id: posts.id, title: posts.title, updatedAt: posts.updatedAt }).from(posts).where(inIdList(posts.id, 'ids')).prepare()

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
      return walk[order]({ match, lo, hi, cp: cursor.value, cid: cursor.id })
    },

    /** As `walk`, each match with its title, excerpt and body snippets. */
    walkWithSnippets (match: string, lo: number, hi: number, order: 'desc' | 'asc', cursor: { value: number, id: number }): IterableIterator<SnippetMatchRow> {
      return walkSnippets[order]({ match, lo, hi, cp: cursor.value, cid: cursor.id })
    },

    /** Matches in the range, newest key first, with their BM25 score when `ranked`. */
    window (match: string, range: SearchRange, ranked: boolean): IterableIterator<MatchRow> {
      return window[ranked ? 'ranked' : 'unranked'][range.kind]({ match, ...rangeParams(range) })
    },

    /** How many published matches lie in the range, counting at most `cap`. */
    count (match: string, lo: number, hi: number, cap: number): number {
      return counted.get({ match, lo, hi, cap })?.n ?? 0
    },

    /** Title, excerpt and body snippets of the given published posts, which lie between lo and hi. */
    publishedSnippets (match: string, lo: number, hi: number, ids: number[]): SnippetRow[] {
      return snippets.published.all({ match, lo, hi, ids: idList(ids) })
    },

    /** The same for drafts and archived posts, whose ids lie between first and last. */
    unpublishedSnippets (match: string, first: number, last: number, ids: number[]): SnippetRow[] {
      return snippets.unpublished.all({ match, first, last, ids: idList(ids) })
    },

    /** List rows (with the body when asked) of the given posts, in no particular order. */
    rowsOf (ids: number[], withContent: boolean): PostRow[] {
      if (ids.length === 0) return []
      return (withContent ? rows.full : rows.list).all({ ids: idList(ids) })
    },

    /** Title and updated_at of the given posts, for orders other than relevance and date. */
    sortValuesOf (ids: number[]): Map<number, { title: string, updatedAt: number }> {
      if (ids.length === 0) return new Map()
      return new Map(sortValues.all({ ids: idList(ids) }).map((r) => [r.id, r]))
    }
  }
}
export type SearchRepository = ReturnType<typeof createSearchRepository>
