import { and, asc, count, eq, gt, lte, notInArray, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { posts } from '../../db/schema.js'
import { postDocuments, postQueue } from '../../db/read-model.js'
import { idList, inIdList } from '../../db/statements.js'

const p = sql.placeholder

/** A post's stored documents, as the builder makes them (posts-documents.ts). */
export type PostDocumentValues = typeof postDocuments.$inferInsert

/** Which stored feed item a feed reads. */
export type FeedItemColumn = 'rssItem' | 'atomEntry' | 'jsonItem'

/** A stored feed item with what the feed's head and body budget need. */
export interface StoredFeedItem { text: string, bodyBytes: number, publishedAt: number | null, updatedAt: number }

/**
 * The SQL of the posts' read model (0006_read_model.sql): reads of stored documents, always of
 * one fingerprint (a document built with another SITE_URL or format is as good as missing), and
 * the writes of the builder and of the queue the triggers fill.
 */
export function createPostDocumentsRepository (db: Db) {
  const d = postDocuments
  const current = and(inIdList(d.postId, 'ids'), eq(d.fingerprint, p('fingerprint')))
  const cards = db.select({ id: d.postId, card: d.card }).from(d).where(current).prepare()
  const cardsAndTerms = db.select({ id: d.postId, card: d.card, terms: d.terms }).from(d).where(current).prepare()
  const feedItems = {
    rssItem: db.select({ id: d.postId, text: d.rssItem, bodyBytes: d.bodyBytes, publishedAt: d.publishedAt, updatedAt: d.updatedAt }).from(d).where(current).prepare(),
    atomEntry: db.select({ id: d.postId, text: d.atomEntry, bodyBytes: d.bodyBytes, publishedAt: d.publishedAt, updatedAt: d.updatedAt }).from(d).where(current).prepare(),
    jsonItem: db.select({ id: d.postId, text: d.jsonItem, bodyBytes: d.bodyBytes, publishedAt: d.publishedAt, updatedAt: d.updatedAt }).from(d).where(current).prepare()
  }
  // A live post by id or slug, with its full document when a current one is stored: one lookup
  // of the post (its live test reads the row's first page, never its body) and one of the document.
  // The document comes as the bytes of the answer (`{"data":…}`, a BLOB: a Buffer, never
  // decoded into a JavaScript string and encoded again), with its stored hash.
  const live = and(eq(posts.status, 'published'), lte(posts.publishedAt, p('now')))
  const envelope = sql<Buffer | null>`CAST('{"data":' || ${d.full} || '}' AS BLOB)`
  const fullOf = (by: typeof posts.id | typeof posts.slug, name: string) => db.select({ id: posts.id, hash: d.hash, body: envelope }).from(posts)
    .leftJoin(d, and(eq(d.postId, posts.id), eq(d.fingerprint, p('fingerprint'))))
    .where(and(eq(by, p(name)), live)).prepare()
  const fullById = fullOf(posts.id, 'id')
  const fullBySlug = fullOf(posts.slug, 'slug')
  // First, the current document alone: it carries the post's status and time (the triggers
  // delete it when either changes), so a live post's is found without reading the post's row;
  // by slug, only the slug index is read for the id. Without one, the lookup above decides.
  const liveDocument = and(eq(d.fingerprint, p('fingerprint')), eq(d.status, 'published'), lte(d.publishedAt, p('now')))
  const storedOf = (key: SQL) => db.select({ id: d.postId, hash: d.hash, body: envelope }).from(d)
    .where(and(eq(d.postId, key), liveDocument)).prepare()
  const storedById = storedOf(sql`${p('id')}`)
  const storedBySlug = storedOf(sql`(${db.select({ id: posts.id }).from(posts).where(eq(posts.slug, p('slug')))})`)

  const save = db.insert(d).values({
    postId: p('postId'),
    fingerprint: p('fingerprint'),
    status: p('status'),
    publishedAt: p('publishedAt'),
    updatedAt: p('updatedAt'),
    bodyBytes: p('bodyBytes'),
    hash: p('hash'),
    terms: p('terms'),
    card: p('card'),
    full: p('full'),
    rssItem: p('rssItem'),
    atomEntry: p('atomEntry'),
    jsonItem: p('jsonItem')
  }).onConflictDoUpdate({
    target: d.postId,
    set: {
      fingerprint: sql`excluded.fingerprint`,
      status: sql`excluded.status`,
      publishedAt: sql`excluded.published_at`,
      updatedAt: sql`excluded.updated_at`,
      bodyBytes: sql`excluded.body_bytes`,
      hash: sql`excluded.hash`,
      terms: sql`excluded.terms`,
      card: sql`excluded.card`,
      full: sql`excluded.full`,
      rssItem: sql`excluded.rss_item`,
      atomEntry: sql`excluded.atom_entry`,
      jsonItem: sql`excluded.json_item`
    }
  }).prepare()
  const queued = db.select({ id: postQueue.postId }).from(postQueue).orderBy(asc(postQueue.postId)).limit(p('limit')).prepare()
  const dequeue = db.delete(postQueue).where(inIdList(postQueue.postId, 'ids')).prepare()
  // WHERE true: without it SQLite reads the upsert's ON as a join constraint.
  const queueAll = db.insert(postQueue).select(db.select({ postId: posts.id }).from(posts).where(sql`true`)).onConflictDoNothing().prepare()
  // Posts after `after` without a current document, in id order. Both sides are read from
  // indexes (the fingerprint index covers post_id), never from the wide rows.
  const missing = db.select({ id: posts.id }).from(posts)
    .where(and(gt(posts.id, p('after')), notInArray(posts.id, db.select({ id: d.postId }).from(d).where(eq(d.fingerprint, p('fingerprint'))))))
    .orderBy(asc(posts.id)).limit(p('limit')).prepare()
  const postCount = db.select({ n: count() }).from(posts).prepare()
  const currentCount = db.select({ n: count() }).from(d).where(eq(d.fingerprint, p('fingerprint'))).prepare()

  return {
    /** Stored cards of the given posts (those with a current document). */
    cardsOf (ids: readonly number[], fingerprint: string): Map<number, string> {
      if (ids.length === 0) return new Map()
      return new Map(cards.all({ ids: idList(ids), fingerprint }).map((r) => [r.id, r.card]))
    },

    /** Stored cards and embedded terms ([[id, slug, name], …] of categories and of tags). */
    cardsAndTermsOf (ids: readonly number[], fingerprint: string): Map<number, { card: string, terms: string }> {
      if (ids.length === 0) return new Map()
      return new Map(cardsAndTerms.all({ ids: idList(ids), fingerprint }).map((r) => [r.id, { card: r.card, terms: r.terms }]))
    },

    /** Stored feed items of one format. */
    feedItemsOf (ids: readonly number[], column: FeedItemColumn, fingerprint: string): Map<number, StoredFeedItem> {
      if (ids.length === 0) return new Map()
      return new Map(feedItems[column].all({ ids: idList(ids), fingerprint }).map((r) => [r.id, r]))
    },

    /**
     * A live post by id or slug: its id, and when a current document is stored, the answer of a
     * public read (`{"data":<full document>}`, UTF-8 bytes) and the document's hash.
     */
    liveFull (ref: { id?: number, slug?: string }, now: number, fingerprint: string): { id: number, hash: string | null, body: Buffer | null } | undefined {
      const stored = ref.id !== undefined ? storedById.get({ id: ref.id, now, fingerprint }) : storedBySlug.get({ slug: ref.slug, now, fingerprint })
      if (stored !== undefined) return stored
      return ref.id !== undefined ? fullById.get({ id: ref.id, now, fingerprint }) : fullBySlug.get({ slug: ref.slug, now, fingerprint })
    },

    save (values: PostDocumentValues): void {
      save.run(values)
    },

    /** Up to `limit` queued posts, lowest id first. */
    queued (limit: number): number[] {
      return queued.all({ limit }).map((r) => r.id)
    },

    dequeue (ids: readonly number[]): void {
      if (ids.length > 0) dequeue.run({ ids: idList(ids) })
    },

    /** Queues every post (a rebuild). */
    queueAll (): void {
      queueAll.run()
    },

    /** Up to `limit` posts after `after` (by id) without a current document. */
    missing (after: number, limit: number, fingerprint: string): number[] {
      return missing.all({ after, limit, fingerprint }).map((r) => r.id)
    },

    /** How many posts there are, and how many have a current document. */
    coverage (fingerprint: string): { posts: number, current: number } {
      return { posts: postCount.get()?.n ?? 0, current: currentCount.get({ fingerprint })?.n ?? 0 }
    }
  }
}
export type PostDocumentsRepository = ReturnType<typeof createPostDocumentsRepository>
