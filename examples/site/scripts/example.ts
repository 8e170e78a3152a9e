import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

// `npm run example`: the API on demo content (PORT, default 3000, ./data/demo.db) and the
// example site (SITE_PORT, default 3001) together; Ctrl-C (or SIGTERM) stops both.
// The API's SITE_URL is the site, so post urls and the comment form's 303 lead back to it.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const SITE = fileURLToPath(new URL('../', import.meta.url))
const host = '127.0.0.1'
const apiPort = process.env.PORT?.trim() || '3000'
const sitePort = process.env.SITE_PORT?.trim() || '3001'
const apiUrl = `http://${host}:${apiPort}`
const siteUrl = process.env.SITE_URL?.trim() || `http://${host}:${sitePort}`
const publicApiUrl = process.env.PUBLIC_API_URL?.trim() || apiUrl

const children: ChildProcess[] = []
let stopping = false

function start (name: string, cwd: string, args: string[], env: Record<string, string>): ChildProcess {
  // Own process group: a terminal's Ctrl-C reaches this script only, which stops each child
  // once, gracefully (their second signal would mean "now").
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd, env: { ...process.env, ...env }, stdio: 'inherit', detached: true })
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[example] the ${name} stopped (${signal ?? `exit ${code}`}); stopping the other`)
      stop(code ?? 1)
    } else if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) {
      process.exit(process.exitCode ?? 0)
    }
  })
  children.push(child)
  return child
}

function stop (code = 0): void {
  if (stopping) return
  stopping = true
  process.exitCode = code
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  // Whatever happens, do not hang: close-with-grace gives in-flight requests 10 s.
  setTimeout(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    process.exit(code)
  }, 12_000).unref()
  if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(code)
}

process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))
process.on('exit', () => { for (const child of children) if (child.exitCode === null) child.kill('SIGKILL') })

start('API', ROOT, ['src/server.ts', '--demo'], { PORT: apiPort, HOST: host, SITE_URL: siteUrl, PUBLIC_API_URL: publicApiUrl })
start('site', SITE, ['src/server.ts'], { SITE_PORT: sitePort, SITE_HOST: host, API_URL: apiUrl, PUBLIC_API_URL: publicApiUrl })

// Say where to go once both answer.
const deadline = Date.now() + 60_000
async function answers (url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).status < 500
  } catch {
    return false
  }
}
// eslint-disable-next-line no-unmodified-loop-condition -- the signal handler sets `stopping` while this loop awaits
while (!stopping && Date.now() < deadline) {
  if (await answers(`${apiUrl}/ready`) && await answers(`http://${host}:${sitePort}/`)) {
    console.log(`\n[example] site: http://${host}:${sitePort}/   API: ${apiUrl}/docs   (Ctrl-C stops both)\n`)
    break
  }
  await new Promise((resolve) => setTimeout(resolve, 300))
}
