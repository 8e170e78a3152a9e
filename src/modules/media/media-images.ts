import { sharp } from '../../lib/lazy.js'

// What the media library does with pixels: which types it takes, the sizes it renders, and
// the rendering itself (sharp over libvips). Every served byte comes out of `render`, which
// applies the EXIF orientation and writes no metadata (sharp keeps none unless told to), so
// no camera, GPS or editing trail ever leaves the server.

/** The types accepted, as sniffed from the bytes (file-type), with their file extension. */
export const IMAGE_TYPES = {
  'image/jpeg': { format: 'jpeg', ext: 'jpg' },
  'image/png': { format: 'png', ext: 'png' },
  'image/webp': { format: 'webp', ext: 'webp' },
  'image/avif': { format: 'avif', ext: 'avif' },
  'image/gif': { format: 'gif', ext: 'gif' }
} as const
export type ImageMime = keyof typeof IMAGE_TYPES
export const ACCEPTED_MIME_TYPES = Object.keys(IMAGE_TYPES) as ImageMime[]

export type OutputFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif'
export const FORMAT_MIME: Record<OutputFormat, string> = {
  jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', avif: 'image/avif', gif: 'image/gif'
}

/**
 * The widths (and heights) renders snap to: a request for any other size gets the next one up,
 * so one image has a bounded number of renders (11 widths × 11 heights × 3 fits × 5 formats at
 * the very most, and in practice the few the frontend's srcset names), never one per pixel.
 */
export const WIDTH_LADDER = [160, 320, 480, 640, 800, 1024, 1280, 1600, 1920, 2560] as const
/** No render is larger than this on either side: the top of the ladder. */
export const MAX_EDGE = WIDTH_LADDER[WIDTH_LADDER.length - 1]

export type Fit = 'cover' | 'contain' | 'inside'

/** What to render: sizes already snapped (0 = not constrained), fit and format resolved. */
export interface RenderSpec { width: number, height: number, fit: Fit, format: OutputFormat }

/** The size an image is served at without `w`/`h`: its own, fitted inside MAX_EDGE × MAX_EDGE. */
export function servedSize (width: number, height: number): { width: number, height: number } {
  const scale = Math.min(1, MAX_EDGE / width, MAX_EDGE / height)
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

/** A requested size snapped up to the ladder; 0 when absent or when it reaches the image's own. */
export function snap (requested: number | undefined, own: number): number {
  if (requested === undefined) return 0
  const step = WIDTH_LADDER.find((w) => w >= requested) ?? MAX_EDGE
  return step >= own ? 0 : step
}

/** The spec of a request: sizes snapped against the served size; fit only matters with both. */
export function renderSpec (served: { width: number, height: number }, q: { w?: number, h?: number, fit?: Fit }, format: OutputFormat): RenderSpec {
  const width = snap(q.w, served.width)
  const height = snap(q.h, served.height)
  const fit = width > 0 && height > 0 ? (q.fit ?? 'cover') : 'inside'
  return { width, height, fit, format }
}

/** The file name of a render in the cache: one per distinct spec. */
export function renderKey (spec: RenderSpec): string {
  return `${spec.width}x${spec.height}-${spec.fit}.${spec.format}`
}

/** The size a width-only render comes out at (the ladder's variants). */
export function heightAt (width: number, served: { width: number, height: number }): number {
  return Math.max(1, Math.round(served.height * width / served.width))
}

/** The widths offered as ready-made variants: the ladder below the served width, then the served width. */
export function variantWidths (served: { width: number }): number[] {
  return [...WIDTH_LADDER.filter((w) => w < served.width), served.width]
}

/**
 * The format to answer `format=auto` with: AVIF or WebP when the Accept header allows them (in
 * that order), else the original's format when browsers take it everywhere, else PNG (keeps
 * transparency).
 */
export function autoFormat (accept: string | undefined, original: OutputFormat): OutputFormat {
  const allowed = new Set<string>()
  for (const part of (accept ?? '').toLowerCase().split(',')) {
    const [type, ...params] = part.trim().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    if (q !== undefined && Number(q.slice(2)) === 0) continue
    allowed.add(type.trim())
  }
  if (allowed.has('image/avif')) return 'avif'
  if (allowed.has('image/webp')) return 'webp'
  return original === 'avif' || original === 'webp' ? 'png' : original
}

export interface Probe {
  /** Displayed size: after the EXIF orientation. */
  width: number
  height: number
  frames: number
}

/** Thrown when sharp cannot read an image or it is over the pixel limit. */
export class ImageRefused extends Error {
  constructor (message: string, readonly reason: 'unreadable' | 'too-many-pixels') {
    super(message)
  }
}

/**
 * Reads an image's header (no pixels are decoded): its displayed size and frame count. Over
 * `maxPixels` (width × height × frames) it is refused before anything decodes it.
 */
export async function probe (file: string, maxPixels: number): Promise<Probe> {
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>
  try {
    meta = await sharp(file, { limitInputPixels: false }).metadata()
  } catch (err) {
    throw new ImageRefused(`The image cannot be read: ${(err as Error).message}`, 'unreadable')
  }
  const frames = meta.pages ?? 1
  const frameHeight = meta.pageHeight ?? meta.height
  const pixels = meta.width * frameHeight * frames
  if (pixels > maxPixels) {
    throw new ImageRefused(`The image is ${meta.width}×${frameHeight} pixels${frames > 1 ? ` × ${frames} frames` : ''}, more than ${maxPixels} pixels (MEDIA_MAX_PIXELS)`, 'too-many-pixels')
  }
  const rotated = (meta.orientation ?? 1) >= 5
  return { width: rotated ? frameHeight : meta.width, height: rotated ? meta.width : frameHeight, frames }
}

const ENCODE = {
  jpeg: { quality: 82, mozjpeg: false },
  png: { compressionLevel: 8 },
  webp: { quality: 80, effort: 4 },
  // effort 2 of 9: AVIF encoding is the costly step; higher efforts take several times longer for a few per cent.
  avif: { quality: 55, effort: 2 },
  gif: {}
} as const

/**
 * Renders `source` to `target` by `spec`: oriented, fitted inside MAX_EDGE × MAX_EDGE when no
 * size is asked for, never enlarged, encoded without metadata. Animated sources stay animated
 * when the output format can be (GIF, WebP); other formats get the first frame.
 */
export async function render (source: string, target: string, spec: RenderSpec, frames: number, maxPixels: number): Promise<{ bytes: number, width: number, height: number }> {
  const animated = frames > 1 && (spec.format === 'gif' || spec.format === 'webp')
  const fitOpts = spec.width === 0 && spec.height === 0
    ? { width: MAX_EDGE, height: MAX_EDGE, fit: 'inside' as const }
    : { width: spec.width || undefined, height: spec.height || undefined, fit: spec.fit }
  const background = { r: 255, g: 255, b: 255, alpha: spec.format === 'jpeg' ? 1 : 0 }
  try {
    const info = await sharp(source, { limitInputPixels: maxPixels, animated, failOn: 'error' })
      .autoOrient()
      .resize({ ...fitOpts, withoutEnlargement: true, background })
      .toFormat(spec.format, ENCODE[spec.format])
      .toFile(target)
    return { bytes: info.size, width: info.width, height: info.height }
  } catch (err) {
    throw new ImageRefused(`The image cannot be rendered: ${(err as Error).message}`, 'unreadable')
  }
}

/**
 * At most `concurrency` renders at once; up to `maxQueued` more wait their turn, and beyond that
 * `run` refuses at once (the caller answers 503), so a burst of cold renders costs a bounded
 * amount of CPU and memory. A render already under way for the same target is shared.
 */
export function createRenderQueue (concurrency: number, maxQueued = 64) {
  let running = 0
  const waiting: Array<() => void> = []
  const inFlight = new Map<string, Promise<unknown>>()

  async function slot (): Promise<void> {
    if (running < concurrency) {
      running++
      return
    }
    await new Promise<void>((resolve) => { waiting.push(resolve) })
  }
  function release (): void {
    const next = waiting.shift()
    if (next === undefined) running--
    else next()
  }

  return {
    get running () { return running },
    get queued () { return waiting.length },
    /** Whether a new render would be refused now. */
    full (): boolean { return running >= concurrency && waiting.length >= maxQueued },
    async run<T> (key: string, job: () => Promise<T>): Promise<T> {
      const shared = inFlight.get(key)
      if (shared !== undefined) return await (shared as Promise<T>)
      const task = (async () => {
        await slot()
        try {
          return await job()
        } finally {
          release()
        }
      })()
      inFlight.set(key, task)
      try {
        return await task
      } finally {
        inFlight.delete(key)
      }
    }
  }
}
export type RenderQueue = ReturnType<typeof createRenderQueue>
