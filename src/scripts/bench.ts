import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { openDatabase } from '../db/client.js'
import { runMigrations } from '../db/migrate.js'
import { encodeCursor } from '../lib/cursor.js'
import { fillBenchData } from './bench-data.js'
import { freePort } from './free-port.js'

// npm run bench: builds a deterministic corpus, starts the compiled server (dist/server.js)
// in a child process with production settings, and loads each endpoint from this process
// with autocannon on 127.0.0.1. The "limit" is a bare Fastify process answering the bytes of
// a list page (body and headers) from memory, measured in slices between the endpoint's own
// slices; every figure is printed as a ratio to the limit measured beside it.

const { values: args } = parseArgs({
  options: {
    posts: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    // The uncached pass is there to show the query path, not to meet targets: shorter by default.
    'duration-no-cache': { type: 'string', default: '2' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '32' },
    json: { type: 'string' },
    'no-cache': { type: 'boolean', default: false },
    'cache-only': { type: 'boolean', default: false },
    only: { type: 'string' },
    // An existing bench database (say, from an earlier --keep run) instead of building one.
    db: { type: 'string' },
    // Keep the built database: its path is printed.
    keep: { type: 'boolean', default: false },
    workers: { type: 'string', default: '1' }
  }
})
const POSTS = Number(args.posts)
const DURATION = Number(args.duration)
const DURATION_NO_CACHE = Number(args['duration-no-cache'])
const SLICE = 3.4
// How the Dockerfile runs the server (BENCH_NODE_FLAGS to try others): V8's young generation
// otherwise grows to three 16 MB semi-spaces that a request/response load never fills, and
// --optimize-for-size makes the old generation grow less eagerly. Together about 40 MB less
// peak RSS at 100,000 posts, with throughput within the run-to-run noise.
const NODE_FLAGS = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? ['--max-semi-space-size=4', '--optimize-for-size']
const LIMIT_SLICE = 1

/** The mean limit of the rows measured beside it (each row carries the limit of its own slices). */
function meanLimit (results: Result[]): number {
  const measured = results.filter((r) => r.cache || results.every((x) => !x.cache))
  return measured.reduce((n, r) => n + r.limit_rps, 0) / Math.max(1, measured.length)
}
const WARMUP = Number(args.warmup)
const CONNECTIONS = Number(args.connections)
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SERVER = join(ROOT, 'dist', 'server.js')
const LIMIT = join(ROOT, 'src', 'scripts', 'bench-limit.ts')

interface Started { child: ChildProcess, url: string, startupMs: number }

async function waitForLine (child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms: ${buffer.slice(-500)}`)), timeoutMs)
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString()
      const m = pattern.exec(buffer)
      if (m) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        resolve(m[1])
      }
    }
    child.stdout?.on('data', onData)
    child.on('exit', (code) => reject(new Error(`process exited with ${code}: ${buffer.slice(-500)}`)))
  })
}


async function startServer (dbPath: string, cache: boolean): Promise<Started> {
  const port = await freePort()
  const t0 = performance.now()
  const child = spawn(process.execPath, [...NODE_FLAGS, SERVER], {
    env: { ...process.env, DATABASE_PATH: dbPath, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', RESPONSE_CACHE: String(cache), NODE_ENV: 'production', WORKERS: args.workers, SITE_URL: 'https://news.example.com' },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  const url = `http://127.0.0.1:${port}`
  let exited = false
  child.once('exit', () => { exited = true })
  for (;;) {
    const res = await fetch(`${url}/ready`).catch(() => null)
    if (res?.ok) break
    if (exited || performance.now() - t0 > 30_000) throw new Error('the server did not become ready')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const startupMs = performance.now() - t0
  return { child, url, startupMs }
}

/** VmHWM is the peak resident set of the process so far, VmRSS the current one (Linux). */
function rssMb (pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
    return Math.round(kb / 1024)
  } catch {
    return 0
  }
}

async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

interface Result { name: string, cache: boolean, rps: number, p50_ms: number, p99_ms: number, ratio: number, limit_rps: number, non2xx: number, errors: number, rss_mb: number }

interface Load { requests: number, seconds: number, p50: number, p99: number, non2xx: number, errors: number }

async function run (url: string, paths: string[], seconds: number): Promise<Load> {
  const requests = paths.map((path) => ({ method: 'GET' as const, path }))
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds, requests })
  return { requests: r.requests.total, seconds: r.duration, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts }
}

/**
 * Loads an endpoint for `seconds`, in slices of SLICE seconds each preceded by a slice of
 * LIMIT_SLICE seconds on the limit server, so both are measured under the same conditions:
 * on a virtual machine the throughput of the same server can swing by a third from one
 * minute to the next, and a ratio to a limit measured minutes apart would be mostly noise.
 * p50 is the mean of the slices', p99 the worst slice's.
 */
async function measure (url: string, paths: string[], seconds: number, limit?: { url: string, paths: string[] }) {
  // Every URL once, one at a time, then the warm-up: the figures are of a running server
  // (a miss happens once per URL and content version), not of its first second. Responses
  // that are not cached pay for the query on every request anyway.
  // (fetch would ask for gzip by default; autocannon asks for nothing, so neither does this.)
  for (const path of paths) await (await fetch(url + path, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer()
  if (WARMUP > 0) await run(url, paths, WARMUP)
  const slices = Math.max(1, Math.round(seconds / SLICE))
  const done: Load[] = []
  const limits: Load[] = []
  for (let i = 0; i < slices; i++) {
    if (limit !== undefined) limits.push(await run(limit.url, limit.paths, LIMIT_SLICE))
    done.push(await run(url, paths, seconds / slices))
  }
  const rate = (loads: Load[]) => loads.reduce((n, l) => n + l.requests, 0) / loads.reduce((n, l) => n + l.seconds, 0)
  return {
    rps: rate(done),
    limitRps: limits.length > 0 ? rate(limits) : undefined,
    p50: Math.round(10 * done.reduce((n, l) => n + l.p50, 0) / done.length) / 10,
    p99: Math.max(...done.map((l) => l.p99)),
    non2xx: done.reduce((n, l) => n + l.non2xx, 0),
    errors: done.reduce((n, l) => n + l.errors, 0)
  }
}

async function main (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-bench-'))
  const dbPath = args.db ?? join(dir, 'bench.db')
  try {
    const t0 = performance.now()
    const db = openDatabase(dbPath)
    let slugs: string[]
    if (args.db === undefined) {
      runMigrations(db)
      slugs = fillBenchData(db, { posts: POSTS, categories: 50, tags: 500, authors: 20, comments: POSTS * 5, words: 800 })
      console.log(`dataset: ${POSTS} posts, ${POSTS * 5} comments built in ${((performance.now() - t0) / 1000).toFixed(1)} s${args.keep ? ` and kept at ${dbPath}` : ''}`)
    } else {
      slugs = db.$client.prepare('SELECT slug FROM posts ORDER BY id').pluck().all() as string[]
      console.log(`dataset: ${dbPath}, ${slugs.length} posts`)
    }
    // Deep positions for the cursor and page endpoints: around item 5,000 of the default order.
    const deep = db.$client.prepare("SELECT id, published_at FROM posts WHERE status = 'published' ORDER BY published_at DESC, id DESC LIMIT 40 OFFSET ?")
      .all(Math.min(4990, Math.max(0, slugs.length - 50))) as Array<{ id: number, published_at: number }>
    db.$client.close()

    const words = ['vote', 'goal', 'carbon', 'algorithm', 'inflation', 'rocket', 'vaccine', 'festival', 'treaty', 'rent', 'senate', 'league', 'solar', 'privacy', 'bank', 'orbit', 'hospital', 'album', 'sanctions', 'council']
    const some = (n: number) => slugs.filter((_, i) => i % Math.max(1, Math.floor(slugs.length / n)) === 0).slice(0, n)
    const endpoints: Array<{ name: string, paths: string[] }> = [
      // The same page under many spellings: distinct URLs, the same bytes as the limit serves.
      { name: 'list page 1', paths: ['', '&sort=-published_at', '&published_after=2000-01-01T00:00:00Z', '&published_before=2999-01-01T00:00:00Z', '&sort=-published_at&published_after=2000-01-01T00:00:00Z', '&sort=-published_at&published_before=2999-01-01T00:00:00Z']
        .flatMap((a) => ['per_page=10', 'page=1&per_page=10'].map((b) => `/v1/posts?${b}${a}`)) },
      { name: 'list deep page (page 500)', paths: Array.from({ length: 20 }, (_, i) => `/v1/posts?page=${490 + i}&per_page=10`) },
      { name: 'list deep by cursor', paths: deep.map((d) => `/v1/posts?per_page=10&cursor=${encodeCursor({ sort: '-published_at', value: d.published_at, id: d.id })}`) },
      { name: 'category filter', paths: Array.from({ length: 50 }, (_, i) => `/v1/posts?category=category-${i + 1}`) },
      { name: 'tag filter', paths: Array.from({ length: 100 }, (_, i) => `/v1/posts?tag=tag-${i * 5 + 1}`) },
      { name: 'single post', paths: some(500).map((s) => `/v1/posts/${s}`) },
      { name: 'related', paths: some(500).map((s) => `/v1/posts/${s}/related?limit=5`) },
      { name: 'comments of a post', paths: some(500).map((s) => `/v1/posts/${s}/comments?per_page=50`) },
      { name: 'search', paths: words.flatMap((w, i) => [`/v1/posts?q=${w}`, `/v1/posts?q=${w}%20${words[(i + 3) % words.length]}&sort=relevance`]) },
      // Without Accept-Encoding, although feed readers ask for gzip: autocannon's HTTP parser
      // (http-parser-js) spends most of its time in Buffer.toString on compressed bodies, so
      // gzip measured the client, not the server (half idle at a third of the rate).
      { name: 'feed rss', paths: ['/feeds/rss.xml', ...Array.from({ length: 20 }, (_, i) => `/feeds/rss.xml?category=category-${i + 1}`)] },
      { name: 'feed atom', paths: ['/feeds/atom.xml', ...Array.from({ length: 20 }, (_, i) => `/feeds/atom.xml?tag=tag-${i * 5 + 1}`)] },
      { name: 'feed json', paths: ['/feeds/feed.json', ...Array.from({ length: 20 }, (_, i) => `/feeds/feed.json?author=author-${i + 1}`)] },
      { name: 'change log', paths: Array.from({ length: 50 }, (_, i) => `/v1/changes?limit=${50 + i}`) }
    ].filter((e) => args.only === undefined || args.only.split(',').some((o) => e.name.includes(o)))

    const modes = args['no-cache'] ? [false] : args['cache-only'] ? [true] : [true, false]
    const results: Result[] = []
    const peakRss: Record<string, number> = {}
    let startupMs = 0
    const bodyFile = join(dir, 'list.json')
    const headersFile = join(dir, 'list-headers.json')
    let limit: { child: ChildProcess, url: string, paths: string[] } | undefined
    try {
      for (const cache of modes) {
        const server = await startServer(dbPath, cache)
        startupMs = Math.max(startupMs, server.startupMs)
        if (limit === undefined) {
          // The limit answers with the very bytes of a list page: its body and its headers.
          const page = await fetch(`${server.url}/v1/posts?per_page=10`, { headers: { 'accept-encoding': 'identity' } })
          writeFileSync(bodyFile, await page.text())
          writeFileSync(headersFile, JSON.stringify(Object.fromEntries([...page.headers].filter(([name]) => !['content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name)))))
          const child = spawn(process.execPath, ['--import', 'tsx', LIMIT, bodyFile, headersFile, '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
          limit = { child, url: await waitForLine(child, /LISTENING (http:\/\/127\.0\.0\.1:\d+)/, 10_000), paths: endpoints[0].paths }
          await run(limit.url, limit.paths, 1)
        }
        for (const e of endpoints) {
          // Paths that 404 (say, a feature not built yet) would measure nothing useful.
          const probe = await fetch(`${server.url}${e.paths[0]}`)
          if (probe.status !== 200) {
            console.log(`skip ${e.name}: ${e.paths[0]} answered ${probe.status}`)
            continue
          }
          // The uncached pass is compared with the limit measured beside the cached pass.
          const r = await measure(server.url, e.paths, cache ? DURATION : DURATION_NO_CACHE, cache || results.length === 0 ? limit : undefined)
          const limitRps = r.limitRps ?? meanLimit(results)
          const row: Result = { name: e.name, cache, rps: Math.round(r.rps), p50_ms: r.p50, p99_ms: r.p99, ratio: Number((r.rps / limitRps).toFixed(3)), limit_rps: Math.round(limitRps), non2xx: r.non2xx, errors: r.errors, rss_mb: rssMb(server.child.pid!, 'VmRSS') }
          results.push(row)
          console.log(`${cache ? 'cache' : 'no cache'}\t${e.name.padEnd(28)}\t${String(row.rps).padStart(7)} req/s\tp50 ${row.p50_ms} ms\tp99 ${row.p99_ms} ms\tlimit ${row.limit_rps}\tratio ${row.ratio.toFixed(2)}\tRSS ${row.rss_mb} MB${row.non2xx || row.errors ? `\tnon-2xx ${row.non2xx} errors ${row.errors}` : ''}`)
        }
        peakRss[cache ? 'cache' : 'no cache'] = rssMb(server.child.pid!, 'VmHWM')
        await stop(server.child)
      }
    } finally {
      if (limit !== undefined) await stop(limit.child)
    }
    const limitRps = meanLimit(results)
    console.log(`\nlimit (bare Fastify, the list page's bytes from memory): ${Math.round(limitRps)} req/s on average, from ${Math.min(...results.map((r) => r.limit_rps))} to ${Math.max(...results.map((r) => r.limit_rps))}`)
    console.log('| endpoint | cache | req/s | p50 ms | p99 ms | limit req/s | ratio |\n|---|---|--:|--:|--:|--:|--:|')
    for (const row of results) console.log(`| ${row.name} | ${row.cache ? 'on' : 'off'} | ${row.rps} | ${row.p50_ms} | ${row.p99_ms} | ${row.limit_rps} | ${row.ratio.toFixed(2)} |`)
    console.log(`peak RSS of the server: ${Object.entries(peakRss).map(([mode, mb]) => `${mb} MB (${mode})`).join(', ')}; start-up to ready: ${Math.round(startupMs)} ms`)
    const report = {
      posts: slugs.length,
      limit_rps: Math.round(limitRps),
      results,
      peak_rss_mb: Math.max(...Object.values(peakRss)),
      peak_rss_cache_mb: peakRss.cache,
      peak_rss_no_cache_mb: peakRss['no cache'],
      startup_ms: Math.round(startupMs),
      connections: CONNECTIONS,
      duration_s: DURATION,
      duration_no_cache_s: DURATION_NO_CACHE
    }
    if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n')
  } finally {
    if (args.keep && args.db === undefined) {
      rmSync(join(dir, 'list.json'), { force: true })
      rmSync(join(dir, 'list-headers.json'), { force: true })
    } else {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

await main()
