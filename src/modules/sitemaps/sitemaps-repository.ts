import { and, asc, count, desc, eq, gt, lte, or, isNull, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { categories, postCategories, postSeo, posts } from '../../db/schema.js'

const p = sql.placeholder

/** The live, indexable posts of the sitemaps: id order, a page at a time, with the slug of the primary category. */
export function createSitemapsRepository (db: Db) {
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
    /** Live, indexable posts published after `since`, newest first, at most `limit`. */
    news: (now: number, since: number, limit: number) => news.all({ now, since, limit }),
    countPosts: (now: number): number => total.get({ now })?.n ?? 0,
    posts: (now: number, offset: number, limit: number) => page.all({ now, offset, limit })
  }
}
export type SitemapsRepository = ReturnType<typeof createSitemapsRepository>
