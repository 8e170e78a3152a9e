import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { openDatabase } from '../db/client.js'
import { runMigrations } from '../db/migrate.js'
import { seedDemo } from '../demo/seed-demo.js'
import { loadConfig } from '../config.js'
import { coreOptions, createCore } from '../core.js'
import { freePort } from './free-port.js'

// npm run load (or tsx src/scripts/load.ts): a bounded mixed read/write run against the real
// server in a child process on 127.0.0.1, on a file database filled with the demo content.
// Reads are the public API a frontend and feed readers use; writes are posts, comments and
// edits through the admin key. It reports requests, latency percentiles, connection errors
// and every non-2xx status, and fails when there is any error or 5xx.

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const ADMIN_TOKEN = 'load-run-admin-token-0123456789abcdef0123'

export interface LoadOptions {
  /** Seconds of load (default 60). */
  duration: number
  connections: number
  /** Run dist/server.js (after `npm run build`) instead of src/server.ts under tsx. */
  compiled: boolean
}

export interface LoadSummary {
  durationSeconds: number
  connections: number
  requests: number
  requestsPerSecond: number
  latencyMs: { p50: number, p90: number, p99: number, max: number }
  errors: number
  timeouts: number
  statuses: Record<string, number>
  server5xx: number
  writes: number
  reads: number
}

async function startServer (dbPath: string, compiled: boolean): Promise<{ child: ChildProcess, base: string }> {
  const port = await freePort()
  const entry = compiled ? [join(ROOT, 'dist', 'server.js')] : ['--import', 'tsx', join(ROOT, 'src', 'server.ts')]
  if (compiled && !existsSync(entry[0])) throw new Error('dist/server.js is missing: run `npm run build` first or drop --compiled')
  const child = spawn(process.execPath, entry, {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', DATABASE_PATH: dbPath, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ADMIN_TOKEN, COMMENT_RATE_LIMIT: '10000', SITE_URL: 'https://news.example.com' },
    stdio: ['ignore', 'inherit', 'inherit']
  })
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`)
    const res = await fetch(`${base}/ready`).catch(() => null)
    if (res?.ok) break
    if (i > 1200) throw new Error('the server did not start within 60 s')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { child, base }
}

/**
 * Runs the bounded load: demo content, the server in a child process, autocannon with a
 * mix of about four reads to one write. Resolves with the figures; never throws on bad
 * answers (the caller decides), only when the server cannot start.
 */
export async function runLoad (opts: LoadOptions): Promise<LoadSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-load-'))
  const dbPath = join(dir, 'load.db')
  const db = openDatabase(dbPath)
  runMigrations(db)
  await seedDemo(createCore(db, coreOptions(loadConfig({}))))
  const slugs = db.$client.prepare("SELECT slug FROM posts WHERE status = 'published' AND published_at <= ? ORDER BY id LIMIT 40").pluck().all(Date.now()) as string[]
  const authorId = db.$client.prepare('SELECT id FROM authors ORDER BY id LIMIT 1').pluck().get() as number
  const postIds = db.$client.prepare("SELECT id FROM posts WHERE status = 'published' AND published_at <= ? ORDER BY id LIMIT 40").pluck().all(Date.now()) as number[]
  db.$client.close()

  const { child, base } = await startServer(dbPath, opts.compiled)
  let n = 0
  const pick = <T>(list: T[]): T => list[n % list.length]
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }
  const terms = ['election', 'ferry', 'NATO', 'budget "energy', 'storm*', 'talks AND russia']
  let writes = 0
  let reads = 0
  const read = (path: () => string): autocannon.Request => ({ method: 'GET', setupRequest: (req) => { n++; reads++; return { ...req, path: path() } } })
  const write = (method: 'POST' | 'PATCH', path: () => string, body: () => object, headers: Record<string, string> = admin): autocannon.Request => ({
    method,
    setupRequest: (req) => { n++; writes++; return { ...req, method, path: path(), headers, body: JSON.stringify(body()) } }
  })
  const reading = [
    read(() => '/v1/posts'),
    read(() => `/v1/posts/${pick(slugs)}`),
    read(() => `/v1/posts?category=politics&page=${1 + (n % 3)}`),
    read(() => `/v1/posts/${pick(slugs)}/comments`),
    read(() => `/v1/posts?q=${encodeURIComponent(pick(terms))}`),
    read(() => '/feeds/rss.xml'),
    read(() => `/v1/posts/${pick(postIds)}/related`),
    read(() => '/v1/categories'),
    read(() => '/v1/changes?limit=50')
  ]
  const writing = [
    write('POST', () => '/v1/posts', () => ({ title: `Load test story ${n} ${Date.now()}`, author_id: authorId, content_html: '<h2>Part</h2><p>Written during the load run.</p>', status: n % 2 === 0 ? 'published' : 'draft' })),
    write('POST', () => `/v1/posts/${pick(postIds)}/comments`, () => ({ author_name: 'Load reader', author_email: 'load@example.com', content: `Comment ${n} at ${process.hrtime.bigint()}` }), { 'content-type': 'application/json' }),
    write('PATCH', () => `/v1/posts/${pick(postIds)}`, () => ({ excerpt: `Updated during the load run (${n})` }))
  ]
  // Reads dominate a content API: one write to every nine reads, each write invalidating
  // the response cache the reads after it would otherwise hit.
  const requests = writing.flatMap((w) => [...reading, w])
  try {
    const result = await autocannon({ url: base, connections: opts.connections, duration: opts.duration, requests, timeout: 10 })
    const statuses: Record<string, number> = {}
    for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0
    return {
      durationSeconds: opts.duration,
      connections: opts.connections,
      requests: result.requests.total,
      requestsPerSecond: Math.round(result.requests.average),
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      errors: result.errors,
      timeouts: result.timeouts,
      statuses,
      server5xx: Object.entries(statuses).filter(([code]) => code.startsWith('5')).reduce((sum, [, count]) => sum + count, 0),
      writes,
      reads
    }
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '60' },
      connections: { type: 'string', default: '16' },
      compiled: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false }
    }
  })
  const summary = await runLoad({ duration: Number(values.duration), connections: Number(values.connections), compiled: values.compiled ?? false })
  if (values.json) {
    console.log(JSON.stringify(summary))
  } else {
    console.log(`load: ${summary.requests} requests in ${summary.durationSeconds} s over ${summary.connections} connections (${summary.requestsPerSecond}/s, ~${summary.reads} reads, ~${summary.writes} writes)`)
    console.log(`latency: p50 ${summary.latencyMs.p50} ms, p90 ${summary.latencyMs.p90} ms, p99 ${summary.latencyMs.p99} ms, max ${summary.latencyMs.max} ms`)
    console.log(`statuses: ${JSON.stringify(summary.statuses)}; connection errors ${summary.errors}, timeouts ${summary.timeouts}, 5xx ${summary.server5xx}`)
  }
  const bad = summary.errors + summary.server5xx + summary.timeouts
  process.exit(bad === 0 ? 0 : 1)
}
