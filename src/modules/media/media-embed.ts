import type { MediaSyncRepository } from './media-repository.js'
import type { MediaUrls } from './media-mapper.js'
import type { FeaturedImage } from './media-schemas.js'
import { heightAt, servedSize, snap } from './media-images.js'

export { externalFeaturedImage } from './media-mapper.js'

/**
 * What post reads call to show featured images from the library: the image of each post that
 * has one, by post id (one query per page of posts). Posts without one fall back to their
 * external URL (`externalFeaturedImage`).
 */
export function createFeaturedImages (repo: MediaSyncRepository, urls: MediaUrls, apiUrl: string) {
  const body = createBodyImages(repo, urls, apiUrl)
  return {
    /** Library images in post bodies: see createBodyImages. */
    bodies: body.forBodies,
    imagesFor (postIds: number[]): Map<number, FeaturedImage> {
      const out = new Map<number, FeaturedImage>()
      for (const [postId, row] of repo.featuredFor(postIds)) out.set(postId, urls.featuredImage(row, { url: null, alt: null }) as FeaturedImage)
      return out
    }
  }
}
export type FeaturedImages = ReturnType<typeof createFeaturedImages>

// An <img> as the sanitizer writes it (attributes double-quoted, `&` escaped), and the library
// URL in its src: absolute under the API's base, or the path alone.
const IMG_TAG = /<img\b[^>]*>/g
const ATTR = (name: string) => new RegExp(`\\s${name}="([^"]*)"`)

function escapeAttr (value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')
}

/**
 * What post reads call to lay out images in bodies: an `<img>` whose src is a library image
 * (`/media/{id}/{filename}`, nothing or only `w` in its query) gets the `width`, `height` and
 * `srcset` it lacks, so a frontend reserves the space and the browser picks a size. Images of
 * other hosts, unknown ids and other filenames are left as they are. One query per page of posts.
 */
export function createBodyImages (repo: MediaSyncRepository, urls: MediaUrls, apiUrl: string) {
  const base = apiUrl.replace(/\/+$/, '')
  const SRC = new RegExp(`^(?:${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})?/media/(\\d+)/([a-z0-9-]+\\.[a-z]+)(?:\\?w=(\\d+))?$`)

  function libraryRef (tag: string): { id: number, filename: string, w?: number } | undefined {
    const src = ATTR('src').exec(tag)?.[1]?.replace(/&amp;/g, '&')
    const m = src === undefined ? null : SRC.exec(src)
    if (m === null) return undefined
    return { id: Number(m[1]), filename: m[2], w: m[3] === undefined ? undefined : Number(m[3]) }
  }

  return {
    /** A rewriter for these bodies, having looked up every library image they name at once. */
    forBodies (bodies: Array<string | undefined>): (html: string) => string {
      const ids = new Set<number>()
      for (const html of bodies) {
        if (html === undefined || !html.includes('/media/')) continue
        for (const tag of html.match(IMG_TAG) ?? []) {
          const ref = libraryRef(tag)
          if (ref !== undefined && Number.isSafeInteger(ref.id)) ids.add(ref.id)
        }
      }
      if (ids.size === 0) return (html) => html
      const rows = repo.byIds([...ids])
      return (html) => html.replace(IMG_TAG, (tag) => {
        const ref = libraryRef(tag)
        const row = ref === undefined ? undefined : rows.get(ref.id)
        if (ref === undefined || row === undefined || row.filename !== ref.filename) return tag
        const served = servedSize(row.width, row.height)
        const w = ref.w === undefined ? 0 : snap(ref.w, served.width)
        const size = w === 0 ? served : { width: w, height: heightAt(w, served) }
        const add: string[] = []
        if (!ATTR('width').test(tag) && !ATTR('height').test(tag)) add.push(`width="${size.width}"`, `height="${size.height}"`)
        if (!ATTR('srcset').test(tag)) add.push(`srcset="${escapeAttr(urls.srcset(row))}"`)
        if (!ATTR('sizes').test(tag)) add.push(`sizes="(max-width: ${size.width}px) 100vw, ${size.width}px"`)
        return add.length === 0 ? tag : tag.replace(/\s*\/?>$/, (end) => ` ${add.join(' ')}${end.trim() === '/>' ? ' />' : '>'}`)
      })
    }
  }
}
export type BodyImages = ReturnType<typeof createBodyImages>
