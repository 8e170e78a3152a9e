import type { Db } from '../../db/client.js'
import type { ContentChange } from '../../db/change-bus.js'
import type { CommentsSyncRepository, ThreadRow } from './comments-repository.js'
import type { CommentDocumentsSyncRepository } from './comments-documents-repository.js'
import { toPublicComment } from './comments-mapper.js'
import { contentHash } from '../../lib/content-hash.js'

// The comments' read model: every comment a public thread can show (approved, or deleted and
// kept as a tombstone for its replies) stored as its public JSON beside its place in the thread
// (comment_documents, 0006_read_model.sql). A thread is then one index range scan on
// (post_id, path) and a concatenation (comments-routes.ts); which stored comments are shown
// follows the same rule as from the rows (visibleThread).
//
// Who keeps them fresh: triggers delete a comment's document and queue it whenever a column
// the thread shows changes; every write through the writer rebuilds what it queued before it
// commits (at most SETTLE_LIMIT comments, the rest in the background). A post's thread is read
// from its documents only while it is complete (comment_threads holds the post with the
// current fingerprint and none of its comments is queued); otherwise from the rows, as before.
// A new post's thread is complete from its creation; posts from before the read model get
// theirs from the background step.

/**
 * The format of the stored comments; a thread built with another is read from the rows until
 * rebuilt. 2: each comment's JSON is stored with its hash (a thread page's ETag is made of them).
 */
export const COMMENT_DOCUMENT_VERSION = '2'

/** Comments one write rebuilds before it commits. */
export const SETTLE_LIMIT = 500

/** Whether the public thread can show a comment (visibleThread decides where). */
function isPublic (row: Pick<ThreadRow, 'status' | 'deletedAt'>): boolean {
  return row.status === 'approved' || row.deletedAt !== null
}

export interface CommentDocumentsDeps {
  db: Db
  repo: CommentDocumentsSyncRepository
  comments: Pick<CommentsSyncRepository, 'threadRowsOf' | 'publicThread'>
  onError?: (commentId: number, err: unknown) => void
}

/** Builds and stores the comments' documents; see the comment at the top of this file. */
export function createCommentDocuments (deps: CommentDocumentsDeps) {
  const { db, repo, comments } = deps
  const fingerprint = COMMENT_DOCUMENT_VERSION

  function store (row: ThreadRow): void {
    try {
      const json = JSON.stringify(toPublicComment(row))
      repo.save({ commentId: row.id, postId: row.postId, path: row.path, parentId: row.parentId, deleted: row.deletedAt !== null, json, hash: contentHash(json) })
    } catch (err) {
      // The thread is read from the rows until it is built again, rather than failing the write.
      repo.unmarkThread(row.postId)
      deps.onError?.(row.id, err)
    }
  }

  /** Builds the documents of these comments (removing those no longer public) and takes them off the queue. */
  function refresh (queued: ReadonlyArray<{ id: number }>): void {
    if (queued.length === 0) return
    const ids = queued.map((q) => q.id)
    const rows = new Map(comments.threadRowsOf(ids).map((r) => [r.id, r]))
    for (const id of ids) {
      const row = rows.get(id)
      if (row !== undefined && isPublic(row)) store(row)
      else repo.remove(id)
    }
    repo.dequeue(ids)
  }

  /** Stores every public comment of a post afresh and marks its thread complete. */
  function buildThread (postId: number): void {
    repo.removeThread(postId)
    for (const row of comments.publicThread(postId)) store(row)
    repo.markThread(postId, fingerprint)
  }

  let fillFrom: number | null = 0

  return {
    fingerprint,

    /** The post's stored public thread, or null when it must be read from the rows. */
    thread: (postId: number) => repo.thread(postId, fingerprint),

    /**
     * Inside a write's transaction: a post created by it has a complete (empty) thread; the
     * comments it queued are rebuilt, up to SETTLE_LIMIT. True when more is left.
     */
    settle (changes: readonly ContentChange[]): boolean {
      for (const c of changes) {
        if (c.kind === 'post' && c.before === null && c.after !== null) repo.markThread(c.id, fingerprint)
      }
      const queued = repo.queued(SETTLE_LIMIT + 1)
      refresh(queued.slice(0, SETTLE_LIMIT))
      return queued.length > SETTLE_LIMIT
    },

    /** One background step of about `budgetMs`, in its own transaction: the queue, then (once after start) incomplete threads. */
    step (budgetMs: number): { built: number, more: boolean } {
      return db.transaction(() => {
        const start = performance.now()
        let built = 0
        for (;;) {
          const queued = repo.queued(64)
          if (queued.length > 0) {
            refresh(queued)
            built += queued.length
          } else {
            if (fillFrom === null) return { built, more: false }
            if (fillFrom === 0) {
              // Every thread complete (the usual start): two counts instead of a walk of every
              // post that finds none (a whole-table scan, in one step, at 100,000 posts).
              const { posts, current } = repo.coverage(fingerprint)
              if (posts === current) {
                fillFrom = null
                return { built, more: false }
              }
            }
            const posts = repo.postsWithoutThread(fillFrom, 32, fingerprint)
            if (posts.length === 0) {
              fillFrom = null
              return { built, more: false }
            }
            for (const id of posts) buildThread(id)
            fillFrom = posts[posts.length - 1]
            built += posts.length
          }
          if (performance.now() - start >= budgetMs) return { built, more: true }
        }
      }, { behavior: 'immediate' })
    },

    /** Makes the next steps look again for incomplete threads. */
    refill (): void {
      fillFrom = 0
    },

    /** Every thread is to be built again (`npm run cli -- rebuild`); until then it is read from the rows. */
    rebuildAll (): void {
      repo.unmarkAll()
    },

    buildThread
  }
}
export type CommentDocuments = ReturnType<typeof createCommentDocuments>
