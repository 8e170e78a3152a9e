import { and, asc, count, eq, gt, notExists, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { settled, type EngineDb } from '../../db/engine-port.js'
import type { PgDb } from '../../db/pg/client.js'
import * as pgr from '../../db/pg/read-model.js'
import { posts } from '../../db/schema.js'
import { commentDocuments, commentQueue, commentThreads } from '../../db/read-model.js'
import { idList, inIdList } from '../../db/statements.js'

const p = sql.placeholder

/** A public comment's stored document. */
export type CommentDocumentValues = typeof commentDocuments.$inferInsert

/** A stored comment of a thread: what the visible-thread rule needs, its JSON and the JSON's hash. */
export interface StoredComment { id: number, parentId: number | null, deleted: boolean, json: string, hash: string }

/**
 * The SQL of the comments' read model (0006_read_model.sql) on SQLite, synchronously: stored
 * public comments, which posts have a complete set of them, and the queue the triggers fill.
 * The settle step and the background builder (comments-documents.ts) use it inside their
 * synchronous transactions until the read model's workers are ported with posts.
 */
export function createCommentDocumentsSyncRepository (db: Db) {
  const d = commentDocuments
  // Complete: the post's thread was built with this fingerprint and none of its comments waits in the queue.
  const ready = db.select({ ready: sql<number>`1` }).from(commentThreads)
    .where(and(eq(commentThreads.postId, p('postId')), eq(commentThreads.fingerprint, p('fingerprint')),
      notExists(db.select({ one: sql`1` }).from(commentQueue).where(eq(commentQueue.postId, p('postId')))))).prepare()
  const thread = db.select({ id: d.commentId, parentId: d.parentId, deleted: d.deleted, json: d.json, hash: d.hash }).from(d)
    .where(eq(d.postId, p('postId'))).orderBy(asc(d.path)).prepare()
  const save = db.insert(d).values({
    commentId: p('commentId'), postId: p('postId'), path: p('path'), parentId: p('parentId'), deleted: p('deleted'), json: p('json'), hash: p('hash')
  }).onConflictDoUpdate({
    target: d.commentId,
    set: { postId: sql`excluded.post_id`, path: sql`excluded.path`, parentId: sql`excluded.parent_id`, deleted: sql`excluded.deleted`, json: sql`excluded.json`, hash: sql`excluded.hash` }
  }).prepare()
  const remove = db.delete(d).where(eq(d.commentId, p('id'))).prepare()
  const removeThread = db.delete(d).where(eq(d.postId, p('postId'))).prepare()
  const markThread = db.insert(commentThreads).values({ postId: p('postId'), fingerprint: p('fingerprint') })
    .onConflictDoUpdate({ target: commentThreads.postId, set: { fingerprint: sql`excluded.fingerprint` } }).prepare()
  const unmarkThread = db.delete(commentThreads).where(eq(commentThreads.postId, p('postId'))).prepare()
  const unmarkAll = db.delete(commentThreads).prepare()
  const queued = db.select({ id: commentQueue.commentId, postId: commentQueue.postId }).from(commentQueue).orderBy(asc(commentQueue.commentId)).limit(p('limit')).prepare()
  const dequeue = db.delete(commentQueue).where(inIdList(commentQueue.commentId, 'ids')).prepare()
  // Posts after `after` whose thread is not complete for this fingerprint.
  const withoutThread = db.select({ id: posts.id }).from(posts)
    .where(and(gt(posts.id, p('after')), notExists(db.select({ one: sql`1` }).from(commentThreads)
      .where(and(eq(commentThreads.postId, posts.id), eq(commentThreads.fingerprint, p('fingerprint')))))))
    .orderBy(asc(posts.id)).limit(p('limit')).prepare()

  // How many posts there are, and how many have a complete thread of a fingerprint (index scans).
  const postCount = db.select({ n: count() }).from(posts).prepare()
  const currentThreads = db.select({ n: count() }).from(commentThreads).innerJoin(posts, eq(posts.id, commentThreads.postId))
    .where(eq(commentThreads.fingerprint, p('fingerprint'))).prepare()

  return {
    /** The post's stored thread in thread order, or null when it is not complete (read the rows). */
    thread (postId: number, fingerprint: string): StoredComment[] | null {
      if (ready.get({ postId, fingerprint }) === undefined) return null
      return thread.all({ postId })
    },

    save (values: CommentDocumentValues): void {
      save.run(values)
    },

    remove (commentId: number): void {
      remove.run({ id: commentId })
    },

    /** Drops every stored comment of a post (before its thread is built again). */
    removeThread (postId: number): void {
      removeThread.run({ postId })
    },

    /** Records that the post's stored comments are complete for this fingerprint. */
    markThread (postId: number, fingerprint: string): void {
      markThread.run({ postId, fingerprint })
    },

    /** The post's stored comments are no longer complete: its thread is read from the rows. */
    unmarkThread (postId: number): void {
      unmarkThread.run({ postId })
    },

    /** No stored thread is complete any more (a rebuild). */
    unmarkAll (): void {
      unmarkAll.run()
    },

    queued (limit: number): Array<{ id: number, postId: number }> {
      return queued.all({ limit })
    },

    dequeue (ids: readonly number[]): void {
      if (ids.length > 0) dequeue.run({ ids: idList(ids) })
    },

    /** Posts, and posts whose thread is complete for this fingerprint: when equal, none is to be looked for. */
    coverage (fingerprint: string): { posts: number, current: number } {
      return { posts: postCount.get()?.n ?? 0, current: currentThreads.get({ fingerprint })?.n ?? 0 }
    },

    /** Up to `limit` posts after `after` (by id) whose thread is not complete for this fingerprint. */
    postsWithoutThread (after: number, limit: number, fingerprint: string): number[] {
      return withoutThread.all({ after, limit, fingerprint }).map((r) => r.id)
    }
  }
}
export type CommentDocumentsSyncRepository = ReturnType<typeof createCommentDocumentsSyncRepository>

/**
 * The public thread's read of the stored comments on either engine (src/db/engine-port.ts),
 * answering Promises (settled at once on SQLite). On PostgreSQL the triggers fill the queue
 * (migrations/pg/0004) but nothing builds documents yet, so a thread with comments is never
 * complete there and is read from the rows, as the rule says.
 */
export interface CommentDocumentsRepository {
  /** The post's stored thread in thread order, or null when it is not complete (read the rows). */
  thread: (postId: number, fingerprint: string) => Promise<StoredComment[] | null>
}

/** On SQLite, with the synchronous twin (`sync`) the settle step and the background builder use. */
export type SqliteCommentDocumentsRepository = CommentDocumentsRepository & { sync: CommentDocumentsSyncRepository }

export function createCommentDocumentsRepository (edb: Extract<EngineDb, { engine: 'sqlite' }>): SqliteCommentDocumentsRepository
export function createCommentDocumentsRepository (edb: EngineDb): CommentDocumentsRepository
export function createCommentDocumentsRepository (edb: EngineDb): CommentDocumentsRepository {
  if (edb.engine === 'postgres') return pgCommentDocumentsRepository(edb.db)
  const sync = createCommentDocumentsSyncRepository(edb.db)
  const repo: SqliteCommentDocumentsRepository = {
    thread: async (postId, fingerprint) => await settled(() => sync.thread(postId, fingerprint)),
    sync
  }
  return repo
}

function pgCommentDocumentsRepository (db: PgDb): CommentDocumentsRepository {
  const { commentDocuments: d, commentThreads: t, commentQueue: q } = pgr
  const ready = db.select({ ready: sql<number>`1` }).from(t)
    .where(and(eq(t.postId, p('postId')), eq(t.fingerprint, p('fingerprint')),
      notExists(db.select({ one: sql`1` }).from(q).where(eq(q.postId, p('postId')))))).prepare('comment_documents_ready')
  // Thread order is byte order of the paths, whatever the database's collation.
  const thread = db.select({ id: d.commentId, parentId: d.parentId, deleted: d.deleted, json: d.json, hash: d.hash }).from(d)
    .where(eq(d.postId, p('postId'))).orderBy(sql`${d.path} collate "C"`).prepare('comment_documents_thread')
  return {
    async thread (postId, fingerprint) {
      // Ids are `integer` on PostgreSQL; a text holding NUL is in no row (engine-port.ts §4).
      if (!Number.isSafeInteger(postId) || postId < 1 || postId > 2_147_483_647 || fingerprint.includes('\u0000')) return null
      if ((await ready.execute({ postId, fingerprint })).length === 0) return null
      return await thread.execute({ postId })
    }
  }
}
