import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { freePort } from '../../src/scripts/free-port.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** tsx's loader by absolute URL, so a child may run in any folder (`--import tsx` resolves from the cwd). */
export const TSX = import.meta.resolve('tsx')
export const CHILD_ADMIN_TOKEN = 'reliability-admin-token-0123456789abcdef'
export const childAuth = { authorization: `Bearer ${CHILD_ADMIN_TOKEN}` }

export interface ServerProcess {
  base: string
  child: ChildProcess
  /** Everything the server wrote to stdout and stderr so far. */
  output: () => string
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  exited: Promise<number | string | null>
}

/**
 * Starts the real server (`src/server.ts` under tsx) as a child process on a free port and
 * waits until it answers /health; `args` are its command-line arguments (`--demo`), `cwd` the
 * folder relative paths start from (the repository by default).
 */
export async function startServer (env: Record<string, string>, opts: { args?: string[], cwd?: string } = {}): Promise<ServerProcess> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src/server.ts'), ...(opts.args ?? [])], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ADMIN_TOKEN: CHILD_ADMIN_TOKEN, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)))
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited before listening:\n${output}`)
    try {
      const res = await fetch(`${base}/health`)
      if (res.ok) break
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`server did not start within 60 s:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { base, child, output: () => output, exited }
}
