import { and, count, eq, lte, sql } from 'drizzle-orm'
import type { Db } from './client.js'
import { posts } from './schema.js'
import { commentQueue, commentThreads, postDocuments, postQueue } from './read-model.js'
import { relatedLists, relatedQueue } from './read-model-related.js'

/** What the read model still has to build: queued rows, and posts without a current document or thread. */
export interface ReadModelBacklog {
  postQueue: number
  commentQueue: number
  /** Posts without a document of the current fingerprint. */
  postsMissing: number
  /** Posts whose comment thread is not built with the current fingerprint. */
  threadsMissing: number
  /** Posts whose related list waits to be rebuilt (related_queue). */
  relatedQueue: number
  /** Live posts without a stored related list. */
  relatedMissing: number
}

/**
 * How far the read model is from complete, from counts alone (each an index scan, a few
 * milliseconds at 100,000 posts): what the benchmark waits on before it measures, and what an
 * operator can poll. Works from any connection to the file, so another process can ask.
 */
export function createReadModelStatus (db: Db) {
  const postCount = db.select({ n: count() }).from(posts).prepare()
  const queuedPosts = db.select({ n: count() }).from(postQueue).prepare()
  const queuedComments = db.select({ n: count() }).from(commentQueue).prepare()
  const currentDocuments = db.select({ n: count() }).from(postDocuments).where(eq(postDocuments.fingerprint, sql.placeholder('fingerprint'))).prepare()
  const queuedRelated = db.select({ n: count() }).from(relatedQueue).prepare()
  const lists = db.select({ n: count() }).from(relatedLists).prepare()
  const live = db.select({ n: count() }).from(posts).where(and(eq(posts.status, 'published'), lte(posts.publishedAt, sql.placeholder('now')))).prepare()
  const currentThreads = db.select({ n: count() }).from(commentThreads).where(eq(commentThreads.fingerprint, sql.placeholder('fingerprint'))).prepare()
  return {
    backlog (fingerprints: { posts: string, comments: string }, now = Date.now()): ReadModelBacklog {
      const all = postCount.get()?.n ?? 0
      return {
        postQueue: queuedPosts.get()?.n ?? 0,
        commentQueue: queuedComments.get()?.n ?? 0,
        postsMissing: all - (currentDocuments.get({ fingerprint: fingerprints.posts })?.n ?? 0),
        threadsMissing: all - (currentThreads.get({ fingerprint: fingerprints.comments })?.n ?? 0),
        relatedQueue: queuedRelated.get()?.n ?? 0,
        relatedMissing: Math.max(0, (live.get({ now })?.n ?? 0) - (lists.get()?.n ?? 0))
      }
    }
  }
}
export type ReadModelStatus = ReturnType<typeof createReadModelStatus>

/** True when nothing is left to build. */
export function isComplete (b: ReadModelBacklog): boolean {
  return Object.values(b).every((n) => n <= 0)
}
