import { and, asc, eq, gt, lte, max, min, sql } from 'drizzle-orm'
import type { Db } from './client.js'
import { invalidations, pages, posts } from './schema.js'

const p = sql.placeholder

/** The key that stands for everything: every cached response is dropped (and one keyed `all` by any invalidation). */
export const ALL_KEY = 'all'

/** Why keys were invalidated: a committed write (of any process sharing the file), or a scheduled post or page going live. */
export type InvalidationCause = 'write' | 'time'

export interface InvalidationOptions {
  /** The keys a scheduled post going live invalidates (no write happens then). */
  goLiveKeys: (postIds: number[]) => string[]
  /** The keys a scheduled page going live invalidates (none looked for without it). */
  pageGoLiveKeys?: (pageIds: number[]) => string[]
  /** Rows kept at least (the newest ones), and at least this long (ms), before pruning. */
  keepRows?: number
  keepMs?: number
}

/** More unseen rows than this (a process idle through an import, say): everything is dropped instead. */
const MAX_ROWS_A_TURN = 2000
/** A write prunes old rows once in this many of its rows. */
const PRUNE_EVERY = 256

/**
 * Invalidation by key across every process sharing the database file.
 *
 * A write records the surrogate keys it invalidates (src/modules/cache-keys.ts) as one row of
 * `invalidations`, in its own transaction: the rows are exactly the committed writes, in commit
 * order. Each process reads the rows after the last one it applied at most once per
 * event-loop turn, on the first request (or memo) of the turn — one indexed read that returns
 * nothing when no one wrote — and tells its listeners (the response cache drops the entries
 * carrying those keys). A commit by another process is seen from the next turn: a request
 * that arrives in the same turn as that commit, so is concurrent with it, may be answered
 * from the state before it; any request that starts after the turn sees it. A write of this
 * process is applied as soon as it commits (`committed`), before its answer is sent.
 *
 * A scheduled post (or page) goes live by time, with no write: each process finds the posts
 * (and pages) whose publication time has passed since it last looked (the next go-live time is remembered, so
 * this costs nothing until then) and invalidates their keys itself.
 *
 * Memoized reads (totals, live counts, the public terms, related-posts statistics) take a
 * `stampFor(keys)`: a string that moves whenever one of those keys (or `all`) is invalidated.
 */
export function createInvalidations (db: Db, opts: InvalidationOptions) {
  const keepRows = opts.keepRows ?? 1000
  const keepMs = opts.keepMs ?? 10 * 60_000
  const insert = db.insert(invalidations).values({ at: p('at'), keys: p('keys') }).returning({ id: invalidations.id }).prepare()
  const after = db.select({ id: invalidations.id, at: invalidations.at, keys: invalidations.keys }).from(invalidations)
    .where(gt(invalidations.id, p('after'))).orderBy(asc(invalidations.id)).limit(p('limit')).prepare()
  const newest = db.select({ id: max(invalidations.id) }).from(invalidations).prepare()
  const prune = db.delete(invalidations).where(and(lte(invalidations.id, p('upTo')), lte(invalidations.at, p('before')))).prepare()
  // From the (status, published_at, id) index: the next publication time after `now`, and the
  // posts whose time came in (from, to]. Pages likewise, from their (status, published_at) index.
  const nextPostGoLive = db.select({ next: min(posts.publishedAt) }).from(posts)
    .where(and(eq(posts.status, 'published'), gt(posts.publishedAt, p('now')))).prepare()
  const wentLive = db.select({ id: posts.id }).from(posts)
    .where(and(eq(posts.status, 'published'), gt(posts.publishedAt, p('from')), lte(posts.publishedAt, p('to')))).prepare()
  const nextPageGoLive = db.select({ next: min(pages.publishedAt) }).from(pages)
    .where(and(eq(pages.status, 'published'), gt(pages.publishedAt, p('now')))).prepare()
  const pagesWentLive = db.select({ id: pages.id }).from(pages)
    .where(and(eq(pages.status, 'published'), gt(pages.publishedAt, p('from')), lte(pages.publishedAt, p('to')))).prepare()
  const pageKeys = opts.pageGoLiveKeys
  /** The next go-live time after `now` of a post or (when their keys are given) a page; 0 for none. */
  const nextGoLive = (now: number): number => {
    const post = nextPostGoLive.get({ now })?.next ?? 0
    const page = pageKeys === undefined ? 0 : nextPageGoLive.get({ now })?.next ?? 0
    return post === 0 ? page : page === 0 ? post : Math.min(post, page)
  }

  const fanout = createInvalidationFanout()
  const { apply, announce } = fanout

  // Rows committed before this process started concern nothing it has cached.
  let seen = newest.get()?.id ?? 0
  let checkedAt = Date.now()
  let next = nextGoLive(checkedAt)
  let readThisTurn = false
  let timer: NodeJS.Timeout | undefined
  let running = false
  const newTurn = () => { readThisTurn = false }

  /**
   * Posts whose publication time came since the last look; then the next such time. `covered`:
   * the keys just applied (a batch of rows), so posts that a write published — whose keys it
   * invalidated already — are not invalidated (and purged) twice.
   */
  function goLive (now: number, covered?: Set<string>): void {
    let ids = wentLive.all({ from: checkedAt, to: now }).map((r) => r.id)
    let pageIds = pageKeys === undefined ? [] : pagesWentLive.all({ from: checkedAt, to: now }).map((r) => r.id)
    checkedAt = now
    next = nextGoLive(now)
    if (covered?.has(ALL_KEY) === true) {
      ids = []
      pageIds = []
    } else if (covered !== undefined) {
      ids = ids.filter((id) => !opts.goLiveKeys([id]).every((k) => covered.has(k)))
      pageIds = pageIds.filter((id) => !pageKeys!([id]).every((k) => covered.has(k)))
    }
    if (ids.length > 0 || pageIds.length > 0) {
      const keys = [...new Set([
        ...(ids.length > 0 ? opts.goLiveKeys(ids) : []),
        ...(pageIds.length > 0 ? pageKeys!(pageIds) : [])
      ])].sort()
      apply(keys, 'time')
      announce(keys)
    }
    arm()
  }

  function read (now: number): void {
    const rows = after.all({ after: seen, limit: MAX_ROWS_A_TURN + 1 })
    if (rows.length === 0) return
    const covered = new Set<string>()
    if (rows.length > MAX_ROWS_A_TURN || rows[0].id !== seen + 1) {
      // Too many to go through, or some were pruned before this process read them.
      apply([ALL_KEY], 'write')
      covered.add(ALL_KEY)
      seen = newest.get()?.id ?? seen
    } else {
      for (const row of rows) {
        const keys = row.keys.split(' ')
        apply(keys, 'write')
        for (const k of keys) covered.add(k)
        // A post another process scheduled may have gone live before its row was read here:
        // look again from that write's time.
        if (row.at < checkedAt) checkedAt = row.at
      }
      seen = rows[rows.length - 1].id
    }
    // A write may have scheduled, moved or published a post: the next go-live time may change.
    goLive(now, covered)
  }

  /** Reads new rows (once a turn unless `force`), and applies go-lives that are due. */
  function sync (force = false, now = Date.now()): void {
    // Inside a transaction the rows include this write's own, which may still roll back.
    if (db.$client.inTransaction) return
    if (force || !readThisTurn) {
      if (!readThisTurn) setImmediate(newTurn)
      readThisTurn = true
      read(now)
    }
    if (next !== 0 && now >= next) goLive(now)
  }

  // While the workers run, a timer wakes this process at the next go-live time so that its
  // purge (PURGE_URL) goes out then, not on the next request that happens to reach it.
  function arm (): void {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    if (!running || next === 0) return
    // setTimeout holds at most 2^31 - 1 ms; a later time is looked at again then.
    timer = setTimeout(() => {
      timer = undefined
      try { sync() } catch { /* the database is closing */ }
      arm()
    }, Math.min(Math.max(0, next - Date.now()), 2 ** 31 - 1))
    timer.unref()
  }

  return {
    /** Records the keys a write invalidates; call inside its transaction. */
    record (keys: readonly string[], now: number): void {
      if (keys.length === 0) return
      const { id } = insert.get({ at: now, keys: keys.join(' ') })!
      if (id % PRUNE_EVERY === 0 && id > keepRows) prune.run({ upTo: id - keepRows, before: now - keepMs })
    },

    /** After this process's write committed: its keys are applied now and announced (purges). */
    committed (keys: readonly string[]): void {
      if (keys.length === 0) return
      sync(true)
      announce(keys)
    },

    /** Invalidates keys outside a write (a background step changed what responses show): its own transaction. */
    invalidate (keys: readonly string[]): void {
      if (keys.length === 0) return
      const now = Date.now()
      db.transaction(() => { insert.get({ at: now, keys: keys.join(' ') }) }, { behavior: 'immediate' })
      sync(true)
      announce(keys)
    },

    /** Brings this process up to date: at most one read of the table a turn. */
    sync (): void {
      sync()
    },

    /** How many invalidations this process has applied (after `sync`). */
    generation: fanout.generation,

    /** A stamp that moves whenever one of `keys` (or `all`) is invalidated, for memoized reads. */
    stampFor: (keys: readonly string[]) => fanout.stampFor(keys, sync),

    /** Told every invalidation applied in this process: rows of any process, and go-lives. */
    onInvalidated: fanout.onInvalidated,

    /** Told what this process itself invalidated (its writes, background steps, go-lives): what it purges. */
    onAnnounced: fanout.onAnnounced,

    /** Starts the go-live timer (the workers' lifetime). */
    start (): void {
      running = true
      arm()
    },

    stop (): void {
      running = false
      arm()
    }
  }
}
export type Invalidations = ReturnType<typeof createInvalidations>

type InvalidationListener = (keys: readonly string[], cause: InvalidationCause) => void

/**
 * What an engine's invalidations share, however they learn of a write (SQLite: rows read once a
 * turn; PostgreSQL: NOTIFY, pg/invalidations.ts): the count of invalidations applied, the
 * stamps of memoized reads, the listeners told each invalidation, and those told what this
 * process itself invalidated (its purges).
 */
export function createInvalidationFanout () {
  const listeners: InvalidationListener[] = []
  const announced: Array<(keys: readonly string[]) => void> = []
  const stamps: Array<{ keys: Set<string>, n: number, text: string }> = []
  // Every invalidation applied here, counted: the response cache tells by it whether one
  // landed while a response was being made.
  let generation = 0
  return {
    /** Applies an invalidation: counts it, moves the stamps it concerns, tells the listeners. */
    apply (keys: readonly string[], cause: InvalidationCause): void {
      generation++
      const all = keys.includes(ALL_KEY)
      for (const s of stamps) {
        if (all || keys.some((k) => s.keys.has(k))) s.text = String(++s.n)
      }
      for (const l of listeners) l(keys, cause)
    },
    /** Tells the announce listeners what this process invalidated. */
    announce (keys: readonly string[]): void {
      for (const l of announced) l(keys)
    },
    generation: (): number => generation,
    /** A stamp that moves whenever one of `keys` (or `all`) is invalidated; `sync` brings the process up to date first. */
    stampFor (keys: readonly string[], sync: () => void): () => string {
      const s = { keys: new Set(keys), n: 0, text: '0' }
      stamps.push(s)
      return () => {
        sync()
        return s.text
      }
    },
    onInvalidated (listener: InvalidationListener): void {
      listeners.push(listener)
    },
    onAnnounced (listener: (keys: readonly string[]) => void): void {
      announced.push(listener)
    }
  }
}
