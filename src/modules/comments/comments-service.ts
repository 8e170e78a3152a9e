import { createHash } from 'node:crypto'
import type { EngineTx } from '../../db/engine-port.js'
import type { EngineWrite } from '../../db/engine-write.js'
import type { Emit } from '../../db/write.js'
import type { CommentStatus } from '../../db/schema.js'
import { hashClientAddress } from '../../lib/client-address.js'
import { CommentsClosed, DuplicateComment, FieldError, NotFound } from '../../errors.js'
import { formatCommentText } from '../../lib/comment-text.js'
import type { SiteRow } from '../site/site-repository.js'
import type { CommentRow, CommentsRepository } from './comments-repository.js'
import type { CreateCommentBodyType } from './comments-schemas.js'
import { touchedPosts } from '../posts/posts-touched.js'

export interface Submission extends CreateCommentBodyType {
  clientAddress: string
  userAgent: string | undefined
}

export interface CommentsServiceDeps {
  repo: CommentsRepository
  /** The engine-neutral writer (src/db/engine-write.ts): every change one transaction. */
  write: EngineWrite
  /** The per-installation key commenters' networks are hashed with (db/client-hash-key.ts). */
  hashKey: string
}

/**
 * A text holding NUL is refused as a 400 on both engines (PostgreSQL text cannot store it):
 * HTTP bodies are refused before (plugins/validation.ts), this keeps the rule for every caller.
 */
function refuseNul (fields: Record<string, unknown>): void {
  const errors = Object.entries(fields).flatMap(([path, value]) => typeof value === 'string' && value.includes('\u0000')
    ? [{ in: 'body' as const, path, message: 'must not contain the NUL character (U+0000)' }]
    : [])
  if (errors.length > 0) throw new FieldError(errors)
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
  const { repo, write, hashKey } = deps

  async function load (id: number, tx?: EngineTx): Promise<CommentRow> {
    const row = await repo.findById(id, tx)
    if (row === undefined) throw new NotFound('Comment', String(id))
    return row
  }
  /** Announces posts whose comment_count may have changed (change log, webhooks, cache purges). */
  async function touch (tx: EngineTx, emit: Emit, postIds: number[]): Promise<void> {
    for (const change of await touchedPosts(tx, postIds)) emit(change)
  }

  return {
    /** A reader's comment on a live post (`open`: the post takes comments); returns the stored row. */
    async submit (post: { id: number, open: boolean }, site: SiteRow, input: Submission): Promise<CommentRow> {
      if (!site.commentsEnabled || !post.open) throw new CommentsClosed()
      refuseNul({ author_name: input.author_name, author_email: input.author_email, author_url: input.author_url, content: input.content, website: input.website })
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
      const id = await write(async (tx, emit) => {
        let parentId: number | null = null
        if (input.parent_id !== undefined) {
          const parent = await repo.findById(input.parent_id, tx)
          if (parent === undefined || parent.postId !== post.id || parent.status !== 'approved' || parent.deletedAt !== null) {
            throw new FieldError([{ in: 'body', path: 'parent_id', message: 'is not a visible comment on this post' }], 422)
          }
          if (parent.depth + 1 >= site.commentMaxDepth) {
            throw new FieldError([{ in: 'body', path: 'parent_id', message: `replies may nest at most ${site.commentMaxDepth} levels deep` }], 422)
          }
          parentId = parent.id
        }
        if (await repo.isDuplicate(tx, post.id, hash, email, client)) throw new DuplicateComment()
        let status: CommentStatus = 'pending'
        if (input.website !== undefined && input.website.trim() !== '') status = 'spam'
        else if (site.commentModeration === 'none') status = 'approved'
        // Name and e-mail are not verified, so whoever knows them could post as a trusted author:
        // a comment with links waits for a moderator even then, which takes away what spam is for.
        else if (site.commentModeration === 'first_time' && formatted.links === 0 && await repo.isKnownAuthor(tx, name, email)) status = 'approved'
        const newId = await repo.insert(tx, {
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
          // A header is no field to correct: what PostgreSQL text cannot hold is dropped.
          userAgent: input.userAgent?.replaceAll('\u0000', '').slice(0, 500) ?? null,
          createdAt: Date.now()
        })
        emit({ kind: 'comment', id: newId, postId: post.id, before: null, after: status })
        if (status === 'approved') await touch(tx, emit, [post.id])
        return newId
      })
      return await load(id)
    },

    /** Moderation: status and/or content. */
    async update (id: number, input: { status?: CommentStatus, content?: string }): Promise<CommentRow> {
      refuseNul({ content: input.content })
      await write(async (tx, emit, now) => {
        const old = await load(id, tx)
        if (old.deletedAt !== null) throw new FieldError([{ in: 'params', path: 'id', message: 'the comment was deleted; only its replies remain' }], 422)
        if (input.content !== undefined) {
          const formatted = formatCommentText(input.content)
          await repo.setContent(tx, id, { content: input.content, contentHtml: formatted.html, contentHash: contentHash(input.content) }, now)
        }
        const status = input.status ?? old.status
        if (status !== old.status) await repo.setStatus(tx, id, status, now)
        await repo.recount(tx, old.postId)
        emit({ kind: 'comment', id, postId: old.postId, before: old.status, after: status })
        if (old.status === 'approved' || status === 'approved') await touch(tx, emit, [old.postId])
      })
      return await load(id)
    },

    /** Deletes a comment; with replies it stays as a tombstone so no reply is lost. Returns whether it was kept. */
    async remove (id: number): Promise<{ tombstone: boolean }> {
      return await write(async (tx, emit, now) => {
        const old = await load(id, tx)
        const keep = await repo.hasReplies(tx, id)
        if (keep) await repo.tombstone(tx, id, now)
        else await repo.remove(tx, id)
        await repo.recount(tx, old.postId)
        emit({ kind: 'comment', id, postId: old.postId, before: old.status, after: null })
        if (old.status === 'approved') await touch(tx, emit, [old.postId])
        return { tombstone: keep }
      })
    }
  }
}
export type CommentsService = ReturnType<typeof createCommentsService>
