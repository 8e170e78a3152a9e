import type { MediaRepository } from './media-repository.js'
import type { MediaUrls } from './media-mapper.js'
import type { FeaturedImage } from './media-schemas.js'

export { externalFeaturedImage } from './media-mapper.js'

/**
 * What post reads call to show featured images from the library: the image of each post that
 * has one, by post id (one query per page of posts). Posts without one fall back to their
 * external URL (`externalFeaturedImage`).
 */
export function createFeaturedImages (repo: MediaRepository, urls: MediaUrls) {
  return {
    imagesFor (postIds: number[]): Map<number, FeaturedImage> {
      const out = new Map<number, FeaturedImage>()
      for (const [postId, row] of repo.featuredFor(postIds)) out.set(postId, urls.featuredImage(row, { url: null, alt: null }) as FeaturedImage)
      return out
    }
  }
}
export type FeaturedImages = ReturnType<typeof createFeaturedImages>
