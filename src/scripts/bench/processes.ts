import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../free-port.js'
import { track } from './children.js'

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const SERVER = join(ROOT, 'dist', 'server.js')
const LIMIT = join(ROOT, 'src', 'scripts', 'bench-limit.ts')
/** The SITE_URL the bench server runs with (the read model's fingerprint names it). */
export const BENCH_SITE_URL = 'https://news.example.com'
/** The bootstrap admin token of the bench server (writes in the write pass and the newsroom scenario). */
export const ADMIN_TOKEN = 'bench-run-admin-token-0123456789abcdef0123'

// How the Dockerfile runs the server (BENCH_NODE_FLAGS to try others): V8's young generation
// otherwise grows to three 16 MB semi-spaces that a request/response load never fills, and
// --optimize-for-size makes the old generation grow less eagerly. Together about 40 MB less
// peak RSS at 100,000 posts, with throughput within the run-to-run noise. The limit runs
// with the same flags, so both pay the same garbage collection.
export const NODE_FLAGS = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? ['--max-semi-space-size=4', '--optimize-for-size']

export interface Started { child: ChildProcess, url: string, startupMs: number }

/** Runs `command` with `prefix` (taskset) in front when there is one. */
function spawnWith (prefix: string[], command: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  return track(prefix.length === 0 ? spawn(command, args, options) : spawn(prefix[0], [...prefix.slice(1), command, ...args], options))
}

/**
 * The compiled server in a child process with production settings; resolves when /ready
 * answers 200 (start-up is measured from the spawn to that answer).
 */
export async function startServer (o: { dbPath: string, cache: boolean, workers: string, prefix: string[] }): Promise<Started> {
  const port = await freePort()
  const t0 = performance.now()
  // taskset execs node: the child's pid is the server's, for its RSS and for SIGTERM.
  const child = spawnWith(o.prefix, process.execPath, [...NODE_FLAGS, SERVER], {
    env: {
      ...process.env,
      DATABASE_PATH: o.dbPath,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      RESPONSE_CACHE: String(o.cache),
      NODE_ENV: 'production',
      WORKERS: o.workers,
      SITE_URL: BENCH_SITE_URL,
      ADMIN_TOKEN,
      // The writers submit a few comments a second from one address.
      COMMENT_RATE_LIMIT: '10000'
    },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  const url = `http://127.0.0.1:${port}`
  let exited = false
  child.once('exit', () => { exited = true })
  for (;;) {
    const res = await fetch(`${url}/ready`).catch(() => null)
    if (res?.ok) break
    if (exited || performance.now() - t0 > 60_000) throw new Error('the server did not become ready')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return { child, url, startupMs: performance.now() - t0 }
}

/** A response to replay: its headers (less the per-connection ones) and its body. */
export interface Captured { headers: Record<string, string>, body: Buffer }

const NOT_REPLAYED = new Set(['content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding'])

/** One GET as the load generator sends it (no Accept-Encoding), kept for the limit to replay. */
export async function capture (url: string): Promise<{ status: number, captured: Captured }> {
  const res = await fetch(url, { headers: { 'accept-encoding': 'identity' } })
  const body = Buffer.from(await res.arrayBuffer())
  const headers = Object.fromEntries([...res.headers].filter(([name]) => !NOT_REPLAYED.has(name)))
  return { status: res.status, captured: { headers, body } }
}

/**
 * The limit: a bare Fastify process answering from memory. It serves several captured
 * responses; a request for `/<k>/…` gets response k, so each endpoint is compared with a
 * server sending that endpoint's own bytes and headers, to requests of the same length.
 */
export async function startLimit (responses: Captured[], file: string, prefix: string[]): Promise<{ child: ChildProcess, url: string }> {
  const { writeFileSync } = await import('node:fs')
  writeFileSync(file, JSON.stringify(responses.map((r) => ({ headers: r.headers, body: r.body.toString('base64') }))))
  const child = spawnWith(prefix, process.execPath, [...NODE_FLAGS, '--import', 'tsx', LIMIT, file, '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await waitForLine(child, /LISTENING (http:\/\/127\.0\.0\.1:\d+)/, 30_000)
  return { child, url }
}

/** The limit's path for endpoint k. */
export const limitPath = (k: number, path: string): string => `/${k}${path}`

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

export async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/** VmHWM is the peak resident set of the process so far, VmRSS the current one (Linux). */
export function rssMb (pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
    return Math.round(kb / 1024)
  } catch {
    return 0
  }
}

/**
 * Waits until the server answers /health within 50 ms (at most `maxMs`): after a load run
 * that left slow requests queued (an uncached search at 32 connections), the next
 * measurement would otherwise pay for them. Returns how long it waited.
 */
export async function waitQuiet (url: string, maxMs = 30_000): Promise<number> {
  const t0 = performance.now()
  for (;;) {
    const t = performance.now()
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(maxMs) }).then((r) => r.arrayBuffer().then(() => r.ok), () => false)
    if ((ok && performance.now() - t < 50) || performance.now() - t0 > maxMs) return performance.now() - t0
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
