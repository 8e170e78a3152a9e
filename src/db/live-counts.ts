import type { Db } from './client.js'

/**
 * Live post counts per category, tag and author, computed in one grouped query each and
 * remembered until the content stamp changes. Taxonomy lists then cost a map lookup per
 * row instead of a correlated count over the posts table.
 */
export function createLiveCounts (db: Db, stamp: () => string) {
  const c = db.$client
  // The live post ids come from the covering (status, published_at, id) index, never the rows.
  const live = "SELECT id FROM posts WHERE status = 'published' AND published_at <= ?"
  const queries = {
    categories: c.prepare(`SELECT category_id AS id, count(*) AS n FROM post_categories WHERE post_id IN (${live}) GROUP BY category_id`),
    tags: c.prepare(`SELECT tag_id AS id, count(*) AS n FROM post_tags WHERE post_id IN (${live}) GROUP BY tag_id`),
    authors: c.prepare("SELECT author_id AS id, count(*) AS n FROM posts WHERE status = 'published' AND published_at <= ? GROUP BY author_id")
  }
  const memo = new Map<keyof typeof queries, { stamp: string, counts: Map<number, number> }>()
  return function countsOf (kind: keyof typeof queries): Map<number, number> {
    const current = stamp()
    const hit = memo.get(kind)
    if (hit !== undefined && hit.stamp === current) return hit.counts
    const rows = queries[kind].all(Date.now()) as Array<{ id: number, n: number }>
    const counts = new Map(rows.map((r) => [r.id, r.n]))
    memo.set(kind, { stamp: current, counts })
    return counts
  }
}
export type LiveCounts = ReturnType<typeof createLiveCounts>
