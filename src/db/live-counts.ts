import { and, count, eq, inArray, lte, sql } from 'drizzle-orm'
import type { Db } from './client.js'
import type { PgDb } from './pg/client.js'
import * as pgs from './pg/schema.js'
import { postAuthors, postCategories, posts, postTags } from './schema.js'

/**
 * Live post counts per category, tag and author, computed in one grouped query each and
 * remembered until the content stamp changes. Taxonomy lists then cost a map lookup per
 * row instead of a correlated count over the posts table.
 */
export function createLiveCounts (db: Db, stamp: () => string) {
  const isLive = and(eq(posts.status, 'published'), lte(posts.publishedAt, sql.placeholder('now')))
  // The live post ids come from the covering (status, published_at, id) index, never the rows.
  const live = db.select({ id: posts.id }).from(posts).where(isLive)
  const queries = {
    categories: db.select({ id: postCategories.categoryId, n: count() }).from(postCategories).where(inArray(postCategories.postId, live)).groupBy(postCategories.categoryId).prepare(),
    tags: db.select({ id: postTags.tagId, n: count() }).from(postTags).where(inArray(postTags.postId, live)).groupBy(postTags.tagId).prepare(),
    // Co-authored posts count for each of their authors (post_authors holds the primary author too).
    authors: db.select({ id: postAuthors.authorId, n: count() }).from(postAuthors).where(inArray(postAuthors.postId, live)).groupBy(postAuthors.authorId).prepare()
  }
  const memo = new Map<keyof typeof queries, { stamp: string, counts: Map<number, number> }>()
  return function countsOf (kind: keyof typeof queries): Map<number, number> {
    const current = stamp()
    const hit = memo.get(kind)
    if (hit !== undefined && hit.stamp === current) return hit.counts
    const counts = new Map(queries[kind].all({ now: Date.now() }).map((r) => [r.id, r.n]))
    memo.set(kind, { stamp: current, counts })
    return counts
  }
}
export type LiveCounts = ReturnType<typeof createLiveCounts>

/** The live counts of either engine, as Promises (src/db/engine-port.ts). */
export type EngineLiveCounts = (kind: 'categories' | 'tags' | 'authors') => Promise<Map<number, number>>

/**
 * The live counts on PostgreSQL: the same grouped queries over the twin tables, remembered
 * until the content stamp changes. (On SQLite the synchronous counts above answer, through
 * `settled`: createTermReads in term-visibility.ts.)
 */
export function createPgLiveCounts (db: PgDb, stamp: () => string): EngineLiveCounts {
  const { posts, postCategories, postTags, postAuthors } = pgs
  const isLive = and(eq(posts.status, 'published'), lte(posts.publishedAt, sql.placeholder('now')))
  const live = db.select({ id: posts.id }).from(posts).where(isLive)
  const queries = {
    categories: db.select({ id: postCategories.categoryId, n: count() }).from(postCategories).where(inArray(postCategories.postId, live)).groupBy(postCategories.categoryId).prepare('terms_live_categories'),
    tags: db.select({ id: postTags.tagId, n: count() }).from(postTags).where(inArray(postTags.postId, live)).groupBy(postTags.tagId).prepare('terms_live_tags'),
    authors: db.select({ id: postAuthors.authorId, n: count() }).from(postAuthors).where(inArray(postAuthors.postId, live)).groupBy(postAuthors.authorId).prepare('terms_live_authors')
  }
  const memo = new Map<keyof typeof queries, { stamp: string, counts: Promise<Map<number, number>> }>()
  return async function countsOf (kind) {
    const current = stamp()
    const hit = memo.get(kind)
    if (hit !== undefined && hit.stamp === current) return await hit.counts
    // The Promise is remembered, so requests arriving together share one query; a failed one is forgotten.
    const counts = queries[kind].execute({ now: Date.now() }).then((rows) => new Map(rows.map((r) => [r.id, r.n])))
    memo.set(kind, { stamp: current, counts })
    counts.catch(() => { if (memo.get(kind)?.counts === counts) memo.delete(kind) })
    return await counts
  }
}
