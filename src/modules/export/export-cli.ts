import { createWriteStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ExportRepository } from './export-repository.js'
import { writeWxr } from './export-wxr.js'

const USAGE = 'export wxr FILE   (FILE "-" writes to standard output)'

/** `export wxr FILE`: the whole site as a WXR 1.2 file, as GET /v1/export streams it. */
export async function exportCommand (args: string[], deps: { repo: ExportRepository, siteUrl: string }): Promise<number> {
  const [format, file, ...extra] = args
  if (format !== 'wxr' || file === undefined || file === '' || extra.length > 0) {
    console.error(`usage: ${USAGE}`)
    return 2
  }
  const source = Readable.from(writeWxr(deps.repo, { siteUrl: deps.siteUrl, now: Date.now() }))
  if (file === '-') {
    await pipeline(source, process.stdout, { end: false })
    return 0
  }
  try {
    // "wx": an existing file is never overwritten by mistake.
    await pipeline(source, createWriteStream(file, { flags: 'wx' }))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    console.error(`${file} exists already: choose another name (nothing was written)`)
    return 1
  }
  console.error(`exported to ${file}`)
  return 0
}
