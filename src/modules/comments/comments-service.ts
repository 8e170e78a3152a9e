import { createHash } from 'node:crypto'
import type { Db } from '../../db/client.js'
import { clientHashKey } from '../../db/client-hash-key.js'
import { hashClientAddress } from '../../lib/client-address.js'
import type { Writer } from '../../db/write.js'
import { CommentsClosed, DuplicateComment, FieldError, NotFound } from '../../errors.js'
import { formatCommentText } from '../../lib/comment-text.js'
import { touchPosts } from '../posts/posts-write-service.js'
import type { SiteRow } from '../site/site-repository.js'
import type { PostRow } from '../posts/posts-repository.js'
import { createCommentsWriter, createModerationRepository, type ModerationRow } from './comments-repository.js'
import type { CreateCommentBodyType } from './comments-schemas.js'

export interface Submission extends CreateCommentBodyType {
  clientAddress: string
  userAgent: string | undefined
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
export function createCommentsService (db: Db, write: Writer) {
  const writer = createCommentsWriter(db)
  const mod = createModerationRepository(db)
  const hashKey = clientHashKey(db)

  function load (id: number): ModerationRow {
    const row = mod.byId.get(id) as ModerationRow | undefined
    if (row === undefined) throw new NotFound('Comment', String(id))
    return row
  }

  return {
    /** A reader's comment on a live post; returns the stored row. */
    submit (post: PostRow, site: SiteRow, input: Submission): ModerationRow {
      if (site.comments_enabled !== 1 || post.commentStatus !== 'open') throw new CommentsClosed()
      const formatted = formatCommentText(input.content)
      if (formatted.links > site.comment_max_links) {
        throw new FieldError([{ in: 'body', path: 'content', message: `has ${formatted.links} links; at most ${site.comment_max_links} are allowed` }], 422)
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
          const parent = mod.byId.get(input.parent_id) as ModerationRow | undefined
          if (parent === undefined || parent.post_id !== post.id || parent.status !== 'approved' || parent.deleted_at !== null) {
            throw new FieldError([{ in: 'body', path: 'parent_id', message: 'is not a visible comment on this post' }], 422)
          }
          if (parent.depth + 1 >= site.comment_max_depth) {
            throw new FieldError([{ in: 'body', path: 'parent_id', message: `replies may nest at most ${site.comment_max_depth} levels deep` }], 422)
          }
          parentId = parent.id
        }
        if (mod.duplicate.get(post.id, hash, email, client)) throw new DuplicateComment()
        let status: ModerationRow['status'] = 'pending'
        if (input.website !== undefined && input.website.trim() !== '') status = 'spam'
        else if (site.comment_moderation === 'none') status = 'approved'
        // Name and e-mail are not verified, so whoever knows them could post as a trusted author:
        // a comment with links waits for a moderator even then, which takes away what spam is for.
        else if (site.comment_moderation === 'first_time' && formatted.links === 0 && mod.knownAuthor.get(name, email)) status = 'approved'
        const newId = writer.insert({
          post_id: post.id,
          parent_id: parentId,
          author_name: name,
          author_email: email,
          // Normalised so quotes and angle brackets are percent-encoded wherever it is rendered.
          author_url: input.author_url ? normalizeUrl(input.author_url) : null,
          content: input.content,
          content_html: formatted.html,
          content_hash: hash,
          status,
          client_hash: client,
          user_agent: input.userAgent?.slice(0, 500) ?? null,
          created_at: Date.now()
        })
        emit({ kind: 'comment', id: newId, postId: post.id, before: null, after: status })
        if (status === 'approved') touchPosts(db, emit, [post.id])
        return newId
      })
      return load(id)
    },

    list (filter: { status?: string, postId?: number }, limit: number, offset: number) {
      return { rows: mod.list(filter, limit, offset), total: mod.count(filter) }
    },

    get: load,

    /** Moderation: status and/or content. */
    update (id: number, input: { status?: ModerationRow['status'], content?: string }): ModerationRow {
      write((emit, now) => {
        const old = load(id)
        if (old.deleted_at !== null) throw new FieldError([{ in: 'params', path: 'id', message: 'the comment was deleted; only its replies remain' }], 422)
        if (input.content !== undefined) {
          const formatted = formatCommentText(input.content)
          mod.setContent.run(input.content, formatted.html, contentHash(input.content), now, id)
        }
        const status = input.status ?? old.status
        if (status !== old.status) mod.setStatus.run(status, now, id)
        writer.recount(old.post_id)
        emit({ kind: 'comment', id, postId: old.post_id, before: old.status, after: status })
        if (old.status === 'approved' || status === 'approved') touchPosts(db, emit, [old.post_id])
      })
      return load(id)
    },

    /** Deletes a comment; with replies it stays as a tombstone so no reply is lost. Returns whether it was kept. */
    remove (id: number): { tombstone: boolean } {
      return write((emit, now) => {
        const old = load(id)
        const keep = Boolean(mod.hasReplies.get(id))
        if (keep) mod.tombstone.run(now, now, id)
        else mod.remove.run(id)
        writer.recount(old.post_id)
        emit({ kind: 'comment', id, postId: old.post_id, before: old.status, after: null })
        if (old.status === 'approved') touchPosts(db, emit, [old.post_id])
        return { tombstone: keep }
      })
    }
  }
}
export type CommentsService = ReturnType<typeof createCommentsService>
