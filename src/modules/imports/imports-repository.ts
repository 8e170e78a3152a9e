import { and, eq, ne, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { clientHashKey } from '../../db/client-hash-key.js'
import { placeholderOf } from '../../db/placeholders.js'
import { authors, categories, comments, legacyUrls, pages, postAuthors, postCategories, posts, postSeo, postTags, siteSettings, tags, type StoredNavigation } from '../../db/schema.js'

const p = sql.placeholder

type CommentColumns = typeof comments.$inferSelect
/** What an import owns of a comment it created, and may replace on a later run. */
export type ImportedCommentFields = Pick<CommentColumns, 'authorName' | 'authorEmail' | 'authorUrl' | 'content' | 'contentHtml' | 'status' | 'type' | 'createdAt'>

/**
 * The lookups an import needs to match incoming items with what an earlier import (or an
 * editor) created: terms and authors by slug, posts and comments by their import key.
 * Writes go through the write services; only imported comments are changed here, since
 * moderation has no call for replacing an author or a date.
 */
export function createImportsRepository (db: Db) {
  const authorBySlug = db.select({ id: authors.id, name: authors.name, email: authors.email, website: authors.website })
    .from(authors).where(eq(authors.slug, p('slug'))).prepare()
  const categoryBySlug = db.select({ id: categories.id, name: categories.name, description: categories.description, parentId: categories.parentId })
    .from(categories).where(eq(categories.slug, p('slug'))).prepare()
  const tagBySlug = db.select({ id: tags.id, name: tags.name, description: tags.description })
    .from(tags).where(eq(tags.slug, p('slug'))).prepare()
  const postByKey = db.select({
    id: posts.id,
    slug: posts.slug,
    title: posts.title,
    excerpt: posts.excerpt,
    contentHtml: posts.contentHtml,
    status: posts.status,
    publishedAt: posts.publishedAt,
    authorId: posts.authorId,
    featuredImageUrl: posts.featuredImageUrl,
    featuredImageAlt: posts.featuredImageAlt,
    sourceUrl: posts.sourceUrl,
    sourceName: posts.sourceName,
    canonicalUrl: posts.canonicalUrl,
    commentStatus: posts.commentStatus,
    featured: posts.featured
  }).from(posts).where(eq(posts.importKey, p('key'))).prepare()
  const postSlugTaken = db.select({ id: posts.id }).from(posts).where(and(eq(posts.slug, p('slug')), ne(posts.id, p('except')))).limit(1).prepare()
  const categoryIdsOf = db.select({ id: postCategories.categoryId }).from(postCategories)
    .where(eq(postCategories.postId, p('postId'))).orderBy(postCategories.position).prepare()
  const authorIdsOf = db.select({ id: postAuthors.authorId }).from(postAuthors)
    .where(eq(postAuthors.postId, p('postId'))).orderBy(postAuthors.position).prepare()
  const tagIdsOf = db.select({ id: postTags.tagId }).from(postTags).where(eq(postTags.postId, p('postId'))).orderBy(postTags.position).prepare()
  const commentByKey = db.select({
    id: comments.id,
    postId: comments.postId,
    authorName: comments.authorName,
    authorEmail: comments.authorEmail,
    authorUrl: comments.authorUrl,
    content: comments.content,
    contentHtml: comments.contentHtml,
    status: comments.status,
    type: comments.type,
    createdAt: comments.createdAt,
    deletedAt: comments.deletedAt
  }).from(comments).where(eq(comments.importKey, p('key'))).prepare()
  const setImportKey = db.update(posts).set({ importKey: placeholderOf(posts.importKey, 'key') }).where(eq(posts.id, p('id'))).prepare()
  const legacyUrlOf = db.select({ url: legacyUrls.url }).from(legacyUrls).where(eq(legacyUrls.postId, p('postId'))).prepare()
  const setLegacyUrl = db.insert(legacyUrls).values({ postId: p('postId'), url: p('url'), path: p('path') })
    .onConflictDoUpdate({ target: legacyUrls.postId, set: { url: sql`excluded.url`, path: sql`excluded.path` } }).prepare()
  const clearLegacyUrl = db.delete(legacyUrls).where(eq(legacyUrls.postId, p('postId'))).prepare()
  const pageByKey = db.select().from(pages).where(eq(pages.importKey, p('key'))).prepare()
  const pagePlace = db.select({ parentId: pages.parentId, featuredImageUrl: pages.featuredImageUrl, featuredImageAlt: pages.featuredImageAlt }).from(pages).where(eq(pages.id, p('id'))).prepare()
  const pageSlugTaken = db.select({ id: pages.id }).from(pages).where(and(eq(pages.slug, p('slug')), ne(pages.id, p('except')))).limit(1).prepare()
  const seoOfPost = db.select().from(postSeo).where(eq(postSeo.postId, p('postId'))).prepare()
  const navigation = db.select({ navigation: siteSettings.navigation }).from(siteSettings).where(eq(siteSettings.id, 1)).prepare()
  const featuredImage = db.select({ url: posts.featuredImageUrl, alt: posts.featuredImageAlt }).from(posts).where(eq(posts.id, p('id'))).prepare()

  return {
    authorBySlug: (slug: string) => authorBySlug.get({ slug }),
    categoryBySlug: (slug: string) => categoryBySlug.get({ slug }),
    tagBySlug: (slug: string) => tagBySlug.get({ slug }),
    postByImportKey: (key: string) => postByKey.get({ key }),
    /** Whether a post other than `exceptId` (0 for none) has the slug. */
    postSlugTaken: (slug: string, exceptId = 0) => postSlugTaken.get({ slug, except: exceptId }) !== undefined,
    categoryIdsOf: (postId: number) => categoryIdsOf.all({ postId }).map((row) => row.id),
    tagIdsOf: (postId: number) => tagIdsOf.all({ postId }).map((row) => row.id),
    /** Every author of a post, the primary one first. */
    authorIdsOf: (postId: number) => authorIdsOf.all({ postId }).map((row) => row.id),
    commentByImportKey: (key: string) => commentByKey.get({ key }),
    /** Gives a post the import key of the current scheme (nothing public changes). */
    setImportKey (id: number, key: string): void {
      setImportKey.run({ id, key })
    },
    /** Replaces what an import owns of a comment; its place in the thread never moves. */
    updateComment (id: number, fields: ImportedCommentFields & { contentHash: string, updatedAt: number }): void {
      // Rare (a comment changed at the source since the last run): built per call.
      db.update(comments).set(fields).where(eq(comments.id, id)).run()
    },
    legacyUrlOf: (postId: number): string | null => legacyUrlOf.get({ postId })?.url ?? null,
    /** Sets (or with null removes) the post's address on the old site. */
    setLegacyUrl (postId: number, url: string | null, path: string | null): void {
      if (url === null || path === null) clearLegacyUrl.run({ postId })
      else setLegacyUrl.run({ postId, url, path })
    },
    featuredImageOf: (postId: number) => featuredImage.get({ id: postId }),
    /** The page an earlier import created under this key, whole. */
    pageByImportKey: (key: string) => pageByKey.get({ key }),
    /** The parent and featured image of a page (undefined: no such page). */
    pagePlaceOf: (id: number) => pagePlace.get({ id }),
    /** Whether a page other than `exceptId` (0 for none) has the slug. */
    pageSlugTaken: (slug: string, exceptId = 0) => pageSlugTaken.get({ slug, except: exceptId }) !== undefined,
    /** The site's navigation menus as stored. */
    siteNavigation: (): StoredNavigation => navigation.get()?.navigation ?? { primary: [], secondary: [] },
    /** The SEO row of a post, if it has one. */
    postSeoOf: (postId: number) => seoOfPost.get({ postId }),
    /**
     * Runs `fn` in a savepoint of the transaction in hand: when it throws, what it wrote is
     * undone and the rest of the transaction goes on (one comment of a post, say).
     */
    savepoint: <T>(fn: () => T): T => db.transaction(() => fn()),
    /** The per-installation key that client addresses are hashed with (kept beside the database, never in it). */
    clientHashKey: () => clientHashKey(db)
  }
}
export type ImportsRepository = ReturnType<typeof createImportsRepository>
