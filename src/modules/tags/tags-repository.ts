import type { Db } from '../../db/client.js'
import type { Ref } from '../../lib/refs.js'
import type { LiveCounts } from '../../db/live-counts.js'
import type { PublicTerms, TermScope } from '../../db/term-visibility.js'
import { idList, IN_ID_LIST } from '../../db/statements.js'

export interface TagRow {
  id: number
  slug: string
  name: string
  description: string
  created_at: number
  updated_at: number
  post_count: number
}

const COLUMNS = `t.id, t.slug, t.name, t.description, t.created_at, t.updated_at`

/** All database access for tags. */
export function createTagsRepository (db: Db, counts: LiveCounts, publicTerms: PublicTerms) {
  const client = db.$client
  const listStmt = client.prepare(`SELECT ${COLUMNS} FROM tags t ORDER BY t.name, t.id LIMIT @limit OFFSET @offset`)
  const byIdsStmt = client.prepare(`SELECT ${COLUMNS} FROM tags t WHERE t.id ${IN_ID_LIST}`)
  const countStmt = client.prepare('SELECT count(*) FROM tags').pluck()
  const byIdStmt = client.prepare(`SELECT ${COLUMNS} FROM tags t WHERE t.id = @id`)
  const bySlugStmt = client.prepare(`SELECT ${COLUMNS} FROM tags t WHERE t.slug = @slug`)
  const withCount = (row: TagRow | undefined): TagRow | undefined => {
    if (row !== undefined) row.post_count = counts('tags').get(row.id) ?? 0
    return row
  }
  return {
    /** A page of tags by name; the public sees only tags with a live post (db/term-visibility.ts). */
    list (opts: { limit: number, offset: number, scope: TermScope }): TagRow[] {
      if (opts.scope === 'public') {
        const { ids } = publicTerms.page('tag', opts.offset, opts.limit)
        const byId = new Map((byIdsStmt.all(idList(ids)) as TagRow[]).map((r) => [r.id, r]))
        return ids.flatMap((id) => byId.has(id) ? [withCount(byId.get(id)) as TagRow] : [])
      }
      return (listStmt.all({ limit: opts.limit, offset: opts.offset }) as TagRow[]).map((r) => withCount(r) as TagRow)
    },
    count (scope: TermScope): number {
      return scope === 'public' ? publicTerms.page('tag', 0, 0).total : countStmt.get() as number
    },
    findByRef (ref: Ref, scope: TermScope): TagRow | undefined {
      const row = withCount((ref.id !== undefined ? byIdStmt.get({ id: ref.id }) : bySlugStmt.get({ slug: ref.slug })) as TagRow | undefined)
      return row !== undefined && (scope === 'all' || publicTerms.isPublic('tag', row.id)) ? row : undefined
    }
  }
}
export type TagsRepository = ReturnType<typeof createTagsRepository>

/** Writes to tags; callers run them inside a transaction. */
export function createTagsWriter (db: Db) {
  const client = db.$client
  return {
    slugTaken: client.prepare('SELECT 1 FROM tags WHERE slug = ? AND id IS NOT ?').pluck(),
    insert: client.prepare(`INSERT INTO tags (slug, name, description, created_at, updated_at)
      VALUES (@slug, @name, @description, @now, @now) RETURNING id`).pluck(),
    update: client.prepare('UPDATE tags SET slug = @slug, name = @name, description = @description, updated_at = @now WHERE id = @id'),
    remove: client.prepare('DELETE FROM tags WHERE id = ?'),
    raw: client.prepare('SELECT id, slug, name, description FROM tags WHERE id = ?'),
    usage: client.prepare('SELECT count(*) FROM post_tags WHERE tag_id = ?').pluck(),
    reassign: client.prepare('UPDATE OR IGNORE post_tags SET tag_id = @to WHERE tag_id = @from'),
    dropLinks: client.prepare('DELETE FROM post_tags WHERE tag_id = ?'),
    postsOf: client.prepare('SELECT post_id FROM post_tags WHERE tag_id = ?').pluck()
  }
}
