import { createAuthorImporter } from './imports-authors.js'
import { createCommentImporter } from './imports-comments.js'
import type { ImportContext, ImportTarget, ItemTx } from './imports-context.js'
import { createFeaturedImages } from './imports-featured-images.js'
import type { ImportAuthor, ImportTerm } from './imports-items.js'
import { createPostImporter } from './imports-posts.js'
import type { ImportSummary } from './imports-schemas.js'
import { createSummaryRecorder, zero, type Counts, type Outcome } from './imports-summary.js'
import { createTermImporter } from './imports-terms.js'
import { createPageImporter } from './imports-pages.js'
import { createNavigationImporter, type ImportMenuItem } from './imports-navigation.js'

// The database side of an import, shared by WXR and feeds: each parsed item becomes one
// transaction through the write services (so bodies are sanitized, counts derived, the change
// log and webhooks fed), matched with earlier imports by import key and terms by slug.
//
// This file only orchestrates. The work is split by what is imported, each part a factory
// given the session's context (imports-context.ts: the repository, the write services, the
// summary being built and the per-item transaction):
//   imports-authors.ts         authors, by the slug of their login
//   imports-terms.ts           categories and tags by slug, and the category tree
//   imports-posts.ts           posts by import key, with their author, terms and comments
//   imports-comments.ts        the comment thread of a post, inside the post's transaction
//   imports-pages.ts           pages by import key, their tree linked at the end of the file
//   imports-navigation.ts      nav menu items, as the site's navigation at the end of the file
//   imports-seo.ts             Yoast SEO and Rank Math post meta as SEO fields
//   imports-featured-images.ts attachments, kept only as the featured images of posts and pages
//   imports-summary.ts         the summary: counts, ignored, skipped, warnings
// The readers that feed a session are imports-wxr.ts and imports-feed.ts; the shapes they hand
// it are in imports-items.ts.

export type { ImportAuthor, ImportComment, ImportPost, ImportTerm } from './imports-items.js'
export type { ImportTarget, ImportWrites } from './imports-context.js'

function reasonOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

export interface ImportSessionOptions {
  iframeHosts: string[]
  /** Summary `format`. */
  format: string
  /** Replace the site's own non-empty navigation with the file's menus. */
  replaceNavigation?: boolean
}

/**
 * One import run: hand it authors, terms and posts as they are parsed, then `finish()` for
 * the summary. Every call is its own transaction: a failing item is rolled back whole and
 * listed under `skipped` with the reason; the run goes on.
 */
export function createImportSession (target: ImportTarget, opts: ImportSessionOptions) {
  const { writes } = target
  const report = createSummaryRecorder(opts.format)
  // Terms and authors declared so far in this file.
  const declared = new Set<string>()

  const ctx: ImportContext = {
    repo: target.repo,
    writes,
    report,
    iframeHosts: opts.iframeHosts,
    item<T> (kind: string, ref: string, fn: (tx: ItemTx) => T): T | undefined {
      const delta: Record<Outcome, Counts> = { created: zero(), updated: zero(), unchanged: zero() }
      try {
        const result = writes.write((emit, now) => fn({ emit, now, count: (k, o) => { delta[o][k]++ } }))
        report.add(delta)
        return result
      } catch (err) {
        report.skip(kind, ref, reasonOf(err))
        return undefined
      }
    },
    declaration (key: string, tx: ItemTx): ItemTx {
      if (declared.has(key)) return { ...tx, count: () => {} }
      declared.add(key)
      return tx
    }
  }

  const authors = createAuthorImporter(ctx)
  const terms = createTermImporter(ctx)
  const images = createFeaturedImages(ctx)
  const comments = createCommentImporter(ctx, target.comments)
  const posts = createPostImporter(ctx, { authors, terms, comments, images, touchPosts: target.touchPosts })
  const pages = createPageImporter(ctx, { images })
  const navigation = createNavigationImporter(ctx, { replace: opts.replaceNavigation === true })
  // Term ids (wp:term_id) of the file's categories and tags, which menu items name them by.
  const termIds = { category: new Map<string, ImportTerm>(), tag: new Map<string, ImportTerm>() }

  return {
    summary: report.summary,
    warn: report.warn,
    skip: report.skip,
    ignore: report.ignore,
    clipBody: posts.clipBody,

    /** A declared author (wp:author, or a feed's own author). */
    author (a: ImportAuthor): void {
      ctx.item('author', a.login, (tx) => authors.idOf(a, true, ctx.declaration(`author:${a.login}`, tx)))
    },

    /** A declared category; its parent (a slug) is set by `linkCategories`, once all exist. */
    category (term: ImportTerm & { parent?: string, termId?: string }): void {
      if (term.termId !== undefined) termIds.category.set(term.termId, term)
      terms.declare('categories', term)
    },

    tag (term: ImportTerm & { termId?: string }): void {
      if (term.termId !== undefined) termIds.tag.set(term.termId, term)
      terms.declare('tags', term)
    },

    linkCategories: terms.linkCategories,

    /** An attachment: only its URL is kept, for the featured images of posts. */
    attachment: images.attachment,

    /** One post with its terms, author and comments, as one transaction. */
    post: posts.post,

    /** One page, as one transaction; its parent is linked at the end if it comes later. */
    page: pages.page,

    /** A nav menu item, built into the site's navigation at the end. */
    menuItem: (it: ImportMenuItem): void => { navigation.add(it) },

    /** Resolves what had to wait for the end of the file and returns the summary. */
    finish (): ImportSummary {
      terms.linkCategories()
      images.finish()
      pages.finish()
      const term = (kind: 'category' | 'tag') => (termId: string) => {
        const declared = termIds[kind].get(termId)
        return declared === undefined ? undefined : terms.existing(kind === 'category' ? 'categories' : 'tags', declared)
      }
      navigation.finish({ page: pages.idOf, post: posts.idOf, category: term('category'), tag: term('tag') })
      return report.close()
    }
  }
}
export type ImportSession = ReturnType<typeof createImportSession>
