import { spawn, spawnSync } from 'node:child_process'
import type { IncomingHttpHeaders } from 'node:http'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { track } from './children.js'
import { parseWrkOutput, wrkScript, type LoadResult } from './wrk-output.js'

export interface LoadRequest {
  url: string
  /** Requested in turn, cycling: many distinct URLs per endpoint. */
  paths: readonly string[]
  connections: number
  /** Whole seconds (wrk takes no fractions). */
  seconds: number
  /** Count each response's X-Cache header. */
  countCache?: boolean
}

export interface LoadGenerator {
  name: 'wrk' | 'autocannon'
  /** Version and how it runs, for the report. */
  description: string
  run: (r: LoadRequest) => Promise<LoadResult>
  close: () => void
}

/** Requests that outlast this are counted as timeouts (wrk's default is 2 s). */
const REQUEST_TIMEOUT_S = 10

/** wrk, one thread, pinned with `prefix` (taskset) when given; path lists and scripts go to a temp folder. */
export function wrkGenerator (prefix: string[]): LoadGenerator {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-wrk-'))
  const scripts = { plain: join(dir, 'paths.lua'), cache: join(dir, 'paths-cache.lua') }
  writeFileSync(scripts.plain, wrkScript(false))
  writeFileSync(scripts.cache, wrkScript(true))
  // A path list is written once, however many slices run it.
  const files = new WeakMap<readonly string[], string>()
  let fileCount = 0
  const version = (spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout ?? '').split('\n')[0].replace(/\s*Copyright.*$/, '').trim()
  return {
    name: 'wrk',
    description: `${version || 'wrk'}, 1 thread`,
    async run (r) {
      let file = files.get(r.paths)
      if (file === undefined) {
        file = join(dir, `paths-${++fileCount}.txt`)
        writeFileSync(file, r.paths.join('\n') + '\n')
        files.set(r.paths, file)
      }
      const args = ['-t1', `-c${r.connections}`, `-d${Math.max(1, Math.round(r.seconds))}s`, '--timeout', `${REQUEST_TIMEOUT_S}s`, '--latency',
        '-s', r.countCache === true ? scripts.cache : scripts.plain, r.url, '--', file, '1']
      const [command, ...rest] = [...prefix, 'wrk', ...args]
      const stdout = await new Promise<string>((resolve, reject) => {
        const child = track(spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'] }))
        let out = ''
        let err = ''
        child.stdout.on('data', (c: Buffer) => { out += c.toString() })
        child.stderr.on('data', (c: Buffer) => { err += c.toString() })
        // wrk stops by itself after -d; this only guards against a hung one.
        const guard = setTimeout(() => child.kill('SIGKILL'), (r.seconds + REQUEST_TIMEOUT_S + 30) * 1000)
        child.on('error', reject)
        child.on('close', (code) => {
          clearTimeout(guard)
          if (code === 0) resolve(out)
          else reject(new Error(`wrk exited with ${code}: ${err.trim() || out.slice(-1000)}`))
        })
      })
      return parseWrkOutput(stdout)
    },
    close () { rmSync(dir, { recursive: true, force: true }) }
  }
}

/**
 * autocannon inside this process: the fallback when wrk is missing. Its HTTP parser is
 * JavaScript (http-parser-js) and tops out near 6–11k req/s on this kind of machine, so
 * ratios near 1 measure the client more than the server.
 */
export function autocannonGenerator (): LoadGenerator {
  return {
    name: 'autocannon',
    description: 'autocannon (in the bench process)',
    async run (r) {
      let next = 0
      const cache = { hit: 0, miss: 0, none: 0 }
      const paths = r.paths
      const result = await autocannon({
        url: r.url,
        connections: r.connections,
        duration: Math.max(1, Math.round(r.seconds)),
        timeout: REQUEST_TIMEOUT_S,
        requests: [{
          method: 'GET',
          setupRequest: (req) => {
            const path = paths[next]
            next = next + 1 === paths.length ? 0 : next + 1
            return { ...req, path }
          },
          ...(r.countCache === true
            ? {
                onResponse: (_status: number, _body: string, _context: object, headers: IncomingHttpHeaders | undefined) => {
                  const v = String(headers?.['x-cache'] ?? headers?.['X-Cache'] ?? '').toUpperCase()
                  if (v === 'HIT') cache.hit++
                  else if (v === 'MISS') cache.miss++
                  else cache.none++
                }
              }
            : {})
        }]
      })
      const errorStatuses = Object.entries(result.statusCodeStats ?? {})
        .filter(([code]) => Number(code) >= 400)
        .reduce((n, [, s]) => n + (s.count ?? 0), 0)
      return {
        requests: result.requests.total,
        seconds: result.duration,
        rps: result.requests.total / Math.max(0.001, result.duration),
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
        non2xx: errorStatuses,
        socket: { connect: 0, read: result.errors - result.timeouts, write: 0, timeout: result.timeouts },
        ...(r.countCache === true ? { cache } : {})
      }
    },
    close () {}
  }
}

/** wrk when it is installed (unless `forced` says otherwise), autocannon when not. */
export function pickLoadGenerator (forced: string | undefined, wrkPrefix: string[], hasWrk: boolean): LoadGenerator {
  if (forced !== undefined && forced !== 'wrk' && forced !== 'autocannon') throw new Error(`--load-generator is wrk or autocannon, not ${forced}`)
  if (forced === 'autocannon') return autocannonGenerator()
  if (hasWrk) return wrkGenerator(wrkPrefix)
  if (forced === 'wrk') throw new Error('--load-generator wrk: wrk is not installed (Debian: apt-get install wrk)')
  return autocannonGenerator()
}
