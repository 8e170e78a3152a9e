import { and, desc, eq, getTableColumns, isNotNull, isNull, or, sql, count } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { comments, posts, type CommentStatus } from '../../db/schema.js'
import { placeholderOf } from '../../db/placeholders.js'
import { idList, inIdList } from '../../db/statements.js'

// The key-hash, content hash and import key stay in the database: no reader needs them.
const { clientHash: _clientHash, contentHash: _contentHash, importKey: _importKey, ...COLUMNS } = getTableColumns(comments)
const { userAgent: _userAgent, ...THREAD_COLUMNS } = COLUMNS

/** A comment as moderators read it (never its client hash). */
export type CommentRow = Omit<typeof comments.$inferSelect, 'clientHash' | 'contentHash' | 'importKey'>
/** A comment of a public thread. */
export type ThreadRow = Omit<CommentRow, 'userAgent'>

type CommentInsert = typeof comments.$inferInsert
/** A comment to store; path and depth follow its parent. */
export type NewComment = Pick<CommentInsert, 'postId' | 'authorName' | 'content' | 'contentHtml' | 'contentHash' | 'createdAt'>
  & Required<Pick<CommentInsert, 'parentId' | 'authorEmail' | 'authorUrl' | 'status'>>
  & Pick<CommentInsert, 'type' | 'clientHash' | 'userAgent' | 'importKey'>

export interface CommentFilter { status?: CommentStatus, postId?: number }

/** Zero-padded id segment of a comment's materialized path; ORDER BY path is thread order. */
export function pathSegment (id: number): string {
  return String(id).padStart(12, '0')
}

/**
 * All database access for comments: public threads, moderation, and the writes that keep
 * posts.comment_count right. Writes run inside the caller's transaction (the writer's).
 */
export function createCommentsRepository (db: Db) {
  const ph = sql.placeholder
  // Approved comments and tombstones, in thread order; the mapper drops tombstones with no
  // visible replies and replies whose parent is hidden.
  const thread = db.select(THREAD_COLUMNS).from(comments)
    .where(and(eq(comments.postId, ph('postId')), or(eq(comments.status, 'approved'), isNotNull(comments.deletedAt))))
    .orderBy(comments.path).prepare()
  const byId = db.select(COLUMNS).from(comments).where(eq(comments.id, ph('id'))).prepare()
  const threadRowsOf = db.select({ ...THREAD_COLUMNS }).from(comments).where(inIdList(comments.id, 'ids')).prepare()
  const parentOf = db.select({ id: comments.id, postId: comments.postId, path: comments.path, depth: comments.depth })
    .from(comments).where(eq(comments.id, ph('id'))).prepare()
  const insert = db.insert(comments).values({
    postId: ph('postId'),
    parentId: ph('parentId'),
    path: '',
    depth: ph('depth'),
    authorName: ph('authorName'),
    authorEmail: ph('authorEmail'),
    authorUrl: ph('authorUrl'),
    content: ph('content'),
    contentHtml: ph('contentHtml'),
    contentHash: ph('contentHash'),
    status: ph('status'),
    type: ph('type'),
    clientHash: ph('clientHash'),
    userAgent: ph('userAgent'),
    createdAt: ph('createdAt'),
    updatedAt: ph('createdAt'),
    importKey: ph('importKey')
  }).returning({ id: comments.id }).prepare()
  const setPath = db.update(comments).set({ path: placeholderOf(comments.path, 'path') }).where(eq(comments.id, ph('id'))).prepare()
  // comment_count counts approved, undeleted comments; set in the same transaction as the change.
  const recount = db.update(posts)
    .set({ commentCount: db.$count(comments, and(eq(comments.postId, ph('id')), eq(comments.status, 'approved'), isNull(comments.deletedAt))) })
    .where(eq(posts.id, ph('id'))).prepare()
  const setStatus = db.update(comments)
    .set({ status: placeholderOf(comments.status, 'status'), updatedAt: placeholderOf(comments.updatedAt, 'now') })
    .where(eq(comments.id, ph('id'))).prepare()
  const setContent = db.update(comments).set({
    content: placeholderOf(comments.content, 'content'),
    contentHtml: placeholderOf(comments.contentHtml, 'contentHtml'),
    contentHash: placeholderOf(comments.contentHash, 'contentHash'),
    updatedAt: placeholderOf(comments.updatedAt, 'now')
  }).where(eq(comments.id, ph('id'))).prepare()
  const hasReplies = db.select({ id: comments.id }).from(comments).where(eq(comments.parentId, ph('id'))).limit(1).prepare()
  // A tombstone keeps the thread's shape and drops what identifies the author.
  const tombstone = db.update(comments).set({
    deletedAt: placeholderOf(comments.deletedAt, 'now'),
    updatedAt: placeholderOf(comments.updatedAt, 'now'),
    authorName: '',
    authorEmail: null,
    authorUrl: null,
    content: '',
    contentHtml: '',
    clientHash: null,
    userAgent: null
  }).where(eq(comments.id, ph('id'))).prepare()
  const remove = db.delete(comments).where(eq(comments.id, ph('id'))).prepare()
  // The same text on the same post from the same e-mail (any case) or the same network.
  const duplicate = db.select({ id: comments.id }).from(comments).where(and(
    eq(comments.postId, ph('postId')),
    eq(comments.contentHash, ph('contentHash')),
    isNull(comments.deletedAt),
    or(sql`${comments.authorEmail} = ${ph('email')} COLLATE NOCASE`, eq(comments.clientHash, ph('clientHash')))
  )).limit(1).prepare()
  // Exact name and e-mail (binary comparison), like WordPress's comment_previously_approved.
  const knownAuthor = db.select({ id: comments.id }).from(comments).where(and(
    eq(comments.authorName, ph('name')),
    eq(comments.authorEmail, ph('email')),
    eq(comments.status, 'approved'),
    isNull(comments.deletedAt)
  )).limit(1).prepare()

  // The moderation queue's filters: one prepared statement per combination, so each keeps the
  // index its WHERE clause can use.
  const whereOf = (filter: CommentFilter) => and(
    filter.status === undefined ? undefined : eq(comments.status, ph('status')),
    filter.postId === undefined ? undefined : eq(comments.postId, ph('postId'))
  )
  const keyOf = (filter: CommentFilter) => `${filter.status !== undefined}:${filter.postId !== undefined}`
  const lists = new Map<string, ReturnType<typeof prepareList>>()
  const counts = new Map<string, ReturnType<typeof prepareCount>>()
  function prepareList (filter: CommentFilter) {
    return db.select(COLUMNS).from(comments).where(whereOf(filter))
      .orderBy(desc(comments.createdAt), desc(comments.id)).limit(ph('limit')).offset(ph('offset')).prepare()
  }
  function prepareCount (filter: CommentFilter) {
    return db.select({ n: count() }).from(comments).where(whereOf(filter)).prepare()
  }
  const params = (filter: CommentFilter) => ({ status: filter.status, postId: filter.postId })

  function parentOfId (id: number): { id: number, postId: number, path: string, depth: number } | undefined {
    return parentOf.get({ id })
  }

  function recountPost (postId: number): void {
    recount.run({ id: postId })
  }

  return {
    /** Comments a public reader may see on a post (before hiding orphans), in thread order. */
    publicThread (postId: number): ThreadRow[] {
      return thread.all({ postId })
    },

    /** The given comments as a public thread reads them (any status), in no particular order. */
    threadRowsOf (ids: readonly number[]): ThreadRow[] {
      return ids.length === 0 ? [] : threadRowsOf.all({ ids: idList(ids) })
    },

    findById (id: number): CommentRow | undefined {
      return byId.get({ id })
    },

    /** The moderation queue, newest first. */
    list (filter: CommentFilter, limit: number, offset: number): CommentRow[] {
      const key = keyOf(filter)
      let stmt = lists.get(key)
      if (stmt === undefined) lists.set(key, stmt = prepareList(filter))
      return stmt.all({ ...params(filter), limit, offset })
    },

    count (filter: CommentFilter): number {
      const key = keyOf(filter)
      let stmt = counts.get(key)
      if (stmt === undefined) counts.set(key, stmt = prepareCount(filter))
      return stmt.get(params(filter))!.n
    },

    /** Whether the same text was already posted on the post by this e-mail or network. */
    isDuplicate (postId: number, contentHash: string, email: string, clientHash: string | null): boolean {
      return duplicate.get({ postId, contentHash, email, clientHash }) !== undefined
    },

    /** Whether this exact name and e-mail have an approved comment (moderation `first_time`). */
    isKnownAuthor (name: string, email: string): boolean {
      return knownAuthor.get({ name, email }) !== undefined
    },

    hasReplies (id: number): boolean {
      return hasReplies.get({ id }) !== undefined
    },

    parentOf: parentOfId,

    /** Inserts a comment under its parent (path and depth follow it) and recounts the post. */
    insert (c: NewComment): number {
      const parent = c.parentId === null ? undefined : parentOfId(c.parentId)
      const { id } = insert.get({
        ...c,
        parentId: parent?.id ?? null,
        depth: parent ? parent.depth + 1 : 0,
        type: c.type ?? 'comment',
        clientHash: c.clientHash ?? null,
        userAgent: c.userAgent ?? null,
        importKey: c.importKey ?? null
      })!
      setPath.run({ id, path: parent ? `${parent.path}/${pathSegment(id)}` : pathSegment(id) })
      recountPost(c.postId)
      return id
    },

    /** Sets posts.comment_count from the approved, undeleted comments. */
    recount: recountPost,

    setStatus (id: number, status: CommentStatus, now: number): void {
      setStatus.run({ id, status, now })
    },

    setContent (id: number, content: { content: string, contentHtml: string, contentHash: string }, now: number): void {
      setContent.run({ id, ...content, now })
    },

    /** Keeps a deleted comment as a placeholder without author or text, so its replies stay. */
    tombstone (id: number, now: number): void {
      tombstone.run({ id, now })
    },

    remove (id: number): void {
      remove.run({ id })
    }
  }
}
export type CommentsRepository = ReturnType<typeof createCommentsRepository>
