import { scoreRelated, type CorpusStats, type RelatedDoc, type RelatedResult, type TermVector } from '../../lib/related.js'
import type { PostsService } from '../posts/posts-service.js'
import type { PostRow } from '../posts/posts-repository.js'
import type { RelatedRepository } from './related-repository.js'
import type { RelatedIndexer } from './related-index.js'
import { toRelatedPost, type RelatedPost } from './related-mapper.js'
import { createBudget } from '../../lib/budget.js'
import { POST_EDITS_KEY } from '../cache-keys.js'

/** How much of the index one request may read, and how the backfill paces itself. */
export interface RelatedTuning {
  /** Candidates scored exactly, chosen by the pre-score. */
  candidates: number
  /** Postings read per target term, strongest first. */
  postingsPerTerm: number
  /** Posts read per shared tag or category, newest first. */
  taxonomyPerTerm: number
  /** Posts read over all shared tags and categories together: a post with fifty tags reads fewer per tag. */
  taxonomyTotal: number
  /** Candidates scored exactly when the time budget ran out during the candidate query. */
  candidatesLate: number
  /** How long the first request may spend indexing posts that have no entry; the rest go in the background. */
  firstBackfillMs: number
  /** How long each background backfill step may hold the event loop. */
  backfillStepMs: number
  /** Parsed vectors kept in memory (about 1.3 kB each), keyed by post and fingerprint so they are never stale. */
  vectorCache: number
}

/** Limits measured on a generated 10,000-post corpus; the labelled corpus gives the same top 5 as scoring every post. */
export const DEFAULT_TUNING: RelatedTuning = { candidates: 100, postingsPerTerm: 50, taxonomyPerTerm: 200, taxonomyTotal: 2000, candidatesLate: 20, firstBackfillMs: 200, backfillStepMs: 20, vectorCache: 2000 }

/**
 * Posts to read per shared tag or category: taxonomyPerTerm, less when a post has so many that
 * together they would pass taxonomyTotal (never under 20 each). With the per-term postings (at
 * most 32 terms × postingsPerTerm) this bounds what one request reads, whatever the corpus.
 */
export function taxonomyLimit (tuning: RelatedTuning, shared: number): number {
  if (shared <= 0) return tuning.taxonomyPerTerm
  return Math.min(tuning.taxonomyPerTerm, Math.max(20, Math.floor(tuning.taxonomyTotal / shared)))
}

const EMPTY: TermVector = { terms: [], weights: [] }

export interface RelatedServiceDeps {
  repo: RelatedRepository
  indexer: RelatedIndexer
  /** The live post a ref names (or a 404) and the categories, tags and authors of posts. */
  posts: Pick<PostsService, 'requireLive' | 'requireLiveId' | 'relationsOf'>
  /** The content stamp: corpus statistics are remembered while it stays the same. */
  stamp: () => string
  /** Invalidates cached public responses by surrogate key (after a background backfill). */
  invalidate: (keys: string[]) => void
  siteUrl: string
  /** QUERY_BUDGET_MS: past it, fewer candidates are scored and the answer says so. */
  budgetMs?: number
  /** The read model's stored lists (related-lists.ts), served when its rules allow. */
  lists?: { read: (postId: number, limit: number, now: number) => { items: string[], ids: number[], hash?: string } | null }
}

/**
 * Related posts for a live post: candidates from the posting lists of its terms, tags and
 * categories (the best hundred by a pre-score computed in SQLite), then exact scores from
 * src/lib/related.ts over their stored vectors.
 */
export function createRelatedService (deps: RelatedServiceDeps, tuning: RelatedTuning = DEFAULT_TUNING) {
  const { repo, indexer, posts } = deps
  let memo: { stamp: string, stats: CorpusStats } | null = null

  // Corpus-wide numbers over live posts only, each looked up once per content stamp (which also
  // changes when a scheduled post goes live): a draft or a scheduled post never moves a public
  // score. The stored counts include scheduled posts; what those add is subtracted here.
  function stats (now: number, fresh = false): CorpusStats {
    // `fresh`: inside a write, before its invalidations apply, the stamp is still the one
    // before it (a write's cascade, related-lists.ts settle): read anew, and not remembered.
    const stamp = fresh ? null : deps.stamp()
    if (stamp !== null && memo !== null && memo.stamp === stamp) return memo.stats
    const pending = repo.scheduledStats(now)
    const df = new Map<string, number>()
    const tags = new Map<number, number>()
    const cats = new Map<number, number>()
    const remember = <K>(map: Map<K, number>, key: K, load: (key: K) => number): number => {
      let v = map.get(key)
      if (v === undefined) {
        v = load(key)
        map.set(key, v)
      }
      return v
    }
    const s: CorpusStats = {
      docCount: repo.postCount() - pending.posts,
      termDf: (term) => remember(df, term, (t) => repo.termDf(t) - (pending.terms.get(t) ?? 0)),
      tagCount: (id) => remember(tags, id, (k) => repo.tagCount(k) - (pending.tags.get(k) ?? 0)),
      categoryCount: (id) => remember(cats, id, (k) => repo.categoryCount(k) - (pending.categories.get(k) ?? 0))
    }
    if (stamp !== null) memo = { stamp, stats: s }
    return s
  }

  // Posts from before the related migration (or written around the write services) get their
  // entries here. The first request adopts vectors a bulk loader stored and indexes for up to
  // firstBackfillMs itself, so small sites are complete at once; a larger backlog continues in
  // the background, backfillStepMs per event-loop turn.
  let backfill: 'idle' | 'running' | 'done' = 'idle'
  let closed = false
  let indexedLater = 0
  const waiting: Array<() => void> = []
  function finish (): void {
    backfill = 'done'
    // Responses cached while the backfill ran may have missed posts it had not reached yet.
    if (indexedLater > 0 && !closed) deps.invalidate([POST_EDITS_KEY])
    for (const resolve of waiting.splice(0)) resolve()
  }
  function step (): void {
    if (closed) return finish()
    try {
      const r = indexer.indexMissing(tuning.backfillStepMs)
      indexedLater += r.done
      if (r.more) setImmediate(step)
      else finish()
    } catch {
      // The database went away under us (the app is closing): the next start resumes.
      finish()
    }
  }
  function startBackfill (): void {
    if (backfill !== 'idle') return
    backfill = 'running'
    try {
      indexer.adoptStored()
      if (indexer.indexMissing(tuning.firstBackfillMs).more) setImmediate(step)
      else finish()
    } catch (err) {
      // A busy database, say: the next request tries again.
      backfill = 'idle'
      throw err
    }
  }

  // A term in more than a quarter of a sizeable corpus is all but a stopword: its postings
  // would add hundreds of weak candidates, so it only counts in the exact scores.
  function commonDf (df: number, n: number): boolean {
    return df > 50 && df > n / 4
  }

  // The posts that are good candidates for one post are good candidates for its neighbours
  // too, so most vectors a request needs were read by an earlier one. Least recently used
  // entries go first.
  const vectorCache = new Map<number, { hash: string, vector: TermVector }>()
  function vectorsOf (entries: Array<{ id: number, hash: string }>): Map<number, TermVector> {
    const out = new Map<number, TermVector>()
    const load: number[] = []
    for (const p of entries) {
      const hit = vectorCache.get(p.id)
      if (hit !== undefined && hit.hash === p.hash) {
        vectorCache.delete(p.id)
        vectorCache.set(p.id, hit)
        out.set(p.id, hit.vector)
      } else {
        load.push(p.id)
      }
    }
    if (load.length === 0) return out
    const loaded = repo.vectorsOf(load)
    const hashes = new Map(entries.map((p) => [p.id, p.hash]))
    for (const id of load) {
      const vector = loaded.get(id) ?? EMPTY
      out.set(id, vector)
      if (tuning.vectorCache <= 0) continue
      vectorCache.delete(id)
      if (vectorCache.size >= tuning.vectorCache) vectorCache.delete(vectorCache.keys().next().value as number)
      vectorCache.set(id, { hash: hashes.get(id) as string, vector })
    }
    return out
  }

  function idfOf (n: number, df: number): number {
    return Math.log(1 + n / Math.min(n, Math.max(1, df)))
  }

  /**
   * The `limit` best related posts of a post as scores and reasons, and whether the time budget
   * cut the work short; `budgeted` false for the read model's background step, which has none.
   */
  function scoreFor (target: PostRow, limit: number, now: number, budgeted = true, freshStats = false): { results: RelatedResult[], timedOut: boolean } {
    const budget = createBudget(budgeted ? (deps.budgetMs ?? Infinity) : Infinity)
    startBackfill()
    let hash = repo.fingerprintOf(target.id)
    if (hash === undefined) {
      indexer.indexNow(target.id)
      hash = repo.fingerprintOf(target.id) ?? ''
    }
    const corpus = stats(now, freshStats)
    const n = Math.max(1, corpus.docCount)
    const publishedAt = target.publishedAt ?? now
    const vector = vectorsOf([{ id: target.id, hash }]).get(target.id) ?? EMPTY
    const tagIds = repo.tagIdsOf(target.id)
    const categoryIds = repo.categoryIdsOf(target.id)

    // Query weights for the pre-score: a posting's weight times these sums to the cosine
    // the candidate would have if its norm were the target's.
    const idfs = vector.terms.map((term) => idfOf(n, corpus.termDf(term)))
    let sq = 0
    vector.weights.forEach((w, i) => { sq += (w * idfs[i]) ** 2 })
    const candidates = repo.candidates({
      targetId: target.id,
      publishedAt,
      now,
      terms: sq > 0 ? vector.terms.flatMap((term, i) => commonDf(corpus.termDf(term), n) ? [] : [{ term, weight: vector.weights[i] * idfs[i] * idfs[i] / sq, limit: tuning.postingsPerTerm }]) : [],
      tags: tagIds.map((id) => ({ id, idf: idfOf(n, corpus.tagCount(id)) })),
      categories: categoryIds.map((id) => ({ id, idf: idfOf(n, corpus.categoryCount(id)) })),
      taxonomyLimit: taxonomyLimit(tuning, tagIds.length + categoryIds.length),
      limit: tuning.candidates
    })
    // Every step before was bounded; past the budget only the best candidates by the
    // pre-score get their exact scores (a few milliseconds at most), and the answer says so.
    const timedOut = budget.exhausted()
    if (timedOut) candidates.splice(tuning.candidatesLate)

    const ids = candidates.map((c) => c.id)
    const vectors = vectorsOf(candidates)
    const tagLinks = repo.linksOf('tags', ids, tagIds)
    const categoryLinks = repo.linksOf('categories', ids, categoryIds)
    const docs: RelatedDoc[] = candidates.map((c) => ({
      id: c.id,
      publishedAt: c.publishedAt,
      vector: vectors.get(c.id) ?? EMPTY,
      tagIds: tagLinks.get(c.id) ?? [],
      categoryIds: categoryLinks.get(c.id) ?? []
    }))
    return { results: scoreRelated({ id: target.id, publishedAt, vector, tagIds, categoryIds }, docs, corpus, limit), timedOut }
  }

  /** The same for a post already found, whatever its status (a preview link's draft): only live posts are ever offered. */
  function pageFor (target: PostRow, limit: number, now = Date.now()): { data: RelatedPost[], timedOut: boolean } {
    const { results, timedOut } = scoreFor(target, limit, now)
    const rows = new Map(repo.rowsOf(results.map((r) => r.id)).map((r) => [r.id, r]))
    const ordered = results.map((r) => rows.get(r.id)).filter((r): r is PostRow => r !== undefined)
    const rel = posts.relationsOf(ordered)
    const data = results.flatMap((r) => {
      const row = rows.get(r.id)
      return row === undefined ? [] : [toRelatedPost(row, r, rel, deps.siteUrl, now)]
    })
    return { data, timedOut }
  }

  /**
   * The `limit` posts most related to a live post (its id for the cache keys; the ids it
   * names): from its stored list when the read model may serve it (`items`, JSON text of each
   * entry, related-lists.ts), else computed (`data`), with whether the time budget cut the work
   * short (meta.timed_out).
   */
  function page (refText: string, limit: number, now = Date.now()): { postId: number, ids: number[], timedOut: boolean, data?: RelatedPost[], items?: string[], hash?: string } {
    // A stored list needs only the post's id (one index lookup); its row is read to compute one.
    const id = posts.requireLiveId(refText, now)
    const stored = deps.lists?.read(id, limit, now) ?? null
    if (stored !== null) return { postId: id, ids: stored.ids, timedOut: false, items: stored.items, hash: stored.hash }
    const target = posts.requireLive(refText, now)
    const computed = pageFor(target, limit, now)
    return { postId: target.id, ids: computed.data.map((p) => p.id as number), ...computed }
  }

  return {
    /** The `limit` posts most related to a live post, best first; a 404 for any other ref. */
    find (refText: string, limit: number, now = Date.now()): RelatedPost[] {
      return pageFor(posts.requireLive(refText, now), limit, now).data
    },

    page,
    pageFor,

    /**
     * The best `limit` (by default every candidate) of a live post scored, best first, with no
     * time budget (the read model's lists); null when the post is not live. `freshStats`: the
     * corpus statistics read anew rather than remembered (inside a write's transaction).
     */
    scoreAll (postId: number, now = Date.now(), limit = tuning.candidates, freshStats = false): RelatedResult[] | null {
      const row = repo.rowsOf([postId])[0]
      if (row === undefined || row.status !== 'published' || row.publishedAt === null || row.publishedAt > now) return null
      return scoreFor(row, limit, now, false, freshStats).results
    },

    /** Starts the backfill if no request has yet, and resolves once no post is left without a vector. */
    whenIndexed (): Promise<void> {
      startBackfill()
      if (backfill === 'done') return Promise.resolve()
      return new Promise((resolve) => waiting.push(resolve))
    },

    /** Stops the background backfill (the app is closing). */
    close (): void {
      closed = true
    }
  }
}
export type RelatedService = ReturnType<typeof createRelatedService>
