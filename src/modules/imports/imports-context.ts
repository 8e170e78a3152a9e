import type { Emit, Writer } from '../../db/write.js'
import type { PostsWriteService } from '../posts/posts-write-service.js'
import type { PagesSyncService } from '../pages/pages-service.js'
import type { SiteInput } from '../site/site-service.js'
import type { TermsSyncService } from '../terms/terms-service.js'
import type { CategoryKind } from '../categories/categories-kind.js'
import type { TagKind } from '../tags/tags-kind.js'
import type { AuthorKind } from '../authors/authors-kind.js'
import type { CommentsSyncRepository } from '../comments/comments-repository.js'
import type { ImportsRepository } from './imports-repository.js'
import type { Kind, Outcome, SummaryRecorder } from './imports-summary.js'

// What the parts of an import session (imports-session.ts) share.

/** The write services an import goes through: the app's own, or a worker thread's. */
export interface ImportWrites {
  write: Writer
  posts: PostsWriteService
  categories: TermsSyncService<CategoryKind>
  tags: TermsSyncService<TagKind>
  authors: TermsSyncService<AuthorKind>
  /** Pages: create and update only. */
  pages: Pick<PagesSyncService, 'create' | 'update'>
  /** The site settings: the navigation menus of an export (a synchronous update, inside the item's write). */
  site: { update: (input: SiteInput) => void }
}

/**
 * The database an import goes into: the write services and repositories of one connection (the
 * app's, a worker thread's or the command line's, each built by the composition root,
 * src/core.ts) and what the importer itself reads.
 */
export interface ImportTarget {
  writes: ImportWrites
  /** The importer's own lookups: what an earlier import or the site already has. */
  repo: ImportsRepository
  comments: Pick<CommentsSyncRepository, 'insert' | 'recount'>
  /** Tells the change bus that posts changed without a write of their own (their comment count). */
  touchPosts: (emit: Emit, ids: number[]) => void
}

/** The transaction of one item, as a part sees it: its changes, its time and its counts. */
export interface ItemTx {
  emit: Emit
  now: number
  /** Counted in the summary if the item commits. */
  count: (kind: Kind, outcome: Outcome) => void
}

export interface ImportContext {
  repo: ImportsRepository
  writes: ImportWrites
  report: SummaryRecorder
  iframeHosts: string[]
  /**
   * Runs one item as one transaction: its counts land in the summary only if it commits; if
   * it throws, nothing of it is written and it is listed under `skipped` with the reason.
   */
  item: <T>(kind: string, ref: string, fn: (tx: ItemTx) => T) => T | undefined
  /**
   * The transaction as a declaration sees it: terms and authors declared twice in one file
   * (wp:category, then again as wp:term) are counted the first time only.
   */
  declaration: (key: string, tx: ItemTx) => ItemTx
}
