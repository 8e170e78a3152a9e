import { and, desc, eq, inArray, lte, sql, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import { SNIPPET_MARKERS, searchTerms, snippetHtml } from '../../lib/fts-query.js'
import type { PgDb } from './client.js'
import { postSearch as s } from './read-model.js'
import { posts } from './schema.js'

// Full-text search on PostgreSQL (issue 20; migrations/pg/0005_full_text_search.sql), the
// counterpart of src/modules/search/search-repository.ts over FTS5, for the async port of the
// search module: the same words (src/lib/fts-query.ts searchTerms: letters and digits, at most
// 16 words of 64 characters, every word required, the last also as a prefix), ranked with the
// same weights (title 10, excerpt 4, body 1), snippets with the same markers and escaping.
// Everything a user typed reaches PostgreSQL as a bound parameter, and through plainto_tsquery,
// which reads plain words: no input is tsquery syntax, so none can fail to parse.

/**
 * ts_rank's weights, in the order {D, C, B, A}: body (C) 0.1, excerpt (B) 0.4, title (A) 1 —
 * bm25's 1 / 4 / 10 of the SQLite index. Normalization 1 divides by 1 + log(length), as bm25
 * discounts long documents.
 */
const WEIGHTS = '{0, 0.1, 0.4, 1}'

/** The tsquery of a search text, or null when it has no searchable word (as toFtsQuery). */
export function searchQuery (q: string): SQL | null {
  const words = searchTerms(q)
  if (words.length === 0) return null
  return sql`bs_search_query(${words.slice(0, -1).join(' ')}, ${words[words.length - 1]})`
}

export interface PgSearchOptions {
  /** Published posts up to this time (the public view): live, not scheduled. */
  now: number
  sort: 'relevance' | '-published_at'
  limit: number
  /** Any of these categories, any of these tags, this author (primary or co-author): facets. */
  categoryIds?: number[]
  tagIds?: number[]
  authorId?: number
}

export interface PgSearchHit {
  postId: number
  publishedAt: number | null
  rank: number
}

/**
 * Live posts matching `q`, best first (relevance: rank, then newer, then the higher id, as the
 * SQLite engine sorts) or newest first. Empty when `q` has no word.
 */
export async function searchPosts (db: PgDb, q: string, o: PgSearchOptions): Promise<PgSearchHit[]> {
  const query = searchQuery(q)
  if (query === null) return []
  const rank = sql<number>`ts_rank(${WEIGHTS}::float4[], ${s.document}, ${query}, 1)`
  const facets = sql`string_to_array(${s.facets}, ' ')`
  const words = (list: string[]): SQL => sql`array[${sql.join(list.map((w) => sql`${w}`), sql`, `)}]::text[]`
  const where = and(
    sql`${s.document} @@ ${query}`,
    eq(s.status, 'published'),
    lte(s.publishedAt, o.now),
    o.categoryIds === undefined ? undefined : sql`${facets} && ${words(o.categoryIds.map((id) => `c${id}`))}`,
    o.tagIds === undefined ? undefined : sql`${facets} && ${words(o.tagIds.map((id) => `t${id}`))}`,
    o.authorId === undefined ? undefined : sql`${facets} @> ${words([`a${o.authorId}`])}`)
  const order = o.sort === 'relevance' ? [desc(rank), desc(s.publishedAt), desc(s.postId)] : [desc(s.key)]
  const rows = await db.select({ postId: s.postId, publishedAt: s.publishedAt, rank }).from(s).where(where).orderBy(...order).limit(o.limit)
  return rows.map((r) => ({ ...r, rank: Number(r.rank) }))
}

const { open, close } = SNIPPET_MARKERS
// As FTS5's snippet(…, 24): a passage of at most 24 words around the best match. Unlike FTS5,
// ts_headline marks no cut with '…' (the passages are otherwise the same kind of text).
const HEADLINE = `StartSel=${open}, StopSel=${close}, MaxWords=24, MinWords=12, ShortWord=0, MaxFragments=0`

/**
 * The snippet of each post for `q`, as HTML: the passage of its title, excerpt or body with the
 * most distinct matched words (then the most matches; ties to the earlier column), its text
 * escaped, its matches in <mark> (src/lib/fts-query.ts snippetHtml, as on SQLite).
 */
export async function searchSnippets (db: PgDb, q: string, ids: number[]): Promise<Map<number, string>> {
  const query = searchQuery(q)
  const found = new Map<number, string>()
  if (query === null || ids.length === 0) return found
  // Over the text as it was indexed (bs_search_text), its five stand-ins mapped back below.
  const headline = (column: SQL | PgColumn): SQL<string> => sql<string>`ts_headline('broadsheet_simple', bs_search_text(${column}), ${query}, ${HEADLINE})`
  const rows = await db.select({
    id: posts.id,
    title: headline(posts.title),
    excerpt: headline(posts.excerpt),
    body: headline(sql`left(${posts.contentText}, 500000)`)
  }).from(posts).where(inArray(posts.id, ids))
  for (const row of rows) found.set(row.id, snippetHtml(bestPassage([row.title, row.excerpt, row.body]).replace(STAND_INS, (c) => ORIGINALS[c])))
  return found
}

// migrations/pg/0005 bs_search_text: the characters PostgreSQL's parser would read as markup,
// addresses or paths, and the control characters that stand for them while it parses.
const ORIGINALS: Record<string, string> = { '\u0004': '<', '\u0005': '>', '\u0006': '@', '\u0007': '/', '\u0008': '.' }
// eslint-disable-next-line no-control-regex -- these control characters are the stand-ins
const STAND_INS = /[\u0004-\u0008]/g

/** The passage with the most distinct marked words, then the most marks; the first on a tie. */
export function bestPassage (candidates: string[]): string {
  let best = candidates[0]
  let bestScore = -1
  for (const passage of candidates) {
    const marked = [...passage.matchAll(new RegExp(`${open}([^${close}]*)${close}`, 'g'))].map((m) => m[1].toLowerCase())
    const score = new Set(marked).size * 1000 + marked.length
    if (score > bestScore) {
      best = passage
      bestScore = score
    }
  }
  return best
}
