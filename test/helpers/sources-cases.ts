import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import type { EngineDb } from '../../src/db/engine-port.js'
import type { EngineWrite } from '../../src/db/engine-write.js'
import type { ImportSummary } from '../../src/modules/imports/imports-schemas.js'
import { createSourcePoller } from '../../src/modules/sources/sources-poller.js'
import { createSourcesRepository, type PollOutcome, type SourceInput, type SourceRow, type SourcesRepository } from '../../src/modules/sources/sources-repository.js'
import { createSourcesService } from '../../src/modules/sources/sources-service.js'

// Feed subscriptions (src/modules/sources) on either engine, run on SQLite by
// test/modules/sources/sources-engine.test.ts and on PostgreSQL by test/db/pg-sources.test.ts:
// the service's writes (create, update, enable, delete, poll now) with the feed checked by a
// local feed server, its refusals (a bad URL, a private target, unknown ids and ids past
// PostgreSQL's integer range a 422, NUL a 400, unknown ids a 404), the poller's claims (due
// order, leases, their expiry, the fence on a lost lease, backoff), and a poller's tick with its
// run recorded. The import of a poll's items is the SQLite importer's (not run here: a stub).

export interface SourcesHarness {
  edb: EngineDb
  write: EngineWrite
}

const RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example.com/</link>' +
  '<item><title>One</title><link>https://wire.example.com/1</link><guid>1</guid><description>First.</description></item></channel></rss>'
const BEYOND_INT = 2 ** 31
const log = { debug: () => {}, warn: () => {}, error: () => {} }

/** The HTTP status a call is refused with (undefined when it succeeds). */
async function statusOf (call: Promise<unknown>): Promise<number | undefined> {
  return await call.then(() => undefined, (err: { statusCode?: number }) => err.statusCode ?? 500)
}

/** A feed server on 127.0.0.1 whose answer the test sets; it counts what it was asked. */
export async function feedServer (t: Test) {
  const state = { status: 200, body: RSS, hits: new Map<string, number>() }
  const server = http.createServer((req, res) => {
    state.hits.set(req.url ?? '', (state.hits.get(req.url ?? '') ?? 0) + 1)
    res.writeHead(state.status, { 'content-type': 'application/rss+xml' }).end(state.status === 200 ? state.body : '')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { base, state, total: () => [...state.hits.values()].reduce((a, b) => a + b, 0) }
}

/** What a stub importer answers: nothing new (the poll's import is the SQLite importer's). */
export const emptySummary = (): ImportSummary => ({
  created: { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0, media: 0, redirects: 0 },
  updated: { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0, media: 0, redirects: 0 },
  unchanged: { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0, media: 0, redirects: 0 },
  skipped: []
} as unknown as ImportSummary)

export function sourceInput (over: Partial<SourceInput> = {}): SourceInput {
  return { feedUrl: 'https://wire.example.com/feed.xml', name: 'Wire', categoryIds: [], tagIds: [], authorId: null, status: 'draft', intervalMinutes: 30, enabled: true, attributionName: null, attributionUrl: null, ...over }
}

/** Stores a source due at `at` (create sets next_poll_at to its time). */
export async function seedSource (h: SourcesHarness, repo: SourcesRepository, at: number, over: Partial<SourceInput> = {}): Promise<SourceRow> {
  return await h.write(async (tx) => await repo.create(tx, sourceInput(over), at))
}

export async function sourcesCases (t: Test, h: SourcesHarness): Promise<void> {
  const repo = createSourcesRepository(h.edb)
  let woken = 0
  const poller = { wake: () => { woken++ } }
  const service = createSourcesService({ repo, write: h.write, poller, allowPrivate: true, timeoutMs: 2000 })
  const strict = createSourcesService({ repo, write: h.write, poller, allowPrivate: false, timeoutMs: 2000 })
  const feed = await feedServer(t)

  await t.test('create, read, list, update, enable, poll now and delete', async (t) => {
    const before = woken
    const made = await service.create({ feed_url: `${feed.base}/a.xml`, name: '  Wire A  ', interval_minutes: 15 }, log)
    t.match(made, { feedUrl: `${feed.base}/a.xml`, name: 'Wire A', intervalMinutes: 15, enabled: true, status: 'draft', consecutiveFailures: 0, categoryIds: [], tagIds: [], authorId: null, lastPolledAt: null })
    t.equal(woken, before + 1, 'an enabled source wakes the poller')
    t.equal(feed.state.hits.get('/a.xml'), 1, 'the feed was fetched once to check it')
    t.same(await repo.findById(made.id), made)
    const b = await service.create({ feed_url: `${feed.base}/b.xml`, name: 'Wire B', enabled: false, attribution: { name: 'Partner', url: 'https://partner.example.com/' } }, log)
    t.match(b, { enabled: false, attributionName: 'Partner', attributionUrl: 'https://partner.example.com/' })
    t.equal(await repo.count(), 2)
    t.same((await repo.list(10, 0)).map((r) => r.id), [made.id, b.id], 'listed by id')
    t.same((await repo.list(1, 1)).map((r) => r.id), [b.id], 'offset pages')

    const renamed = await service.update(made.id, { name: 'Wire A2', interval_minutes: 60 }, log)
    t.match(renamed, { name: 'Wire A2', intervalMinutes: 60, feedUrl: `${feed.base}/a.xml`, nextPollAt: made.nextPollAt })
    t.equal(feed.state.hits.get('/a.xml'), 1, 'an unchanged URL is not fetched again')

    // A source the poller disabled after failures: enabling it clears them and makes it due now.
    await h.write(async (tx) => await repo.update(tx, b.id, { ...b, consecutiveFailures: 3, disabledReason: 'three failures', nextPollAt: Date.now() + 3_600_000 }, Date.now()))
    const enabled = await service.update(b.id, { enabled: true }, log)
    t.match(enabled, { enabled: true, consecutiveFailures: 0, disabledReason: null })
    t.ok(enabled.nextPollAt <= Date.now(), 'due at once')
    const moved = await service.update(b.id, { feed_url: `${feed.base}/b2.xml` }, log)
    t.equal(moved.feedUrl, `${feed.base}/b2.xml`)
    t.equal(feed.state.hits.get('/b2.xml'), 1, 'a new URL is checked')

    // Poll now: due at once, unless backing off (then at the end of the wait); a disabled source is a 409.
    const later = Date.now() + 600_000
    await h.write(async (tx) => await repo.update(tx, made.id, { ...renamed, consecutiveFailures: 2, nextPollAt: later }, Date.now()))
    t.equal((await service.pollNow(made.id)).nextPollAt, later, 'a backing-off source keeps its wait')
    await h.write(async (tx) => await repo.update(tx, made.id, { ...renamed, consecutiveFailures: 0, nextPollAt: later }, Date.now()))
    t.ok((await service.pollNow(made.id)).nextPollAt <= Date.now(), 'due now')
    await service.update(made.id, { enabled: false }, log)
    t.equal(await statusOf(service.pollNow(made.id)), 409, 'a disabled source')

    await service.remove(made.id)
    t.equal(await repo.findById(made.id), undefined)
    t.equal(await statusOf(service.remove(made.id)), 404, 'deleted twice')
    await service.remove(b.id)
    t.equal(await repo.count(), 0)
  })

  await t.test('refusals: a bad URL, a private target, unknown ids are 422s; NUL is a 400; nothing is stored', async (t) => {
    const hits = feed.total()
    t.equal(await statusOf(service.create({ feed_url: 'not a url', name: 'Bad' }, log)), 422, 'a URL that does not parse')
    t.equal(await statusOf(service.create({ feed_url: 'ftp://wire.example.com/feed.xml', name: 'Bad' }, log)), 422, 'not http(s)')
    t.equal(await statusOf(strict.create({ feed_url: `${feed.base}/private.xml`, name: 'Private' }, log)), 422, 'a private address')
    t.equal(feed.state.hits.get('/private.xml'), undefined, 'never fetched')
    t.equal(await statusOf(service.create({ feed_url: `${feed.base}/nul.xml`, name: 'a\u0000b' }, log)), 400, 'NUL in the name')
    t.equal(await statusOf(service.create({ feed_url: `${feed.base}/nul.xml\u0000`, name: 'Nul' }, log)), 400, 'NUL in the URL')
    t.equal(await statusOf(service.create({ feed_url: `${feed.base}/nul.xml`, name: 'Nul', attribution: { name: 'x\u0000' } }, log)), 400, 'NUL in the attribution')
    t.equal(await statusOf(service.create({ feed_url: `${feed.base}/ids.xml`, name: 'Ids', category_ids: [999], tag_ids: [BEYOND_INT], author_id: Number.MAX_SAFE_INTEGER }, log)), 422, 'ids that name nothing, past the int range too')
    t.equal(feed.total(), hits, 'no refused source was fetched')
    feed.state.status = 404
    t.equal(await statusOf(service.create({ feed_url: `${feed.base}/gone.xml`, name: 'Gone' }, log)), 422, 'a feed answering an error')
    feed.state.status = 200
    t.equal(await repo.count(), 0, 'nothing stored')

    const kept = await service.create({ feed_url: `${feed.base}/kept.xml`, name: 'Kept' }, log)
    t.equal(await statusOf(service.update(kept.id, { name: 'x\u0000' }, log)), 400, 'NUL in an update')
    t.equal(await statusOf(service.update(kept.id, { tag_ids: [BEYOND_INT] }, log)), 422, 'an update naming an id past the int range')
    t.equal((await repo.findById(kept.id))!.name, 'Kept', 'unchanged')
    await service.remove(kept.id)
  })

  await t.test('ids past the integer range name no source: a 404, never a 500', async (t) => {
    for (const id of [BEYOND_INT, Number.MAX_SAFE_INTEGER]) {
      t.equal(await repo.findById(id), undefined)
      t.equal(await statusOf(service.load(id)), 404)
      t.equal(await statusOf(service.update(id, { name: 'x' }, log)), 404)
      t.equal(await statusOf(service.remove(id)), 404)
      t.equal(await statusOf(service.pollNow(id)), 404)
      t.same(await repo.runs(id, 10, 0), [])
      t.equal(await repo.countRuns(id), 0)
    }
  })

  await t.test('claims: due order, leases, their expiry, a lost lease fenced, backoff', async (t) => {
    const T = 1_900_000_000_000
    const LEASE = 10_000
    const late = await seedSource(h, repo, T - 3000, { name: 'late' })
    const early = await seedSource(h, repo, T - 5000, { name: 'early' })
    const mid = await seedSource(h, repo, T - 4000, { name: 'mid' })
    await seedSource(h, repo, T - 9000, { name: 'off', enabled: false })
    const future = await seedSource(h, repo, T + 1000, { name: 'future' })
    t.equal(await repo.nextDue(), T - 5000, 'the earliest enabled source')

    const claim = async (now: number, limit: number) => await repo.claim(now, limit, LEASE)
    const first = await claim(T, 2)
    t.same(first.map((r) => r.name).sort(), ['early', 'mid'], 'the longest due first')
    t.ok(first.every((r) => r.leaseUntil === T + LEASE), 'leased until now + lease')
    t.same((await claim(T, 5)).map((r) => r.name), ['late'], 'leased sources are not claimed again; disabled and future ones never')
    t.same(await claim(T, 5), [], 'nothing left')

    // A poll recorded with its lease; one whose lease was lost writes nothing.
    const failed: PollOutcome = { feedUrl: early.feedUrl, etag: null, lastModified: null, nextPollAt: T + 2000, consecutiveFailures: 1, lastError: 'HTTP 500', enabled: true, disabledReason: null }
    const run = { sourceId: early.id, startedAt: T, url: early.feedUrl, httpStatus: 500, itemsSeen: 0, itemsNew: 0, itemsUpdated: 0, itemsSkipped: 0, durationMs: 12, error: 'HTTP 500' }
    t.equal(await repo.finish(early.id, T + LEASE + 1, failed, run, T + 10), false, 'another lease')
    t.equal(await repo.countRuns(early.id), 0, 'no run recorded')
    t.equal(await repo.finish(early.id, T + LEASE, failed, run, T + 10), true)
    t.match(await repo.findById(early.id), { consecutiveFailures: 1, lastError: 'HTTP 500', nextPollAt: T + 2000, leaseUntil: null, lastPolledAt: T + 10 })
    t.match(await repo.runs(early.id, 10, 0), [{ sourceId: early.id, httpStatus: 500, durationMs: 12, error: 'HTTP 500' }])
    t.equal(await repo.finish(early.id, T + LEASE, failed, run, T + 11), false, 'a lease ends once')

    // The released source backs off to T+2000: not due before; then behind the future source (due T+1000).
    t.same(await claim(T + 500, 5), [], 'backing off; the others leased or not due')
    const second = await claim(T + 2500, 1)
    t.same(second.map((r) => r.id), [future.id], 'ordered by when each is due')
    t.same((await claim(T + 2500, 1)).map((r) => r.id), [early.id])

    // Leases that ran out are claimed again: the poller that held them stalled.
    const expired = await claim(T + LEASE + 1, 5)
    t.same(expired.map((r) => r.id).sort((a, b) => a - b), [late.id, mid.id].sort((a, b) => a - b), 'expired leases, longest due first')
    t.equal(await repo.finish(mid.id, T + LEASE, failed, { ...run, sourceId: mid.id }, T + LEASE + 2), false, 'the stalled poller cannot write over the new lease')
    for (const row of [late, early, mid, future]) await h.write(async (tx) => await repo.remove(tx, row.id))
  })

  await t.test('a poller tick claims, fetches, backs off and records each run on this engine', async (t) => {
    for (const row of await repo.list(100, 0)) await h.write(async (tx) => await repo.remove(tx, row.id))
    let clock = Date.now()
    const imported: string[] = []
    const tick = createSourcePoller(repo, async (_bytes, opts) => { imported.push(opts.sourceUrl ?? ''); return emptySummary() }, {
      allowPrivate: true, maxFailures: 3, timeoutMs: 2000, now: () => clock, random: () => 0
    })
    const ok = await seedSource(h, repo, clock - 1, { feedUrl: `${feed.base}/ok.xml`, name: 'ok' })
    t.same(await tick.tick(), { polled: 1, failed: 0 })
    t.same(imported, [`${feed.base}/ok.xml`], 'the fetched feed went to the importer')
    t.match(await repo.findById(ok.id), { consecutiveFailures: 0, lastError: null, leaseUntil: null, nextPollAt: clock + 30 * 60_000 })
    t.same(await tick.tick(), { polled: 0, failed: 0 }, 'not due again before its interval')

    feed.state.status = 500
    clock += 30 * 60_000
    t.same(await tick.tick(), { polled: 1, failed: 1 })
    const backedOff = (await repo.findById(ok.id))!
    t.match(backedOff, { consecutiveFailures: 1, lastError: 'HTTP 500', enabled: true })
    t.equal(backedOff.nextPollAt, clock + 30 * 60_000, 'the interval at least (jitter 0: the doubled wait halved)')
    clock = backedOff.nextPollAt
    await tick.tick()
    t.equal((await repo.findById(ok.id))!.consecutiveFailures, 2)
    t.equal((await repo.findById(ok.id))!.nextPollAt, clock + 60 * 60_000, 'twice as long')
    clock = (await repo.findById(ok.id))!.nextPollAt
    await tick.tick()
    t.match(await repo.findById(ok.id), { enabled: false, consecutiveFailures: 3, disabledReason: /3 failed polls in a row/ })
    feed.state.status = 200
    t.same((await repo.runs(ok.id, 10, 0)).map((r) => r.httpStatus), [500, 500, 500, 200], 'newest first')
    t.equal(await repo.countRuns(ok.id), 4)
    await h.write(async (tx) => await repo.remove(tx, ok.id))
  })
}
