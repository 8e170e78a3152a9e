import type { ChildProcess } from 'node:child_process'

const running = new Set<ChildProcess>()
let installed = false

/**
 * Remembers a child process (server, limit, wrk) until it exits, so that a bench stopped with
 * Ctrl-C or SIGTERM, or ended by an error, stops its own children instead of leaving a server or
 * wrk running.
 */
export function track<T extends ChildProcess> (child: T): T {
  running.add(child)
  child.once('exit', () => running.delete(child))
  if (!installed) {
    installed = true
    // Also when the bench dies of an error (say, EPIPE after `| head`): kill() is synchronous.
    process.once('exit', () => { for (const c of running) c.kill('SIGTERM') })
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        for (const c of running) c.kill('SIGTERM')
        process.exit(signal === 'SIGINT' ? 130 : 143)
      })
    }
  }
  return child
}
