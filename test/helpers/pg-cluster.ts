import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

// A throwaway PostgreSQL cluster for the tests (issue 20), from Debian's `postgresql` package
// (.ci/run installs it): initdb in a temporary folder, a free port on 127.0.0.1 and the unix
// socket in that folder, trust authentication, no fsync (nothing here must survive a power cut),
// stopped with `pg_ctl stop -m immediate` and removed at the end. One cluster per test file:
// starting one takes about a second. initdb and postgres refuse to run as root; tests that run
// as root (containers, CI) start them as `nobody` through runuser (util-linux).

/** The folder of initdb, pg_ctl and postgres, or null when PostgreSQL is not installed. */
export function pgBinDir (): string | null {
  const candidates: string[] = []
  if (process.env.PG_BIN_DIR) candidates.push(process.env.PG_BIN_DIR)
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
  } catch {}
  // Debian keeps the server binaries out of PATH, one folder per major version: newest first.
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    for (const v of readdirSync(debian).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a))) candidates.push(join(debian, v, 'bin'))
  }
  return candidates.find((dir) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(dir, b)))) ?? null
}

const BIN = pgBinDir()
const RUNUSER = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((p) => existsSync(p))
const AS_ROOT = process.getuid?.() === 0

const UNAVAILABLE = BIN === null
  ? 'PostgreSQL server binaries not found (no initdb under PG_BIN_DIR, `pg_config --bindir` or /usr/lib/postgresql/*/bin; .ci/run installs Debian\'s postgresql)'
  : AS_ROOT && RUNUSER === undefined
    ? 'running as root and runuser is absent: initdb refuses root'
    : false
// `npm run test:pg` asks for PostgreSQL: there a missing server fails instead of skipping.
if (UNAVAILABLE !== false && process.env.PG_TESTS_REQUIRED === '1') throw new Error(`npm run test:pg: ${UNAVAILABLE}`)

/** Why the PostgreSQL tests cannot run here (a tap `skip` value), or false when they can. */
export const PG_SKIP: string | false = UNAVAILABLE

export interface PgCluster {
  /** postgres://postgres@127.0.0.1:PORT/DB */
  url: (database?: string) => string
  /** Creates an empty database and returns its URL. */
  createDatabase: (name: string) => Promise<string>
  port: number
  dir: string
  stop: () => void
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { resolve(typeof address === 'object' && address !== null ? address.port : 0) })
    })
  })
}

/** Runs a PostgreSQL binary, as `nobody` when this process is root. */
function run (bin: string, args: string[]): void {
  const file = join(BIN!, bin)
  const [command, argv] = AS_ROOT ? [RUNUSER!, ['-u', 'nobody', '--', file, ...args]] : [file, args]
  const result = spawnSync(command, argv, { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${bin} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`)
}

/**
 * Starts a cluster and stops and removes it when the process exits (and when `stop` is called,
 * which the caller registers with t.teardown).
 */
export async function startPgCluster (): Promise<PgCluster> {
  if (PG_SKIP !== false) throw new Error(PG_SKIP)
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-pg-'))
  if (AS_ROOT) chownSync(dir, Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim()), Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim()))
  const data = join(dir, 'data')
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions'])
  let port = 0
  let stopped = false
  // Also when tap stops the file (a timeout sends SIGTERM): stop, then die of the same signal.
  const onSignal = (signal: NodeJS.Signals): void => {
    stop()
    process.kill(process.pid, signal)
  }
  const stop = (): void => {
    if (stopped) return
    stopped = true
    process.off('exit', stop)
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
    try { run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']) } catch {}
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', stop)
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
  // A port found free can be taken before postgres binds it: try a few.
  for (let attempt = 0; ; attempt++) {
    port = await freePort()
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50 -c shared_buffers=16MB`
    try {
      run('pg_ctl', ['start', '-D', data, '-w', '-t', '30', '-l', join(dir, 'log'), '-o', options])
      break
    } catch (err) {
      if (attempt >= 2) {
        const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : ''
        stop()
        throw new Error(`${(err as Error).message}\n${log}`)
      }
    }
  }
  const url = (database = 'postgres'): string => `postgres://postgres@127.0.0.1:${port}/${database}`
  return {
    url,
    port,
    dir,
    stop,
    createDatabase: async (name) => {
      const client = new pg.Client({ connectionString: url() })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`)
      } finally {
        await client.end()
      }
      return url(name)
    }
  }
}
