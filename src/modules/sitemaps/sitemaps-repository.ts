import { and, asc, count, desc, eq, gt, lte, or, isNull, sql } from 'drizzle-orm'
import { settled, type EngineDb } from '../../db/engine-port.js'
import type { Db } from '../../db/client.js'
import type { PgDb } from '../../db/pg/client.js'
import * as pgs from '../../db/pg/schema.js'
import { categories, postCategories, postSeo, posts } from '../../db/schema.js'

const p = sql.placeholder

/** A posts sitemap's entry: the post, when it last changed, the slug of its primary category. */
export interface SitemapPostRow { id: number, slug: string, updatedAt: number, category: string | null }
/** A news sitemap's entry: an entry with its title and publication time. */
export interface SitemapNewsRow extends SitemapPostRow { title: string, publishedAt: number | null }

/**
 * The live, indexable posts of the sitemaps: id order, a page at a time, with the slug of the
 * primary category. On both engines (src/db/engine-port.ts): the same queries over each
 * engine's twin tables, answered as Promises — settled at once on SQLite.
 */
export interface SitemapsRepository {
  /** Live, indexable posts published after `since`, newest first (ties: higher id first), at most `limit`. */
  news: (now: number, since: number, limit: number) => Promise<SitemapNewsRow[]>
  /** How many posts the posts sitemaps list. */
  countPosts: (now: number) => Promise<number>
  /** A page of them, by id. */
  posts: (now: number, offset: number, limit: number) => Promise<SitemapPostRow[]>
}

export function createSitemapsRepository (edb: EngineDb): SitemapsRepository {
  return edb.engine === 'sqlite' ? onSqlite(edb.db) : onPostgres(edb.db)
}

function onSqlite (db: Db): SitemapsRepository {
  // Live (published, its time come) and not marked noindex.
  const indexable = and(eq(posts.status, 'published'), lte(posts.publishedAt, p('now')), or(isNull(postSeo.noindex), eq(postSeo.noindex, false)))
  const total = db.select({ n: count() }).from(posts).leftJoin(postSeo, eq(postSeo.postId, posts.id)).where(indexable).prepare()
  const page = db.select({ id: posts.id, slug: posts.slug, updatedAt: posts.updatedAt, category: categories.slug })
    .from(posts)
    .leftJoin(postSeo, eq(postSeo.postId, posts.id))
    .leftJoin(postCategories, and(eq(postCategories.postId, posts.id), eq(postCategories.position, 0)))
    .leftJoin(categories, eq(categories.id, postCategories.categoryId))
    .where(indexable)
    .orderBy(asc(posts.id))
    .limit(p('limit')).offset(p('offset'))
    .prepare()
  // The newest live, indexable posts published after `since` (the Google News sitemap), by
  // the status/published_at index.
  const news = db.select({ id: posts.id, slug: posts.slug, title: posts.title, publishedAt: posts.publishedAt, updatedAt: posts.updatedAt, category: categories.slug })
    .from(posts)
    .leftJoin(postSeo, eq(postSeo.postId, posts.id))
    .leftJoin(postCategories, and(eq(postCategories.postId, posts.id), eq(postCategories.position, 0)))
    .leftJoin(categories, eq(categories.id, postCategories.categoryId))
    .where(and(indexable, gt(posts.publishedAt, p('since'))))
    .orderBy(desc(posts.publishedAt), desc(posts.id))
    .limit(p('limit'))
    .prepare()
  return {
    news: async (now, since, limit) => await settled(() => news.all({ now, since, limit })),
    countPosts: async (now) => await settled(() => total.get({ now })?.n ?? 0),
    posts: async (now, offset, limit) => await settled(() => page.all({ now, offset, limit }))
  }
}

function onPostgres (db: PgDb): SitemapsRepository {
  const { categories, postCategories, postSeo, posts } = pgs
  const indexable = and(eq(posts.status, 'published'), lte(posts.publishedAt, p('now')), or(isNull(postSeo.noindex), eq(postSeo.noindex, false)))
  // Named statements: each pooled connection parses them once.
  const total = db.select({ n: count() }).from(posts).leftJoin(postSeo, eq(postSeo.postId, posts.id)).where(indexable).prepare('sitemaps_count')
  const page = db.select({ id: posts.id, slug: posts.slug, updatedAt: posts.updatedAt, category: categories.slug })
    .from(posts)
    .leftJoin(postSeo, eq(postSeo.postId, posts.id))
    .leftJoin(postCategories, and(eq(postCategories.postId, posts.id), eq(postCategories.position, 0)))
    .leftJoin(categories, eq(categories.id, postCategories.categoryId))
    .where(indexable)
    .orderBy(asc(posts.id))
    .limit(p('limit')).offset(p('offset'))
    .prepare('sitemaps_posts')
  const news = db.select({ id: posts.id, slug: posts.slug, title: posts.title, publishedAt: posts.publishedAt, updatedAt: posts.updatedAt, category: categories.slug })
    .from(posts)
    .leftJoin(postSeo, eq(postSeo.postId, posts.id))
    .leftJoin(postCategories, and(eq(postCategories.postId, posts.id), eq(postCategories.position, 0)))
    .leftJoin(categories, eq(categories.id, postCategories.categoryId))
    .where(and(indexable, gt(posts.publishedAt, p('since'))))
    .orderBy(desc(posts.publishedAt), desc(posts.id))
    .limit(p('limit'))
    .prepare('sitemaps_news')
  return {
    news: async (now, since, limit) => await news.execute({ now, since, limit }),
    countPosts: async (now) => (await total.execute({ now }))[0]?.n ?? 0,
    posts: async (now, offset, limit) => await page.execute({ now, offset, limit })
  }
}
