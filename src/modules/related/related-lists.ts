import type { Db } from '../../db/client.js'
import type { RelatedResult } from '../../lib/related.js'
import { contentHash } from '../../lib/content-hash.js'
import type { LiveCard, RelatedListsRepository } from './related-lists-repository.js'
import { RELATED_KEY, relatedListKey } from '../cache-keys.js'

// Related lists in the read model (migrations/0018_related_lists.sql). Each live post's best
// RELATED_STORED related posts, scored by the request's own code with no time budget, are
// stored as [[id, score, [shared tag ids], [shared category ids], text similarity], …]; a
// request for any limit (1–20) takes the first `limit` items and puts each post's stored card
// (post_documents) together with its score and reasons, so what a list shows of a post is
// always as current as that post's own documents.
//
// Which lists a write can change, rebuilt by a bounded background step (the read-model
// worker's 8 ms slices):
//   - the changed post's own list (the triggers queue every post whose vector, status, time,
//     tags or categories change, with `cascade`);
//   - the lists that name the changed post (related_list_items), whose entry for it is out of
//     date or no longer allowed;
//   - the lists it now scores into: scores are symmetric (shared taxonomy, cosine, time
//     distance), so its own candidates' scores say where it beats a list's weakest entry.
//     This uses its candidate set (DEFAULT_TUNING.candidates, the best 100 by pre-score):
//     a list whose post the changed one would only reach outside its own candidates is not
//     revisited — the candidate cut a request makes anyway.
// Posts that go live by time are queued the same way (related_state.live_through).
//
// When a stored list is served, and when a request computes instead (the rule is never wrong
// about visibility, and never older than a queued change):
//   - served only while no changed post waits for its cascade, the list's own post is not
//     queued, and no post went live since the last step looked: right after a write, until the
//     step has run its cascade (one scoring, a few milliseconds; cascades go first), every
//     request computes; from then on the lists the write can change are in the queue, and the
//     first read of one of those rebuilds it (rebuildOnRead), so a read after a write sees the
//     write while the other lists stay served (with a write every few seconds, waiting for the
//     whole queue to empty had most related requests computing, a fifth of the server's CPU in
//     the newsroom scenario);
//   - a list built more than `drift` changes ago (1 % of the live posts; related_state.seq
//     counts each trigger event — a post's vector, status or time, one tag or category link —
//     and each post going live by time) is refreshed, oldest first, because corpus statistics
//     (document frequencies, tag counts) move with every change; that refresh takes at most
//     RELATED_DRIFT_DUTY of the time, and the drifted list is served until it is rebuilt;
//   - served only if every post it names is live now with a current document (one indexed
//     query); otherwise computed.
// Between those, a stored list can differ from a fresh computation only through the drift of
// corpus statistics since it was built (scores, and near-ties in the order; never which posts
// are visible, never a change a write made to a post's own terms) and through the candidate cut
// above. A bulk load (say, 10,000 posts) counts its changes before any list is
// built, so the start-up fill neither ages its own lists nor revisits them: a change only
// sends its post to the lists built before it (related_queue.seq).

/** Stored per list: the most a request may ask for (RelatedQuery's maximum), so any limit is a prefix. */
export const RELATED_STORED = 20

/** Changes after which a list is refreshed (in the background): this share of the live posts. */
export const RELATED_DRIFT = 0.01

/**
 * The refresh of drifted lists takes at most this share of the time: after a burst of writes
 * every list of the site drifts, and rebuilding them all back to back (10,000 lists, ~1 minute
 * of CPU at 10,000 posts) would take the event loop from the requests. Lists the writes can
 * change are not drifted lists: they are queued and rebuilt at once.
 */
export const RELATED_DRIFT_DUTY = 0.1

/** Live posts' entries the start-up fill looks through at a time for one without a list. */
const FILL_WINDOW = 512

/** Cascades a write runs itself (settle); a write that changed more posts leaves them to the background. */
export const RELATED_SETTLE_CASCADES = 2

type Item = [id: number, score: number, tags: number[], categories: number[], text: number]

export interface RelatedListsDeps {
  db: Db
  repo: RelatedListsRepository
  /** The best `limit` candidates of a live post scored (every one when no limit), best first, with no time budget; null when the post is not live (or gone). */
  scoreAll: (postId: number, now: number, limit?: number, freshStats?: boolean) => RelatedResult[] | null
  /** Brings the related index (post vectors) up to date first: lists built without a post's vector would miss it. */
  indexer: { adoptStored: () => number, indexMissing: (budgetMs: number) => { more: boolean } }
  /** Published posts (the drift allowance is a share of them). */
  liveCount: () => number
  /** The fingerprint of current post documents (the cards). */
  fingerprint: string
  /** Changes allowed since a list was built before it is rebuilt (tests set it). */
  drift?: (live: number) => number
  /** The share of time the refresh of drifted lists may take (default RELATED_DRIFT_DUTY; tests set 1). */
  driftDuty?: number
  /**
   * Where a background step records, in its transaction, the keys of the stored lists it
   * changed (and of the lists the changes it cascaded queued), and applies them once committed:
   * cached answers made of those lists are dropped (src/db/invalidations.ts).
   */
  invalidations?: { record: (keys: readonly string[], now: number) => void, committed: (keys: readonly string[]) => void }
  /** Live posts' entries the start-up fill looks through at a time (default FILL_WINDOW; tests set fewer). */
  fillWindow?: number
  /** Told when a write's cascades failed (they are left to the background). */
  onSettleError?: (err: unknown) => void
  /** Runs a rebuild a read asks for as the background steps run (core.ts: no lock wait, no fsync); SQLITE_BUSY means not now. */
  inBackground?: <T>(fn: () => T) => T
}

type TermRow = [id: number, slug: string, name: string]

function refs (ids: number[], terms: TermRow[] | undefined): string {
  const out: string[] = []
  for (const id of ids) {
    const t = terms?.find((x) => x[0] === id)
    if (t !== undefined) out.push(JSON.stringify({ id: t[0], slug: t[1], name: t[2] }))
  }
  return `[${out.join(',')}]`
}

/** Builds, stores and serves the related lists; see the comment at the top of this file. */
export function createRelatedLists (deps: RelatedListsDeps) {
  const { db, repo } = deps
  const allowance = () => Math.max(0, Math.floor((deps.drift ?? ((n: number) => n * RELATED_DRIFT))(deps.liveCount())))
  let indexed = false
  const duty = deps.driftDuty ?? RELATED_DRIFT_DUTY
  // The drift refresh rests until then, so that it takes at most `duty` of the time.
  let driftResumeAt = 0
  // The start-up fill: live posts published at or before this time are still to be looked at.
  let fillBefore: number | null = Number.MAX_SAFE_INTEGER

  /**
   * Scores and stores one post's list (or drops it when the post is not live); returns its
   * scored candidates: all of them when `all` (a changed post, whose scores against every
   * candidate decide which other lists it enters), else only the stored ones (cheaper: the
   * scorer prunes candidates that cannot reach them).
   */
  function build (postId: number, seq: number, now: number, all = false, freshStats = false): RelatedResult[] | null {
    const scored = all ? deps.scoreAll(postId, now, undefined, freshStats) : deps.scoreAll(postId, now, RELATED_STORED, freshStats)
    if (scored === null) {
      repo.remove(postId)
      return null
    }
    const top = scored.slice(0, RELATED_STORED)
    const items: Item[] = top.map((r) => [r.id, r.score, r.reasons.shared_tags, r.reasons.shared_categories, r.reasons.text_similarity])
    const minScore = top.length < RELATED_STORED ? 0 : top[top.length - 1].score
    repo.save(postId, seq, minScore, JSON.stringify(items), top.map((r) => r.id))
    return scored
  }

  /**
   * A changed post (at change `since`): its own list, then the lists built before the change
   * that name it or that it now scores into. After a bulk load no list is older than its
   * changes, so the start-up fill does not rebuild lists for the posts it has just built.
   */
  function cascade (postId: number, since: number, now: number, freshStats = false): number[] {
    const seq = repo.state().seq
    if (!repo.anyBuiltBefore(since)) {
      build(postId, seq, now, false, freshStats)
      return []
    }
    const scored = build(postId, seq, now, true, freshStats)
    const affected = new Set(repo.naming(postId, since))
    if (scored !== null) {
      const scores = new Map(scored.map((r) => [r.id, r.score]))
      for (const q of repo.thresholds([...scores.keys()], postId, since)) {
        if ((scores.get(q.id) ?? 0) >= q.minScore) affected.add(q.id)
      }
    }
    affected.delete(postId)
    repo.enqueue([...affected], false)
    return [...affected]
  }

  /** A drifted list rebuilt: its post's id into `changed` when the items changed (cached answers made of it are dropped). */
  function rebuild (postId: number, seq: number, now: number, changed: number[]): void {
    const before = repo.get(postId)?.items
    const scored = build(postId, seq, now)
    if (before !== undefined && (scored === null || repo.get(postId)?.items !== before)) changed.push(postId)
  }

  /**
   * Posts whose publication time came since the last look, queued as changed posts (their
   * cascades), and the look moved on: until then every read computes. A post published now by
   * a write is one of them (its time is the write's).
   */
  function queueWentLive (now: number): void {
    const live = repo.wentLive(repo.state().liveThrough, now, 64)
    if (live.length === 0) return
    // Going live moves the corpus statistics as a write would: counted as changes.
    for (let i = 0; i < live.length; i++) repo.bumpSeq()
    repo.enqueue(live.map((r) => r.id), true)
    repo.setLiveThrough(live.length < 64 ? now : live[live.length - 1].publishedAt)
  }

  function step (budgetMs: number): { built: number, more: boolean } {
    const rebuilt: number[] = []
    // Drifted lists this step refreshed whose items changed: cached answers made of the old
    // ones are dropped. (The cascades and the lists they queue need not: the write that changed
    // the post dropped their answers — `related-<id>`, or every stored answer when it left its
    // cascade here — and an answer made since is of the write's state.)
    const changed: number[] = []
    let keys: string[] = []
    const result = db.transaction(() => {
      const r = work()
      if (changed.length > 0 && deps.invalidations !== undefined) {
        // Past a few dozen lists (a rebuild of everything), every stored answer at once.
        const ids = [...new Set(changed)]
        keys = ids.length > 64 ? [RELATED_KEY] : ids.map(relatedListKey)
        deps.invalidations.record(keys, Date.now())
      }
      return r
    }, { behavior: 'immediate' })
    if (keys.length > 0) deps.invalidations?.committed(keys)
    return result

    function work (): { built: number, more: boolean } {
      const start = performance.now()
      const out = () => performance.now() - start >= budgetMs
      if (!indexed) {
        deps.indexer.adoptStored()
        if (deps.indexer.indexMissing(budgetMs).more) return { built: 0, more: true }
        indexed = true
      }
      const now = Date.now()
      queueWentLive(now)
      for (;;) {
        const batch = repo.queued(8)
        if (batch.length === 0) break
        for (const { id, cascade: cascadeOf, seq: since } of batch) {
          repo.dequeue([id])
          if (cascadeOf === 1) cascade(id, since, now)
          else build(id, repo.state().seq, now)
          rebuilt.push(id)
          if (out()) return { built: rebuilt.length, more: true }
        }
      }
      while (fillBefore !== null) {
        // A window of at most FILL_WINDOW entries at a time: when every list is there (each
        // start), one unbounded look read every live post's entry and probed its list in one
        // go (about 100 ms at 10,000 posts on the bench machine, a second at 100,000).
        const top = Math.min(now, fillBefore)
        let floor = repo.publishedBelow(top, deps.fillWindow ?? FILL_WINDOW)
        // Past a window of posts all published at that very time: that time in one go.
        if (floor === top) floor = top - 1
        const ids = repo.missing(top, 8, floor ?? undefined)
        if (ids.length === 0) {
          fillBefore = floor
          if (out()) return { built: rebuilt.length, more: fillBefore !== null }
          continue
        }
        const seq = repo.state().seq
        for (const r of ids) {
          build(r.id, seq, now)
          rebuilt.push(r.id)
          fillBefore = r.publishedAt
          if (out()) return { built: rebuilt.length, more: true }
        }
      }
      if (performance.now() < driftResumeAt) return { built: rebuilt.length, more: false }
      const seq = repo.state().seq
      const driftStart = performance.now()
      const rest = (): void => {
        const spent = performance.now() - driftStart
        driftResumeAt = duty >= 1 ? 0 : performance.now() + spent * (1 - duty) / duty
      }
      for (;;) {
        const ids = repo.drifted(seq - allowance(), 8)
        if (ids.length === 0) {
          rest()
          return { built: rebuilt.length, more: false }
        }
        for (const id of ids) {
          rebuild(id, seq, now, changed)
          rebuilt.push(id)
          if (out()) {
            rest()
            // Only drift left: the worker comes back when it is idle again, not at once.
            return { built: rebuilt.length, more: duty >= 1 }
          }
        }
      }
    }
  }

  /**
   * Inside a write's transaction, after its changes: runs the cascades it queued (at most
   * RELATED_SETTLE_CASCADES), so the write knows which stored lists it changes or queues —
   * their posts' ids — and drops only the cached answers made of those (cache-keys.ts,
   * relatedWriteKeys). `complete` false: cascades were left to the background (a write that
   * changed many posts, the index not caught up yet, a failure), and the write drops every
   * stored answer instead. A cascade is one scoring of the changed post (about 3 ms at 10,000
   * posts) that the background would otherwise run a moment later, while every related read
   * computed its answer.
   */
  function settle (now: number): { ids: number[], complete: boolean } {
    // Not caught up yet (the first step after start): cascades wait for it, and every stored
    // answer goes — unless no list is stored yet, so no answer was made of one.
    if (!indexed) return { ids: [], complete: !repo.anyCascading() || !repo.anyList() }
    try {
      // A savepoint: a failure leaves the queue as the write's triggers filled it, for the background.
      return db.transaction(() => {
        // A post this write published went live now: looked at here, or reads would compute
        // until the next step, which would then run its cascade a second time.
        queueWentLive(now)
        const batch = repo.queuedCascades(RELATED_SETTLE_CASCADES + 1)
        const ids = new Set<number>()
        for (const { id, seq: since } of batch.slice(0, RELATED_SETTLE_CASCADES)) {
          repo.dequeue([id])
          ids.add(id)
          for (const a of cascade(id, since, now, true)) ids.add(a)
        }
        return { ids: [...ids], complete: batch.length <= RELATED_SETTLE_CASCADES }
      })
    } catch (err) {
      deps.onSettleError?.(err)
      return { ids: [], complete: false }
    }
  }

  /**
   * A read of a queued list (queued by a cascade: the list of a post a write can move) rebuilds
   * it now, in its own short transaction, rather than computing an answer for every read until
   * the background gets there: after an edit of a popular post, the lists naming it are the
   * popular ones. False when it cannot (the index is not caught up yet, another connection
   * holds the write lock): the read computes instead.
   */
  function rebuildOnRead (postId: number, now: number): boolean {
    if (!indexed) return false
    try {
      (deps.inBackground ?? ((fn) => fn()))(() => db.transaction(() => {
        if (!repo.isQueued(postId)) return
        repo.dequeue([postId])
        build(postId, repo.state().seq, now)
      }, { behavior: 'immediate' }))
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_BUSY') return false
      throw err
    }
    // No onRebuilt: what queued the list dropped the cached answers made of it (the write's
    // own keys, or RELATED_KEY), and the answer being made now is of the rebuilt list.
    return true
  }

  return {
    step,
    settle,

    /** Makes the next steps look again for live posts without a list. */
    refill (): void {
      fillBefore = Number.MAX_SAFE_INTEGER
    },

    /** Drops every list, to be built again (`npm run cli -- rebuild`). */
    rebuildAll (): void {
      // Answers made of the old lists, cached by any process sharing the file, go with them.
      const keys = [RELATED_KEY]
      db.transaction(() => {
        repo.clear()
        deps.invalidations?.record(keys, Date.now())
      }, { behavior: 'immediate' })
      deps.invalidations?.committed(keys)
      indexed = false
    },

    /**
     * The stored answer for a live post as JSON text (the `data` array's items), the ids it
     * names and a hash of what those items are made of (the stored list and each post's
     * document hash: different items, different hash), or null when the rules above say to
     * compute instead.
     */
    read (postId: number, limit: number, now = Date.now()): { items: string[], ids: number[], hash: string } | null {
      // The common case in one statement: nothing waits, and the list is there.
      const quick = repo.readState(postId, now)
      let list: { items: string } | undefined
      if (quick !== undefined && !quick.cascading && !quick.queued && !quick.wentLive) {
        list = quick.items === null ? undefined : { items: quick.items }
      } else {
        if (repo.anyCascading()) return null
        if (repo.isQueued(postId) && !rebuildOnRead(postId, now)) return null
        const state = repo.state()
        if (repo.wentLive(state.liveThrough, now, 1).length > 0) return null
        list = repo.get(postId)
      }
      // A drifted list is still served (its posts are checked live below): only corpus
      // statistics moved since it was built, and its refresh is on its way.
      if (list === undefined) return null
      const top = (JSON.parse(list.items) as Item[]).slice(0, limit)
      const ids = top.map((i) => i[0])
      const cards = repo.liveCards(ids, deps.fingerprint, now)
      if (cards.size < ids.length) return null
      const items = top.map(([id, score, tags, categories, text]) => {
        const c = cards.get(id) as LiveCard
        const [cats, tagRows] = JSON.parse(c.terms) as [TermRow[], TermRow[]]
        return `${c.card.slice(0, -1)},"score":${JSON.stringify(score)},"reasons":{"shared_tags":${refs(tags, tagRows)},"shared_categories":${refs(categories, cats)},"text_similarity":${JSON.stringify(text)}}}`
      })
      // The whole stored list rather than its first `limit` items: cheaper than writing them
      // out again, and a change beyond them only makes a new tag for the same bytes.
      return { items, ids, hash: contentHash(String(limit), list.items, ...ids.map((id) => (cards.get(id) as LiveCard).hash)) }
    },

    /** Queued posts, stored lists and live posts. */
    counts: (now = Date.now()) => repo.counts(now)
  }
}
export type RelatedLists = ReturnType<typeof createRelatedLists>
