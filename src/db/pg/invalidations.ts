import { and, eq, gt, lte, min } from 'drizzle-orm'
import { ALL_KEY, createInvalidationFanout } from '../invalidations.js'
import type { PgDb } from './client.js'
import { createPgInvalidationListener, setInvalidationOrigin, type PgInvalidationListenerOptions } from './notify.js'
import { invalidations, pages, posts } from './schema.js'
import { withPgTransaction, type PgTx } from './transaction.js'

// Invalidation by key across every server on one PostgreSQL database (issue 20): the
// counterpart of src/db/invalidations.ts with the same contract and the same surface, so the
// response cache, memoized reads and purges plug in unchanged once core.ts opens PostgreSQL.
// What differs: SQLite processes read new `invalidations` rows once an event-loop turn (a query
// each turn someone wrote); here the rows arrive pushed (LISTEN/NOTIFY, notify.ts), so a turn
// costs nothing and `sync` only applies go-lives that are due. The one asynchronous step, the
// look for the next scheduled post or page, runs after start and after each applied write, in
// the background; `sync` never waits for the database.

export interface PgInvalidationOptions {
  url: string
  /** This server's origin: its own writes' notifications are skipped (it applies them at commit). */
  origin: string
  goLiveKeys: (postIds: number[]) => string[]
  pageGoLiveKeys?: (pageIds: number[]) => string[]
  /** Told what failed in the background (the listener's connection, a go-live look). */
  onError?: (error: Error) => void
  /** The listener's timings (tests shorten them). */
  listener?: Pick<PgInvalidationListenerOptions, 'heartbeatMs' | 'reconnectBaseMs' | 'reconnectMaxMs'>
}

export function createPgInvalidations (db: PgDb, opts: PgInvalidationOptions) {
  const pageKeys = opts.pageGoLiveKeys
  const fail = (e: unknown) => { opts.onError?.(e instanceof Error ? e : new Error(String(e))) }
  const fanout = createInvalidationFanout()
  const { apply, announce } = fanout
  let checkedAt = Date.now()
  let next = 0
  let timer: NodeJS.Timeout | undefined
  let running = false
  // One go-live look at a time; a request for another while one runs is remembered.
  let looking: Promise<void> | null = null
  let lookAgain = false

  async function nextGoLive (now: number): Promise<number> {
    const [post] = await db.select({ next: min(posts.publishedAt) }).from(posts).where(and(eq(posts.status, 'published'), gt(posts.publishedAt, now)))
    const page = pageKeys === undefined
      ? undefined
      : (await db.select({ next: min(pages.publishedAt) }).from(pages).where(and(eq(pages.status, 'published'), gt(pages.publishedAt, now))))[0]
    const a = post?.next ?? 0
    const b = page?.next ?? 0
    return a === 0 ? b : b === 0 ? a : Math.min(a, b)
  }

  /** Posts (and pages) whose time came in (checkedAt, now], invalidated and announced; then the next time. */
  async function goLive (covered: Set<string> | undefined): Promise<void> {
    const now = Date.now()
    const from = checkedAt
    let ids = (await db.select({ id: posts.id }).from(posts)
      .where(and(eq(posts.status, 'published'), gt(posts.publishedAt, from), lte(posts.publishedAt, now)))).map((r) => r.id)
    let pageIds = pageKeys === undefined
      ? []
      : (await db.select({ id: pages.id }).from(pages)
          .where(and(eq(pages.status, 'published'), gt(pages.publishedAt, from), lte(pages.publishedAt, now)))).map((r) => r.id)
    if (checkedAt === from) checkedAt = now
    next = await nextGoLive(now)
    if (covered?.has(ALL_KEY) === true) {
      ids = []
      pageIds = []
    } else if (covered !== undefined) {
      ids = ids.filter((id) => !opts.goLiveKeys([id]).every((k) => covered.has(k)))
      pageIds = pageIds.filter((id) => !pageKeys!([id]).every((k) => covered.has(k)))
    }
    if (ids.length > 0 || pageIds.length > 0) {
      const keys = [...new Set([...(ids.length > 0 ? opts.goLiveKeys(ids) : []), ...(pageIds.length > 0 ? pageKeys!(pageIds) : [])])].sort()
      apply(keys, 'time')
      announce(keys)
    }
    arm()
  }

  /** Runs a go-live look in the background (one at a time). */
  function look (covered?: Set<string>): Promise<void> {
    if (looking !== null) {
      lookAgain = true
      return looking
    }
    looking = goLive(covered).catch(fail).finally(() => {
      looking = null
      if (lookAgain) {
        lookAgain = false
        void look()
      }
    })
    return looking
  }

  // A timer at the next go-live time, so purges go out then, not at the next request.
  function arm (): void {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    if (!running || next === 0) return
    timer = setTimeout(() => {
      timer = undefined
      void look()
    }, Math.min(Math.max(0, next - Date.now()), 2 ** 31 - 1))
    timer.unref()
  }

  /** Resolves when no go-live look runs (a look may queue another). */
  async function settled (): Promise<void> {
    for (let current = looking; current !== null; current = looking) await current
  }

  /** Starts a look for go-lives that are due (none is started when none is). */
  function sync (): void {
    if (next !== 0 && Date.now() >= next) void look()
  }

  const listener = createPgInvalidationListener({
    ...opts.listener,
    url: opts.url,
    origin: opts.origin,
    onError: fail,
    onKeys (keys, _cause, at) {
      apply(keys, 'write')
      // A post another server scheduled may have gone live before its notification came: look
      // again from that write's time (or from when the connection was lost).
      if (at !== null && at < checkedAt) checkedAt = at
      void look(new Set(keys))
    }
  })

  return {
    /** Records the keys a write invalidates, in its transaction (the trigger notifies the other servers at commit). */
    async record (tx: Pick<PgTx, 'execute' | 'insert'>, keys: readonly string[], now: number): Promise<void> {
      if (keys.length === 0) return
      await setInvalidationOrigin(tx, opts.origin)
      await tx.insert(invalidations).values({ at: now, keys: keys.join(' ') })
    },

    /** After this server's write committed: its keys are applied now and announced (purges). */
    committed (keys: readonly string[]): void {
      if (keys.length === 0) return
      apply(keys, 'write')
      announce(keys)
      // The write may have scheduled, moved or published a post.
      void look(new Set(keys))
    },

    /** Invalidates keys outside a write (a background step changed what responses show): its own transaction. */
    async invalidate (keys: readonly string[]): Promise<void> {
      if (keys.length === 0) return
      const now = Date.now()
      await withPgTransaction(db, async (tx) => {
        await setInvalidationOrigin(tx, opts.origin)
        await tx.insert(invalidations).values({ at: now, keys: keys.join(' ') })
      })
      apply(keys, 'write')
      announce(keys)
    },

    /** Applies go-lives that are due (no query when none is: writes arrive pushed). */
    sync,

    generation: fanout.generation,
    stampFor: (keys: readonly string[]) => fanout.stampFor(keys, sync),
    onInvalidated: fanout.onInvalidated,
    onAnnounced: fanout.onAnnounced,

    /** Listens, finds the next go-live time and arms its timer; rejects when the database cannot be reached. */
    async start (): Promise<void> {
      await listener.start()
      running = true
      checkedAt = Date.now()
      next = await nextGoLive(checkedAt)
      arm()
    },

    /** Waits for the go-live look in progress, if any (tests, shutdown). */
    settled,

    async stop (): Promise<void> {
      running = false
      arm()
      await listener.stop()
      await settled()
    }
  }
}
export type PgInvalidations = ReturnType<typeof createPgInvalidations>
