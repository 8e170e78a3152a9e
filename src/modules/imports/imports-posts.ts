import type { Emit } from '../../db/write.js'
import { sanitizePostHtml } from '../../lib/sanitize.js'
import { moreMarkerAt } from '../../lib/page-markers.js'
import { legacyPath } from '../../lib/legacy-url.js'
import { droppedConstructs } from './imports-dropped.js'
import { makeExcerpt } from '../../lib/text.js'
import { uniqueSlug } from '../../lib/slugify.js'
import type { PostInput } from '../posts/posts-write-service.js'
import type { AuthorImporter } from './imports-authors.js'
import type { CommentImporter } from './imports-comments.js'
import type { ImportContext } from './imports-context.js'
import type { FeaturedImages } from './imports-featured-images.js'
import type { ImportPost } from './imports-items.js'
import type { Outcome } from './imports-summary.js'
import type { TermImporter } from './imports-terms.js'
import { seoCount } from './imports-seo.js'
import { BYLINE_MAX, clip, importSlug, plain, POST_BODY_MAX } from './imports-values.js'

export interface PostImporterParts {
  authors: AuthorImporter
  terms: TermImporter
  comments: CommentImporter
  images: FeaturedImages
  /** Announces posts as updated though their row did not change (their comments did). */
  touchPosts: (emit: Emit, ids: number[]) => void
}

/** Whether a post's stored SEO row already has every field the file gives. */
function sameSeo (row: Record<string, unknown> | undefined, seo: Record<string, unknown>): boolean {
  return Object.entries(seo).every(([k, v]) => {
    const column = k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())
    return (row?.[column] ?? (k === 'noindex' ? false : null)) === v
  })
}

function sameIds (a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

/**
 * Posts, matched with earlier imports by import key: each one with its author, terms and
 * comments is one transaction through the posts write service, so its body is sanitized and
 * its counts, change log and webhooks follow as for an API write. A post that already
 * matches the file is counted unchanged and not written.
 */
export function createPostImporter (ctx: ImportContext, parts: PostImporterParts) {
  const { repo, writes, report, item, iframeHosts } = ctx
  const { authors, terms, comments, images } = parts
  const keysThisRun = new Set<string>()
  // Source id → post, for the menu items of this run.
  const ids = new Map<string, { id: number, title: string }>()
  // Items whose body was cut (and said so) already.
  const clippedBodies = new Set<string>()

  /** A post body cut to the write API's limit, with a warning naming the item (once). */
  function clipBody (ref: string, html: string, kind: 'post' | 'page' = 'post'): string {
    if (html.length <= POST_BODY_MAX) return html
    if (!clippedBodies.has(ref)) {
      clippedBodies.add(ref)
      report.warn(`${ref}: the body has ${html.length} characters; cut to ${POST_BODY_MAX}, the most a ${kind} may have`)
    }
    return clip(html, POST_BODY_MAX)
  }

  /** One post with its terms, author and comments, as one transaction. */
  function post (p: ImportPost & { thumbnailId?: string }): void {
    if (keysThisRun.has(p.key)) {
      report.skip('post', p.ref, `a second item with import key ${p.key} in the same file`)
      return
    }
    keysThisRun.add(p.key)
    const body = clipBody(p.ref, p.contentHtml)
    // Sanitized here as the write service will, to tell what it drops and where a teaser ends.
    const content = sanitizePostHtml(body, { iframeHosts })
    const lost = [...(p.lost ?? []), ...droppedConstructs(body, content)]
    const more = moreMarkerAt(content)
    // WordPress's teaser: without an excerpt of its own, a post with <!--more--> is summed up by what precedes it.
    const teaser = more > 0 ? plain(content.slice(0, more), 2000) || null : null
    let featured = p.featuredImage
    let waitFor: string | undefined
    if (p.thumbnailId !== undefined) {
      const found = images.find(p.thumbnailId)
      if (found !== undefined) featured = found
      else waitFor = p.thumbnailId
    }
    const result = item('post', p.ref, (tx) => {
      let existing = repo.postByImportKey(p.key)
      for (const old of existing === undefined ? (p.legacyKeys ?? []) : []) {
        existing = repo.postByImportKey(old)
        if (existing === undefined) continue
        // Keyed the old way by an earlier import: the same item, under its new key from now on.
        repo.setImportKey(existing.id, p.key)
        break
      }
      if (existing !== undefined && p.updateOnlyDrafts === true && existing.status !== 'draft') {
        tx.count('posts', 'unchanged')
        return { postId: existing.id, outcome: 'unchanged' as Outcome }
      }
      // A byline from the file (Co-Authors Plus) is the whole list of authors; else the one author.
      let byline = p.authorId === undefined && p.byline !== undefined && p.byline.length > 0
        ? [...new Set(p.byline.map((a) => authors.idOf(a, false, tx)))]
        : undefined
      if (byline !== undefined && byline.length > BYLINE_MAX) {
        report.warn(`${p.ref}: ${byline.length} authors in its byline; the first ${BYLINE_MAX} kept, the most a post may have`)
        byline = byline.slice(0, BYLINE_MAX)
      }
      const authorId = p.authorId ?? byline?.[0] ?? authors.idOf(p.author, false, tx)
      const categoryIds = [...new Set([...(p.categoryIds ?? []), ...p.categories.map((c) => terms.idOf('categories', c, false, tx))])]
      const tagIds = [...new Set([...(p.tagIds ?? []), ...p.tags.map((t) => terms.idOf('tags', t, false, tx))])]
      const title = plain(p.title, 300) || '(untitled)'
      const candidate = importSlug(p.slug, title, 'post')
      const input: PostInput = {
        title,
        excerpt: (p.excerpt?.trim() ? plain(p.excerpt, 2000) || null : null) ?? teaser,
        content_html: body,
        status: p.status,
        published_at: p.publishedAt === null ? null : new Date(p.publishedAt).toISOString(),
        author_id: authorId,
        ...(byline === undefined ? {} : { author_ids: byline }),
        category_ids: categoryIds,
        tag_ids: tagIds,
        comment_status: p.commentStatus ?? 'open',
        featured: p.sticky ?? false,
        import_key: p.key
      }
      if (featured !== undefined) input.featured_image = featured
      if (p.source !== undefined) input.source = p.source
      if (p.canonicalUrl !== undefined) input.canonical_url = p.canonicalUrl
      const { canonical_url: seoCanonical, ...seo } = p.seo ?? {}
      Object.assign(input, seo)
      if (seoCanonical !== undefined && p.canonicalUrl === undefined) input.canonical_url = seoCanonical
      // A scheduled post whose time has come is simply published.
      if (input.status === 'scheduled' && (p.publishedAt === null || p.publishedAt <= tx.now)) input.status = 'published'
      let postId: number
      let outcome: Outcome
      if (existing === undefined) {
        input.slug = uniqueSlug(candidate, (s) => repo.postSlugTaken(s))
        postId = writes.posts.create(input as PostInput & { title: string, author_id: number })
        outcome = 'created'
      } else {
        postId = existing.id
        // Keep an earlier slug when the file's slug is taken by another post: renaming to
        // slug-2 on every run would break links.
        if (existing.slug !== candidate && !repo.postSlugTaken(candidate, existing.id)) input.slug = candidate
        const excerpt = input.excerpt ?? makeExcerpt(content)
        const publishedAt = p.publishedAt ?? (input.status === 'published' && existing.status === 'published' ? existing.publishedAt : null)
        const stored = input.status === 'scheduled' ? 'published' : input.status
        const same = existing.title === title && (input.slug === undefined || input.slug === existing.slug) &&
          existing.contentHtml === content && existing.excerpt === excerpt && existing.status === stored &&
          existing.publishedAt === publishedAt && existing.authorId === authorId &&
          (byline === undefined || sameIds(repo.authorIdsOf(postId), byline)) &&
          sameIds(repo.categoryIdsOf(postId), categoryIds) && sameIds(repo.tagIdsOf(postId), tagIds) &&
          existing.commentStatus === input.comment_status && existing.featured === input.featured &&
          (featured === undefined || (existing.featuredImageUrl === (featured?.url ?? null) && (featured === null || existing.featuredImageAlt === featured.alt))) &&
          (p.source === undefined || (existing.sourceUrl === (p.source?.url ?? null) && existing.sourceName === (p.source?.name ?? null))) &&
          (input.canonical_url === undefined || existing.canonicalUrl === input.canonical_url) &&
          sameSeo(repo.postSeoOf(postId), seo)
        if (same) {
          outcome = 'unchanged'
        } else {
          if (p.publishedAt === null && input.status === 'published') delete input.published_at
          writes.posts.update(postId, input)
          outcome = 'updated'
        }
      }
      tx.count('posts', outcome)
      let legacyChanged = false
      if (p.legacyUrl !== undefined) {
        const path = p.legacyUrl === null ? null : legacyPath(p.legacyUrl)
        const url = path === null ? null : p.legacyUrl
        legacyChanged = repo.legacyUrlOf(postId) !== url
        if (legacyChanged) repo.setLegacyUrl(postId, url, path)
      }
      const approvedChanged = comments.importAll(postId, p, tx)
      // The post reads differently (its comment count, its legacy_url) though its row did not change.
      if ((approvedChanged || legacyChanged) && outcome === 'unchanged') parts.touchPosts(tx.emit, [postId])
      return { postId, outcome }
    })
    if (result === undefined) return
    report.summary.seo_fields += seoCount(p.seo ?? {})
    if (p.sourceId !== undefined) ids.set(p.sourceId, { id: result.postId, title: plain(p.title, 300) || '(untitled)' })
    report.lost(p.ref, lost)
    if (waitFor !== undefined) images.later(result.postId, p.ref, waitFor, result.outcome)
  }

  return {
    clipBody,
    post,
    /** The post this run imported for a source id. */
    idOf: (sourceId: string) => ids.get(sourceId)
  }
}
