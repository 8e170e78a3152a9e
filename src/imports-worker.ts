import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase } from './db/client.js'
import type { ContentChange } from './db/change-bus.js'
import { loadConfig } from './config.js'
import { coreOptions, createCore } from './core.js'
import { createProgressWriter, type ImportWorkerData, type ImportWorkerMessage } from './modules/imports/imports-jobs.js'
import { runImport } from './modules/imports/imports-run.js'
import { sanitizeHtml, transliterate } from './lib/lazy.js'

// The entry of an import job's worker thread (src/modules/imports/imports-jobs.ts starts it):
// its own connection to the database file and its own core over it (src/core.ts, never
// started: the workers are the main thread's), so every import write is sanitized, logged and
// indexed exactly as an API write. Other connections see its commits through the content
// version in the database, as they see another process's. It writes the job's progress itself, and tells the main thread that
// it is alive and what it committed (for cache purges).

const data = workerData as ImportWorkerData
const port = parentPort
if (port === null) throw new Error('imports-worker runs as a worker thread')

const db = openDatabase(data.dbPath, data.synchronous)
try {
  // Only the settings a write depends on come from the main thread; the rest are the defaults.
  const core = createCore(db, { ...coreOptions(loadConfig({})), siteUrl: data.siteUrl, iframeHosts: data.iframeHosts })
  let changes: ContentChange[] = []
  core.bus.onCommitted((committed) => { changes.push(...committed) })
  const send = (message: ImportWorkerMessage) => {
    port.postMessage(message)
    changes = []
  }
  const flag = new Int32Array(data.cancel)
  const progress = createProgressWriter(core.repos.importJobs, data.jobId, data.owner, data.leaseMs)
  // What the first item would load on demand is loaded now: loading is not the import's work.
  sanitizeHtml('<p></p>')
  transliterate('')
  await import('./modules/imports/imports-feed.js')
  // Loaded: from here on, a silence longer than the stall timeout means a stuck import.
  send({ type: 'progress', itemsRead: 0, changes: [] })
  let lastTick = Date.now()
  const outcome = await runImport(core.writes.imports, data.spec, {
    progress (p) {
      if (progress.tick(p)) Atomics.store(flag, 0, 1)
      const now = Date.now()
      if (now - lastTick < data.tickMs) return
      lastTick = now
      send({ type: 'progress', itemsRead: p.itemsRead, changes })
    },
    cancelled: () => Atomics.load(flag, 0) === 1
  })
  send({ type: 'done', outcome, changes })
} finally {
  db.$client.close()
}
