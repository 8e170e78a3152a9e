import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream, mkdirSync } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'

// Where the library's bytes live. Only this file knows the layout, behind a small interface
// (spool, keep, paths of originals and renders, remove), so another store can take its place;
// every path it builds comes from a hex hash and names it makes, never from a request, so no
// file name or id can lead outside the folder.
//
//   originals/ab/<sha256>          the uploaded bytes, once per content hash
//   renders/ab/<sha256>/<key>      the cached renders (media-images.ts renderKey)
//   tmp/                           uploads being received, renders being written

/** An upload received into a temporary file: its hash, size and first bytes (for sniffing). */
export interface Spooled {
  path: string
  sha256: string
  bytes: number
}

export interface SpoolHooks {
  /** Told each chunk before it is written: throw to stop (too large, wrong type). */
  onChunk: (chunk: Buffer, total: number) => void | Promise<void>
}

const HEX = /^[0-9a-f]{64}$/

/** Local disk under `root`; the folders are made by `ensure` (at start) or on first write. */
export function createLocalStorage (root: string) {
  const tmp = join(root, 'tmp')
  let ensured = false
  function ensure (): void {
    if (ensured) return
    mkdirSync(tmp, { recursive: true })
    mkdirSync(join(root, 'originals'), { recursive: true })
    mkdirSync(join(root, 'renders'), { recursive: true })
    ensured = true
  }

  function checked (sha256: string): string {
    if (!HEX.test(sha256)) throw new Error(`not a sha256: ${sha256}`)
    return sha256
  }
  const tmpName = () => join(tmp, `${Date.now()}-${randomBytes(8).toString('hex')}`)

  return {
    root,
    ensure,

    /**
     * Writes a stream to a temporary file, hashing it on the way; the file is removed when the
     * stream fails or a hook throws, so an interrupted upload leaves nothing behind.
     */
    async spool (stream: Readable, hooks: SpoolHooks): Promise<Spooled> {
      ensure()
      const path = tmpName()
      const out = createWriteStream(path, { flags: 'wx' })
      const hash = createHash('sha256')
      let bytes = 0
      try {
        for await (const chunk of stream) {
          const buf = chunk as Buffer
          bytes += buf.length
          await hooks.onChunk(buf, bytes)
          hash.update(buf)
          if (!out.write(buf)) await new Promise<void>((resolve) => out.once('drain', () => { resolve() }))
        }
        out.end()
        await finished(out)
        return { path, sha256: hash.digest('hex'), bytes }
      } catch (err) {
        out.destroy()
        // A write stream destroyed before its file was open still creates the file once the open
        // completes: wait for its close, or the removal runs first and the file stays behind
        // (seen as a leftover in tmp/ after an upload refused at its first chunk).
        await finished(out).catch(() => {})
        await rm(path, { force: true })
        stream.destroy()
        throw err
      }
    },

    /** Moves a spooled file to its place as an original (or drops it when that hash is kept already). */
    async keep (spooled: Spooled): Promise<void> {
      const dir = join(root, 'originals', checked(spooled.sha256).slice(0, 2))
      mkdirSync(dir, { recursive: true })
      await rename(spooled.path, join(dir, spooled.sha256))
    },

    /** Removes a temporary file (a refused upload). */
    async discard (path: string): Promise<void> {
      await rm(path, { force: true })
    },

    originalPath (sha256: string): string {
      return join(root, 'originals', checked(sha256).slice(0, 2), sha256)
    },

    renderPath (sha256: string, key: string): string {
      if (!/^[0-9]+x[0-9]+-[a-z]+\.[a-z]+$/.test(key)) throw new Error(`not a render key: ${key}`)
      return join(root, 'renders', checked(sha256).slice(0, 2), sha256, key)
    },

    /** A temporary path to render into; renamed into place when complete, so readers never see half a file. */
    async place (target: string, write: (tmpPath: string) => Promise<void>): Promise<void> {
      ensure()
      const path = tmpName()
      try {
        await write(path)
        mkdirSync(join(target, '..'), { recursive: true })
        await rename(path, target)
      } catch (err) {
        await rm(path, { force: true })
        throw err
      }
    },

    /** The size of a file, or undefined when it is not there. */
    async size (path: string): Promise<number | undefined> {
      try {
        return (await stat(path)).size
      } catch {
        return undefined
      }
    },

    /** Removes the whole folder (a temporary library of an in-memory database). */
    async destroy (): Promise<void> {
      await rm(root, { recursive: true, force: true })
    },

    /** Removes an original and every render of it. */
    async remove (sha256: string): Promise<void> {
      await rm(join(root, 'renders', checked(sha256).slice(0, 2), sha256), { recursive: true, force: true })
      await rm(join(root, 'originals', sha256.slice(0, 2), sha256), { force: true })
    }
  }
}
export type MediaStorage = ReturnType<typeof createLocalStorage>
