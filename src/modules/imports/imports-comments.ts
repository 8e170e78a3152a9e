import { hashClientAddress } from '../../lib/client-address.js'
import { htmlToText } from '../../lib/text.js'
import type { CommentsSyncRepository } from '../comments/comments-repository.js'
import { contentHash } from '../comments/comments-service.js'
import type { ImportContext, ItemTx } from './imports-context.js'
import type { ImportComment, ImportPost } from './imports-items.js'
import type { ImportedCommentFields } from './imports-repository.js'
import { droppedConstructs } from './imports-dropped.js'
import { clip, COMMENT_MAX, commentHtml, emailOrNull, httpUrl, mapCommentStatus, mapCommentType, plain } from './imports-values.js'

function reasonOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function sameComment (old: ImportedCommentFields, next: ImportedCommentFields): boolean {
  return old.authorName === next.authorName && old.authorEmail === next.authorEmail && old.authorUrl === next.authorUrl &&
    old.content === next.content && old.contentHtml === next.contentHtml && old.status === next.status &&
    old.type === next.type && old.createdAt === next.createdAt
}

/**
 * The comments of a post, inside the post's transaction, matched with earlier imports by
 * import key (the post's key and the comment's id). A new comment is inserted through the
 * comments repository, so its thread path, depth and the post's count follow as for a native
 * one; one that fails is skipped alone. A comment deleted here after the last import stays
 * deleted.
 */
export function createCommentImporter ({ repo, report, iframeHosts }: ImportContext, comments: Pick<CommentsSyncRepository, 'insert' | 'recount'>) {
  const hmacKey = repo.clientHashKey()

  function clientHash (address: string | null | undefined): string | null {
    if (address === null || address === undefined || address.trim() === '') return null
    return hashClientAddress(hmacKey, address)
  }

  function importOne (postId: number, post: ImportPost, c: ImportComment, parentId: number | null, tx: ItemTx): { id: number, approvedChanged: boolean } | undefined {
    const ref = `${post.ref} comment ${c.id}`
    const status = mapCommentStatus(c.approved)
    if (status === undefined) {
      report.skip('comment', ref, `unknown comment status "${c.approved}"`)
      return undefined
    }
    const type = mapCommentType(c.type)
    if (type === undefined) {
      report.skip('comment', ref, `comment type "${c.type}" is not a reader comment`)
      return undefined
    }
    if (c.content.length > COMMENT_MAX) report.warn(`${ref}: the comment has ${c.content.length} characters; cut to ${COMMENT_MAX}, the most a comment may have`)
    const { html, before } = commentHtml(clip(c.content, COMMENT_MAX), { iframeHosts, formatted: c.formatted })
    const text = c.text ?? htmlToText(html)
    if (text === '') {
      report.skip('comment', ref, 'no text')
      return undefined
    }
    report.lost(ref, droppedConstructs(before, html))
    const key = `${post.key}:${c.id}`
    const existing = repo.commentByImportKey(key)
    const fields: ImportedCommentFields = {
      authorName: plain(c.authorName, 200) || 'Anonymous',
      authorEmail: emailOrNull(c.authorEmail),
      authorUrl: httpUrl(c.authorUrl),
      content: text,
      contentHtml: html,
      status,
      type,
      // Undated comments keep the time of their first import.
      createdAt: c.date ?? existing?.createdAt ?? tx.now
    }
    if (existing !== undefined) {
      if (existing.postId !== postId) {
        report.skip('comment', ref, `import key ${key} belongs to a comment on another post`)
        return undefined
      }
      if (existing.deletedAt !== null || sameComment(existing, fields)) {
        tx.count('comments', 'unchanged')
        return { id: existing.id, approvedChanged: false }
      }
      repo.updateComment(existing.id, { ...fields, contentHash: contentHash(text), updatedAt: tx.now })
      comments.recount(postId)
      tx.count('comments', 'updated')
      tx.emit({ kind: 'comment', id: existing.id, postId, before: existing.status, after: status })
      return { id: existing.id, approvedChanged: existing.status === 'approved' || status === 'approved' }
    }
    try {
      const id = repo.savepoint(() => comments.insert({
        postId,
        parentId,
        ...fields,
        contentHash: contentHash(text),
        clientHash: clientHash(c.authorIp),
        importKey: key
      }))
      tx.count('comments', 'created')
      tx.emit({ kind: 'comment', id, postId, before: null, after: status })
      return { id, approvedChanged: status === 'approved' }
    } catch (err) {
      report.skip('comment', ref, reasonOf(err))
      return undefined
    }
  }

  return {
    /** The comments of one post, parents before replies however deep; returns whether approved ones changed. */
    importAll (postId: number, post: ImportPost, tx: ItemTx): boolean {
      const dbIds = new Map<string, number>()
      let approvedChanged = false
      let pending = post.comments ?? []
      // Parents may follow their replies in the file: take, round by round, the comments whose
      // parent is placed; what is left has a parent that is not in the file.
      for (let orphans = false; pending.length > 0;) {
        const next: ImportComment[] = []
        for (const c of pending) {
          const parentKnown = c.parentId === null || dbIds.has(c.parentId)
          if (!parentKnown && !orphans) {
            next.push(c)
            continue
          }
          if (!parentKnown) report.warn(`comment ${c.id} on ${post.ref} replies to comment ${c.parentId ?? ''}, which is not in the file: imported as a top-level comment`)
          const placed = importOne(postId, post, c, parentKnown && c.parentId !== null ? dbIds.get(c.parentId) as number : null, tx)
          if (placed !== undefined) {
            dbIds.set(c.id, placed.id)
            approvedChanged ||= placed.approvedChanged
          }
        }
        orphans = next.length === pending.length
        pending = next
      }
      return approvedChanged
    }
  }
}
export type CommentImporter = ReturnType<typeof createCommentImporter>
