import { createHash } from 'node:crypto'
import type { Emit, Writer } from '../../db/write.js'
import type { CommentStatus } from '../../db/schema.js'
import { hashClientAddress } from '../../lib/client-address.js'
import { CommentsClosed, DuplicateComment, FieldError, NotFound } from '../../errors.js'
import { formatCommentText } from '../../lib/comment-text.js'
import type { SiteRow } from '../site/site-repository.js'
import type { CommentRow, CommentsRepository } from './comments-repository.js'
import type { CreateCommentBodyType } from './comments-schemas.js'

export interface Submission extends CreateCommentBodyType {
  clientAddress: string
  userAgent: string | undefined
}

export interface CommentsServiceDeps {
  repo: CommentsRepository
  write: Writer
  /** The per-installation key commenters' networks are hashed with (db/client-hash-key.ts). */
  hashKey: string
  /** Tells the change bus that posts changed without a write of their own (comment_count). */
  touchPosts: (emit: Emit, ids: number[]) => void
}

/** A commenter's URL in normal form, so quotes and angle brackets are percent-encoded. */
function normalizeUrl (text: string): string {
  try {
    return new URL(text).toString()
  } catch {
    throw new FieldError([{ in: 'body', path: 'author_url', message: 'is not a valid http(s) URL' }])
  }
}

/** Hash of the normalised text, for duplicate detection. */
export function contentHash (text: string): string {
  return createHash('sha256').update(text.trim().replace(/\s+/g, ' ').toLowerCase()).digest('hex')
}

/**
 * Public submission and moderation of comments. Every change runs in one transaction that
 * keeps posts.comment_count right and feeds the change log and webhooks.
 */
export function createCommentsService (deps: CommentsServiceDeps) {
  const { repo, write, hashKey, touchPosts } = deps

  function load (id: number): CommentRow {
    const row = repo.findById(id)
    if (row === undefined) throw new NotFound('Comment', String(id))
    return row
  }

  return {
    /** A reader's comment on a live post (`open`: the post takes comments); returns the stored row. */
    submit (post: { id: number, open: boolean }, site: SiteRow, input: Submission): CommentRow {
      if (!site.commentsEnabled || !post.open) throw new CommentsClosed()
      const formatted = formatCommentText(input.content)
      if (formatted.links > site.commentMaxLinks) {
        throw new FieldError([{ in: 'body', path: 'content', message: `has ${formatted.links} links; at most ${site.commentMaxLinks} are allowed` }], 422)
      }
      const hash = contentHash(input.content)
      const client = hashClientAddress(hashKey, input.clientAddress)
      // Kept as typed: first_time trusts an author only on the exact name and e-mail of an
      // approved comment (as WordPress's check_comment does); duplicates ignore case.
      const email = input.author_email.trim()
      const name = input.author_name.trim()
      const id = write((emit) => {
        let parentId: number | null = null
        if (input.parent_id !== undefined) {
          const parent = repo.findById(input.parent_id)
          if (parent === undefined || parent.postId !== post.id || parent.status !== 'approved' || parent.deletedAt !== null) {
            throw new FieldError([{ in: 'body', path: 'parent_id', message: 'is not a visible comment on this post' }], 422)
          }
          if (parent.depth + 1 >= site.commentMaxDepth) {
            throw new FieldError([{ in: 'body', path: 'parent_id', message: `replies may nest at most ${site.commentMaxDepth} levels deep` }], 422)
          }
          parentId = parent.id
        }
        if (repo.isDuplicate(post.id, hash, email, client)) throw new DuplicateComment()
        let status: CommentStatus = 'pending'
        if (input.website !== undefined && input.website.trim() !== '') status = 'spam'
        else if (site.commentModeration === 'none') status = 'approved'
        // Name and e-mail are not verified, so whoever knows them could post as a trusted author:
        // a comment with links waits for a moderator even then, which takes away what spam is for.
        else if (site.commentModeration === 'first_time' && formatted.links === 0 && repo.isKnownAuthor(name, email)) status = 'approved'
        const newId = repo.insert({
          postId: post.id,
          parentId,
          authorName: name,
          authorEmail: email,
          // Normalised so quotes and angle brackets are percent-encoded wherever it is rendered.
          authorUrl: input.author_url ? normalizeUrl(input.author_url) : null,
          content: input.content,
          contentHtml: formatted.html,
          contentHash: hash,
          status,
          clientHash: client,
          userAgent: input.userAgent?.slice(0, 500) ?? null,
          createdAt: Date.now()
        })
        emit({ kind: 'comment', id: newId, postId: post.id, before: null, after: status })
        if (status === 'approved') touchPosts(emit, [post.id])
        return newId
      })
      return load(id)
    },

    /** Moderation: status and/or content. */
    update (id: number, input: { status?: CommentStatus, content?: string }): CommentRow {
      write((emit, now) => {
        const old = load(id)
        if (old.deletedAt !== null) throw new FieldError([{ in: 'params', path: 'id', message: 'the comment was deleted; only its replies remain' }], 422)
        if (input.content !== undefined) {
          const formatted = formatCommentText(input.content)
          repo.setContent(id, { content: input.content, contentHtml: formatted.html, contentHash: contentHash(input.content) }, now)
        }
        const status = input.status ?? old.status
        if (status !== old.status) repo.setStatus(id, status, now)
        repo.recount(old.postId)
        emit({ kind: 'comment', id, postId: old.postId, before: old.status, after: status })
        if (old.status === 'approved' || status === 'approved') touchPosts(emit, [old.postId])
      })
      return load(id)
    },

    /** Deletes a comment; with replies it stays as a tombstone so no reply is lost. Returns whether it was kept. */
    remove (id: number): { tombstone: boolean } {
      return write((emit, now) => {
        const old = load(id)
        const keep = repo.hasReplies(id)
        if (keep) repo.tombstone(id, now)
        else repo.remove(id)
        repo.recount(old.postId)
        emit({ kind: 'comment', id, postId: old.postId, before: old.status, after: null })
        if (old.status === 'approved') touchPosts(emit, [old.postId])
        return { tombstone: keep }
      })
    }
  }
}
export type CommentsService = ReturnType<typeof createCommentsService>
