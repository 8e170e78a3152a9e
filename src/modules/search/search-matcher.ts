import type { SearchMatcher } from '../posts/posts-service.js'
import { SNIPPET_MARKERS, toFtsQuery } from '../../lib/fts-query.js'

// BM25 with the title weighted above the excerpt and the body.
const RANK = 'bm25(posts_fts, 10.0, 4.0, 1.0) ASC'
const SNIPPET = `snippet(posts_fts, -1, '${SNIPPET_MARKERS.open}', '${SNIPPET_MARKERS.close}', '…', 24)`

/** The full-text part of a post list query for `q`, over the posts_fts index. */
export const searchMatcher: SearchMatcher = (q) => {
  const match = toFtsQuery(q)
  if (match === null) return null
  return { join: 'JOIN posts_fts ON posts_fts.rowid = p.id', where: 'posts_fts MATCH ?', params: [match], rank: RANK, snippet: SNIPPET }
}
