import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { extname } from 'node:path'
import { parseArgs } from 'node:util'
import type { CliCommand } from '../../cli.js'
import { createWriteServices } from '../../plugins/writes.js'
import { createImportService, fetchFeed } from './imports-service.js'
import type { ImportSummary } from './imports-schemas.js'

const USAGE = `import wxr FILE [--json]
import feed FILE|URL [--status draft|published] [--json]`

function counts (c: ImportSummary['created']): string {
  return `posts ${c.posts}, categories ${c.categories}, tags ${c.tags}, authors ${c.authors}, comments ${c.comments}`
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

/** `import wxr FILE` streams a WordPress export; `import feed FILE|URL` reads or fetches a feed. */
export const importCommand: CliCommand = async (db, args, config) => {
  const [kind, ...rest] = args
  let parsed
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { status: { type: 'string' }, json: { type: 'boolean' } } })
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
  const iframeHosts = config.IFRAME_HOSTS.split(',').map((h) => h.trim()).filter(Boolean)
  const writes = createWriteServices(db, { iframeHosts, siteUrl: config.SITE_URL })
  const importer = createImportService(db, writes, { iframeHosts })
  let summary: ImportSummary
  try {
    if (kind === 'wxr') {
      await stat(target)
      summary = await importer.wxr(createReadStream(target))
    } else if (/^https?:\/\//i.test(target)) {
      const fetched = await fetchFeed(target, { allowPrivate: config.ALLOW_PRIVATE_TARGETS })
      summary = await importer.feed(fetched.bytes, { contentType: fetched.contentType, sourceUrl: target, finalUrl: fetched.url, status: values.status ?? 'draft' })
    } else {
      const bytes = await readFile(target)
      summary = await importer.feed(bytes, { contentType: FEED_TYPES_BY_EXTENSION[extname(target).toLowerCase()], status: values.status ?? 'draft' })
    }
  } catch (err) {
    console.error(`import failed: ${(err as Error).message}`)
    return 1
  }
  console.log(values.json ? JSON.stringify(summary, null, 2) : formatSummary(summary))
  return 0
}
