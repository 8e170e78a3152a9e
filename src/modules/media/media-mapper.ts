import type { MediaRow } from './media-repository.js'
import type { FeaturedImage, Media } from './media-schemas.js'
import { heightAt, servedSize, variantWidths } from './media-images.js'

const iso = (ms: number) => new Date(ms).toISOString()

/** A featured image given as an external URL: kept as it is, with no size or srcset known. */
export function externalFeaturedImage (url: string | null, alt: string | null): FeaturedImage | null {
  if (!url) return null
  return { media_id: null, url, alt: alt ?? '', width: null, height: null, srcset: null, caption: null, credit: null }
}

/**
 * Public URLs of library images, absolute under the API's public base (PUBLIC_API_URL, fixed at
 * start, never from a request): `/media/{id}/{filename}`, the filename carrying a prefix of the
 * content hash, so a URL always names the same bytes and may be cached for a year.
 */
export function createMediaUrls (apiUrl: string) {
  const base = apiUrl.replace(/\/+$/, '')

  function url (row: Pick<MediaRow, 'id' | 'filename'>): string {
    return `${base}/media/${row.id}/${row.filename}`
  }

  /** `<img srcset>` of the WebP variants. */
  function srcset (row: Pick<MediaRow, 'id' | 'filename' | 'width' | 'height'>): string {
    const served = servedSize(row.width, row.height)
    return variantWidths(served).map((w) => w === served.width ? `${url(row)}?format=webp ${w}w` : `${url(row)}?w=${w}&format=webp ${w}w`).join(', ')
  }

  function toMedia (row: MediaRow): Media {
    const served = servedSize(row.width, row.height)
    const variants: Media['variants'] = []
    for (const format of ['webp', 'avif'] as const) {
      for (const w of variantWidths(served)) {
        variants.push({
          format,
          width: w,
          height: w === served.width ? served.height : heightAt(w, served),
          url: w === served.width ? `${url(row)}?format=${format}` : `${url(row)}?w=${w}&format=${format}`
        })
      }
    }
    return {
      id: row.id,
      url: url(row),
      filename: row.filename,
      mime_type: row.mimeType,
      bytes: row.bytes,
      width: served.width,
      height: served.height,
      original_width: row.width,
      original_height: row.height,
      title: row.title,
      alt: row.alt,
      caption: row.caption,
      credit: row.credit,
      variants,
      srcset: srcset(row),
      created_at: iso(row.createdAt),
      updated_at: iso(row.updatedAt)
    }
  }

  /**
   * A post's featured image: the library image when it has one (its alt, size, srcset, caption
   * and credit), else the external URL it was given (null size and srcset), else null.
   */
  function featuredImage (media: MediaRow | undefined, external: { url: string | null, alt: string | null }): FeaturedImage | null {
    if (media !== undefined) {
      const served = servedSize(media.width, media.height)
      return {
        media_id: media.id,
        url: url(media),
        alt: media.alt,
        width: served.width,
        height: served.height,
        srcset: srcset(media),
        caption: media.caption,
        credit: media.credit
      }
    }
    return externalFeaturedImage(external.url, external.alt)
  }

  return { url, srcset, toMedia, featuredImage }
}
export type MediaUrls = ReturnType<typeof createMediaUrls>
