import type { Readable } from 'node:stream'
import type { EngineTx } from '../../db/engine-port.js'
import type { EngineWrite } from '../../db/engine-write.js'
import type { Emit } from '../../db/write.js'
import { FieldError, InUse, MediaTooLarge, NotFound, ServiceUnavailable, UnreadableImage, UnsupportedMediaFile, withHeaders } from '../../errors.js'
import { slugify } from '../../lib/slugify.js'
import { fileTypeFromBuffer } from '../../lib/lazy.js'
import { ACCEPTED_MIME_TYPES, IMAGE_TYPES, ImageRefused, createRenderQueue, probe, render, renderKey, type ImageMime, type RenderSpec } from './media-images.js'
import type { MediaFilter, MediaMeta, MediaRepository, MediaRow } from './media-repository.js'
import type { MediaStorage, Spooled } from './media-storage.js'
import { touchedPosts } from '../posts/posts-touched.js'

export interface MediaServiceDeps {
  repo: MediaRepository
  /** The engine-neutral writer (src/db/engine-write.ts): every change one transaction. */
  write: EngineWrite
  storage: MediaStorage
}

export interface MediaServiceOptions {
  /** MEDIA_MAX_BYTES. */
  maxBytes: number
  /** MEDIA_MAX_PIXELS. */
  maxPixels: number
  /** MEDIA_RENDER_CONCURRENCY. */
  concurrency: number
}

/** An upload received and checked, not yet stored. */
export interface Received { spooled: Spooled, mime: ImageMime, width: number, height: number, frames: number, filename: string }

// file-type reads at most this many bytes to tell a type.
const SNIFF_BYTES = 4100
// Rendered at upload: proves the image decodes (a truncated or corrupt file is refused then,
// not on its first reader) and is the smallest srcset entry.
const CHECK_SPEC: RenderSpec = { width: 160, height: 0, fit: 'inside', format: 'webp' }

/** The filename of a stored image: the uploaded name as a slug, a hash prefix, the real extension. */
export function mediaFilename (uploaded: string | undefined, sha256: string, mime: ImageMime): string {
  const base = (uploaded ?? '').replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '')
  const slug = slugify(base, 'image').slice(0, 60).replace(/-+$/, '') || 'image'
  return `${slug}-${sha256.slice(0, 8)}.${IMAGE_TYPES[mime].ext}`
}

/**
 * A text holding NUL is refused as a 400 on both engines (PostgreSQL text cannot store it):
 * HTTP bodies are refused before (plugins/validation.ts, the upload's fields), this keeps the
 * rule for every caller.
 */
function refuseNul (meta: Partial<MediaMeta>): void {
  const errors = Object.entries(meta).flatMap(([path, value]) => typeof value === 'string' && value.includes('\u0000')
    ? [{ in: 'body' as const, path, message: 'must not contain the NUL character (U+0000)' }]
    : [])
  if (errors.length > 0) throw new FieldError(errors)
}

/**
 * The media library: uploads (streamed to a temporary file, the type sniffed from the first
 * bytes, size and pixels bounded, decoding proven) and the records' metadata, and the renders
 * the serving route asks for, through a bounded queue.
 */
export function createMediaService (deps: MediaServiceDeps, opts: MediaServiceOptions) {
  const { repo, write, storage } = deps
  const queue = createRenderQueue(opts.concurrency)

  async function load (id: number, tx?: EngineTx): Promise<MediaRow> {
    const row = await repo.byId(id, tx)
    if (row === undefined) throw new NotFound('Media', String(id))
    return row
  }
  /** Announces posts whose featured image changed (change log, webhooks, cache purges). */
  async function touch (tx: EngineTx, emit: Emit, postIds: number[]): Promise<void> {
    for (const change of await touchedPosts(tx, postIds)) emit(change)
  }

  /** Renders into the disk cache unless there already; the path and size of the result. */
  async function rendered (row: Pick<MediaRow, 'sha256'>, spec: RenderSpec, frames: number, source?: string): Promise<{ path: string, bytes: number }> {
    const path = storage.renderPath(row.sha256, renderKey(spec))
    const cached = await storage.size(path)
    if (cached !== undefined) return { path, bytes: cached }
    if (queue.full()) throw withHeaders(new ServiceUnavailable('Too many images are being rendered; retry in a moment'), { 'retry-after': '2' })
    return await queue.run(path, async () => {
      const again = await storage.size(path)
      if (again !== undefined) return { path, bytes: again }
      let bytes = 0
      await storage.place(path, async (tmp) => {
        bytes = (await render(source ?? storage.originalPath(row.sha256), tmp, spec, frames, opts.maxPixels)).bytes
      })
      return { path, bytes }
    })
  }

  return {
    queue,

    /**
     * Receives an uploaded image: the stream is written to a temporary file while its size is
     * counted (over MEDIA_MAX_BYTES: 413 at once) and its first bytes sniffed (not an accepted
     * image: 415 at once); then its header is read (over MEDIA_MAX_PIXELS: 422) and a small
     * render proves it decodes (422). Nothing is kept on failure; `store` keeps it.
     */
    async receive (file: { stream: Readable, filename?: string, truncated: () => boolean }): Promise<Received> {
      const head: Buffer[] = []
      let headBytes = 0
      let mime: ImageMime | undefined
      const sniff = async (): Promise<ImageMime> => {
        const found = await fileTypeFromBuffer(Buffer.concat(head))
        if (found === undefined || !(ACCEPTED_MIME_TYPES as string[]).includes(found.mime)) {
          throw withHeaders(new UnsupportedMediaFile(ACCEPTED_MIME_TYPES, found?.mime), { connection: 'close' })
        }
        return found.mime as ImageMime
      }
      const tooLarge = () => withHeaders(new MediaTooLarge(opts.maxBytes), { connection: 'close' })
      const spooled = await storage.spool(file.stream, {
        onChunk: async (chunk, total) => {
          if (total > opts.maxBytes || file.truncated()) throw tooLarge()
          if (mime !== undefined) return
          head.push(chunk)
          headBytes += chunk.length
          if (headBytes >= SNIFF_BYTES) mime = await sniff()
        }
      })
      try {
        if (file.truncated()) throw tooLarge()
        mime ??= await sniff()
        const size = await probe(spooled.path, opts.maxPixels)
        await rendered(spooled, CHECK_SPEC, size.frames, spooled.path)
        return { spooled, mime, ...size, filename: mediaFilename(file.filename, spooled.sha256, mime) }
      } catch (err) {
        await storage.discard(spooled.path)
        if (err instanceof ImageRefused) {
          if (await repo.hashUsers(spooled.sha256) === 0) await storage.remove(spooled.sha256)
          throw new UnreadableImage(err.message)
        }
        throw err
      }
    },

    /** Keeps a received image: its bytes take their place, its record its row. */
    async store (received: Received, meta: MediaMeta): Promise<MediaRow> {
      const { spooled } = received
      refuseNul(meta)
      await storage.keep(spooled)
      try {
        return await write(async (tx, _emit, now) => await repo.insert(tx, {
          sha256: spooled.sha256, filename: received.filename, mimeType: received.mime, bytes: spooled.bytes, width: received.width, height: received.height, ...meta
        }, now))
      } catch (err) {
        if (await repo.hashUsers(spooled.sha256) === 0) await storage.remove(spooled.sha256)
        throw err
      }
    },

    /** Drops a received image that will not be stored (a bad field after the file). */
    async discard (received: Received): Promise<void> {
      await storage.discard(received.spooled.path)
      if (await repo.hashUsers(received.spooled.sha256) === 0) await storage.remove(received.spooled.sha256)
    },

    get: async (id: number): Promise<MediaRow> => await load(id),

    async list (filter: MediaFilter, limit: number, at?: { createdAt: number, id: number }): Promise<{ rows: MediaRow[], total: number }> {
      return await repo.list(filter, limit, at)
    },

    /** Changes the metadata; posts showing the image are announced as changed. */
    async update (id: number, patch: Partial<MediaMeta>): Promise<MediaRow> {
      refuseNul(patch)
      return await write(async (tx, emit, now) => {
        const old = await load(id, tx)
        const row = await repo.update(tx, id, { title: patch.title ?? old.title, alt: patch.alt ?? old.alt, caption: patch.caption ?? old.caption, credit: patch.credit ?? old.credit }, now) as MediaRow
        await touch(tx, emit, await repo.usedBy(tx, id))
        return row
      })
    },

    /**
     * Deletes a record, and its files when no other record has the same bytes. A featured
     * image of posts is a 409 naming them, unless `force`, which clears it from those posts.
     */
    async remove (id: number, force: boolean): Promise<void> {
      const row = await write(async (tx, emit) => {
        const found = await load(id, tx)
        const users = await repo.usedBy(tx, id)
        if (users.length > 0 && !force) {
          const shown = users.slice(0, 10).join(', ') + (users.length > 10 ? ', …' : '')
          throw new InUse(`Media ${id} is the featured image of ${users.length} post(s) (${shown}): pass ?force=true to delete it and clear it from them`)
        }
        // After the links go: on SQLite listeners run at `emit` (webhook payloads show no image).
        await repo.remove(tx, id)
        await touch(tx, emit, users)
        return found
      })
      if (await repo.hashUsers(row.sha256) === 0) await storage.remove(row.sha256)
    },

    /** A render of a record (from the disk cache when made before). */
    async render (row: MediaRow, spec: RenderSpec): Promise<{ path: string, bytes: number }> {
      try {
        // Frames: only GIF and WebP sources can be animated; sharp reads them all only then.
        const frames = row.mimeType === 'image/gif' || row.mimeType === 'image/webp' ? 2 : 1
        return await rendered(row, spec, frames)
      } catch (err) {
        if (err instanceof ImageRefused) throw new UnreadableImage(err.message)
        throw err
      }
    }
  }
}
export type MediaService = ReturnType<typeof createMediaService>
