import { stat } from 'node:fs/promises'
import { basename, extname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { fetchFeed } from './imports-service.js'
import type { ImportJobs, NewJob } from './imports-jobs.js'
import { spoolBytes } from './imports-spool.js'
import { toImportJob } from './imports-mapper.js'
import type { ImportProgress } from './imports-run.js'
import type { ImportSummary } from './imports-schemas.js'

const USAGE = `import wxr FILE [--navigation keep|replace] [--json]
import feed FILE|URL [--status draft|published] [--json]`

function counts (c: ImportSummary['created']): string {
  return `posts ${c.posts}, pages ${c.pages}, categories ${c.categories}, tags ${c.tags}, authors ${c.authors}, comments ${c.comments}`
}

/** The summary as lines for a terminal. */
export function formatSummary (s: ImportSummary): string {
  const lines = [
    `imported ${s.format}`,
    `  created    ${counts(s.created)}`,
    `  updated    ${counts(s.updated)}`,
    `  unchanged  ${counts(s.unchanged)}`
  ]
  const ignored = Object.entries(s.ignored)
  if (ignored.length > 0) lines.push(`  ignored    ${ignored.map(([k, n]) => `${k} ${n}`).join(', ')}`)
  if (s.seo_fields > 0) lines.push(`  seo fields ${s.seo_fields}`)
  if (s.navigation.menus > 0) lines.push(`  menus      ${s.navigation.menus} in the file, ${s.navigation.applied ? `${s.navigation.items} items in the site's navigation` : 'not applied (the site has its own; --navigation replace)'}`)
  if (s.skipped.length > 0) {
    lines.push(`  skipped ${s.skipped.length}:`)
    for (const x of s.skipped) lines.push(`    ${x.kind} ${x.ref}: ${x.reason}`)
  }
  if (s.warnings.length > 0) {
    lines.push(`  warnings ${s.warnings.length}:`)
    for (const w of s.warnings) lines.push(`    ${w}`)
  }
  return lines.join('\n')
}

const FEED_TYPES_BY_EXTENSION: Record<string, string> = { '.json': 'application/feed+json', '.atom': 'application/atom+xml', '.rss': 'application/rss+xml', '.rdf': 'application/rdf+xml' }

const pad = (n: number) => String(n).padStart(2, '0')
const clock = (ms: number) => {
  const s = Math.floor(ms / 1000)
  return s >= 3600 ? `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}` : `${pad(Math.floor(s / 60))}:${pad(s % 60)}`
}

/**
 * Progress on stderr (stdout keeps the summary, or the JSON): on a terminal one line redrawn
 * in place — a bar by bytes read, items, items a second, elapsed time — at most ten times a
 * second; elsewhere (a log, CI) a plain line every few seconds.
 */
export function createProgressReporter (out: { isTTY?: boolean, columns?: number, write: (s: string) => unknown }, label: string, opts: { everyMs?: number } = {}) {
  const started = Date.now()
  let drawn = false
  const tty = out.isTTY === true
  // A terminal shows the bar at once; a log gets its first line after the first interval.
  let last = tty ? 0 : started
  const every = opts.everyMs ?? (tty ? 100 : 5000)
  const line = (p: ImportProgress, now: number) => {
    const seconds = Math.max((now - started) / 1000, 0.001)
    const rate = Math.round(p.itemsRead / seconds)
    const share = p.itemsTotal !== null && p.itemsTotal > 0 ? p.itemsRead / p.itemsTotal : p.bytesTotal > 0 ? p.bytesRead / p.bytesTotal : 0
    const percent = `${Math.floor(share * 100)}%`.padStart(4)
    const counts = `${p.itemsRead}${p.itemsTotal !== null ? `/${p.itemsTotal}` : ''} items, ${rate}/s, ${clock(now - started)}`
    if (!tty) return `${label}: ${percent.trim()} read, ${counts}`
    const width = 20
    const filled = Math.min(width, Math.round(share * width))
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}  ${counts}`
  }
  return {
    update (p: ImportProgress): void {
      const now = Date.now()
      if (now - last < every) return
      last = now
      if (tty) {
        out.write(`\r${line(p, now).slice(0, (out.columns ?? 100) - 1)}\x1b[K`)
        drawn = true
      } else {
        out.write(`${line(p, now)}\n`)
      }
    },
    done (p: ImportProgress | null): void {
      if (tty && drawn) out.write(p === null ? '\r\x1b[K' : `\r${line(p, Date.now()).slice(0, (out.columns ?? 100) - 1)}\x1b[K\n`)
    }
  }
}

/** What the `import` command runs on, given by the command line (src/cli.ts). */
export interface ImportCommandOptions {
  /**
   * The import jobs of the command's database, running on the event loop and telling
   * `onProgress` how they advance; built once the arguments are good.
   */
  jobs: (onProgress: (jobId: number, progress: ImportProgress) => void) => Promise<ImportJobs>
  /** Whether a feed URL may point at loopback or private networks (ALLOW_PRIVATE_TARGETS). */
  allowPrivate: boolean
}

/**
 * `import wxr FILE` streams a WordPress export; `import feed FILE|URL` reads or fetches a feed.
 * The import is a job like one sent over HTTP (listed by GET /v1/imports, queued behind any
 * import running on the same database, cancelled by DELETE or Ctrl-C between items) and runs
 * here, in this process, with a progress line. Returns the exit code.
 */
export async function importCommand (args: string[], opts: ImportCommandOptions): Promise<number> {
  const [kind, ...rest] = args
  let parsed
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { status: { type: 'string' }, navigation: { type: 'string' }, json: { type: 'boolean' } } })
  } catch (err) {
    console.error(`${(err as Error).message}\n\nUsage:\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  const target = positionals[0]
  if ((kind !== 'wxr' && kind !== 'feed') || target === undefined || positionals.length > 1) {
    console.error(`Usage:\n${USAGE}`)
    return 2
  }
  if (values.status !== undefined && values.status !== 'draft' && values.status !== 'published') {
    console.error('--status must be draft or published')
    return 2
  }
  if (values.navigation !== undefined && (kind !== 'wxr' || (values.navigation !== 'keep' && values.navigation !== 'replace'))) {
    console.error('--navigation must be keep or replace, and only with import wxr')
    return 2
  }
  const status = values.status ?? 'draft'
  let job: NewJob
  try {
    if (kind === 'feed' && /^https?:\/\//i.test(target)) {
      const fetched = await fetchFeed(target, { allowPrivate: opts.allowPrivate })
      const spooled = await spoolBytes(fetched.bytes)
      job = { kind, source: target, file: spooled.file, spooled: true, bytes: spooled.bytes, feed: { contentType: fetched.contentType, sourceUrl: target, finalUrl: fetched.url, status } }
    } else {
      const file = resolve(target)
      const bytes = (await stat(file)).size
      // The job list shows the file's name, not where it lies on the server.
      const source = `file:${basename(file)}`
      job = kind === 'wxr'
        ? { kind, source, file, spooled: false, bytes, wxr: { replaceNavigation: values.navigation === 'replace' } }
        : { kind, source, file, spooled: false, bytes, feed: { contentType: FEED_TYPES_BY_EXTENSION[extname(target).toLowerCase()], status } }
    }
  } catch (err) {
    console.error(`import failed: ${(err as Error).message}`)
    return 1
  }
  const reporter = createProgressReporter(process.stderr, basename(target))
  const jobs = await opts.jobs((_id, p) => { reporter.update(p) })
  jobs.start()
  const queued = jobs.enqueue(job)
  if (queued.status === 'queued') console.error(`job ${queued.id} waits for the import running on this database to finish…`)
  // Ctrl-C stops after the item in hand, keeping what was imported; a second one quits at once.
  const interrupt = () => {
    console.error('\nstopping after the current item (Ctrl-C again to quit now)…')
    jobs.cancel(queued.id)
    process.once('SIGINT', () => process.exit(130))
  }
  process.once('SIGINT', interrupt)
  let row
  try {
    row = await jobs.waitFor(queued.id, 2 ** 31 - 1)
  } finally {
    process.off('SIGINT', interrupt)
    await jobs.stop(0)
  }
  const summary = row === undefined ? null : toImportJob(row).summary
  reporter.done(row === undefined || row.status === 'queued' ? null : { bytesRead: row.bytesRead, bytesTotal: row.bytesTotal, itemsRead: row.itemsRead, itemsTotal: row.itemsTotal, summary: summary as ImportSummary })
  if (row?.status === 'succeeded' && summary !== null) {
    console.log(values.json ? JSON.stringify(summary, null, 2) : formatSummary(summary))
    return 0
  }
  if (row?.status === 'cancelled' && summary !== null) {
    console.error(`import cancelled (job ${row.id}); what was imported stays:`)
    console.log(values.json ? JSON.stringify(summary, null, 2) : formatSummary(summary))
    return 1
  }
  console.error(`import failed: ${row?.error ?? 'the job did not finish'}`)
  return 1
}
