import type { Db } from './client.js'
import type { LiveCounts } from './live-counts.js'

// Which categories, tags and authors the public may see. The rule, in one sentence: a term is
// public once it has a live post — a category counts the posts of its sub-categories too, as
// its post filter and page do. A term with no posts yet, or with only drafts, scheduled and
// archived ones, is hidden from public reads (lists, single reads, post and feed filters, the
// change log): an embargoed story's tag would otherwise announce its subject. Keys that may
// write or read drafts see every term.

export type TermKind = 'category' | 'tag' | 'author'

/** Who is reading terms: the public (only terms with a live post) or a key that sees them all. */
export type TermScope = 'public' | 'all'

const LIVE = "p.status = 'published' AND p.published_at <= ?"

/**
 * The public terms for reads: which ids are visible and, for lists, the visible ids in list
 * order (name, id). Computed from the live counts (one grouped query per kind) and one
 * ordered id read, once per content stamp, like the counts themselves.
 */
export function createPublicTerms (db: Db, stamp: () => string, counts: LiveCounts) {
  const c = db.$client
  const order = {
    category: c.prepare('SELECT id, parent_id FROM categories ORDER BY name, id').raw(),
    tag: c.prepare('SELECT id, NULL FROM tags ORDER BY name, id').raw(),
    author: c.prepare('SELECT id, NULL FROM authors ORDER BY name, id').raw()
  }
  const parents = c.prepare('SELECT id, parent_id FROM categories WHERE parent_id IS NOT NULL').raw()
  const countKind = { category: 'categories', tag: 'tags', author: 'authors' } as const
  // `ordered` (every public id in list order) only when a list asks: a filter or a single read
  // needs the set alone.
  interface View { stamp: string, visible: Set<number>, ordered?: Array<[number, number | null]> }
  const memo = new Map<TermKind, View>()

  function view (kind: TermKind): View {
    const current = stamp()
    const hit = memo.get(kind)
    if (hit !== undefined && hit.stamp === current) return hit
    const live = counts(countKind[kind])
    const visible = new Set<number>()
    if (kind === 'category') {
      // A category with a live post makes its ancestors public too.
      const parentOf = new Map(parents.all() as Array<[number, number]>)
      for (const id of live.keys()) {
        for (let at: number | undefined = id; at !== undefined && !visible.has(at); at = parentOf.get(at)) visible.add(at)
      }
    } else {
      for (const id of live.keys()) visible.add(id)
    }
    const next: View = { stamp: current, visible }
    memo.set(kind, next)
    return next
  }

  return {
    isPublic: (kind: TermKind, id: number): boolean => view(kind).visible.has(id),
    /** One page of public ids in list order; `parentId` (categories) narrows to one level of the tree. */
    page (kind: TermKind, offset: number, limit: number, parentId?: number | null): { ids: number[], total: number } {
      const v = view(kind)
      v.ordered ??= (order[kind].all() as Array<[number, number | null]>).filter(([id]) => v.visible.has(id))
      let rows = v.ordered
      if (parentId !== undefined) rows = rows.filter(([, parent]) => parent === parentId)
      return { ids: rows.slice(offset, offset + limit).map(([id]) => id), total: rows.length }
    }
  }
}
export type PublicTerms = ReturnType<typeof createPublicTerms>

/**
 * The write side: whether one term is public, asked inside a write's transaction, so the
 * change log records a term only while the public may see it and announces the moment it
 * becomes visible or hidden. Each question is one indexed lookup that stops at the first
 * live post found.
 */
export function createTermVisibility (db: Db) {
  const c = db.$client
  const otherLive = {
    tag: c.prepare(`SELECT 1 FROM post_tags l JOIN posts p ON p.id = l.post_id WHERE l.tag_id = ? AND l.post_id <> ? AND ${LIVE} LIMIT 1`).pluck(),
    author: c.prepare(`SELECT 1 FROM posts p WHERE p.author_id = ? AND p.id <> ? AND ${LIVE} LIMIT 1`).pluck(),
    category: c.prepare(`WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT k.id FROM categories k JOIN tree ON k.parent_id = tree.id)
      SELECT 1 FROM post_categories l JOIN posts p ON p.id = l.post_id WHERE l.category_id IN (SELECT id FROM tree) AND l.post_id <> ? AND ${LIVE} LIMIT 1`).pluck()
  }
  const ancestorsStmt = c.prepare(`WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM categories WHERE id = ?
    UNION SELECT k.id, k.parent_id FROM categories k JOIN up ON k.id = up.parent_id) SELECT id FROM up`).pluck()
  const slugStmt = {
    category: c.prepare('SELECT slug FROM categories WHERE id = ?').pluck(),
    tag: c.prepare('SELECT slug FROM tags WHERE id = ?').pluck(),
    author: c.prepare('SELECT slug FROM authors WHERE id = ?').pluck()
  }

  return {
    /** Whether a live post other than `exceptPostId` makes the term public (0 excepts none). */
    hasLivePost (kind: TermKind, id: number, now: number, exceptPostId = 0): boolean {
      return otherLive[kind].get(id, exceptPostId, now) !== undefined
    },
    /** The categories and every one above them (each once). */
    withAncestors (categoryIds: readonly number[]): number[] {
      const out = new Set<number>()
      for (const id of categoryIds) {
        if (out.has(id)) continue
        for (const up of ancestorsStmt.all(id) as number[]) out.add(up)
      }
      return [...out]
    },
    slugOf: (kind: TermKind, id: number) => slugStmt[kind].get(id) as string | undefined
  }
}
export type TermVisibility = ReturnType<typeof createTermVisibility>
