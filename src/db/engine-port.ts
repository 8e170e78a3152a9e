import type { Db } from './client.js'
import type { PgDb } from './pg/client.js'
import type { PgTx } from './pg/transaction.js'

/**
 * How the repositories become engine-neutral (issue 20): the design the port follows, module by
 * module. Nothing here runs a query; it names the shapes every ported repository shares.
 *
 * 1. Repositories answer Promises on both engines. A ported repository is built from an
 *    `EngineDb` (below) and every method returns a Promise. On SQLite the method still runs its
 *    prepared better-sqlite3 statement synchronously and returns an already-settled Promise
 *    (`settled`): no thread pool, no extra event-loop turn, the cost of one microtask. On
 *    PostgreSQL the same method sends the same Drizzle query (built once per engine, from the
 *    twin tables of src/db/pg/schema.ts) through the pool. Statements stay prepared
 *    (`sql.placeholder`) on both: drizzle's `.prepare(name)` on node-postgres names the
 *    statement per connection. Services become `async` and `await` their repositories; routes
 *    already are.
 *
 * 2. Write transactions: `write(async (tx, emit, now) => …)` on both engines, where `tx` is the
 *    only handle that writes.
 *    - SQLite has one writer, and a transaction there must not await anything but its own
 *      statements: while it is open the write lock is held for every process on the file. The
 *      writer runs `BEGIN IMMEDIATE`, calls the function and commits when its Promise settles;
 *      since every statement inside resolves at once, the whole transaction still runs inside
 *      one macrotask (the microtasks that follow it), as today's synchronous `db.transaction`.
 *      Enforced, not hoped for (src/db/async-transaction.ts, test/db/async-transaction.test.ts):
 *      (a) a `setImmediate` tripwire is armed at `BEGIN`; if the transaction is still open when
 *      it fires, the function awaited real I/O (a fetch, a timer, a file), so it is rolled back
 *      at once (the lock is released), the connection refuses writes until the function settles
 *      (`PRAGMA query_only`), and the call rejects with SqliteTransactionAwaitedError; (b) to do:
 *      reads outside the
 *      transaction never see its uncommitted rows: the process keeps a second, read-only
 *      connection (WAL: a snapshot of committed data) for every query not given `tx`, so a
 *      request whose continuation runs among the transaction's microtasks reads committed
 *      state; (c) a second `write` while one is open queues behind it (a Promise chain), except
 *      a write started inside one (`tx` passed on), which is a savepoint as today; (d) while
 *      the modules are ported one by one, the synchronous writer (src/db/write.ts) shares the
 *      connection (`gate`, src/db/engine-write.ts): a synchronous write called inside an async
 *      one joins it as a savepoint; one called from another context while an async one is open
 *      (resumed among its microtasks; it cannot wait) rolls that one back (`preempt`, as the
 *      tripwire does), runs alone, and the async write is run again from the start — the same
 *      contract as a PostgreSQL retry. An async write started inside a synchronous one runs
 *      after it commits, as a write of its own (a synchronous write cannot contain one).
 *    - PostgreSQL: a pooled client per transaction (`withPgTransaction`,
 *      src/db/pg/transaction.ts), READ COMMITTED unless asked, retried as a whole on
 *      serialization failure (40001) and deadlock (40P01) with jittered exponential backoff and
 *      bounded attempts; any other error rolls back and is thrown at once, never retried. A
 *      retried function runs again from the start, so it must only touch the database through
 *      `tx` and keep its side effects (emitted changes, keys) per attempt: the writer collects
 *      them in a fresh list each attempt and hands them on only after COMMIT succeeded.
 *
 * 3. The rest of the write path keeps its contract on both engines:
 *    - bus listeners and the read model's settle step run inside the transaction through `tx`
 *      (on PostgreSQL the read model's triggers are plpgsql twins, migrations/pg/0004, and its
 *      rebuild workers claim queue rows `FOR UPDATE SKIP LOCKED`). Decided with the writer
 *      (src/db/engine-write.ts): on SQLite listeners stay synchronous `(change, now)` and run at
 *      `emit`, as today (their statements are the connection's, inside the transaction); on
 *      PostgreSQL they are `(change, now, tx) => Promise | void` (createPgChangeBus,
 *      src/db/pg/write.ts) and run once the write's function has resolved, in emit order, one
 *      at a time on `tx`, then the settle listeners, the change log last (so the change-log turn
 *      is held only from there to COMMIT). So a listener must take what it needs from the change
 *      or from the state at the end of the write, never from the state at its `emit`; a
 *      module's port builds its listener per engine, as its repository;
 *    - the PostgreSQL writer (src/db/pg/write.ts) joins these: changes and keys are collected per
 *      attempt, the keys recorded with the writer's origin, and this process told after COMMIT;
 *    - invalidations: the write records its surrogate keys as one `invalidations` row in its
 *      transaction (src/db/invalidations.ts). SQLite processes read new rows once a turn; on
 *      PostgreSQL an AFTER INSERT trigger on that table calls `pg_notify` (delivered on commit
 *      only, in commit order; batched under the 8000-byte payload limit, `all` beyond), and
 *      src/db/pg/notify.ts listens on a connection of its own, reconnects, and applies `all`
 *      after a gap (notifications sent while it was away are lost). The writing process applies
 *      its own keys right after COMMIT, as today, and skips its own notifications.
 *      src/db/pg/invalidations.ts gives this the surface of src/db/invalidations.ts, so the
 *      response cache, memo stamps and purges take either;
 *    - the change log's order: on SQLite ids and times follow commit order because writers take
 *      turns. PostgreSQL gives identity values at insert, so two writers can commit ids 11 and
 *      10 in that order, and a reader that had read past 11 would never see 10. The port takes a
 *      transaction advisory lock on one fixed key right before a write's change-log rows are
 *      inserted (at the end of its transaction, so writers only queue for the moment from
 *      those rows to COMMIT) and reads the rows' time after it: ids and times then follow
 *      commit order again (src/db/pg/change-log.ts, built and tested; the time is the database's
 *      clock under the lock, never before the newest row's whose time has come: a scheduled
 *      go-live's entry is dated ahead on purpose). Cursor tests run on both engines;
 *    - leases: webhook deliveries, feed polls, scheduled go-lives and (to do) import jobs are
 *      claimed in one statement with `FOR UPDATE SKIP LOCKED` (src/db/pg/leases.ts), so each
 *      runs once across all servers.
 *
 * 4. Values one engine refuses: PostgreSQL text cannot hold NUL (U+0000), which SQLite stores.
 *    No row on PostgreSQL holds one, so a lookup by such a value answers nothing without asking
 *    (the query would fail: a 500 for a client's `%00`); a write carrying one is to be refused
 *    as a 400 by validation on both engines, so the engines keep the same content.
 *
 * 5. The order of the port (each step keeps `npm test` green on SQLite and adds its tests to
 *    `npm run test:pg`). Done: redirects (the pattern end to end, read-only), health, the
 *    engine-neutral writer (src/db/engine-write.ts, test/db/engine-write.test.ts) and site, the
 *    first write ported (repository, async service, its change-log entry on both engines:
 *    test/helpers/site-cases.ts run by test/modules/site/ and test/db/pg-site.test.ts). Left:
 *    revisions' listener and restores (with posts; see below); posts with the read model's
 *    workers, search (onto src/db/pg/search.ts) and
 *    related; the webhooks' change-bus listener and the scheduler's go-lives (onto
 *    src/db/pg/leases.ts's takeScheduled); imports. Then core.ts builds the repositories from
 *    `openEngine(env)` and `DATABASE_URL` stops being refused.
 *    Ported so far (repository on both engines, cases in test:pg): redirects, health, sitemaps,
 *    export, feeds (its reads; the read model's feed-item builder keeps synchronous SQLite reads,
 *    createFeedItemSources, until the settle step is ported), the change log's reads
 *    (createChangeLogReads; its write listener stays synchronous on SQLite).
 *    Site is ported too, the first module that writes. Keys too (auth and quotas await the
 *    repository; the quota count on PostgreSQL is an upsert that adds the request first, in
 *    withPgTransaction; on SQLite the repository's writes wait for another context's open async
 *    transaction, `busy`/`idle` of src/db/async-transaction.ts, instead of joining it; tests and
 *    scripts seed with the SQLite repository's `createSync`; cases in test/helpers/keys-cases.ts).
 *    Taxonomy too (categories, tags, authors: src/modules/terms): createTermsRepository,
 *    createTermsWriter and the async createTermsService on writeAsync; the live counts and
 *    public terms (createTermReads) and a write's visibility questions
 *    (createEngineTermVisibility, src/db/term-visibility.ts) on both engines, names ordered
 *    `COLLATE "C"` on PostgreSQL for SQLite's BINARY order; term entries (and the unchanged posts
 *    a term's write re-announces) in the PostgreSQL change log. Kept synchronous on SQLite until
 *    their callers are ported: the repository's `.sync` (post and feed filters, menus,
 *    sitemaps), createTermsSyncWriter (webhook payloads) and createTermsSyncService (the WXR
 *    import's items; core's `termsSyncWrites`). Cases in test/helpers/terms-cases.ts.
 *    Media too (src/modules/media): createMediaRepository and the async createMediaService on
 *    writeAsync (uploads, metadata, deletes; the posts showing an image re-announced through the
 *    touchedPosts (posts-touched.ts), logged as post entries on both engines); on PostgreSQL the list's
 *    optional filters are left out of the query (not turned off by NULL parameters) and keyset
 *    values cast to bigint (a cursor's id may pass the int column's range). Kept synchronous on SQLite until posts are ported: the
 *    repository's `.sync` (createMediaSyncRepository: featured and body images of post reads and
 *    the read model's builder, media-embed.ts; the posts write service's links). Cases in
 *    test/helpers/media-cases.ts.
 *    Comments too (src/modules/comments): createCommentsRepository and the async
 *    createCommentsService on writeAsync (submission, moderation, deletes; comment_count recounted
 *    in the write, the post re-announced through touchedPosts (posts-touched.ts)); on PostgreSQL thread
 *    order is path `COLLATE "C"`, duplicate e-mails fold ASCII letters only (SQLite's NOCASE,
 *    `translate`), and ids past the integer column's range answer nothing without asking. The
 *    public thread's read of stored documents (createCommentDocumentsRepository's `thread`) is on
 *    both; PostgreSQL has no document builder yet, so its threads are read from the rows. The
 *    submission rate limit is in each process's memory (lib/window-limit.ts), engine-free. Kept
 *    synchronous on SQLite until their callers are ported: the repository's `.sync`
 *    (createCommentsSyncRepository: the WXR import's comments, webhook payloads, the read
 *    model's documents) and the documents repository's `.sync` (its settle step and
 *    background builder, with posts). Cases in test/helpers/comments-cases.ts.
 *    Pages too (src/modules/pages): createPagesRepository and the async createPagesService on
 *    writeAsync (the parent, cycle and slug checks read through `tx` inside the write; on
 *    PostgreSQL siblings' titles ordered `COLLATE "C"` and a slug taken by a concurrent write a
 *    409); page entries in the PostgreSQL change log (`entriesOf`, as posts re-announced). Kept
 *    synchronous on SQLite until their callers are ported: the repository's `.sync`
 *    (createPagesSyncRepository) under createPagesSyncService (`core.pagesSync`): menu targets
 *    (site-navigation.ts), the pages sitemap, webhook payloads (`findLiveFresh`, inside a
 *    write's listener), revisions' page refs and restores, and the WXR import's items.
 *    Revisions' acting key is kept per async context and `editAsync` checks If-Match inside the
 *    async write (through its `tx`). Cases in test/helpers/pages-cases.ts.
 *    Webhooks too (src/modules/webhooks): createWebhooksRepository and the async
 *    createWebhooksService on writeAsync (subscriptions, rotations, deletes, manual retries; the
 *    target's DNS check before the write opens); the delivery queue's claim and results on both,
 *    on PostgreSQL through src/db/pg/leases.ts (claimDeliveries, settleDelivery: SKIP LOCKED,
 *    fenced by the attempt; two workers on one database send each delivery once,
 *    test/db/pg-webhooks.test.ts). On SQLite the worker's claims and results wait for another
 *    context's open async write (`busy`/`idle`), as keys do. Kept synchronous on SQLite: the
 *    repository's `.sync` (createWebhooksSyncRepository) under the change-bus listener
 *    (webhooks-events.ts: subscribers, enqueue and the scheduled go-live rows, inside the write)
 *    and `promoteDue`, whose payloads read posts, relations, SEO, terms, pages and the site
 *    synchronously. Left: on PostgreSQL no listener queues deliveries (the bus has no webhook
 *    listener; it needs the post payload's reads, with posts) and no scheduler promotes
 *    go-lives (leases.ts's takeScheduled is ready; the worker takes a `DuePromoter` that may
 *    answer a Promise). Cases in test/helpers/webhooks-cases.ts.
 *    Sources too (src/modules/sources): createSourcesRepository and the async
 *    createSourcesService on writeAsync (the ids checked again through `tx`; the feed fetched
 *    before the write, never inside); the poller's claim and record are transactions of their
 *    own (SQLite: IMMEDIATE, after another context's open async write; PostgreSQL: claimSources
 *    and releaseSource of src/db/pg/leases.ts), so servers on one database poll each source
 *    once. The import of a poll's items stays the SQLite importer's (synchronous, through the
 *    imports module) until imports are ported. Cases in test/helpers/sources-cases.ts.
 *    Previews too (src/modules/previews): createPreviewsRepository and the async
 *    createPreviewsService on writeAsync (making and revoking links; no change emitted: a link is
 *    private); tokens stored as their SHA-256 and opened by one indexed lookup of the hash on
 *    both; on PostgreSQL the post is held FOR KEY SHARE while its link is inserted (deleted
 *    meanwhile: nothing stored, a 404) and ids past int name no post. The thread is read through
 *    the engine-neutral comments repository. Kept synchronous on SQLite until posts are ported:
 *    the previewed post's lookup and single-post read, its SEO fields and related posts (the
 *    service takes them as answers or Promises, so they can be swapped in). Cases in
 *    test/helpers/previews-cases.ts.
 *    Revisions too (src/modules/revisions): createRevisionsRepository answering Promises on both
 *    (on PostgreSQL ids and numbers past the int columns' range answer nothing without asking);
 *    the service's list and get await it, and editAsync checks If-Match through the write's `tx`
 *    (checkIfMatchAsync); recordRevision and etagAsync record and stamp on either engine. Kept
 *    synchronous on SQLite until posts are ported: the repository's `.sync`
 *    (createRevisionsSyncRepository) under the change-bus listener that records a revision
 *    inside every post or page write (posts' writes are synchronous), `edit` and `etag` (posts'
 *    and pages' routes) and `restore` (through posts' update and core's pagesSync). Left: on
 *    PostgreSQL no listener records revisions (the bus needs one calling recordRevision on
 *    `tx`, with the acting key of the write's context). Cases in test/helpers/revisions-cases.ts.
 *    What each write module's port
 *    brings besides its repository: its service on `writeAsync` (core.ts), its bus listener
 *    per engine, its kinds in the PostgreSQL change log (src/db/pg/change-log.ts
 *    `changeLogRows`: post, page and term entries ask which terms are public), and its
 *    synchronous callers (the WXR import's items, seedDemo) moved to await it or kept on a
 *    synchronous twin until the import is ported (site: createSiteSyncUpdate). The site's
 *    `get`/`put` stay on SQLite until feeds, sitemaps, comments and webhooks read through `read`.
 *    Menu targets (site-navigation.ts) stay synchronous lookups over pages, terms and posts
 *    until those are ported; on PostgreSQL they become one batched async lookup. The site row
 *    (id 1) is made by SQLite's runMigrations; a PostgreSQL database gets it from migrate-to
 *    only, so opening an empty one must make it (the pg tests insert it).
 */

/** A database handle of either engine: what a ported repository is built from. */
export type EngineDb =
  | { engine: 'sqlite', db: Db }
  | { engine: 'postgres', db: PgDb }

/**
 * The handle of an open write (src/db/engine-write.ts), given to a repository's write methods:
 * on SQLite the connection itself (its prepared statements run inside the open transaction),
 * on PostgreSQL the transaction's pooled client, through which every statement of the write
 * must go (the pool's other connections are outside it).
 */
export type EngineTx =
  | { engine: 'sqlite', db: Db }
  | { engine: 'postgres', db: PgTx }

/**
 * Runs a synchronous SQLite step and answers it as a settled Promise: what a ported repository
 * method returns on SQLite. A throw becomes a rejection, so callers handle one shape of failure.
 */
export async function settled<T> (step: () => T): Promise<T> {
  return step()
}
