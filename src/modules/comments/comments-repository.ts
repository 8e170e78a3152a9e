import { and, desc, eq, getTableColumns, isNotNull, isNull, or, sql, count, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { settled, type EngineDb, type EngineTx } from '../../db/engine-port.js'
import type { PgDb } from '../../db/pg/client.js'
import * as pgs from '../../db/pg/schema.js'
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

const ph = sql.placeholder

export interface CommentFilter { status?: CommentStatus, postId?: number }

/** Zero-padded id segment of a comment's materialized path; ORDER BY path is thread order. */
export function pathSegment (id: number): string {
  return String(id).padStart(12, '0')
}

/**
 * All database access for comments on SQLite, synchronously: public threads, moderation, and
 * the writes that keep posts.comment_count right. Writes run inside the caller's transaction
 * (the writer's). What the engine-neutral repository (below) answers through `settled` on
 * SQLite, and what the callers not yet ported use (`.sync`): the WXR import's comments inside its
 * synchronous item writes, webhook payloads (a listener inside the write), preview threads and
 * the read model's comment documents (settle step and background builder).
 */
export function createCommentsSyncRepository (db: Db) {
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
export type CommentsSyncRepository = ReturnType<typeof createCommentsSyncRepository>

/**
 * Comments on either engine (src/db/engine-port.ts): every method answers a Promise, settled at
 * once on SQLite. Reads take no handle, or the open write's `tx` to read as that write sees;
 * writes take the write's `tx` (on PostgreSQL every statement of a write goes through its client).
 */
export interface CommentsRepository {
  /** Comments a public reader may see on a post (before hiding orphans), in thread order. */
  publicThread: (postId: number) => Promise<ThreadRow[]>
  findById: (id: number, tx?: EngineTx) => Promise<CommentRow | undefined>
  /** The moderation queue, newest first (ties: the higher id first). */
  list: (filter: CommentFilter, limit: number, offset: number) => Promise<CommentRow[]>
  count: (filter: CommentFilter) => Promise<number>
  /** Whether the same text was already posted on the post by this e-mail (ASCII case ignored) or network. */
  isDuplicate: (tx: EngineTx, postId: number, contentHash: string, email: string, clientHash: string | null) => Promise<boolean>
  /** Whether this exact name and e-mail have an approved comment (moderation `first_time`). */
  isKnownAuthor: (tx: EngineTx, name: string, email: string) => Promise<boolean>
  hasReplies: (tx: EngineTx, id: number) => Promise<boolean>
  /** Inserts a comment under its parent (path and depth follow it) and recounts the post. */
  insert: (tx: EngineTx, c: NewComment) => Promise<number>
  /** Sets posts.comment_count from the approved, undeleted comments. */
  recount: (tx: EngineTx, postId: number) => Promise<void>
  setStatus: (tx: EngineTx, id: number, status: CommentStatus, now: number) => Promise<void>
  setContent: (tx: EngineTx, id: number, content: { content: string, contentHtml: string, contentHash: string }, now: number) => Promise<void>
  /** Keeps a deleted comment as a placeholder without author or text, so its replies stay. */
  tombstone: (tx: EngineTx, id: number, now: number) => Promise<void>
  remove: (tx: EngineTx, id: number) => Promise<void>
}

/**
 * On SQLite, the engine-neutral repository and its synchronous twin (`sync`) for the callers
 * not yet ported: the WXR import's comments, webhook payloads, preview threads and the read
 * model's comment documents.
 */
export type SqliteCommentsRepository = CommentsRepository & { sync: CommentsSyncRepository }

export function createCommentsRepository (edb: Extract<EngineDb, { engine: 'sqlite' }>): SqliteCommentsRepository
export function createCommentsRepository (edb: EngineDb): CommentsRepository
export function createCommentsRepository (edb: EngineDb): CommentsRepository {
  if (edb.engine === 'postgres') return pgCommentsRepository(edb.db)
  const { db } = edb
  const sync = createCommentsSyncRepository(db)
  // One connection: a write's reads and statements are this connection's, `tx` or not. Each
  // method is the synchronous statement it was, answered settled (no added round trip: an
  // approval is still two reads, two updates and the post's state).
  const repo: SqliteCommentsRepository = {
    publicThread: async (postId) => await settled(() => sync.publicThread(postId)),
    findById: async (id) => await settled(() => sync.findById(id)),
    list: async (filter, limit, offset) => await settled(() => sync.list(filter, limit, offset)),
    count: async (filter) => await settled(() => sync.count(filter)),
    isDuplicate: async (_tx, postId, hash, email, clientHash) => await settled(() => sync.isDuplicate(postId, hash, email, clientHash)),
    isKnownAuthor: async (_tx, name, email) => await settled(() => sync.isKnownAuthor(name, email)),
    hasReplies: async (_tx, id) => await settled(() => sync.hasReplies(id)),
    insert: async (_tx, c) => await settled(() => sync.insert(c)),
    recount: async (_tx, postId) => { await settled(() => { sync.recount(postId) }) },
    setStatus: async (_tx, id, status, now) => { await settled(() => { sync.setStatus(id, status, now) }) },
    setContent: async (_tx, id, content, now) => { await settled(() => { sync.setContent(id, content, now) }) },
    tombstone: async (_tx, id, now) => { await settled(() => { sync.tombstone(id, now) }) },
    remove: async (_tx, id) => { await settled(() => { sync.remove(id) }) },
    sync
  }
  return repo
}

/** PostgreSQL text holds no NUL: no row has such a value, and asking would fail (engine-port.ts §4). */
const hasNul = (text: string) => text.includes('\u0000')
/**
 * Whether an id can name a row on PostgreSQL: ids are `integer` there, and a parameter past its
 * range fails the query (a 500 for a client's large id) instead of matching nothing.
 */
const isRowId = (id: number) => Number.isSafeInteger(id) && id >= -2_147_483_648 && id <= 2_147_483_647
// SQLite's COLLATE NOCASE folds ASCII letters only; lower() would fold more (ß, accented capitals).
const ASCII_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const ASCII_LOWER = 'abcdefghijklmnopqrstuvwxyz'
const asciiFold = (value: SQL | typeof pgs.comments.authorEmail) => sql`translate(${value}, ${ASCII_UPPER}, ${ASCII_LOWER})`

function pgCommentsRepository (db: PgDb): CommentsRepository {
  const c = pgs.comments
  const { clientHash: _ch, contentHash: _cth, importKey: _ik, ...PG_COLUMNS } = getTableColumns(c)
  const { userAgent: _ua, ...PG_THREAD_COLUMNS } = PG_COLUMNS
  const on = (tx: EngineTx) => {
    if (tx.engine !== 'postgres') throw new Error('a SQLite write handle given to the PostgreSQL comments repository')
    return tx.db
  }
  // Thread order is byte order of the paths (zero-padded ids and '/'), whatever the database's collation.
  const byPath = sql`${c.path} collate "C"`
  // Named: each pooled connection parses them once.
  const thread = db.select(PG_THREAD_COLUMNS).from(c)
    .where(and(eq(c.postId, ph('postId')), or(eq(c.status, 'approved'), isNotNull(c.deletedAt))))
    .orderBy(byPath).prepare('comments_public_thread')
  const byId = db.select(PG_COLUMNS).from(c).where(eq(c.id, ph('id'))).prepare('comments_by_id')
  // The moderation queue's optional filters are left out rather than turned off by NULL
  // parameters: one plain query per shape, each with the index its WHERE clause can use.
  const whereOf = (filter: CommentFilter) => and(
    filter.status === undefined ? undefined : eq(c.status, filter.status),
    filter.postId === undefined ? undefined : eq(c.postId, filter.postId)
  )
  const findIn = async (handle: PgDb | Extract<EngineTx, { engine: 'postgres' }>['db'], id: number) =>
    (await handle.select(PG_COLUMNS).from(c).where(eq(c.id, id)))[0]
  const recountOn = async (tx: EngineTx, postId: number) => {
    await on(tx).update(pgs.posts)
      .set({ commentCount: sql`(select count(*)::int from ${c} where ${c.postId} = ${postId} and ${c.status} = 'approved' and ${c.deletedAt} is null)` })
      .where(eq(pgs.posts.id, postId))
  }

  return {
    async publicThread (postId) {
      if (!isRowId(postId)) return []
      return await thread.execute({ postId })
    },
    async findById (id, tx) {
      if (!isRowId(id)) return undefined
      return tx === undefined ? (await byId.execute({ id }))[0] : await findIn(on(tx), id)
    },
    async list (filter, limit, offset) {
      if (filter.postId !== undefined && !isRowId(filter.postId)) return []
      return await db.select(PG_COLUMNS).from(c).where(whereOf(filter)).orderBy(desc(c.createdAt), desc(c.id)).limit(limit).offset(offset)
    },
    async count (filter) {
      if (filter.postId !== undefined && !isRowId(filter.postId)) return 0
      const [row] = await db.select({ n: count() }).from(c).where(whereOf(filter))
      return row?.n ?? 0
    },
    async isDuplicate (tx, postId, hash, email, clientHash) {
      if (hasNul(hash) || hasNul(email) || (clientHash !== null && hasNul(clientHash))) return false
      const sameAuthor = or(
        sql`${asciiFold(c.authorEmail)} = ${asciiFold(sql`${email}::text`)}`,
        clientHash === null ? undefined : eq(c.clientHash, clientHash)
      )
      const found = await on(tx).select({ id: c.id }).from(c)
        .where(and(eq(c.postId, postId), eq(c.contentHash, hash), isNull(c.deletedAt), sameAuthor)).limit(1)
      return found.length > 0
    },
    async isKnownAuthor (tx, name, email) {
      if (hasNul(name) || hasNul(email)) return false
      const found = await on(tx).select({ id: c.id }).from(c)
        .where(and(eq(c.authorName, name), eq(c.authorEmail, email), eq(c.status, 'approved'), isNull(c.deletedAt))).limit(1)
      return found.length > 0
    },
    async hasReplies (tx, id) {
      return (await on(tx).select({ id: c.id }).from(c).where(eq(c.parentId, id)).limit(1)).length > 0
    },
    async insert (tx, n) {
      const client = on(tx)
      const parent = n.parentId === null
        ? undefined
        : (await client.select({ id: c.id, path: c.path, depth: c.depth }).from(c).where(eq(c.id, n.parentId)))[0]
      const [{ id }] = await client.insert(c).values({
        postId: n.postId,
        parentId: parent?.id ?? null,
        path: '',
        depth: parent ? parent.depth + 1 : 0,
        authorName: n.authorName,
        authorEmail: n.authorEmail,
        authorUrl: n.authorUrl,
        content: n.content,
        contentHtml: n.contentHtml,
        contentHash: n.contentHash,
        status: n.status,
        type: n.type ?? 'comment',
        clientHash: n.clientHash ?? null,
        userAgent: n.userAgent ?? null,
        createdAt: n.createdAt,
        updatedAt: n.createdAt,
        importKey: n.importKey ?? null
      }).returning({ id: c.id })
      await client.update(c).set({ path: parent ? `${parent.path}/${pathSegment(id)}` : pathSegment(id) }).where(eq(c.id, id))
      await recountOn(tx, n.postId)
      return id
    },
    recount: recountOn,
    async setStatus (tx, id, status, now) {
      await on(tx).update(c).set({ status, updatedAt: now }).where(eq(c.id, id))
    },
    async setContent (tx, id, content, now) {
      await on(tx).update(c).set({ ...content, updatedAt: now }).where(eq(c.id, id))
    },
    async tombstone (tx, id, now) {
      await on(tx).update(c).set({
        deletedAt: now, updatedAt: now, authorName: '', authorEmail: null, authorUrl: null, content: '', contentHtml: '', clientHash: null, userAgent: null
      }).where(eq(c.id, id))
    },
    async remove (tx, id) {
      await on(tx).delete(c).where(eq(c.id, id))
    }
  }
}
