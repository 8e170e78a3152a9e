import type { ImportContext } from './imports-context.js'
import type { Outcome } from './imports-summary.js'
import { httpUrl } from './imports-values.js'

interface Image { url: string, alt: string }

/**
 * Featured images of WordPress posts, which name an attachment by id. Attachments are not
 * imported: only their URL and alt text are kept, for the posts that show them. A post whose
 * attachment comes later in the file gets its image at the end of the run.
 */
export function createFeaturedImages ({ repo, writes, report, item }: ImportContext) {
  const attachments = new Map<string, Image>()
  // Posts whose attachment had not been seen when the post was imported.
  const pending: Array<{ postId: number, ref: string, attachmentId: string, outcome: Outcome }> = []

  return {
    /** An attachment of the file: counted as ignored, its URL kept. */
    attachment (id: string, image: Image): void {
      report.ignore('attachment')
      if (httpUrl(image.url) !== null) attachments.set(id, { url: image.url, alt: image.alt })
    },

    /** The image of attachment `id`, if it has been seen. */
    find: (id: string): Image | undefined => attachments.get(id),

    /** Sets the image of a post when the run ends (`outcome`: what the run did to the post). */
    later (postId: number, ref: string, attachmentId: string, outcome: Outcome): void {
      pending.push({ postId, ref, attachmentId, outcome })
    },

    /** Sets the images that waited for the end of the file, each post as its own transaction. */
    finish (): void {
      for (const wait of pending) {
        const image = attachments.get(wait.attachmentId) ?? null
        if (image === null) report.warn(`${wait.ref}: featured image (attachment ${wait.attachmentId}) is not in the file`)
        item('post', wait.ref, (tx) => {
          const row = repo.featuredImageOf(wait.postId)
          if (row === undefined) return
          if (row.url === (image?.url ?? null) && (image === null || row.alt === image.alt)) return
          writes.posts.update(wait.postId, { featured_image: image })
          // A post counted unchanged has changed after all.
          if (wait.outcome === 'unchanged') {
            report.summary.unchanged.posts--
            tx.count('posts', 'updated')
          }
        })
      }
      pending.length = 0
    }
  }
}
export type FeaturedImages = ReturnType<typeof createFeaturedImages>
