import t from 'tap'
import { parseCpuList, planPinning } from '../../src/scripts/bench/cpus.js'
import { FreshnessChecker, REVISION, readMarker } from '../../src/scripts/bench/freshness.js'
import { MIX_CLASSES, NEWSROOM_MIX, newsroomMix, searchQueries } from '../../src/scripts/bench/mix.js'
import { seededRandom } from '../../src/scripts/bench/random.js'
import { parseWrkOutput, parseWrkTime, WRK_JSON_MARKER } from '../../src/scripts/bench/wrk-output.js'
import { weightedPicker, zipfSampler } from '../../src/scripts/bench/zipf.js'

const WRK_TEXT = `Running 2s test @ http://127.0.0.1:41231
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.51ms    1.05ms  1.02s    90.12%
    Req/Sec    12.95k     1.20k   14.20k    75.00%
  Latency Distribution
     50%  850.00us
     75%    2.80ms
     90%    3.40ms
     99%    1.20s
  25775 requests in 2.00s, 290.44MB read
  Socket errors: connect 0, read 3, write 0, timeout 7
  Non-2xx or 3xx responses: 12
Requests/sec:  12881.72
Transfer/sec:    145.16MB
`

t.test('wrk output: the JSON line of the bench script wins, in microseconds', async (t) => {
  const json = `${WRK_TEXT}\n${WRK_JSON_MARKER}{"requests":25775,"duration_us":2000500,"bytes":1,"errors":{"connect":1,"read":3,"write":0,"status":12,"timeout":7},"latency_us":{"p50":850,"p90":3400,"p99":1200000,"max":1020000},"cache":{"hit":9,"miss":1,"none":0}}\n`
  const r = parseWrkOutput(json)
  t.equal(r.requests, 25775)
  t.equal(r.seconds, 2.0005)
  t.equal(Math.round(r.rps), 12884)
  t.equal(r.p50, 0.85)
  t.equal(r.p99, 1200)
  t.equal(r.non2xx, 12)
  t.same(r.socket, { connect: 1, read: 3, write: 0, timeout: 7 })
  t.same(r.cache, { hit: 9, miss: 1, none: 0 })
})

t.test('wrk output: without the JSON line, the --latency text report, any time unit', async (t) => {
  const r = parseWrkOutput(WRK_TEXT)
  t.equal(r.requests, 25775)
  t.equal(r.seconds, 2)
  t.equal(r.rps, 12881.72)
  t.equal(r.p50, 0.85)
  t.equal(r.p90, 3.4)
  t.equal(r.p99, 1200)
  t.equal(r.max, 1020)
  t.equal(r.non2xx, 12)
  t.same(r.socket, { connect: 0, read: 3, write: 0, timeout: 7 })
  t.equal(r.cache, undefined)
  // A clean run prints neither the socket nor the non-2xx line.
  const clean = parseWrkOutput(WRK_TEXT.replace(/ {2}Socket errors.*\n {2}Non-2xx.*\n/, ''))
  t.same(clean.socket, { connect: 0, read: 0, write: 0, timeout: 0 })
  t.equal(clean.non2xx, 0)
  t.equal(parseWrkTime('1.50m'), 90_000)
  t.throws(() => parseWrkTime('3 ms'))
  t.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n'), /no summary/)
})

t.test('zipf: rank k drawn in proportion to 1/(k+1)^s, the same for the same seed', async (t) => {
  const n = 100
  const draws = 200_000
  const counts = new Array<number>(n).fill(0)
  const z = zipfSampler(n, 1, seededRandom(1))
  for (let i = 0; i < draws; i++) counts[z()]++
  const h = Array.from({ length: n }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0)
  for (const k of [0, 1, 9, 99]) t.ok(Math.abs(counts[k] / draws - 1 / ((k + 1) * h)) < 0.01 * (1 / (k + 1)) + 0.002, `rank ${k}: ${counts[k]}`)
  t.equal(counts.reduce((a, b) => a + b, 0), draws, 'every draw is a rank in range')
  const a = zipfSampler(1000, 1.2, seededRandom(5))
  const b = zipfSampler(1000, 1.2, seededRandom(5))
  t.same(Array.from({ length: 50 }, a), Array.from({ length: 50 }, b))
  const uniform = zipfSampler(4, 0, seededRandom(2))
  const u = [0, 0, 0, 0]
  for (let i = 0; i < 40_000; i++) u[uniform()]++
  t.ok(u.every((c) => Math.abs(c - 10_000) < 500), 's = 0 is uniform')
  t.throws(() => zipfSampler(0, 1, Math.random))
})

t.test('weighted picker: shares follow the weights', async (t) => {
  const pick = weightedPicker({ a: 50, b: 15, c: 0, d: 35 }, seededRandom(3))
  const seen: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 }
  for (let i = 0; i < 100_000; i++) seen[pick()]++
  t.equal(seen.c, 0)
  t.ok(Math.abs(seen.a - 50_000) < 1000 && Math.abs(seen.b - 15_000) < 1000 && Math.abs(seen.d - 35_000) < 1000, JSON.stringify(seen))
})

t.test('newsroom mix: the issue spread, hot posts first, 1,000 distinct searches', async (t) => {
  const slugs = Array.from({ length: 5000 }, (_, i) => `post-${i}`)
  const mix = newsroomMix({ slugs, categories: ['politics', 'sport', 'tech'], listPages: 100, length: 50_000, s: 1, seed: 3 })
  const total = Object.values(NEWSROOM_MIX).reduce((a, b) => a + b, 0)
  for (const c of MIX_CLASSES) t.ok(Math.abs(mix.counts[c] / 50_000 - NEWSROOM_MIX[c] / total) < 0.01, `${c}: ${mix.counts[c]}`)
  t.equal(mix.paths.length, 50_000)
  t.ok(mix.paths.every((p, i) => MIX_CLASSES[mix.classes[i]] !== undefined && p.startsWith('/v1/posts')))
  const single = mix.paths.filter((p, i) => MIX_CLASSES[mix.classes[i]] === 'single')
  const hottest = single.filter((p) => p === '/v1/posts/post-0').length
  const tail = single.filter((p) => p === '/v1/posts/post-4999').length
  t.ok(hottest > 100 * Math.max(1, tail), `newest post ${hottest} times, oldest ${tail}`)
  t.ok(mix.paths.includes('/v1/posts') && mix.paths.includes('/v1/posts?category=politics'), 'page 1 of the list and of a category under the URLs the checker polls')
  const queries = searchQueries(1000)
  t.equal(new Set(queries).size, 1000)
  t.same(queries, searchQueries(1000), 'deterministic')
  t.same(newsroomMix({ slugs, categories: ['a'], listPages: 10, length: 100, s: 1, seed: 3 }).paths, newsroomMix({ slugs, categories: ['a'], listPages: 10, length: 100, s: 1, seed: 3 }).paths)
})

t.test('cpu lists and pinning', async (t) => {
  t.same(parseCpuList('0-3,8,10-11\n'), [0, 1, 2, 3, 8, 10, 11])
  t.same(parseCpuList('1'), [1])
  t.throws(() => parseCpuList('zero'))
  const two = planPinning([0, 1], true)
  t.same([two.server, two.load, two.rest], [['taskset', '-c', '0'], ['taskset', '-c', '1'], '1'])
  t.match(two.note, /CPU 0.*CPU 1/)
  t.same(planPinning([2, 5, 6], true).rest, '5,6')
  t.same(planPinning([0], true).server, [])
  t.same(planPinning([0, 1], false).load, [])
})

t.test('freshness: markers, visibility delay, and a stale read after a newer version was seen', async (t) => {
  t.equal(readMarker('exists', 404, null), 0)
  t.equal(readMarker('exists', 200, {}), 1)
  t.equal(readMarker('exists', 503, {}), null)
  t.equal(readMarker('rev', 200, { data: { excerpt: REVISION(12) } }), 12)
  t.equal(readMarker('rev', 200, { data: { excerpt: 'Original' } }), 0)
  t.equal(readMarker('comments', 200, { data: { comment_count: 4 } }), 4)
  t.equal(readMarker('thread', 200, { meta: { total: 7 } }), 7)
  t.equal(readMarker('newest', 200, { data: [{ published_at: '2026-01-01T00:00:00.000Z' }] }), Date.parse('2026-01-01T00:00:00.000Z'))
  t.equal(readMarker('comments', 500, { data: { comment_count: 4 } }), null)

  let clock = 1000
  const answers: Array<{ comment_count: number, excerpt: string }> = [
    { comment_count: 2, excerpt: 'x' }, // before the comment shows
    { comment_count: 3, excerpt: 'x' }, // visible: the floor is now 3
    { comment_count: 2, excerpt: REVISION(1) } // a later read shows the edit but an older count: stale
  ]
  const checker = new FreshnessChecker(async () => {
    clock += 5
    return { status: 200, body: { data: answers.shift() } }
  }, { now: () => clock, pollPauseMs: 0 })
  await checker.expect('comment', '/v1/posts/a', 'comments', 3, 1000)
  await checker.expect('edit', '/v1/posts/a', 'rev', 1, clock)
  const r = checker.report()
  t.equal(r.checks, 2)
  t.equal(r.visible, 2)
  t.equal(r.reads_before_visible, 1)
  t.equal(r.delay_by_write.comment.max_ms, 10)
  t.equal(r.stale_reads, 1)
  t.same(r.stale_examples, [{ url: '/v1/posts/a', marker: 'comments', seen: 2, expected: 3 }])

  clock = 0
  const never = new FreshnessChecker(async () => { clock += 400; return { status: 404, body: null } }, { now: () => clock, pollPauseMs: 0, giveUpMs: 1000 })
  await never.expect('publish', '/v1/posts/new', 'exists', 1, 0)
  t.equal(never.report().not_visible, 1)
  t.equal(never.report().visible, 0)
})
