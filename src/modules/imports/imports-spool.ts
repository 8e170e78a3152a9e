import { createWriteStream } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { BodyCutOff, BodyTooLarge, withHeaders } from '../../errors.js'
import { removeSpool, SPOOL_PREFIX } from './imports-jobs.js'

// Import bodies go to a temporary file (readable only by us) before anything is imported:
// the request is answered as soon as the body is in, and a body over the limit is refused
// the moment it passes the limit, with nothing imported.

async function spoolFile (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), SPOOL_PREFIX))
  return join(dir, 'body')
}

/**
 * Streams a request body to a temporary file. Past `max` bytes it stops reading and throws
 * a 413 that closes the connection (the rest of a chunked upload is never read); the file
 * is removed.
 */
export async function spoolStream (source: Readable, max: number, what: string, limitName: string): Promise<{ file: string, bytes: number }> {
  const file = await spoolFile()
  // The source may have failed while the file was being made (a multipart part cut short
  // errors at once): no event will come any more.
  if (source.errored !== null || (source.destroyed && !source.readableEnded)) {
    removeSpool(file)
    throw new BodyCutOff(what)
  }
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 })
  let bytes = 0
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false
      const fail = (err: Error) => {
        if (settled) return
        settled = true
        source.off('data', onData)
        // Paused, not destroyed: destroying the request would reset the socket before the
        // 413 is sent; the answer closes the connection instead.
        source.pause()
        reject(err)
      }
      const onData = (chunk: Buffer) => {
        bytes += chunk.length
        if (bytes > max) {
          fail(withHeaders(new BodyTooLarge(what, max, limitName), { connection: 'close' }))
          return
        }
        if (!out.write(chunk)) {
          source.pause()
          out.once('drain', () => { if (!settled) source.resume() })
        }
      }
      source.on('data', onData)
      source.once('end', () => {
        if (settled) return
        settled = true
        out.end(() => resolve())
      })
      // A client that goes away mid-upload is its own mistake, not the server's.
      const cutOff = () => fail(new BodyCutOff(what))
      // `on`, not `once`: a multipart file part cut short errors twice (the part, then the form),
      // and an 'error' with no listener left would be thrown.
      source.on('error', cutOff)
      source.once('close', cutOff)
      out.once('error', fail)
    })
  } catch (err) {
    out.destroy()
    removeSpool(file)
    throw err
  }
  return { file, bytes }
}

/** Bytes already in memory (a fetched feed) as a spooled file. */
export async function spoolBytes (bytes: Buffer): Promise<{ file: string, bytes: number }> {
  const file = await spoolFile()
  await writeFile(file, bytes, { flag: 'wx', mode: 0o600 })
  return { file, bytes: bytes.length }
}
