import { and, asc, count, desc, eq, gt, lt, lte, notExists, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { posts } from '../../db/schema.js'
import { postCards, postDocuments, postVectors } from '../../db/read-model.js'
import { relatedListItems, relatedLists, relatedQueue, relatedState } from '../../db/read-model-related.js'
import { idList, inIdList } from '../../db/statements.js'

const p = sql.placeholder

/** A stored list as read back: the changes processed when it was built, and its items (JSON). */
export interface StoredRelatedList { seq: number, items: string }

/** The cards (and embedded terms) of live posts with a current document, and the document's hash. */
export interface LiveCard { id: number, card: string, terms: string, hash: string }

/**
 * The SQL of the related lists (migrations/0018_related_lists.sql): the lists, the index of
 * which list names which post, the queue the triggers fill, and the one-row state.
 */
export function createRelatedListsRepository (db: Db) {
  const l = relatedLists
  const state = db.select({ seq: relatedState.seq, liveThrough: relatedState.liveThrough }).from(relatedState).where(eq(relatedState.id, 1)).prepare()
  const bumpSeq = db.update(relatedState).set({ seq: sql`${relatedState.seq} + 1` }).where(eq(relatedState.id, 1)).prepare()
  const setLiveThrough = db.update(relatedState).set({ liveThrough: sql`${p('t')}` }).where(eq(relatedState.id, 1)).prepare()
  // A changed post whose cascade has not run yet: which lists it changes is not known until then.
  const anyCascading = db.select({ id: relatedQueue.postId }).from(relatedQueue).where(eq(relatedQueue.cascade, 1)).limit(1).prepare()
  const isQueued = db.select({ id: relatedQueue.postId }).from(relatedQueue).where(eq(relatedQueue.postId, p('id'))).prepare()
  const queuedColumns = { id: relatedQueue.postId, cascade: relatedQueue.cascade, seq: relatedQueue.seq }
  const queued = db.select(queuedColumns).from(relatedQueue).orderBy(asc(relatedQueue.postId)).limit(p('limit')).prepare()
  const queuedCascades = db.select(queuedColumns).from(relatedQueue).where(eq(relatedQueue.cascade, 1)).orderBy(asc(relatedQueue.postId)).limit(p('limit')).prepare()
  const dequeue = db.delete(relatedQueue).where(inIdList(relatedQueue.postId, 'ids')).prepare()
  const enqueue = db.insert(relatedQueue).values({ postId: p('id'), cascade: p('cascade'), seq: sql`(SELECT ${relatedState.seq} FROM ${relatedState} WHERE ${relatedState.id} = 1)` })
    .onConflictDoUpdate({ target: relatedQueue.postId, set: { cascade: sql`max(${relatedQueue.cascade}, excluded.cascade)`, seq: sql`CASE WHEN excluded.cascade > ${relatedQueue.cascade} THEN excluded.seq ELSE ${relatedQueue.seq} END` } }).prepare()
  // Scheduled posts whose time came after `since` (the status index, by time).
  const wentLive = db.select({ id: postVectors.postId, publishedAt: postVectors.publishedAt }).from(postVectors)
    .where(and(eq(postVectors.status, 'published'), gt(postVectors.publishedAt, p('since')), lte(postVectors.publishedAt, p('now'))))
    .orderBy(asc(postVectors.publishedAt)).limit(p('limit')).prepare()
  const get = db.select({ seq: l.seq, items: l.items }).from(l).where(eq(l.postId, p('id'))).prepare()
  // What a read of a stored list checks, in one statement (each of these is also a query above,
  // for the steps and for a read that finds one of them true).
  const readState = db.select({
    cascading: sql<number>`EXISTS (SELECT 1 FROM ${relatedQueue} WHERE ${relatedQueue.cascade} = 1)`,
    queued: sql<number>`EXISTS (SELECT 1 FROM ${relatedQueue} WHERE ${relatedQueue.postId} = ${p('id')})`,
    wentLive: sql<number>`EXISTS (SELECT 1 FROM ${postVectors} WHERE ${postVectors.status} = 'published' AND ${postVectors.publishedAt} > ${relatedState.liveThrough} AND ${postVectors.publishedAt} <= ${p('now')})`,
    items: l.items
  }).from(relatedState).leftJoin(l, eq(l.postId, p('id'))).where(eq(relatedState.id, 1)).prepare()
  const save = db.insert(l).values({ postId: p('id'), seq: p('seq'), minScore: p('minScore'), items: p('items') })
    .onConflictDoUpdate({ target: l.postId, set: { seq: sql`excluded.seq`, minScore: sql`excluded.min_score`, items: sql`excluded.items` } }).prepare()
  const removeList = db.delete(l).where(eq(l.postId, p('id'))).prepare()
  const removeItems = db.delete(relatedListItems).where(eq(relatedListItems.postId, p('id'))).prepare()
  const addItem = db.insert(relatedListItems).values({ relatedId: p('relatedId'), postId: p('id') }).onConflictDoNothing().prepare()
  // Lists built before change `before` that name the post.
  const naming = db.select({ id: relatedListItems.postId }).from(relatedListItems).innerJoin(l, eq(l.postId, relatedListItems.postId))
    .where(and(eq(relatedListItems.relatedId, p('id')), lt(l.seq, p('before')))).prepare()
  const builtBefore = db.select({ id: l.postId }).from(l).where(lt(l.seq, p('before'))).limit(1).prepare()
  const anyList = db.select({ id: l.postId }).from(l).limit(1).prepare()
  // Lists among `ids` built before change `before` that do not name `relatedId`, with their weakest score.
  const thresholds = db.select({ id: l.postId, minScore: l.minScore }).from(l)
    .where(and(inIdList(l.postId, 'ids'), lt(l.seq, p('before')), notExists(db.select({ one: sql`1` }).from(relatedListItems)
      .where(and(eq(relatedListItems.relatedId, p('relatedId')), eq(relatedListItems.postId, l.postId))))))
    .prepare()
  // Live posts without a list, newest first, from a time down (one range of the status index;
  // those at that very time already built are skipped by the NOT EXISTS probe).
  const missing = db.select({ id: postVectors.postId, publishedAt: postVectors.publishedAt }).from(postVectors)
    .where(and(eq(postVectors.status, 'published'), lte(postVectors.publishedAt, p('before')), gt(postVectors.publishedAt, p('after')),
      notExists(db.select({ one: sql`1` }).from(l).where(eq(l.postId, postVectors.postId)))))
    .orderBy(desc(postVectors.publishedAt)).limit(p('limit')).prepare()
  // The publication time `offset` published entries below a time (from the status index alone):
  // bounds what one look for missing lists reads.
  const below = db.select({ publishedAt: postVectors.publishedAt }).from(postVectors)
    .where(and(eq(postVectors.status, 'published'), lte(postVectors.publishedAt, p('before'))))
    .orderBy(desc(postVectors.publishedAt)).limit(1).offset(p('offset')).prepare()
  const drifted = db.select({ id: l.postId }).from(l).where(lt(l.seq, p('seq'))).orderBy(asc(l.seq)).limit(p('limit')).prepare()
  // A current document carries its post's status and time (the triggers delete it when either
  // changes): whether the post is live is read from it, not from the post's (wide) row.
  // The card itself from post_cards (written with the document, dropped with it), where it is
  // stored once; the document's hash covers the card too.
  const cards = db.select({ id: postDocuments.postId, card: sql<string>`CAST(${postCards.card} AS TEXT)`, terms: postDocuments.terms, hash: postDocuments.hash }).from(postDocuments)
    .innerJoin(postCards, eq(postCards.postId, postDocuments.postId))
    .where(and(inIdList(postDocuments.postId, 'ids'), eq(postDocuments.fingerprint, p('fingerprint')), eq(postDocuments.status, 'published'), lte(postDocuments.publishedAt, p('now'))))
    .prepare()
  const clearLists = db.delete(l).prepare()
  const clearItems = db.delete(relatedListItems).prepare()
  const queueCount = db.select({ n: count() }).from(relatedQueue).prepare()
  const listCount = db.select({ n: count() }).from(l).prepare()
  const liveCount = db.select({ n: count() }).from(posts).where(and(eq(posts.status, 'published'), lte(posts.publishedAt, p('now')))).prepare()

  return {
    state: (): { seq: number, liveThrough: number } => state.get() ?? { seq: 0, liveThrough: 0 },
    bumpSeq: (): void => { bumpSeq.run() },
    setLiveThrough: (t: number): void => { setLiveThrough.run({ t }) },
    /** Whether a changed post waits for its cascade (the lists it changes are not queued yet). */
    anyCascading: (): boolean => anyCascading.get() !== undefined,
    /** Whether this post's list waits to be rebuilt. */
    isQueued: (postId: number): boolean => isQueued.get({ id: postId }) !== undefined,
    /** Up to `limit` queued posts: changed posts (cascades) first, then lists to rebuild; by id within each. */
    /** Up to `limit` changed posts waiting for their cascade, by id. */
    queuedCascades: (limit: number) => queuedCascades.all({ limit }),
    queued (limit: number) {
      const first = queuedCascades.all({ limit })
      return first.length > 0 ? first : queued.all({ limit })
    },
    dequeue (ids: readonly number[]): void {
      if (ids.length > 0) dequeue.run({ ids: idList(ids) })
    },
    enqueue (ids: readonly number[], cascade: boolean): void {
      for (const id of ids) enqueue.run({ id, cascade: cascade ? 1 : 0 })
    },
    /** Up to `limit` posts that went live by time in (since, now], oldest first. */
    wentLive: (since: number, now: number, limit: number) => wentLive.all({ since, now, limit }) as Array<{ id: number, publishedAt: number }>,
    get: (postId: number): StoredRelatedList | undefined => get.get({ id: postId }),
    /**
     * At once: whether a changed post waits for its cascade, whether this post's list is
     * queued, whether a post went live since the last step looked, and the list's items (null
     * without one); undefined before the state row exists.
     */
    readState (postId: number, now: number): { cascading: boolean, queued: boolean, wentLive: boolean, items: string | null } | undefined {
      const r = readState.get({ id: postId, now })
      return r === undefined ? undefined : { cascading: r.cascading === 1, queued: r.queued === 1, wentLive: r.wentLive === 1, items: r.items }
    },
    save (postId: number, seq: number, minScore: number, items: string, ids: readonly number[]): void {
      save.run({ id: postId, seq, minScore, items })
      removeItems.run({ id: postId })
      for (const relatedId of ids) addItem.run({ relatedId, id: postId })
    },
    remove (postId: number): void {
      removeList.run({ id: postId })
      removeItems.run({ id: postId })
    },
    /** The lists built before change `before` that name this post. */
    naming: (relatedId: number, before: number): number[] => naming.all({ id: relatedId, before }).map((r) => r.id),
    /** Whether any list is stored. */
    anyList: (): boolean => anyList.get() !== undefined,
    /** Whether any list was built before change `before`. */
    anyBuiltBefore: (before: number): boolean => builtBefore.get({ before }) !== undefined,
    /** Of these posts' lists built before change `before`, those that do not name `relatedId`, with their weakest score. */
    thresholds (ids: readonly number[], relatedId: number, before: number): Array<{ id: number, minScore: number }> {
      return ids.length === 0 ? [] : thresholds.all({ ids: idList(ids), relatedId, before })
    },
    /** Up to `limit` live posts without a list, newest first, published at or before `before` (at most now) and after `after`. */
    missing: (before: number, limit: number, after = Number.MIN_SAFE_INTEGER) => missing.all({ before, after, limit }) as Array<{ id: number, publishedAt: number }>,
    /** The publication time of the published entry `offset` places below `before` (newest first), or null when there are fewer. */
    publishedBelow: (before: number, offset: number): number | null => below.get({ before, offset })?.publishedAt ?? null,
    /** Up to `limit` lists built before change `seq`, oldest first. */
    drifted: (seq: number, limit: number): number[] => drifted.all({ seq, limit }).map((r) => r.id),
    /** Cards of the given posts that are live now and have a document of this fingerprint. */
    liveCards (ids: readonly number[], fingerprint: string, now: number): Map<number, LiveCard> {
      if (ids.length === 0) return new Map()
      return new Map(cards.all({ ids: idList(ids), fingerprint, now }).map((r) => [r.id, r]))
    },
    clear (): void {
      clearLists.run()
      clearItems.run()
    },
    /** Queued posts, stored lists and live posts (the backlog the benchmark waits on). */
    counts: (now: number) => ({ queued: queueCount.get()?.n ?? 0, lists: listCount.get()?.n ?? 0, live: liveCount.get({ now })?.n ?? 0 })
  }
}
export type RelatedListsRepository = ReturnType<typeof createRelatedListsRepository>
