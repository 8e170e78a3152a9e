import type { Db } from '../../db/client.js'
import type { Ref } from '../../lib/refs.js'
import type { LiveCounts } from '../../db/live-counts.js'
import type { PublicTerms, TermScope } from '../../db/term-visibility.js'
import { idList, IN_ID_LIST } from '../../db/statements.js'

export interface CategoryRow {
  id: number
  slug: string
  name: string
  description: string
  parent_id: number | null
  created_at: number
  updated_at: number
  post_count: number
}

const COLUMNS = `c.id, c.slug, c.name, c.description, c.parent_id, c.created_at, c.updated_at`

/** All database access for categories. */
export function createCategoriesRepository (db: Db, counts: LiveCounts, publicTerms: PublicTerms) {
  const client = db.$client
  const byIdsStmt = client.prepare(`SELECT ${COLUMNS} FROM categories c WHERE c.id ${IN_ID_LIST}`)
  const listStmt = client.prepare(`SELECT ${COLUMNS} FROM categories c ORDER BY c.name, c.id LIMIT @limit OFFSET @offset`)
  const listByParentStmt = client.prepare(`SELECT ${COLUMNS} FROM categories c WHERE c.parent_id IS @parent ORDER BY c.name, c.id LIMIT @limit OFFSET @offset`)
  const countStmt = client.prepare('SELECT count(*) FROM categories').pluck()
  const countByParentStmt = client.prepare('SELECT count(*) FROM categories WHERE parent_id IS ?').pluck()
  const byIdStmt = client.prepare(`SELECT ${COLUMNS} FROM categories c WHERE c.id = @id`)
  const bySlugStmt = client.prepare(`SELECT ${COLUMNS} FROM categories c WHERE c.slug = @slug`)
  const descendantsStmt = client.prepare(`WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id)
    SELECT id FROM tree`).pluck()
  const withCount = (row: CategoryRow | undefined): CategoryRow | undefined => {
    if (row !== undefined) row.post_count = counts('categories').get(row.id) ?? 0
    return row
  }
  return {
    /** A page of categories by name; the public sees only those with a live post in their subtree (db/term-visibility.ts). */
    list (opts: { limit: number, offset: number, parentId?: number | null, scope: TermScope }): CategoryRow[] {
      if (opts.scope === 'public') {
        const { ids } = publicTerms.page('category', opts.offset, opts.limit, opts.parentId)
        const byId = new Map((byIdsStmt.all(idList(ids)) as CategoryRow[]).map((r) => [r.id, r]))
        return ids.flatMap((id) => byId.has(id) ? [withCount(byId.get(id)) as CategoryRow] : [])
      }
      const rows = (opts.parentId !== undefined
        ? listByParentStmt.all({ limit: opts.limit, offset: opts.offset, parent: opts.parentId })
        : listStmt.all({ limit: opts.limit, offset: opts.offset })) as CategoryRow[]
      return rows.map((r) => withCount(r) as CategoryRow)
    },
    count (scope: TermScope, parentId?: number | null): number {
      if (scope === 'public') return publicTerms.page('category', 0, 0, parentId).total
      return (parentId !== undefined ? countByParentStmt.get(parentId) : countStmt.get()) as number
    },
    findByRef (ref: Ref, scope: TermScope): CategoryRow | undefined {
      const row = withCount((ref.id !== undefined ? byIdStmt.get({ id: ref.id }) : bySlugStmt.get({ slug: ref.slug })) as CategoryRow | undefined)
      return row !== undefined && (scope === 'all' || publicTerms.isPublic('category', row.id)) ? row : undefined
    },
    /** The category and all its sub-categories, at any depth. */
    withDescendants (id: number): number[] {
      return descendantsStmt.all(id) as number[]
    }
  }
}
export type CategoriesRepository = ReturnType<typeof createCategoriesRepository>

/** Writes to categories; callers run them inside a transaction. */
export function createCategoriesWriter (db: Db) {
  const client = db.$client
  return {
    slugTaken: client.prepare('SELECT 1 FROM categories WHERE slug = ? AND id IS NOT ?').pluck(),
    insert: client.prepare(`INSERT INTO categories (slug, name, description, parent_id, created_at, updated_at)
      VALUES (@slug, @name, @description, @parent_id, @now, @now) RETURNING id`).pluck(),
    update: client.prepare(`UPDATE categories SET slug = @slug, name = @name, description = @description, parent_id = @parent_id,
      updated_at = @now WHERE id = @id`),
    remove: client.prepare('DELETE FROM categories WHERE id = ?'),
    raw: client.prepare('SELECT id, slug, name, description, parent_id FROM categories WHERE id = ?'),
    usage: client.prepare('SELECT count(*) FROM post_categories WHERE category_id = ?').pluck(),
    children: client.prepare('SELECT id, slug FROM categories WHERE parent_id = ?'),
    reparent: client.prepare('UPDATE categories SET parent_id = ?, updated_at = ? WHERE parent_id = ?'),
    ancestors: client.prepare(`WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM categories WHERE id = ?
      UNION SELECT c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id) SELECT id FROM up`).pluck(),
    // Moves posts to another category, keeping position; posts that already have it just lose the old one.
    reassign: client.prepare(`UPDATE OR IGNORE post_categories SET category_id = @to WHERE category_id = @from`),
    dropLinks: client.prepare('DELETE FROM post_categories WHERE category_id = ?'),
    postsOf: client.prepare('SELECT post_id FROM post_categories WHERE category_id = ?').pluck()
  }
}
