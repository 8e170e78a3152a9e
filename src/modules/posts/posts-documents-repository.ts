import { createHash } from 'node:crypto'
import { and, asc, count, eq, gt, lte, notInArray, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { posts } from '../../db/schema.js'
import { postCards, postDocuments, postQueue } from '../../db/read-model.js'
import { idList, inIdList } from '../../db/statements.js'

const p = sql.placeholder

/** A post's stored documents, as the builder makes them (posts-documents.ts). */
export type PostDocumentValues = typeof postDocuments.$inferInsert
/** The row of post_documents as the builder writes it: the card goes to post_cards only. */
export type PostDocumentRow = Omit<PostDocumentValues, 'card'>

/** Which stored feed item a feed reads. */
export type FeedItemColumn = 'rssItem' | 'atomEntry' | 'jsonItem'

/** A list card's validator: the SHA-1 (base64url) of its bytes, as stored beside it. */
export function cardHash (card: Buffer): string {
  return createHash('sha1').update(card).digest('base64url')
}

/** A page's stored cards, in the order asked: the bytes and hash of each (undefined: no current card). */
export interface StoredCards { cards: Array<Buffer | undefined>, hashes: Array<string | undefined> }

/** A stored feed item with what the feed's head and body budget need. */
export interface StoredFeedItem {
  /** The item's UTF-8 bytes; empty for a post that was not published when built. */
  bytes: Buffer
  /** Its SHA-1 (lib/feeds.ts feedItemHash), stored with it. */
  hash: string
  bodyBytes: number
  publishedAt: number | null
  updatedAt: number
}

/** A stored feed item without its bytes. */
export type StoredFeedItemHead = Omit<StoredFeedItem, 'bytes'>

/**
 * The SQL of the posts' read model (0006_read_model.sql): reads of stored documents, always of
 * one fingerprint (a document built with another SITE_URL or format is as good as missing), and
 * the writes of the builder and of the queue the triggers fill.
 */
export function createPostDocumentsRepository (db: Db) {
  const d = postDocuments
  const current = and(inIdList(d.postId, 'ids'), eq(d.fingerprint, p('fingerprint')))
  // Cards come from their own narrow table (0020_post_cards.sql), as raw rows [id, hash, bytes].
  const c = postCards
  const cards = db.select({ id: c.postId, hash: c.hash, card: c.card }).from(c)
    .where(and(inIdList(c.postId, 'ids'), eq(c.fingerprint, p('fingerprint')))).prepare()
  // The item as bytes (a BLOB cast is free: the text is stored as UTF-8), sent as it is.
  const feedItemOf = (item: typeof d.rssItem | typeof d.atomEntry | typeof d.jsonItem, hash: typeof d.rssHash | typeof d.atomHash | typeof d.jsonHash) => db.select({
    id: d.postId, bytes: sql<Buffer>`CAST(${item} AS BLOB)`, hash, bodyBytes: d.bodyBytes, publishedAt: d.publishedAt, updatedAt: d.updatedAt
  }).from(d).where(current).prepare()
  const feedItems = {
    rssItem: feedItemOf(d.rssItem, d.rssHash),
    atomEntry: feedItemOf(d.atomEntry, d.atomHash),
    jsonItem: feedItemOf(d.jsonItem, d.jsonHash)
  }
  // What a feed needs of an item but its bytes (they are found by hash in the feeds' memo).
  const feedItemHeadOf = (hash: typeof d.rssHash | typeof d.atomHash | typeof d.jsonHash) => db.select({
    id: d.postId, hash, bodyBytes: d.bodyBytes, publishedAt: d.publishedAt, updatedAt: d.updatedAt
  }).from(d).where(current).prepare()
  const feedItemHeads = { rssItem: feedItemHeadOf(d.rssHash), atomEntry: feedItemHeadOf(d.atomHash), jsonItem: feedItemHeadOf(d.jsonHash) }
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
    jsonItem: p('jsonItem'),
    rssHash: p('rssHash'),
    atomHash: p('atomHash'),
    jsonHash: p('jsonHash')
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
      jsonItem: sql`excluded.json_item`,
      rssHash: sql`excluded.rss_hash`,
      atomHash: sql`excluded.atom_hash`,
      jsonHash: sql`excluded.json_hash`
    }
  }).prepare()
  const saveCard = db.insert(c).values({ postId: p('postId'), fingerprint: p('fingerprint'), hash: p('hash'), card: p('card') })
    .onConflictDoUpdate({ target: c.postId, set: { fingerprint: sql`excluded.fingerprint`, hash: sql`excluded.hash`, card: sql`excluded.card` } }).prepare()
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
    /** Stored cards of the given posts (those with a current document), as text. */
    cardsOf (ids: readonly number[], fingerprint: string): Map<number, string> {
      if (ids.length === 0) return new Map()
      return new Map((cards.values({ ids: idList(ids), fingerprint }) as Array<[number, string, Buffer]>).map(([id, , card]) => [id, card.toString()]))
    },

    /**
     * The stored cards of a page's posts, in the order given, with their hashes: the bytes as
     * stored (a list is sent as them joined). Raw rows: no object per row.
     */
    storedCards (ids: readonly number[], fingerprint: string): StoredCards {
      const n = ids.length
      const out: StoredCards = { cards: new Array(n), hashes: new Array(n) }
      if (n === 0) return out
      const rows = cards.values({ ids: idList(ids), fingerprint }) as Array<[number, string, Buffer]>
      for (const [id, hash, card] of rows) {
        // A page holds at most 100 posts: the scan is cheaper than a map.
        for (let i = 0; i < n; i++) {
          if (ids[i] === id) {
            out.cards[i] = card
            out.hashes[i] = hash
          }
        }
      }
      return out
    },

    /** Stored feed items of one format. */
    feedItemsOf (ids: readonly number[], column: FeedItemColumn, fingerprint: string): Map<number, StoredFeedItem> {
      if (ids.length === 0) return new Map()
      return new Map(feedItems[column].all({ ids: idList(ids), fingerprint }).map((r) => [r.id, r]))
    },

    /** Stored feed items of one format without their bytes: their hashes ('' for none), times and body sizes. */
    feedItemHeadsOf (ids: readonly number[], column: FeedItemColumn, fingerprint: string): Map<number, StoredFeedItemHead> {
      if (ids.length === 0) return new Map()
      return new Map(feedItemHeads[column].all({ ids: idList(ids), fingerprint }).map((r) => [r.id, r]))
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

    /**
     * Stores a post's documents, and its card apart with its hash (0020_post_cards.sql). The
     * card is stored there only: post_documents.card is written empty (its rows were 1.5 KB of
     * a 30 KB row wider, ~150 MB at 100,000 posts, which no read uses any more; rows built
     * before keep theirs until the post is written again).
     */
    save (values: PostDocumentRow, cardJson: string): void {
      save.run({ ...values, card: '' })
      const card = Buffer.from(cardJson)
      saveCard.run({ postId: values.postId, fingerprint: values.fingerprint, hash: cardHash(card), card })
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
