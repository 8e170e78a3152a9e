import { and, asc, count, eq, exists, gt, inArray, lte, ne, notExists, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { postCategories, posts, postTags } from '../../db/schema.js'
import { postTerms, postVectors, relatedCounts, termDf } from '../../db/read-model.js'
import { createShapeCache, idList, inIdList } from '../../db/statements.js'
import type { TermVector } from '../../lib/related.js'
import { compareCodePoints } from '../../lib/code-point-order.js'
import { POST_LIST_COLUMNS, type PostRow } from '../posts/posts-repository.js'

const p = sql.placeholder

// The vector in canonical order (weight desc, term asc), which scoring sums in.
function canonical (terms: string[], weights: number[]): TermVector {
  let sorted = true
  for (let i = 1; i < terms.length && sorted; i++) {
    sorted = weights[i - 1] > weights[i] || (weights[i - 1] === weights[i] && compareCodePoints(terms[i - 1], terms[i]) < 0)
  }
  if (sorted) return { terms, weights }
  const order = terms.map((_, i) => i).sort((i, j) => weights[j] - weights[i] || compareCodePoints(terms[i], terms[j]))
  return { terms: order.map((i) => terms[i]), weights: order.map((i) => weights[i]) }
}

/** What the candidate query needs: the target's terms with their query weights, and its taxonomy with their idf. */
export interface CandidateQuery {
  targetId: number
  publishedAt: number
  now: number
  /** Per term: how many of its strongest postings to read, and the weight a posting's weight is multiplied by. */
  terms: Array<{ term: string, weight: number, limit: number }>
  tags: Array<{ id: number, idf: number }>
  categories: Array<{ id: number, idf: number }>
  taxonomyLimit: number
  limit: number
}

/** A post chosen as a candidate: its id, publication time and vector fingerprint. */
export interface Candidate { id: number, publishedAt: number, hash: string }

// The many-row reads of a related request (candidates, their vectors and links: some 700 rows)
// are read as value arrays in selection order, skipping Drizzle's per-row mapping, which cost
// about 1 µs a row: 7.8 % of the endpoint's CPU time on the 10,000-post bench corpus, 2 % without.
interface CandidateStatement { values (values: Record<string, unknown>): unknown[][] }
type CandidateValues = [id: number, publishedAt: number, hash: string]

/** All reads of the related-posts index: vectors, posting lists, corpus statistics. */
export function createRelatedRepository (db: Db) {
  // The candidate statement has one branch per target term, tag and category: its text depends
  // on how many a target has (a handful of shapes in practice), so it is prepared per shape,
  // bounded anyway.
  const shaped = createShapeCache<CandidateStatement>(256)
  function candidateStatement (terms: number, tags: number, categories: number): CandidateStatement {
    return shaped(`${terms} ${tags} ${categories}`, () => {
      const branches = [
        ...Array.from({ length: terms }, (_, i) => sql`SELECT post_id, weight * ${p(`w${i}`)} AS d, 0.0 AS x FROM (SELECT ${postTerms.postId}, ${postTerms.weight} FROM ${postTerms}
          WHERE ${postTerms.term} = ${p(`t${i}`)} ORDER BY ${postTerms.weight} DESC, ${postTerms.postId} ASC LIMIT ${p(`l${i}`)})`),
        ...Array.from({ length: tags }, (_, i) => sql`SELECT post_id, 0.0 AS d, ${p(`g${i}`)} AS x FROM (SELECT ${postTags.postId} FROM ${postTags}
          WHERE ${postTags.tagId} = ${p(`tag${i}`)} ORDER BY ${postTags.postId} DESC LIMIT ${p('taxonomyLimit')})`),
        ...Array.from({ length: categories }, (_, i) => sql`SELECT post_id, 0.0 AS d, ${p(`k${i}`)} AS x FROM (SELECT ${postCategories.postId} FROM ${postCategories}
          WHERE ${postCategories.categoryId} = ${p(`cat${i}`)} ORDER BY ${postCategories.postId} DESC LIMIT ${p('taxonomyLimit')})`)
      ]
      // The postings are summed inside SQLite, the pre-score combined and aged as the real score
      // is (180 days of recency half-life: 15552000000 ms, a REAL so the division is); only the
      // chosen candidates come back. Liveness comes from post_vectors' copy of
      // status and published_at: the wide posts rows would cost a page read each.
      return db.select({ id: sql<number>`s.post_id`, publishedAt: postVectors.publishedAt, hash: postVectors.hash })
        .from(sql`(SELECT post_id, sum(d) AS dot, sum(x) AS raw FROM (${sql.join(branches, sql` UNION ALL `)}) GROUP BY post_id) s`)
        .innerJoin(postVectors, sql`${postVectors.postId} = s.post_id`)
        .where(and(sql`s.post_id <> ${p('targetId')}`, eq(postVectors.status, 'published'), lte(postVectors.publishedAt, p('now'))))
        .orderBy(sql`(1 - (1 - min(1.0, s.dot)) * (1 - 0.8 * (1 - exp(-s.raw / 4.0)))) * (0.85 + 0.15 * pow(2.0, -abs(${postVectors.publishedAt} - ${p('publishedAt')}) / 15552000000.0)) DESC`, sql`s.post_id ASC`)
        .limit(p('limit')).prepare()
    })
  }

  // Read in primary-key order, which is the canonical order; canonical() checks rather than trusts it.
  const vectors = db.select({ postId: postTerms.postId, terms: sql<string>`group_concat(${postTerms.term}, ' ')`, weights: sql<string>`group_concat(${postTerms.weight}, ' ')` })
    .from(postTerms).where(and(inIdList(postTerms.postId, 'ids'), ne(postTerms.term, ''))).groupBy(postTerms.postId).prepare()
  const links = {
    tags: db.select({ postId: postTags.postId, termId: postTags.tagId }).from(postTags)
      .where(and(inIdList(postTags.tagId, 'termIds'), inIdList(postTags.postId, 'postIds'))).orderBy(postTags.postId, postTags.tagId).prepare(),
    categories: db.select({ postId: postCategories.postId, termId: postCategories.categoryId }).from(postCategories)
      .where(and(inIdList(postCategories.categoryId, 'termIds'), inIdList(postCategories.postId, 'postIds'))).orderBy(postCategories.postId, postCategories.categoryId).prepare()
  }
  const listRows = db.select(POST_LIST_COLUMNS).from(posts).where(inIdList(posts.id, 'ids')).prepare()
  const fingerprint = db.select({ hash: postVectors.hash }).from(postVectors).where(eq(postVectors.postId, p('id'))).prepare()
  // Statistics over published posts, kept by triggers (migrations/0005_related_live_stats.sql);
  // scheduled posts not live yet are read separately and subtracted by the service.
  const df = db.select({ df: termDf.df }).from(termDf).where(eq(termDf.term, p('term'))).prepare()
  const counted = db.select({ n: relatedCounts.n }).from(relatedCounts).where(and(eq(relatedCounts.kind, p('kind')), eq(relatedCounts.id, p('id')))).prepare()
  const notLiveYet = and(eq(postVectors.status, 'published'), gt(postVectors.publishedAt, p('now')))
  const scheduledIds = db.select({ id: postVectors.postId }).from(postVectors).where(notLiveYet)
  const scheduled = {
    posts: db.select({ n: count() }).from(postVectors).where(notLiveYet).prepare(),
    terms: db.select({ key: postTerms.term, n: count() }).from(postTerms).where(and(inArray(postTerms.postId, scheduledIds), ne(postTerms.term, ''))).groupBy(postTerms.term).prepare(),
    tags: db.select({ key: postTags.tagId, n: count() }).from(postTags).where(inArray(postTags.postId, scheduledIds)).groupBy(postTags.tagId).prepare(),
    categories: db.select({ key: postCategories.categoryId, n: count() }).from(postCategories).where(inArray(postCategories.postId, scheduledIds)).groupBy(postCategories.categoryId).prepare()
  }
  const tagIdsOf = db.select({ id: postTags.tagId }).from(postTags).where(eq(postTags.postId, p('id'))).orderBy(asc(postTags.tagId)).prepare()
  const categoryIdsOf = db.select({ id: postCategories.categoryId }).from(postCategories).where(eq(postCategories.postId, p('id'))).orderBy(asc(postCategories.categoryId)).prepare()

  return {
    /** The fingerprint of the post's vector, or undefined when it has not been indexed. */
    fingerprintOf: (postId: number): string | undefined => fingerprint.get({ id: postId })?.hash,

    /**
     * Vectors of the given posts in canonical order (weight desc, term asc), one row per post
     * with the terms and weights joined, which is several times faster than a row per term.
     * Posts without terms are absent.
     */
    vectorsOf (postIds: number[]): Map<number, TermVector> {
      const out = new Map<number, TermVector>()
      if (postIds.length === 0) return out
      // Terms never hold spaces (the tokenizer splits on them) and SQLite prints reals so
      // that they read back exactly.
      for (const [id, terms, weights] of vectors.values({ ids: idList(postIds) }) as Array<[number, string, string]>) out.set(id, canonical(terms.split(' '), weights.split(' ').map(Number)))
      return out
    },

    /**
     * The best `limit` live posts other than the target by a cheap pre-score: the dot product
     * over the strongest postings of each target term (the cosine, if the candidate's norm is
     * like the target's) and the idf of shared tags and categories, combined and aged as the
     * real score is. One statement, so the postings are summed inside SQLite and only the
     * chosen candidates come back.
     */
    candidates (q: CandidateQuery): Candidate[] {
      if (q.terms.length + q.tags.length + q.categories.length === 0) return []
      const values: Record<string, unknown> = { targetId: q.targetId, now: q.now, publishedAt: q.publishedAt, limit: q.limit, taxonomyLimit: q.taxonomyLimit }
      q.terms.forEach((t, i) => { values[`w${i}`] = t.weight; values[`t${i}`] = t.term; values[`l${i}`] = t.limit })
      q.tags.forEach((t, i) => { values[`g${i}`] = t.idf; values[`tag${i}`] = t.id })
      q.categories.forEach((t, i) => { values[`k${i}`] = 0.7 * t.idf; values[`cat${i}`] = t.id })
      // Only live posts pass the statement, and a live post has a publication time.
      const rows = candidateStatement(q.terms.length, q.tags.length, q.categories.length).values(values) as CandidateValues[]
      return rows.map(([id, publishedAt, hash]) => ({ id, publishedAt, hash }))
    },

    /** How many published posts' vectors hold the term (scheduled ones included). */
    termDf: (term: string): number => df.get({ term })?.df ?? 0,

    /** Published posts with a vector, and those carrying a tag or category (scheduled ones included). */
    postCount: () => counted.get({ kind: 'posts', id: 0 })?.n ?? 0,
    tagCount: (id: number) => counted.get({ kind: 'tag', id })?.n ?? 0,
    categoryCount: (id: number) => counted.get({ kind: 'category', id })?.n ?? 0,

    /**
     * What the scheduled posts not live at `now` add to those counts: the service subtracts it.
     * One grouped read over their vectors and links, so its cost follows the number of
     * scheduled posts, not the corpus.
     */
    scheduledStats (now: number) {
      const tally = <K>(rows: Array<{ key: K, n: number }>) => new Map(rows.map((r) => [r.key, r.n]))
      return {
        posts: scheduled.posts.get({ now })?.n ?? 0,
        terms: tally(scheduled.terms.all({ now })),
        tags: tally(scheduled.tags.all({ now })),
        categories: tally(scheduled.categories.all({ now }))
      }
    },
    tagIdsOf: (postId: number) => tagIdsOf.all({ id: postId }).map((r) => r.id),
    categoryIdsOf: (postId: number) => categoryIdsOf.all({ id: postId }).map((r) => r.id),

    /** Which of `postIds` carry which of `termIds` (tags or categories), as post id → term ids. */
    linksOf (kind: 'tags' | 'categories', postIds: number[], termIds: number[]): Map<number, number[]> {
      const out = new Map<number, number[]>()
      if (termIds.length === 0 || postIds.length === 0) return out
      for (const [postId, termId] of links[kind].values({ termIds: idList(termIds), postIds: idList(postIds) }) as Array<[number, number]>) {
        const list = out.get(postId)
        if (list === undefined) out.set(postId, [termId])
        else list.push(termId)
      }
      return out
    },

    /** List rows (no body) of the given posts, in no particular order. */
    rowsOf (ids: number[]): PostRow[] {
      return ids.length === 0 ? [] : listRows.all({ ids: idList(ids) })
    }
  }
}
export type RelatedRepository = ReturnType<typeof createRelatedRepository>

/**
 * The writes of the related-posts index, run by the indexer inside a post write's transaction
 * (or its own), and the reads that decide what to rebuild.
 */
export function createRelatedWriter (db: Db, vectorVersion: string) {
  // An entry is current when its fingerprint starts with the vector version (the tokenizer's).
  const current = (v: typeof postVectors) => sql`substr(${v.hash}, 1, ${vectorVersion.length}) = ${vectorVersion}`
  const hasEntry = db.select({ one: sql`1` }).from(postVectors).where(and(eq(postVectors.postId, posts.id), current(postVectors)))
  // No ORDER BY: the ids then come from a narrow covering index instead of the wide rows. Each
  // post is looked up in post_vectors by key (NOT IN would first read every entry into a set).
  const missing = db.select({ id: posts.id }).from(posts).where(notExists(hasEntry)).limit(p('n')).prepare()
  // Vectors written by a bulk loader (src/scripts/bench-data.ts) come without an entry: they are
  // taken as built by this version, with no fingerprint (the version alone), so the next write
  // of such a post rebuilds its vector. Probes per post rather than `IN (SELECT post_id FROM
  // post_terms)`, which read every stored term of every post (100 ms at 10,000 posts) on the
  // first related request of each process.
  const adopt = db.insert(postVectors).select(db.select({ postId: posts.id, hash: sql<string>`${vectorVersion}`.as('hash'), status: posts.status, publishedAt: posts.publishedAt }).from(posts)
    .where(and(
      notExists(db.select({ one: sql`1` }).from(postVectors).where(eq(postVectors.postId, posts.id))),
      exists(db.select({ one: sql`1` }).from(postTerms).where(eq(postTerms.postId, posts.id))))))
  const source = db.select({ title: posts.title, contentText: posts.contentText, status: posts.status, publishedAt: posts.publishedAt })
    .from(posts).where(eq(posts.id, p('id'))).prepare()
  const storedHash = db.select({ hash: postVectors.hash }).from(postVectors).where(eq(postVectors.postId, p('id'))).prepare()
  const storedTerms = db.select({ term: postTerms.term, weight: postTerms.weight }).from(postTerms).where(eq(postTerms.postId, p('id'))).prepare()
  const dropTerms = db.delete(postTerms).where(eq(postTerms.postId, p('id'))).prepare()
  const insertTerm = db.insert(postTerms).values({ postId: p('id'), term: p('term'), weight: p('weight') }).prepare()
  const saveEntry = db.insert(postVectors).values({ postId: p('id'), hash: p('hash'), status: p('status'), publishedAt: p('publishedAt') })
    .onConflictDoUpdate({ target: postVectors.postId, set: { hash: sql`excluded.hash`, status: sql`excluded.status`, publishedAt: sql`excluded.published_at` } }).prepare()
  return {
    source: (id: number) => source.get({ id }),
    storedHash: (id: number) => storedHash.get({ id })?.hash,
    /** Whether the post's stored vector is exactly this one (terms and weights; a post without terms has a single '' row). */
    storedVectorIs (id: number, vector: TermVector): boolean {
      const rows = storedTerms.all({ id })
      if (vector.terms.length === 0) return rows.length === 1 && rows[0].term === ''
      if (rows.length !== vector.terms.length) return false
      const stored = new Map(rows.map((r) => [r.term, r.weight]))
      return vector.terms.every((term, i) => stored.get(term) === vector.weights[i])
    },
    /** Replaces the post's stored vector (a post without terms gets a single '' row). */
    saveVector (id: number, vector: TermVector): void {
      dropTerms.run({ id })
      if (vector.terms.length === 0) insertTerm.run({ id, term: '', weight: 0 })
      for (let i = 0; i < vector.terms.length; i++) insertTerm.run({ id, term: vector.terms[i], weight: vector.weights[i] })
    },
    saveEntry (id: number, hash: string, status: string, publishedAt: number | null): void {
      saveEntry.run({ id, hash, status, publishedAt })
    },
    /** Up to `n` posts without a current entry: none at all, or one from an older tokenizer. */
    missing: (n: number) => missing.all({ n }).map((r) => r.id),
    /** Gives an entry to every post whose vector is stored but has none; returns how many. */
    adoptStored: (): number => adopt.run().changes
  }
}
export type RelatedWriter = ReturnType<typeof createRelatedWriter>
