import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { dirname, join, relative, resolve as resolvePath } from 'node:path'
import { projectPath } from '../lib/project-root.js'
import { buildTests, removeTestBuilds, testFiles } from './build-tests.js'

// `npm test`'s runner: builds the test files (src/scripts/build-tests.ts), then runs each built
// file in its own `node` process, TEST_JOBS (default 2) at a time, and prints one TAP stream:
// each file a subtest with its own TAP output, as `tap` prints it. Tests are written with tap
// and still run one by one with `npx tap test/…` (through tsx).
//
// Why not tap's runner for the whole suite: tap 21 starts every test process, and through
// NODE_OPTIONS every process those start (our child servers, CLI runs), with its process-info
// loader hook, even with coverage off, and no setting removes it. Measured on the 2-core
// machine: the same 6 built test files took 50.4 s of CPU under `tap` and 30.0 s as plain
// `node` processes. Start-up, not the tests, was most of the suite's CPU time.
//
// With --checks (what `npm test` runs), `npm run lint` and `npm run typecheck` run at the same
// time as the tests rather than before them (each is one busy core for a minute or so; the test
// files fill the cores around them), reported as two more entries of the stream; any failure
// fails the run.
//
// Usage: tsx src/scripts/run-tests.ts [--checks] [test files…]   (default: every test/**/*.test.ts)
// Env: TEST_JOBS (parallel files, default min(2, cores)), TEST_TIMEOUT_S (per file, default 240).

const JOBS = Math.max(1, Number(process.env.TEST_JOBS ?? Math.min(2, availableParallelism())))
const TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_S ?? 240) * 1000

interface Result { source: string, ok: boolean, ms: number, output: string, stderr: string, counts: Counts, why?: string }
interface Counts { total: number, pass: number, fail: number, skip: number, todo: number }

const args = process.argv.slice(2)
const withChecks = args.includes('--checks')
const wanted = args.filter((arg) => arg !== '--checks').map((file) => resolvePath(file))
const sources = wanted.length > 0 ? wanted : testFiles()
const started = Date.now()

/** `npm run <script>`, its output kept for the report. */
function runCheck (script: string): Promise<Result> {
  return new Promise((resolve) => {
    const t0 = Date.now()
    const child = spawn('npm', ['run', '--silent', script], { cwd: projectPath(), stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
    child.on('close', (code, signal) => {
      const ok = code === 0
      const counts: Counts = { total: 1, pass: ok ? 1 : 0, fail: ok ? 0 : 1, skip: 0, todo: 0 }
      resolve({ source: `npm run ${script}`, ok, ms: Date.now() - t0, output: '', stderr: output, counts, why: ok ? undefined : `${output.trim().split('\n').slice(-1)[0] ?? ''} (exit ${code ?? signal})` })
    })
  })
}
const checks = withChecks ? [runCheck('lint'), runCheck('typecheck')] : []
ensureTapBuilt()
const built = await buildTests(sources)
const buildMs = Date.now() - started

process.stdout.write(`TAP version 14\n# built ${built.length} test files in ${buildMs} ms; running ${JOBS} at a time\n`)

/**
 * tap compiles the plugins of package.json's `tap.plugin` into its test module; its runner does
 * so on its first run after `npm ci`, but this runner never starts it, and a test file would load
 * the plugins tap is published with. `tap build` (~15 s) only when the built list differs.
 */
function ensureTapBuilt (): void {
  const requireFromTap = createRequire(projectPath('node_modules', 'tap', 'package.json'))
  const testDir = dirname(requireFromTap.resolve('@tapjs/test/package.json'))
  const builtText = readFileSync(join(testDir, 'test-built', 'dist', 'esm', 'index.js'), 'utf8')
  const built = (/export const signature = `([^`]*)`/.exec(builtText)?.[1] ?? '').split('\n').filter(Boolean).sort()
  const defaults = [...readFileSync(join(testDir, 'dist', 'esm', 'default-plugins.js'), 'utf8').matchAll(/'(@tapjs\/[a-z-]+)'/g)].map((m) => m[1] ?? '')
  const config = (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { tap?: { plugin?: string[] } }).tap?.plugin ?? []
  const removed = new Set(config.filter((p) => p.startsWith('!')).map((p) => p.slice(1)))
  const wanted = [...new Set([...defaults.filter((p) => !removed.has(p)), ...config.filter((p) => !p.startsWith('!'))])].sort()
  if (wanted.join('\n') === built.join('\n')) return
  process.stderr.write(`tap is built with ${built.join(', ')}; building it with ${wanted.join(', ')}\n`)
  const result = spawnSync('npx', ['tap', 'build'], { cwd: projectPath(), stdio: ['ignore', 'ignore', 'inherit'] })
  if (result.status !== 0) throw new Error(`tap build failed (${result.status ?? result.signal})`)
}

/** The summary line tap prints at the end of a file: `# { total: 12, pass: 11, fail: 1 }`. */
function countsOf (output: string): Counts {
  const counts: Counts = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0 }
  const summary = /^# \{ (.*) \}$/m.exec(output.split('\n').filter((line) => line.startsWith('# {')).pop() ?? '')
  for (const part of summary?.[1]?.split(', ') ?? []) {
    const [key, value] = part.split(': ')
    if (key !== undefined && key in counts) counts[key as keyof Counts] = Number(value)
  }
  return counts
}

function runFile (entry: string, source: string): Promise<Result> {
  return new Promise((resolve) => {
    const t0 = Date.now()
    const child = spawn(process.execPath, ['--enable-source-maps', entry], {
      cwd: projectPath(),
      env: { ...process.env, TAP: '1', TAP_TIMEOUT: String(TIMEOUT_MS / 1000) },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    let stderr = ''
    let why: string | undefined
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    const timer = setTimeout(() => {
      why = `timed out after ${TIMEOUT_MS / 1000} s`
      child.kill('SIGKILL')
    }, TIMEOUT_MS)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const counts = countsOf(output)
      if (why === undefined && code !== 0) why = signal !== null ? `killed by ${signal}` : `exit code ${code}`
      if (why === undefined && counts.total === 0 && !/^1\.\.0/m.test(output)) why = 'no assertions'
      resolve({ source, ok: why === undefined && counts.fail === 0, ms: Date.now() - t0, output, stderr, counts, why })
    })
  })
}

const queue = built.map(({ entry, source }) => ({ entry, source: relative(projectPath(), source) }))
const results: Result[] = []
let printed = 0

function print (result: Result): void {
  printed += 1
  const body = result.output.trimEnd().split('\n').map((line) => (line === '' ? '' : `    ${line}`)).join('\n')
  let text = `# Subtest: ${result.source}\n${body}\n`
  if (!result.ok) {
    if (result.stderr.trim() !== '') text += result.stderr.trimEnd().split('\n').map((line) => `    # stderr: ${line}`).join('\n') + '\n'
    text += `not ok ${printed} - ${result.source} # time=${result.ms}ms\n  ---\n  why: ${result.why ?? `${result.counts.fail} failing assertions`}\n  ...\n\n`
  } else {
    text += `ok ${printed} - ${result.source} # time=${result.ms}ms\n\n`
  }
  process.stdout.write(text)
}

async function worker (): Promise<void> {
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const result = await runFile(next.entry, next.source)
    results.push(result)
    print(result)
  }
}

await Promise.all(Array.from({ length: Math.min(JOBS, queue.length) }, () => worker()))
for (const check of checks) {
  const result = await check
  results.push(result)
  print(result)
}

const total = results.reduce((sum, r) => sum + r.counts.total, 0)
const failed = results.filter((r) => !r.ok)
const sum = (key: keyof Counts): number => results.reduce((s, r) => s + r.counts[key], 0)
process.stdout.write(`1..${results.length}\n`)
process.stdout.write(`# files: ${results.length}, failed: ${failed.length}\n`)
process.stdout.write(`# { total: ${total}, pass: ${sum('pass')}, fail: ${sum('fail')}, skip: ${sum('skip')}, todo: ${sum('todo')} }\n`)
for (const r of failed) process.stdout.write(`# failed: ${r.source} (${r.why ?? `${r.counts.fail} failing assertions`})\n`)
process.stdout.write(`# time=${Date.now() - started}ms\n`)
removeTestBuilds()
process.exitCode = failed.length > 0 ? 1 : 0
