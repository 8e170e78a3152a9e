import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { UnreadableImport } from '../../errors.js'
import type { ImportStep } from './imports-wxr.js'
import type { FeedImportOptions, ImportService, WxrImportOptions } from './imports-service.js'
import type { ImportSummary } from './imports-schemas.js'
import { emptySummary } from './imports-summary.js'

// One import job from its spooled file to the database: the same code in the worker thread
// of a server, on the event loop of a server on an in-memory database, and in the command
// line. It reports progress between items and stops between items when asked to.

export { emptySummary } from './imports-summary.js'

export interface ImportJobSpec {
  kind: 'wxr' | 'feed'
  /** The body, as received. */
  file: string
  feed?: FeedImportOptions
  wxr?: WxrImportOptions
}

export interface ImportProgress {
  bytesRead: number
  bytesTotal: number
  itemsRead: number
  itemsTotal: number | null
  summary: ImportSummary
}

export type ImportOutcome =
  | { status: 'succeeded' | 'cancelled', progress: ImportProgress }
  | { status: 'failed', progress: ImportProgress, code: string, message: string }

export interface RunHooks {
  /** After each item and each chunk of the file read (often: throttle what it does). */
  progress?: (p: ImportProgress) => void
  /** Asked between items: true stops the import there, keeping what was committed. */
  cancelled?: () => boolean
  /** On the event loop: let other work run after this many milliseconds of import. */
  sliceMs?: number
}

/** An import that was told to stop. */
class ImportStopped extends Error {}

/** Runs one import; never throws for the import's own failures (the outcome says them). */
export async function runImport (importer: ImportService, spec: ImportJobSpec, hooks: RunHooks = {}): Promise<ImportOutcome> {
  const progress: ImportProgress = { bytesRead: 0, bytesTotal: 0, itemsRead: 0, itemsTotal: null, summary: emptySummary(spec.kind) }
  let sliceStart = Date.now()
  const step: ImportStep = async (summary, itemsRead, itemsTotal) => {
    progress.summary = summary
    progress.itemsRead = itemsRead
    progress.itemsTotal = itemsTotal
    hooks.progress?.(progress)
    if (hooks.cancelled?.() === true) throw new ImportStopped()
    if (hooks.sliceMs !== undefined && Date.now() - sliceStart >= hooks.sliceMs) {
      await nextTurn()
      sliceStart = Date.now()
    }
  }
  try {
    progress.bytesTotal = (await stat(spec.file)).size
    if (spec.kind === 'wxr') {
      const chunks = async function * () {
        for await (const chunk of createReadStream(spec.file) as AsyncIterable<Buffer>) {
          progress.bytesRead += chunk.length
          hooks.progress?.(progress)
          yield chunk
        }
      }
      progress.summary = await importer.wxr(chunks(), step, spec.wxr)
    } else {
      const bytes = await readFile(spec.file)
      progress.bytesRead = bytes.length
      progress.summary = await importer.feed(bytes, spec.feed ?? { status: 'draft' }, step)
    }
    hooks.progress?.(progress)
    return { status: 'succeeded', progress }
  } catch (err) {
    if (err instanceof ImportStopped) return { status: 'cancelled', progress }
    if (err instanceof UnreadableImport) return { status: 'failed', progress, code: 'UNREADABLE_IMPORT', message: err.message }
    return { status: 'failed', progress, code: 'IMPORT_FAILED', message: `The import stopped on an error: ${(err as Error).message}` }
  }
}
