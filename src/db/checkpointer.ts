import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { Db } from './client.js'

// WAL checkpoints off the write path. SQLite copies the WAL back into the database file (and
// syncs the file) in whichever commit takes the WAL past wal_autocheckpoint pages (1000): on
// the bench machine that was one post write in eight, taking 4–19 ms more than the others
// (their p99). A worker thread with a connection of its own runs a PASSIVE checkpoint every
// `intervalMs` instead: it takes no lock a writer or reader waits for, so the event loop and
// the writes never wait for it; the next write after a complete checkpoint starts the WAL
// over. The writing connection's own automatic checkpoint stays as a backstop, at
// BACKSTOP_PAGES, for when the worker falls behind (or is not running: CLI commands, tests
// over :memory:).

/** Pages the WAL may reach before the writing connection checkpoints it itself (32 MB of 4 KiB pages). */
export const BACKSTOP_PAGES = 8000

// The worker's source: plain CommonJS evaluated by the Worker, so it runs the same under tsx
// and from the bundle. It answers each round with what the checkpoint reported.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path, { fileMustExist: true })
db.pragma('busy_timeout = 0')
const round = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)')
    parentPort.postMessage({ busy: r.busy, log: r.log, checkpointed: r.checkpointed })
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message) })
  }
}
const timer = setInterval(round, workerData.intervalMs)
parentPort.on('message', (m) => {
  if (m !== 'stop') return
  clearInterval(timer)
  db.close()
  parentPort.close()
})
`

/** What the last checkpoint round reported: frames in the WAL, and how many of them are in the database file. */
export interface CheckpointRound { busy: number, log: number, checkpointed: number, error?: string }

export function createCheckpointer (db: Db, opts: { intervalMs?: number } = {}) {
  const intervalMs = opts.intervalMs ?? 100
  const client = db.$client
  let worker: Worker | null = null
  let stopped: Promise<void> | null = null
  let previousAutocheckpoint: number | null = null
  let last: CheckpointRound | null = null
  let rounds = 0
  return {
    /** Starts the worker for a file database in WAL mode; does nothing for :memory:. */
    start (): void {
      if (worker !== null || client.memory || client.pragma('journal_mode', { simple: true }) !== 'wal') return
      previousAutocheckpoint = client.pragma('wal_autocheckpoint', { simple: true }) as number
      client.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`)
      const driver = createRequire(import.meta.url).resolve('better-sqlite3')
      // A small heap: the thread holds one connection and a timer.
      const w = new Worker(SOURCE, { eval: true, workerData: { driver, path: client.name, intervalMs }, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 } })
      w.on('message', (m: CheckpointRound) => { last = m; rounds++ })
      // A worker that fails leaves the backstop to checkpoint: nothing to do for the writes.
      w.on('error', () => { restore() })
      w.unref()
      worker = w
      stopped = new Promise((resolve) => { w.once('exit', () => { resolve() }) })
    },
    /** Stops the worker (it closes its connection) and restores the writing connection's automatic checkpoint. */
    async stop (): Promise<void> {
      if (worker === null) return
      const w = worker
      worker = null
      // Referenced again: the process must not end before the worker has closed its connection.
      w.ref()
      w.postMessage('stop')
      await stopped
      restore()
    },
    /** The last round's report and how many rounds ran (tests, diagnostics). */
    status: () => ({ rounds, last })
  }

  function restore (): void {
    if (previousAutocheckpoint !== null && client.open) client.pragma(`wal_autocheckpoint = ${previousAutocheckpoint}`)
    previousAutocheckpoint = null
  }
}
export type Checkpointer = ReturnType<typeof createCheckpointer>
