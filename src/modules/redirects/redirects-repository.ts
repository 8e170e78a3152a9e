import { and, asc, count, eq, lte, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { legacyUrls, posts } from '../../db/schema.js'

const p = sql.placeholder

export type RedirectRow = { postId: number, url: string, path: string, slug: string }

/**
 * The redirect map: old addresses of imported posts (legacy_urls) joined to the posts they
 * became. Only live posts are listed, so a frontend never redirects to a page it cannot show.
 */
export function createRedirectsRepository (db: Db) {
  const columns = { postId: legacyUrls.postId, url: legacyUrls.url, path: legacyUrls.path, slug: posts.slug }
  const live = and(eq(posts.status, 'published'), lte(posts.publishedAt, p('now')))
  const byPath = db.select(columns).from(legacyUrls).innerJoin(posts, eq(posts.id, legacyUrls.postId))
    .where(and(eq(legacyUrls.path, p('path')), live)).orderBy(asc(legacyUrls.postId)).limit(p('limit')).offset(p('offset')).prepare()
  const countByPath = db.select({ n: count() }).from(legacyUrls).innerJoin(posts, eq(posts.id, legacyUrls.postId))
    .where(and(eq(legacyUrls.path, p('path')), live)).prepare()
  const all = db.select(columns).from(legacyUrls).innerJoin(posts, eq(posts.id, legacyUrls.postId))
    .where(live).orderBy(asc(legacyUrls.postId)).limit(p('limit')).offset(p('offset')).prepare()
  const countAll = db.select({ n: count() }).from(legacyUrls).innerJoin(posts, eq(posts.id, legacyUrls.postId)).where(live).prepare()

  return {
    /** A page of the map, or of the entries for one lookup path (lib/legacy-url.ts), and the total. */
    list (path: string | null, now: number, limit: number, offset: number): { rows: RedirectRow[], total: number } {
      if (path === null) return { rows: all.all({ now, limit, offset }), total: countAll.get({ now })?.n ?? 0 }
      return { rows: byPath.all({ path, now, limit, offset }), total: countByPath.get({ path, now })?.n ?? 0 }
    }
  }
}
export type RedirectsRepository = ReturnType<typeof createRedirectsRepository>
