import { and, asc, count, eq, lte, sql } from 'drizzle-orm'
import { settled, type EngineDb } from '../../db/engine-port.js'
import type { Db } from '../../db/client.js'
import type { PgDb } from '../../db/pg/client.js'
import * as pgs from '../../db/pg/schema.js'
import { legacyUrls, posts } from '../../db/schema.js'

const p = sql.placeholder

export type RedirectRow = { postId: number, url: string, path: string, slug: string }
export interface RedirectsPage { rows: RedirectRow[], total: number }

/**
 * The redirect map: old addresses of imported posts (legacy_urls) joined to the posts they
 * became. Only live posts are listed, so a frontend never redirects to a page it cannot show.
 * The first repository ported to both engines (src/db/engine-port.ts): the same queries over
 * each engine's twin tables, answered as Promises — settled at once on SQLite.
 */
export interface RedirectsRepository {
  /** A page of the map, or of the entries for one lookup path (lib/legacy-url.ts), and the total. */
  list: (path: string | null, now: number, limit: number, offset: number) => Promise<RedirectsPage>
}

export function createRedirectsRepository (edb: EngineDb): RedirectsRepository {
  return edb.engine === 'sqlite' ? onSqlite(edb.db) : onPostgres(edb.db)
}

function onSqlite (db: Db): RedirectsRepository {
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
    list: async (path, now, limit, offset) => await settled(() => path === null
      ? { rows: all.all({ now, limit, offset }), total: countAll.get({ now })?.n ?? 0 }
      : { rows: byPath.all({ path, now, limit, offset }), total: countByPath.get({ path, now })?.n ?? 0 })
  }
}

function onPostgres (db: PgDb): RedirectsRepository {
  const { legacyUrls, posts } = pgs
  const columns = { postId: legacyUrls.postId, url: legacyUrls.url, path: legacyUrls.path, slug: posts.slug }
  const live = and(eq(posts.status, 'published'), lte(posts.publishedAt, p('now')))
  // Named statements: each pooled connection parses them once.
  const byPath = db.select(columns).from(legacyUrls).innerJoin(posts, eq(posts.id, legacyUrls.postId))
    .where(and(eq(legacyUrls.path, p('path')), live)).orderBy(asc(legacyUrls.postId)).limit(p('limit')).offset(p('offset')).prepare('redirects_by_path')
  const countByPath = db.select({ n: count() }).from(legacyUrls).innerJoin(posts, eq(posts.id, legacyUrls.postId))
    .where(and(eq(legacyUrls.path, p('path')), live)).prepare('redirects_count_by_path')
  const all = db.select(columns).from(legacyUrls).innerJoin(posts, eq(posts.id, legacyUrls.postId))
    .where(live).orderBy(asc(legacyUrls.postId)).limit(p('limit')).offset(p('offset')).prepare('redirects_all')
  const countAll = db.select({ n: count() }).from(legacyUrls).innerJoin(posts, eq(posts.id, legacyUrls.postId)).where(live).prepare('redirects_count_all')
  return {
    async list (path, now, limit, offset) {
      // PostgreSQL text cannot hold NUL (the query would fail): no stored path has one.
      if (path?.includes('\u0000') === true) return { rows: [], total: 0 }
      // Two statements as on SQLite, sent at once on two pooled connections.
      const [rows, total] = path === null
        ? await Promise.all([all.execute({ now, limit, offset }), countAll.execute({ now })])
        : await Promise.all([byPath.execute({ path, now, limit, offset }), countByPath.execute({ path, now })])
      return { rows, total: total[0]?.n ?? 0 }
    }
  }
}
