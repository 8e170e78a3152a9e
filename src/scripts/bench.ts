import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { defaultSize, openCorpus } from './bench/corpus.js'
import { allowedCpus, hasCommand, pinSelf, planPinning } from './bench/cpus.js'
import { benchEndpoints, singleConnectionSearches, type Endpoint } from './bench/endpoints.js'
import { pickLoadGenerator } from './bench/load-generator.js'
import { runNewsroom } from './bench/newsroom.js'
import { BENCH_SITE_URL, capture, limitPath, rssMb, startLimit, startServer, stop, waitQuiet, type Captured } from './bench/processes.js'
import { waitForReadModel } from './bench/read-model.js'
import { ms } from './bench/random.js'
import { socketErrors, type LoadResult } from './bench/wrk-output.js'
import { writePass, type WriteTimings } from './bench/writes.js'

// npm run bench: builds a deterministic corpus, starts the compiled server (dist/server.js,
// with the Dockerfile's Node flags) in a child process with production settings, and loads
// each endpoint with wrk (autocannon when wrk is missing), the server pinned to one CPU and
// wrk to another. The "limit" is a bare Fastify process answering, from memory, the bytes
// and headers of one captured response of each endpoint, measured in slices between the
// endpoint's own slices; every figure is printed as a ratio to the limit measured beside it.
// `--scenario newsroom` runs the newsroom scenario instead (src/scripts/bench/newsroom.ts).

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string' },
    posts: { type: 'string', default: '10000' },
    // Seconds per endpoint with the cache on (default 6), or of the scenario (default 60).
    duration: { type: 'string' },
    // The uncached pass is there to show the query path: shorter by default.
    'duration-no-cache': { type: 'string', default: '2' },
    'duration-single': { type: 'string', default: '2' },
    slice: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '32' },
    writes: { type: 'string', default: '200' },
    zipf: { type: 'string', default: '1' },
    'load-generator': { type: 'string' },
    json: { type: 'string' },
    'no-cache': { type: 'boolean', default: false },
    'cache-only': { type: 'boolean', default: false },
    only: { type: 'string' },
    // An existing bench database (say, from an earlier --keep run) instead of building one.
    db: { type: 'string' },
    // Keep the built database: its path is printed.
    keep: { type: 'boolean', default: false },
    workers: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false }
  }
})

if (args.help) {
  process.stdout.write(`npm run bench -- [options]
  --posts N               corpus size to build (default 10000; ignored with --db)
  --db FILE               an existing bench database instead of building one (upgraded at start)
  --keep                  keep the built database and print its path
  --only NAMES            comma-separated parts of endpoint names to measure
  --no-cache | --cache-only   only the uncached, or only the cached, pass
  --duration S            seconds per endpoint with the cache on (default 6), or of the scenario (60)
  --duration-no-cache S   seconds per endpoint with the cache off (default 2)
  --duration-single S     seconds per one-connection search (default 2)
  --slice S               slice length (default 3; 10 for the scenario)
  --connections N         (default 32)   --writes N   writes of each kind timed (default 200)
  --scenario newsroom     the newsroom scenario (--zipf S, --warmup S)
  --load-generator wrk|autocannon   (default: wrk when installed)
  --workers N             server processes (default 1)
  --json FILE             also write the results as JSON
`)
  process.exit(0)
}

const SCENARIO = args.scenario
if (SCENARIO !== undefined && SCENARIO !== 'newsroom') throw new Error(`--scenario: only newsroom exists, not ${SCENARIO}`)
const POSTS = Number(args.posts)
const DURATION = Number(args.duration ?? (SCENARIO ? 60 : 6))
const DURATION_NO_CACHE = Number(args['duration-no-cache'])
const DURATION_SINGLE = Number(args['duration-single'])
const SLICE = Number(args.slice ?? (SCENARIO ? 10 : 3))
const LIMIT_SLICE = 1
const WARMUP = Number(args.warmup ?? (SCENARIO ? 5 : 1))
const CONNECTIONS = Number(args.connections)
const WRITES = Number(args.writes)
const only = args.only?.split(',').map((s) => s.trim()).filter(Boolean)
const picked = (name: string) => only === undefined || only.some((o) => name.includes(o))

interface Result {
  name: string
  cache: boolean
  rps: number
  p50_ms: number
  p99_ms: number
  ratio: number
  limit_rps: number
  requests: number
  non2xx: number
  errors: number
  socket_errors: LoadResult['socket']
  flagged: boolean
  rss_mb: number
  /** Bytes of the body the limit replays for this endpoint. */
  limit_body_bytes: number
}

const started = performance.now()
const log = (line: string) => console.log(line)

// Pinning: the servers on one CPU, wrk on another, this process (and the writer, freshness
// checker or autocannon it runs) off the server's.
const pinning = planPinning(allowedCpus(), hasCommand('taskset', ['-V']))
if (pinning.rest !== undefined && !pinSelf(pinning.rest)) pinning.note += ' (this process could not move itself off the server CPU)'
const hasWrk = hasCommand('wrk', ['-v'])
const gen = pickLoadGenerator(args['load-generator'], pinning.load, hasWrk)
log(`load generator: ${gen.description}${gen.name === 'autocannon' && !hasWrk ? ' — fallback: wrk is not installed (Debian: apt-get install wrk)' : ''}, ${CONNECTIONS} connections`)
log(`pinning: ${pinning.note}`)

/** Loads an endpoint in slices, each after a slice of the limit; p50 the mean of the slices' (by requests), p99 the worst slice's. */
async function measure (url: string, paths: string[], seconds: number, limit: { url: string, paths: string[] }, prime: boolean) {
  if (prime) {
    // Every URL once, so the figures are of a running server with these answers cached
    // (a miss happens once per URL and content version). Four at a time.
    let next = 0
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < paths.length) await (await fetch(url + paths[next++], { headers: { 'accept-encoding': 'identity' } })).arrayBuffer()
    }))
  }
  if (WARMUP > 0) await gen.run({ url, paths, connections: CONNECTIONS, seconds: WARMUP })
  const slices = Math.max(1, Math.round(seconds / SLICE))
  const done: LoadResult[] = []
  const limits: LoadResult[] = []
  for (let i = 0; i < slices; i++) {
    limits.push(await gen.run({ url: limit.url, paths: limit.paths, connections: CONNECTIONS, seconds: LIMIT_SLICE }))
    done.push(await gen.run({ url, paths, connections: CONNECTIONS, seconds: Math.max(1, Math.round(seconds / slices)) }))
  }
  const rate = (loads: LoadResult[]) => loads.reduce((n, l) => n + l.requests, 0) / Math.max(1e-9, loads.reduce((n, l) => n + l.seconds, 0))
  const requests = done.reduce((n, l) => n + l.requests, 0)
  const socket = { connect: 0, read: 0, write: 0, timeout: 0 }
  for (const l of done) for (const k of Object.keys(socket) as Array<keyof typeof socket>) socket[k] += l.socket[k]
  return {
    rps: rate(done),
    limitRps: rate(limits),
    requests,
    p50: ms(done.reduce((n, l) => n + l.p50 * l.requests, 0) / Math.max(1, requests)),
    p99: ms(Math.max(...done.map((l) => l.p99))),
    non2xx: done.reduce((n, l) => n + l.non2xx, 0),
    socket
  }
}

function printRow (r: Result): void {
  const flag = r.flagged ? `\tERRORS: ${r.non2xx} non-2xx/3xx, socket connect ${r.socket_errors.connect} read ${r.socket_errors.read} write ${r.socket_errors.write} timeout ${r.socket_errors.timeout}` : ''
  log(`${r.cache ? 'cache' : 'no cache'}\t${r.name.padEnd(38)}\t${String(r.rps).padStart(7)} req/s\tp50 ${r.p50_ms} ms\tp99 ${r.p99_ms} ms\tlimit ${r.limit_rps}\tratio ${r.ratio.toFixed(3)}\tRSS ${r.rss_mb} MB${flag}`)
}

/** Waits for the server's read model to be complete (nothing queued, every document current); returns how long that took after ready. */
async function readModelFilled (dbPath: string): Promise<number> {
  const { ms: fill, first } = await waitForReadModel(dbPath, BENCH_SITE_URL, log)
  log(`read model complete ${(fill / 1000).toFixed(1)} s after ready (backlog at ready: ${JSON.stringify(first)})`)
  return fill
}

async function endpointsRun (dbPath: string, corpus: ReturnType<typeof openCorpus>, dir: string) {
  const endpoints = benchEndpoints(corpus).filter((e) => picked(e.name))
  const modes = args['no-cache'] ? [false] : args['cache-only'] ? [true] : [true, false]
  const results: Result[] = []
  const peakRss: Record<string, number> = {}
  let startupMs = 0
  let fillMs = 0
  let limit: { child: ChildProcess, url: string } | undefined
  const kept: Array<{ e: Endpoint, k: number, bytes: number }> = []
  const single: Array<{ name: string, requests: number, rps: number, p50_ms: number, p99_ms: number, max_ms: number, errors: number }> = []
  let writes: WriteTimings | undefined
  try {
    for (const cache of modes) {
      const server = await startServer({ dbPath, cache, workers: args.workers, prefix: pinning.server })
      startupMs = Math.max(startupMs, server.startupMs)
      fillMs = Math.max(fillMs, await readModelFilled(dbPath))
      if (limit === undefined && endpoints.length > 0) {
        // One response of each endpoint, as the load generator gets it, for the limit to replay.
        const captured: Captured[] = []
        for (const e of endpoints) {
          const { status, captured: c } = await capture(server.url + e.paths[0])
          // Paths that do not answer 200 (say, a feature not built yet) would measure nothing useful.
          if (status !== 200) {
            log(`skip ${e.name}: ${e.paths[0]} answered ${status}`)
            continue
          }
          kept.push({ e, k: captured.length, bytes: c.body.length })
          captured.push(c)
        }
        if (captured.length === 0) throw new Error('no endpoint answered 200')
        limit = await startLimit(captured, join(dir, 'limit-responses.json'), pinning.server)
        await gen.run({ url: limit.url, paths: kept[0].e.paths.map((p) => limitPath(0, p)), connections: CONNECTIONS, seconds: 1 })
      }
      if (kept.length > 0) log(`\n${cache ? 'response cache on' : 'response cache off (RESPONSE_CACHE=false)'}: ${cache ? DURATION : DURATION_NO_CACHE} s an endpoint in slices of ${SLICE} s, each after ${LIMIT_SLICE} s of the limit`)
      for (const { e, k, bytes } of kept) {
        const paths = cache ? e.paths : (e.uncachedPaths ?? e.paths)
        const limitUrl = (limit as { url: string }).url
        const r = await measure(server.url, paths, cache ? DURATION : DURATION_NO_CACHE, { url: limitUrl, paths: paths.map((p) => limitPath(k, p)) }, cache)
        const errors = socketErrors({ socket: r.socket })
        const row: Result = {
          name: e.name,
          cache,
          rps: Math.round(r.rps),
          p50_ms: r.p50,
          p99_ms: r.p99,
          ratio: Number((r.rps / r.limitRps).toFixed(3)),
          limit_rps: Math.round(r.limitRps),
          requests: r.requests,
          non2xx: r.non2xx,
          errors,
          socket_errors: r.socket,
          flagged: r.non2xx + errors > 0,
          rss_mb: rssMb(server.child.pid!, 'VmRSS'),
          limit_body_bytes: bytes
        }
        results.push(row)
        printRow(row)
        // Requests left queued by a slow endpoint must not weigh on the next one.
        const waited = await waitQuiet(server.url)
        if (waited > 1000) log(`\t(waited ${(waited / 1000).toFixed(1)} s for the server to answer /health quickly again)`)
      }
      if (!cache && (only === undefined || only.some((o) => 'search single'.includes(o)))) {
        log(`\nsearch on one connection, response cache off, ${DURATION_SINGLE} s a query kind:`)
        for (const s of singleConnectionSearches(corpus.posts.length)) {
          const l = await gen.run({ url: server.url, paths: s.paths, connections: 1, seconds: DURATION_SINGLE })
          const row = { name: s.name, requests: l.requests, rps: Math.round(l.rps), p50_ms: ms(l.p50), p99_ms: ms(l.p99), max_ms: ms(l.max), errors: l.non2xx + socketErrors(l) }
          single.push(row)
          log(`one connection\t${s.name.padEnd(38)}\t${String(row.rps).padStart(7)} req/s\tp50 ${row.p50_ms} ms\tp99 ${row.p99_ms} ms\tmax ${row.max_ms} ms${row.requests < 20 ? `\t(only ${row.requests} requests finished)` : ''}${row.errors > 0 ? `\tERRORS: ${row.errors}` : ''}`)
          await waitQuiet(server.url)
        }
      }
      // `--only write` or `--only writes` (either picks no endpoint: only the write pass runs).
      if (cache && WRITES > 0 && (only === undefined || only.some((o) => 'writes'.includes(o)))) {
        log(`\nwrites through the HTTP API, one at a time, ${WRITES} of each (cache on):`)
        writes = await writePass(server.url, corpus, WRITES)
        for (const [name, t] of Object.entries(writes)) log(`write\t${name.padEnd(38)}\tp50 ${t.p50_ms} ms\tp99 ${t.p99_ms} ms\tmax ${t.max_ms} ms\t(${t.n} timed)${t.errors > 0 ? `\tERRORS: ${t.errors}` : ''}`)
      }
      peakRss[cache ? 'cache' : 'no cache'] = rssMb(server.child.pid!, 'VmHWM')
      await stop(server.child)
    }
  } finally {
    if (limit !== undefined) await stop(limit.child)
  }
  const meanLimit = results.reduce((n, r) => n + r.limit_rps, 0) / Math.max(1, results.length)
  if (results.length > 0) {
    log(`\nlimit (bare Fastify, each endpoint's own response from memory): ${Math.round(meanLimit)} req/s on average, from ${Math.min(...results.map((r) => r.limit_rps))} to ${Math.max(...results.map((r) => r.limit_rps))}`)
    log('| endpoint | cache | req/s | p50 ms | p99 ms | limit req/s | ratio |\n|---|---|--:|--:|--:|--:|--:|')
  }
  for (const row of results) log(`| ${row.name} | ${row.cache ? 'on' : 'off'} | ${row.rps} | ${row.p50_ms} | ${row.p99_ms} | ${row.limit_rps} | ${row.ratio.toFixed(2)} |${row.flagged ? ' errors' : ''}`)
  const flagged = results.filter((r) => r.flagged)
  if (flagged.length > 0) log(`ERRORS in ${flagged.length} runs: ${flagged.map((r) => `${r.name} (${r.cache ? 'cache' : 'no cache'})`).join(', ')}`)
  log(`peak RSS of the server: ${Object.entries(peakRss).map(([mode, mb]) => `${mb} MB (${mode})`).join(', ')}; start-up to ready: ${Math.round(startupMs)} ms; read model complete ${Math.round(fillMs)} ms after ready`)
  return {
    limit_rps: Math.round(meanLimit),
    results,
    single_connection_search: single,
    writes,
    peak_rss_mb: Math.max(...Object.values(peakRss)),
    peak_rss_cache_mb: peakRss.cache,
    peak_rss_no_cache_mb: peakRss['no cache'],
    startup_ms: Math.round(startupMs),
    read_model_fill_ms: Math.round(fillMs),
    connections: CONNECTIONS,
    duration_s: DURATION,
    duration_no_cache_s: DURATION_NO_CACHE,
    duration_single_s: DURATION_SINGLE,
    slice_s: SLICE,
    limit_slice_s: LIMIT_SLICE,
    flagged: flagged.length
  }
}

async function newsroomRun (dbPath: string, corpus: ReturnType<typeof openCorpus>, dir: string) {
  const server = await startServer({ dbPath, cache: true, workers: args.workers, prefix: pinning.server })
  let limit: { child: ChildProcess, url: string } | undefined
  try {
    const fillMs = await readModelFilled(dbPath)
    const report = await runNewsroom(server.url, corpus, gen, {
      connections: CONNECTIONS,
      durationS: DURATION,
      sliceS: SLICE,
      limitSliceS: LIMIT_SLICE,
      warmupS: WARMUP,
      zipfS: Number(args.zipf),
      publishEveryMs: 10_000,
      editEveryMs: 5_000,
      commentEveryMs: 500
    }, async (responses) => {
      limit = await startLimit(responses, join(dir, 'limit-responses.json'), pinning.server)
      return limit.url
    }, log)
    const peak = rssMb(server.child.pid!, 'VmHWM')
    const f = report.freshness
    const w = report.writes
    log(`\nnewsroom: ${report.rps} req/s (limit ${report.limit_rps}, ratio ${report.ratio.toFixed(3)}), p50 ${report.p50_ms} ms, p99 ${report.p99_ms} ms, ${report.requests} requests in ${report.duration_s} s`)
    log(`errors: ${report.non2xx} non-2xx/3xx, ${report.socket_errors} socket errors${report.non2xx + report.socket_errors > 0 ? ' — FLAGGED' : ''}`)
    log(`cache: ${report.cache.hit_rate === null ? report.cache.note : `hit rate ${(100 * report.cache.hit_rate).toFixed(1)} % (X-Cache HIT ${report.cache.hit}, MISS ${report.cache.miss}, none ${report.cache.none})`}`)
    log(`writes: publish ${w.publish.n} (p50 ${w.publish.p50_ms} ms, p99 ${w.publish.p99_ms} ms), edit ${w.edit.n} (p50 ${w.edit.p50_ms}, p99 ${w.edit.p99_ms}), comment submit ${w.comment_submit.n} (p50 ${w.comment_submit.p50_ms}, p99 ${w.comment_submit.p99_ms}), approve ${w.comment_approve.n} (p50 ${w.comment_approve.p50_ms}, p99 ${w.comment_approve.p99_ms}); errors ${w.publish.errors + w.edit.errors + w.comment_submit.errors + w.comment_approve.errors}, late turns ${w.late}`)
    log(`freshness: ${f.visible}/${f.checks} writes' effects seen, ${f.not_visible} not within 10 s; delay from the write's answer p50 ${f.delay_ms.p50} ms, p99 ${f.delay_ms.p99} ms, max ${f.delay_ms.max} ms${f.delay_ms.max > 1000 ? ' — over 1 s' : ''}`)
    log(`  by write: ${Object.entries(f.delay_by_write).map(([k, d]) => `${k} ${d.checks} (p99 ${d.p99_ms} ms, max ${d.max_ms} ms)`).join(', ')}`)
    log(`  stale reads after a newer version was seen: ${f.stale_reads}${f.stale_reads > 0 ? ` — FLAGGED, e.g. ${JSON.stringify(f.stale_examples.slice(0, 3))}` : ''}; reads before visible: ${f.reads_before_visible}; checker reads ${f.reads}, errors ${f.read_errors}`)
    log(`peak RSS of the server: ${peak} MB; start-up to ready: ${Math.round(server.startupMs)} ms`)
    return { scenario: 'newsroom', ...report, peak_rss_mb: peak, startup_ms: Math.round(server.startupMs), read_model_fill_ms: Math.round(fillMs) }
  } finally {
    await stop(server.child)
    if (limit !== undefined) await stop(limit.child)
  }
}

async function main (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-bench-'))
  const dbPath = args.db ?? join(dir, 'bench.db')
  // Also when the run dies of an error or a signal (rmSync and close are synchronous).
  const cleanup = () => {
    gen.close()
    if (args.keep && args.db === undefined) rmSync(join(dir, 'limit-responses.json'), { force: true })
    else rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', cleanup)
  try {
    const t0 = performance.now()
    const corpus = args.db === undefined ? openCorpus(dbPath, defaultSize(POSTS)) : openCorpus(dbPath)
    if (args.db === undefined) log(`dataset: ${POSTS} posts, ${POSTS * 5} comments built in ${((performance.now() - t0) / 1000).toFixed(1)} s${args.keep ? ` and kept at ${dbPath}` : ''}`)
    else log(`dataset: ${dbPath}, ${corpus.posts.length} live posts`)
    const report = SCENARIO === 'newsroom' ? await newsroomRun(dbPath, corpus, dir) : await endpointsRun(dbPath, corpus, dir)
    const runSeconds = Math.round((performance.now() - started) / 1000)
    log(`run time: ${runSeconds} s (load generator: ${gen.name})`)
    if (args.json) {
      writeFileSync(args.json, JSON.stringify({
        load_generator: gen.name,
        load_generator_description: gen.description,
        pinning: { note: pinning.note, server_cpu: pinning.serverCpu ?? null, load_cpu: pinning.loadCpu ?? null },
        posts: corpus.posts.length,
        ...report,
        run_seconds: runSeconds
      }, null, 2) + '\n')
    }
  } finally {
    process.off('exit', cleanup)
    cleanup()
  }
}

await main()
