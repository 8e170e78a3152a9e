import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createServer, type AddressInfo } from 'node:net'
import autocannon from 'autocannon'
import { openDatabase } from '../db/client.js'
import { runMigrations } from '../db/migrate.js'
import { encodeCursor } from '../lib/cursor.js'
import { fillBenchData } from './bench-data.js'

// npm run bench: builds a deterministic corpus, starts the compiled server (dist/server.js)
// in a child process with production settings, and loads each endpoint from this process
// with autocannon on 127.0.0.1. The "limit" is a bare Fastify process answering the bytes of
// the list page from memory; every figure is printed as a ratio to it.

const { values: args } = parseArgs({
  options: {
    posts: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '32' },
    json: { type: 'string' },
    'no-cache': { type: 'boolean', default: false },
    'cache-only': { type: 'boolean', default: false },
    only: { type: 'string' },
    workers: { type: 'string', default: '1' }
  }
})
const POSTS = Number(args.posts)
const DURATION = Number(args.duration)
const WARMUP = Number(args.warmup)
const CONNECTIONS = Number(args.connections)
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SERVER = join(ROOT, 'dist', 'server.js')
const LIMIT = join(ROOT, 'dist', 'scripts', 'bench-limit.js')

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

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function startServer (dbPath: string, cache: boolean): Promise<Started> {
  const port = await freePort()
  const t0 = performance.now()
  const child = spawn(process.execPath, [SERVER], {
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

function peakRssMb (pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
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

interface Result { name: string, cache: boolean, rps: number, p50_ms: number, p99_ms: number, ratio: number, non2xx: number, errors: number }

async function load (url: string, paths: string[]): Promise<{ rps: number, p50: number, p99: number, non2xx: number, errors: number }> {
  const requests = paths.map((path) => ({ method: 'GET' as const, path }))
  if (WARMUP > 0) await autocannon({ url, connections: CONNECTIONS, duration: WARMUP, requests })
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, requests })
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts }
}

async function main (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-bench-'))
  const dbPath = join(dir, 'bench.db')
  try {
    const t0 = performance.now()
    const db = openDatabase(dbPath)
    runMigrations(db)
    const slugs = fillBenchData(db, { posts: POSTS, categories: 50, tags: 500, authors: 20, comments: POSTS * 5, words: 800 })
    // Deep positions for the cursor and page endpoints: around item 5,000 of the default order.
    const deep = db.$client.prepare("SELECT id, published_at FROM posts WHERE status = 'published' ORDER BY published_at DESC, id DESC LIMIT 40 OFFSET ?")
      .all(Math.min(4990, Math.max(0, POSTS - 50))) as Array<{ id: number, published_at: number }>
    db.$client.close()
    console.log(`dataset: ${POSTS} posts, ${POSTS * 5} comments built in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

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
      { name: 'feed rss', paths: ['/feeds/rss.xml', ...Array.from({ length: 20 }, (_, i) => `/feeds/rss.xml?category=category-${i + 1}`)] },
      { name: 'feed atom', paths: ['/feeds/atom.xml', ...Array.from({ length: 20 }, (_, i) => `/feeds/atom.xml?tag=tag-${i * 5 + 1}`)] },
      { name: 'feed json', paths: ['/feeds/feed.json', ...Array.from({ length: 20 }, (_, i) => `/feeds/feed.json?author=author-${i + 1}`)] },
      { name: 'change log', paths: Array.from({ length: 50 }, (_, i) => `/v1/changes?limit=${50 + i}`) }
    ].filter((e) => args.only === undefined || args.only.split(',').some((o) => e.name.includes(o)))

    const modes = args['no-cache'] ? [false] : args['cache-only'] ? [true] : [true, false]
    const results: Result[] = []
    let limitRps = 0
    let peakRss = 0
    let startupMs = 0
    for (const cache of modes) {
      const server = await startServer(dbPath, cache)
      startupMs = Math.max(startupMs, server.startupMs)
      const bodyFile = join(dir, 'list.json')
      writeFileSync(bodyFile, await (await fetch(`${server.url}/v1/posts?per_page=10`)).text())
      if (limitRps === 0) {
        const limit = spawn(process.execPath, [LIMIT, bodyFile, '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
        const limitUrl = await waitForLine(limit, /LISTENING (http:\/\/127\.0\.0\.1:\d+)/, 10_000)
        limitRps = (await load(limitUrl, endpoints[0].paths)).rps
        await stop(limit)
        console.log(`limit (bare Fastify, same bytes from memory): ${Math.round(limitRps)} req/s`)
      }
      for (const e of endpoints) {
        // Paths that 404 (say, a feature not built yet) would measure nothing useful.
        const probe = await fetch(`${server.url}${e.paths[0]}`)
        if (probe.status !== 200) {
          console.log(`skip ${e.name}: ${e.paths[0]} answered ${probe.status}`)
          continue
        }
        const r = await load(server.url, e.paths)
        const row = { name: e.name, cache, rps: Math.round(r.rps), p50_ms: r.p50, p99_ms: r.p99, ratio: Number((r.rps / limitRps).toFixed(3)), non2xx: r.non2xx, errors: r.errors }
        results.push(row)
        console.log(`${cache ? 'cache' : 'no cache'}\t${e.name.padEnd(28)}\t${String(row.rps).padStart(7)} req/s\tp50 ${row.p50_ms} ms\tp99 ${row.p99_ms} ms\tratio ${row.ratio.toFixed(2)}${row.non2xx || row.errors ? `\tnon-2xx ${row.non2xx} errors ${row.errors}` : ''}`)
      }
      peakRss = Math.max(peakRss, peakRssMb(server.child.pid!))
      await stop(server.child)
    }
    console.log(`peak RSS of the server: ${peakRss} MB; start-up to ready: ${Math.round(startupMs)} ms`)
    const report = { posts: POSTS, limit_rps: Math.round(limitRps), results, peak_rss_mb: peakRss, startup_ms: Math.round(startupMs), connections: CONNECTIONS, duration_s: DURATION }
    if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
