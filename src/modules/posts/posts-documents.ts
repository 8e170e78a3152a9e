import type { Db } from '../../db/client.js'
import { contentHash } from '../../lib/content-hash.js'
import { feedItemHash } from '../../lib/feeds.js'
import { relationsOf, toPost, type FeaturedImages } from './posts-mapper.js'
import type { PostRow, PostsRepository } from './posts-repository.js'
import type { PostDocumentsRepository, PostDocumentRow } from './posts-documents-repository.js'
import type { Post } from './posts-schemas.js'
import { withSeo, type PostSeoRepository } from './posts-seo.js'

// The posts' read model: for every post, its public representations built once, when it is
// written, and stored beside it (post_documents, 0006_read_model.sql):
//   card      the post as lists show it (no body), stored apart in post_cards with its hash
//   full      the post as GET /v1/posts/{ref} shows it (with its SEO fields and `seo` object)
//   terms     its categories and tags (for related posts' reasons; not read yet)
//   rss_item, atom_entry, json_item   its item in each feed format (published posts only)
// Public reads concatenate these (posts-service.ts lists and single posts, feeds-service.ts) and
// build from the rows, as before, whatever has no current document.
//
// Who keeps them fresh: triggers delete a post's documents and queue it whenever a row they
// show changes (the post, its links, the name of a term or author it embeds, the
// parent, name or slug of a category above one of its categories: 0015_category_paths.sql); every write
// through the writer rebuilds what it queued before it commits (`settle`, at most
// SETTLE_LIMIT posts: a rename of a tag on thousands of posts leaves the rest to the
// background); `step` works through the rest of the queue, and at start through the posts
// whose documents are missing or were built with another fingerprint (an upgraded database, a
// new SITE_URL), a few milliseconds at a time.

/**
 * The format of the stored documents; part of the fingerprint, so a new format is rebuilt, never
 * served. 3: category references carry parent_id and path, posts primary_category. 4: feed
 * items of WordPress imports carry their guid as id; ids come from the stored id base, not
 * SITE_URL (issue 21). 5: posts carry `featured` and `authors`; feed items every author.
 * 6: a hash of full, card and terms is stored with them (the ETag of the public reads made of
 * them, 0022); each card also stored apart with its hash (post_cards, 0020); feed items stored
 * with their hashes (0021).
 */
export const POST_DOCUMENT_VERSION = 6

/** Posts one write rebuilds before it commits; more are left to the background. */
export const SETTLE_LIMIT = 50

/**
 * A published post reads as `published` once its time has come, and only live posts are ever
 * read from documents: they are built as of that moment, so a scheduled post's documents are
 * right the instant it goes live, with no write.
 */
const ONCE_LIVE = Number.POSITIVE_INFINITY

/** The fingerprint of documents built with this configuration. */
export function postDocumentFingerprint (siteUrl: string): string {
  return `${POST_DOCUMENT_VERSION} ${siteUrl}`
}

/** A post's feed items in each format, made from the post as GET /v1/posts/{ref} shows it. */
export type FeedItemTexts = (post: Post) => { rss: string, atom: string, json: string }

export interface PostDocumentsDeps {
  db: Db
  repo: PostDocumentsRepository
  posts: Pick<PostsRepository, 'rowsOf' | 'categoriesOf' | 'categoryAncestors' | 'tagsOf' | 'authorsOf' | 'authorLinksOf'>
  /** Library images (featured, and sizes of body images), as the row path shows them. */
  featured?: FeaturedImages
  /** The SEO fields single reads show (post_seo): part of the full document. */
  seo?: Pick<PostSeoRepository, 'get'>
  siteUrl: string
  /** The feeds module's renderer (feeds-mapper.ts feedItemTexts). */
  feedItems: FeedItemTexts
  /** Told of a post whose documents could not be built (it is then read from its rows). */
  onError?: (postId: number, err: unknown) => void
}

type TermRef = { id: number, slug: string, name: string }
const termsOf = (list: unknown) => (list as TermRef[]).map((t) => [t.id, t.slug, t.name])

export interface StepResult { built: number, more: boolean }

/** Builds and stores the posts' documents; see the comment at the top of this file. */
export function createPostDocuments (deps: PostDocumentsDeps) {
  const { db, repo, posts, siteUrl } = deps
  const fingerprint = postDocumentFingerprint(siteUrl)

  function documentOf (row: PostRow & { contentHtml: string }, post: Post): { doc: PostDocumentRow, card: string } {
    const { content_html: _body, ...card } = post
    const published = row.status === 'published' && row.publishedAt !== null
    const items = published ? deps.feedItems(post) : { rss: '', atom: '', json: '' }
    const terms = JSON.stringify([termsOf(post.categories), termsOf(post.tags)])
    const cardJson = JSON.stringify(card)
    const full = JSON.stringify(deps.seo === undefined ? post : withSeo(post, deps.seo.get(row.id)))
    const doc = {
      postId: row.id,
      fingerprint,
      status: row.status,
      publishedAt: row.publishedAt,
      updatedAt: row.updatedAt,
      bodyBytes: Buffer.byteLength(row.contentHtml),
      // One hash for the three: a single post shows `full`, a related list cards and terms.
      hash: contentHash(full, cardJson, terms),
      terms,
      full,
      rssItem: items.rss,
      atomEntry: items.atom,
      jsonItem: items.json,
      rssHash: feedItemHash(items.rss),
      atomHash: feedItemHash(items.atom),
      jsonHash: feedItemHash(items.json)
    }
    return { doc, card: cardJson }
  }

  /** Builds and stores the documents of these posts (those that still exist) and takes them off the queue; call inside a transaction. */
  function refresh (ids: readonly number[]): number {
    if (ids.length === 0) return 0
    const rows = posts.rowsOf(ids, true) as Array<PostRow & { contentHtml: string }>
    const rel = relationsOf(posts, rows, deps.featured)
    let built = 0
    for (const row of rows) {
      try {
        const { doc, card } = documentOf(row, toPost(row, rel, siteUrl, ONCE_LIVE) as Post)
        repo.save(doc, card)
        built++
      } catch (err) {
        // Never fail a write over its documents: the post is read from its rows instead.
        deps.onError?.(row.id, err)
      }
    }
    repo.dequeue(ids)
    return built
  }

  // The start-up fill: posts after this id are still to be checked for a current document.
  let fillFrom: number | null = 0

  return {
    fingerprint,
    refresh,

    /** Inside a write's transaction: rebuilds what the write queued, up to SETTLE_LIMIT posts; true when more is left. */
    settle (): boolean {
      const ids = repo.queued(SETTLE_LIMIT + 1)
      refresh(ids.slice(0, SETTLE_LIMIT))
      return ids.length > SETTLE_LIMIT
    },

    /**
     * One background step, in its own transaction, for about `budgetMs`: the queue first, then
     * (once after start) posts without a current document. `more`: call again.
     */
    step (budgetMs: number): StepResult {
      return db.transaction(() => {
        const start = performance.now()
        let built = 0
        for (;;) {
          let ids = repo.queued(16)
          if (ids.length === 0 && fillFrom !== null) {
            if (fillFrom === 0) {
              const { posts: all, current } = repo.coverage(fingerprint)
              if (all === current) fillFrom = null
            }
            if (fillFrom !== null) {
              ids = repo.missing(fillFrom, 16, fingerprint)
              if (ids.length === 0) fillFrom = null
              else fillFrom = ids[ids.length - 1]
            }
          }
          if (ids.length === 0) return { built, more: false }
          built += refresh(ids)
          if (performance.now() - start >= budgetMs) return { built, more: true }
        }
      }, { behavior: 'immediate' })
    },

    /** Makes the next steps look again for posts without a current document (after a rebuild was asked for). */
    refill (): void {
      fillFrom = 0
    },

    /** Queues every post's documents to be built again (`npm run cli -- rebuild`). */
    rebuildAll (): void {
      db.transaction(() => { repo.queueAll() }, { behavior: 'immediate' })
    }
  }
}
export type PostDocuments = ReturnType<typeof createPostDocuments>
