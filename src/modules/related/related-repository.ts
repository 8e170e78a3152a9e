import type { Db } from '../../db/client.js'
import type { TermVector } from '../../lib/related.js'
import type { PostRow } from '../posts/posts-repository.js'

// The columns of a post in a list (no body), as the posts repository reads them for toPost.
const LIST_COLUMNS = `p.id, p.slug, p.title, p.excerpt, p.status, p.published_at, p.created_at, p.updated_at, p.author_id,
  p.featured_image_url, p.featured_image_alt, p.source_url, p.source_name, p.canonical_url, p.comment_status,
  p.word_count, p.reading_time_minutes, p.comment_count`

const DAY_MS = 86_400_000

// Code-point order, which is SQLite's BINARY order of the UTF-8 text (plain < compares UTF-16 units).
function compareTerms (a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n;) {
    const x = a.codePointAt(i) as number
    const y = b.codePointAt(i) as number
    if (x !== y) return x - y
    i += x > 0xffff ? 2 : 1
  }
  return a.length - b.length
}

// The vector in canonical order (weight desc, term asc), which scoring sums in.
function canonical (terms: string[], weights: number[]): TermVector {
  let sorted = true
  for (let i = 1; i < terms.length && sorted; i++) {
    sorted = weights[i - 1] > weights[i] || (weights[i - 1] === weights[i] && compareTerms(terms[i - 1], terms[i]) < 0)
  }
  if (sorted) return { terms, weights }
  const order = terms.map((_, i) => i).sort((i, j) => weights[j] - weights[i] || compareTerms(terms[i], terms[j]))
  return { terms: order.map((i) => terms[i]), weights: order.map((i) => weights[i]) }
}

/** What the candidate query needs: the target's terms with their query weights, and its taxonomy with their idf. */
export interface CandidateQuery {
  targetId: number
  publishedAt: number
  now: number
  /** Per term: how many of its strongest postings to read, and the weight a posting's weight is multiplied by. */
  terms: Array<{ term: string, weight: number, limit: number }>
  tags: Array<{ id: number, idf: number }>
  categories: Array<{ id: number, idf: number }>
  taxonomyLimit: number
  limit: number
}

/** A post chosen as a candidate: its id, publication time and vector fingerprint. */
export interface Candidate { id: number, publishedAt: number, hash: string }

/** All reads of the related-posts index: vectors, posting lists, corpus statistics. */
export function createRelatedRepository (db: Db) {
  const c = db.$client
  // Statements whose text depends on how many terms, tags and categories a target has: a
  // handful of shapes in practice, but bounded anyway.
  const shaped = new Map<string, ReturnType<typeof c.prepare>>()
  function shapedStatement (sqlText: string) {
    let stmt = shaped.get(sqlText)
    if (stmt === undefined) {
      if (shaped.size >= 256) shaped.delete(shaped.keys().next().value as string)
      stmt = c.prepare(sqlText)
      shaped.set(sqlText, stmt)
    }
    return stmt
  }
  // Read in primary-key order, which is the canonical order; toVector checks rather than trusts it.
  const vectors = c.prepare(`SELECT post_id, group_concat(term, ' '), group_concat(weight, ' ') FROM post_terms
    WHERE post_id IN (SELECT value FROM json_each(?)) AND term <> '' GROUP BY post_id`).raw()
  const tagLinks = c.prepare(`SELECT post_id, tag_id FROM post_tags WHERE tag_id IN (SELECT value FROM json_each(?))
    AND post_id IN (SELECT value FROM json_each(?)) ORDER BY post_id, tag_id`).raw()
  const categoryLinks = c.prepare(`SELECT post_id, category_id FROM post_categories WHERE category_id IN (SELECT value FROM json_each(?))
    AND post_id IN (SELECT value FROM json_each(?)) ORDER BY post_id, category_id`).raw()
  const listRows = c.prepare(`SELECT ${LIST_COLUMNS} FROM posts p WHERE p.id IN (SELECT value FROM json_each(?))`)
  const fingerprint = c.prepare('SELECT hash FROM post_vectors WHERE post_id = ?').pluck()
  // Statistics over published posts, kept by triggers (migrations/0004_related_live_stats.sql);
  // scheduled posts not live yet are read separately and subtracted by the service.
  const df = c.prepare('SELECT df FROM term_df WHERE term = ?').pluck()
  const counted = c.prepare('SELECT n FROM related_counts WHERE kind = ? AND id = ?').pluck()
  const SCHEDULED = "SELECT post_id FROM post_vectors WHERE status = 'published' AND published_at > ?"
  const scheduled = {
    posts: c.prepare(`SELECT count(*) FROM (${SCHEDULED})`).pluck(),
    terms: c.prepare(`SELECT term, count(*) FROM post_terms WHERE post_id IN (${SCHEDULED}) AND term <> '' GROUP BY term`).raw(),
    tags: c.prepare(`SELECT tag_id, count(*) FROM post_tags WHERE post_id IN (${SCHEDULED}) GROUP BY tag_id`).raw(),
    categories: c.prepare(`SELECT category_id, count(*) FROM post_categories WHERE post_id IN (${SCHEDULED}) GROUP BY category_id`).raw()
  }
  const tagIdsOf = c.prepare('SELECT tag_id FROM post_tags WHERE post_id = ? ORDER BY tag_id').pluck()
  const categoryIdsOf = c.prepare('SELECT category_id FROM post_categories WHERE post_id = ? ORDER BY category_id').pluck()

  return {
    /** The fingerprint of the post's vector, or undefined when it has not been indexed. */
    fingerprintOf: (postId: number) => fingerprint.get(postId) as string | undefined,

    /**
     * Vectors of the given posts in canonical order (weight desc, term asc), one row per post
     * with the terms and weights joined, which is several times faster than a row per term.
     * Posts without terms are absent.
     */
    vectorsOf (postIds: number[]): Map<number, TermVector> {
      const out = new Map<number, TermVector>()
      if (postIds.length === 0) return out
      const rows = vectors.all(JSON.stringify(postIds)) as Array<[number, string, string]>
      // Terms never hold spaces (the tokenizer splits on them) and SQLite prints reals so
      // that they read back exactly.
      for (const [id, terms, weights] of rows) out.set(id, canonical(terms.split(' '), weights.split(' ').map(Number)))
      return out
    },

    /**
     * The best `limit` live posts other than the target by a cheap pre-score: the dot product
     * over the strongest postings of each target term (the cosine, if the candidate's norm is
     * like the target's) and the idf of shared tags and categories, combined and aged as the
     * real score is. One statement, so the postings are summed inside SQLite and only the
     * chosen candidates come back.
     */
    candidates (q: CandidateQuery): Candidate[] {
      const parts: string[] = []
      const params: unknown[] = []
      for (const t of q.terms) {
        parts.push('SELECT post_id, weight * ? AS d, 0.0 AS x FROM (SELECT post_id, weight FROM post_terms WHERE term = ? ORDER BY weight DESC, post_id ASC LIMIT ?)')
        params.push(t.weight, t.term, t.limit)
      }
      for (const t of q.tags) {
        parts.push('SELECT post_id, 0.0 AS d, ? AS x FROM (SELECT post_id FROM post_tags WHERE tag_id = ? ORDER BY post_id DESC LIMIT ?)')
        params.push(t.idf, t.id, q.taxonomyLimit)
      }
      for (const t of q.categories) {
        parts.push('SELECT post_id, 0.0 AS d, ? AS x FROM (SELECT post_id FROM post_categories WHERE category_id = ? ORDER BY post_id DESC LIMIT ?)')
        params.push(0.7 * t.idf, t.id, q.taxonomyLimit)
      }
      if (parts.length === 0) return []
      // Liveness comes from post_vectors' copy of status and published_at: the wide posts rows
      // would cost a page read each.
      const sqlText = `SELECT s.post_id, v.published_at, v.hash FROM (SELECT post_id, sum(d) AS dot, sum(x) AS raw FROM (${parts.join(' UNION ALL ')}) GROUP BY post_id) s
        JOIN post_vectors v ON v.post_id = s.post_id
        WHERE s.post_id <> ? AND v.status = 'published' AND v.published_at <= ?
        ORDER BY (1 - (1 - min(1.0, s.dot)) * (1 - 0.8 * (1 - exp(-s.raw / 4.0)))) * (0.85 + 0.15 * pow(2.0, -abs(v.published_at - ?) / ${180 * DAY_MS}.0)) DESC, s.post_id ASC
        LIMIT ?`
      params.push(q.targetId, q.now, q.publishedAt, q.limit)
      const rows = shapedStatement(sqlText).raw().all(...params) as Array<[number, number, string]>
      return rows.map(([id, publishedAt, hash]) => ({ id, publishedAt, hash }))
    },

    /** How many published posts' vectors hold the term (scheduled ones included). */
    termDf (term: string): number {
      return (df.get(term) as number | undefined) ?? 0
    },

    /** Published posts with a vector, and those carrying a tag or category (scheduled ones included). */
    postCount: () => (counted.get('posts', 0) as number | undefined) ?? 0,
    tagCount: (id: number) => (counted.get('tag', id) as number | undefined) ?? 0,
    categoryCount: (id: number) => (counted.get('category', id) as number | undefined) ?? 0,

    /**
     * What the scheduled posts not live at `now` add to those counts: the service subtracts it.
     * One grouped read over their vectors and links, so its cost follows the number of
     * scheduled posts, not the corpus.
     */
    scheduledStats (now: number) {
      const tally = <K>(rows: Array<[K, number]>) => new Map(rows)
      return {
        posts: scheduled.posts.get(now) as number,
        terms: tally(scheduled.terms.all(now) as Array<[string, number]>),
        tags: tally(scheduled.tags.all(now) as Array<[number, number]>),
        categories: tally(scheduled.categories.all(now) as Array<[number, number]>)
      }
    },
    tagIdsOf: (postId: number) => tagIdsOf.all(postId) as number[],
    categoryIdsOf: (postId: number) => categoryIdsOf.all(postId) as number[],

    /** Which of `postIds` carry which of `termIds` (tags or categories), as post id → term ids. */
    linksOf (kind: 'tags' | 'categories', postIds: number[], termIds: number[]): Map<number, number[]> {
      const out = new Map<number, number[]>()
      if (termIds.length === 0 || postIds.length === 0) return out
      const links = (kind === 'tags' ? tagLinks : categoryLinks).all(JSON.stringify(termIds), JSON.stringify(postIds)) as Array<[number, number]>
      for (const [id, termId] of links) {
        const list = out.get(id)
        if (list === undefined) out.set(id, [termId])
        else list.push(termId)
      }
      return out
    },

    /** List rows (no body) of the given posts, in no particular order. */
    rowsOf (ids: number[]): PostRow[] {
      if (ids.length === 0) return []
      return listRows.all(JSON.stringify(ids)) as PostRow[]
    }
  }
}
export type RelatedRepository = ReturnType<typeof createRelatedRepository>
