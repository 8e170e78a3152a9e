import type { Db } from '../../db/client.js'
import type { Ref } from '../../lib/refs.js'
import type { LiveCounts } from '../../db/live-counts.js'
import type { PublicTerms, TermScope } from '../../db/term-visibility.js'
import { idList, IN_ID_LIST } from '../../db/statements.js'

export interface AuthorRow {
  id: number
  slug: string
  name: string
  email: string | null
  bio: string
  avatar_url: string | null
  website: string | null
  created_at: number
  updated_at: number
  post_count: number
}

const COLUMNS = `a.id, a.slug, a.name, a.email, a.bio, a.avatar_url, a.website, a.created_at, a.updated_at`

/** All database access for authors. */
export function createAuthorsRepository (db: Db, counts: LiveCounts, publicTerms: PublicTerms) {
  const client = db.$client
  const listStmt = client.prepare(`SELECT ${COLUMNS} FROM authors a ORDER BY a.name, a.id LIMIT @limit OFFSET @offset`)
  const byIdsStmt = client.prepare(`SELECT ${COLUMNS} FROM authors a WHERE a.id ${IN_ID_LIST}`)
  const countStmt = client.prepare('SELECT count(*) FROM authors').pluck()
  const byIdStmt = client.prepare(`SELECT ${COLUMNS} FROM authors a WHERE a.id = @id`)
  const bySlugStmt = client.prepare(`SELECT ${COLUMNS} FROM authors a WHERE a.slug = @slug`)
  const withCount = (row: AuthorRow | undefined): AuthorRow | undefined => {
    if (row !== undefined) row.post_count = counts('authors').get(row.id) ?? 0
    return row
  }
  return {
    /** A page of authors by name; the public sees only authors with a live post (db/term-visibility.ts). */
    list (opts: { limit: number, offset: number, scope: TermScope }): AuthorRow[] {
      if (opts.scope === 'public') {
        const { ids } = publicTerms.page('author', opts.offset, opts.limit)
        const byId = new Map((byIdsStmt.all(idList(ids)) as AuthorRow[]).map((r) => [r.id, r]))
        return ids.flatMap((id) => byId.has(id) ? [withCount(byId.get(id)) as AuthorRow] : [])
      }
      return (listStmt.all({ limit: opts.limit, offset: opts.offset }) as AuthorRow[]).map((r) => withCount(r) as AuthorRow)
    },
    count (scope: TermScope): number {
      return scope === 'public' ? publicTerms.page('author', 0, 0).total : countStmt.get() as number
    },
    findByRef (ref: Ref, scope: TermScope): AuthorRow | undefined {
      const row = withCount((ref.id !== undefined ? byIdStmt.get({ id: ref.id }) : bySlugStmt.get({ slug: ref.slug })) as AuthorRow | undefined)
      return row !== undefined && (scope === 'all' || publicTerms.isPublic('author', row.id)) ? row : undefined
    }
  }
}
export type AuthorsRepository = ReturnType<typeof createAuthorsRepository>

/** Writes to authors; callers run them inside a transaction. */
export function createAuthorsWriter (db: Db) {
  const client = db.$client
  return {
    slugTaken: client.prepare('SELECT 1 FROM authors WHERE slug = ? AND id IS NOT ?').pluck(),
    insert: client.prepare(`INSERT INTO authors (slug, name, email, bio, avatar_url, website, created_at, updated_at)
      VALUES (@slug, @name, @email, @bio, @avatar_url, @website, @now, @now) RETURNING id`).pluck(),
    update: client.prepare(`UPDATE authors SET slug = @slug, name = @name, email = @email, bio = @bio, avatar_url = @avatar_url,
      website = @website, updated_at = @now WHERE id = @id`),
    remove: client.prepare('DELETE FROM authors WHERE id = ?'),
    raw: client.prepare('SELECT id, slug, name, email, bio, avatar_url, website FROM authors WHERE id = ?'),
    usage: client.prepare('SELECT count(*) FROM posts WHERE author_id = ?').pluck(),
    reassign: client.prepare('UPDATE posts SET author_id = @to WHERE author_id = @from'),
    postsOf: client.prepare('SELECT id FROM posts WHERE author_id = ?').pluck()
  }
}
