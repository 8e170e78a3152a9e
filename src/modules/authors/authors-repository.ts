import type { Db } from '../../db/client.js'
import type { Ref } from '../../lib/refs.js'

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

const COLUMNS = `a.id, a.slug, a.name, a.email, a.bio, a.avatar_url, a.website, a.created_at, a.updated_at,
  (SELECT count(*) FROM posts p WHERE p.author_id = a.id AND p.status = 'published' AND p.published_at <= @now) AS post_count`

/** All database access for authors. */
export function createAuthorsRepository (db: Db) {
  const client = db.$client
  const listStmt = client.prepare(`SELECT ${COLUMNS} FROM authors a ORDER BY a.name, a.id LIMIT @limit OFFSET @offset`)
  const countStmt = client.prepare('SELECT count(*) FROM authors').pluck()
  const byIdStmt = client.prepare(`SELECT ${COLUMNS} FROM authors a WHERE a.id = @id`)
  const bySlugStmt = client.prepare(`SELECT ${COLUMNS} FROM authors a WHERE a.slug = @slug`)
  return {
    list (opts: { limit: number, offset: number, now: number }): AuthorRow[] {
      return listStmt.all(opts) as AuthorRow[]
    },
    count (): number {
      return countStmt.get() as number
    },
    findByRef (ref: Ref, now: number): AuthorRow | undefined {
      return (ref.id !== undefined ? byIdStmt.get({ id: ref.id, now }) : bySlugStmt.get({ slug: ref.slug, now })) as AuthorRow | undefined
    }
  }
}
export type AuthorsRepository = ReturnType<typeof createAuthorsRepository>
