import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** Parses a Linux CPU list such as "0-3,8,10-11" (Cpus_allowed_list, taskset -c) into CPU numbers. */
export function parseCpuList (list: string): number[] {
  const cpus = new Set<number>()
  for (const part of list.trim().split(',')) {
    if (part === '') continue
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim())
    if (m === null) throw new Error(`not a CPU list: ${JSON.stringify(list)}`)
    const from = Number(m[1])
    const to = m[2] === undefined ? from : Number(m[2])
    for (let c = from; c <= to; c++) cpus.add(c)
  }
  return [...cpus].sort((a, b) => a - b)
}

export interface Pinning {
  /** Command prefix for the servers (the app and the limit): `taskset -c <first CPU>`, or nothing. */
  server: string[]
  /** Command prefix for the load generator: `taskset -c <second CPU>`, or nothing. */
  load: string[]
  /** The CPUs this process and its helpers (writer, freshness checker, autocannon) keep: all but the server's. */
  rest?: string
  note: string
  serverCpu?: number
  loadCpu?: number
}

/**
 * Which CPUs the server and the load generator get: with two CPUs or more and `taskset`, the
 * server (and the limit) on the first CPU this process may use, the load generator on the
 * second, so the client never takes cycles from the server it measures.
 */
export function planPinning (allowed: number[], hasTaskset: boolean): Pinning {
  if (!hasTaskset) return { server: [], load: [], note: 'not pinned: taskset is missing (Debian: util-linux)' }
  if (allowed.length < 2) return { server: [], load: [], note: `not pinned: only ${allowed.length} CPU` }
  const [serverCpu, loadCpu] = allowed
  return {
    server: ['taskset', '-c', String(serverCpu)],
    load: ['taskset', '-c', String(loadCpu)],
    rest: allowed.slice(1).join(','),
    note: `server and limit on CPU ${serverCpu}, load generator on CPU ${loadCpu} (taskset)`,
    serverCpu,
    loadCpu
  }
}

/** The CPUs this process may run on (Linux), or none when that cannot be read. */
export function allowedCpus (): number[] {
  try {
    const status = readFileSync('/proc/self/status', 'utf8')
    const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)
    return m === null ? [] : parseCpuList(m[1])
  } catch {
    return []
  }
}

export function hasCommand (command: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore' })
  return r.error === undefined
}

/** Moves this process (every thread) onto the given CPUs, so it keeps off the server's. */
export function pinSelf (cpus: string): boolean {
  return spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' }).status === 0
}
