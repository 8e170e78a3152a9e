import { asc, eq, gt, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { authors, categories, comments, legacyUrls, pages, postAuthors, postCategories, posts, postSeo, postTags, siteSettings, tags } from '../../db/schema.js'

const p = sql.placeholder

/**
 * What the export reads: the whole site, posts and then pages in id order a batch at a time
 * (keyset, so one written during a long export is read at most once), each post's authors,
 * terms, SEO fields, comments and old address by its id.
 */
export function createExportRepository (db: Db) {
  const site = db.select({ title: siteSettings.title, description: siteSettings.description, language: siteSettings.language, navigation: siteSettings.navigation })
    .from(siteSettings).where(eq(siteSettings.id, 1)).prepare()
  const allAuthors = db.select({ id: authors.id, slug: authors.slug, name: authors.name, email: authors.email }).from(authors).orderBy(asc(authors.id)).prepare()
  const allCategories = db.select({ id: categories.id, slug: categories.slug, name: categories.name, description: categories.description, parentId: categories.parentId })
    .from(categories).orderBy(asc(categories.id)).prepare()
  const allTags = db.select({ id: tags.id, slug: tags.slug, name: tags.name, description: tags.description }).from(tags).orderBy(asc(tags.id)).prepare()
  const postsAfter = db.select().from(posts).where(gt(posts.id, p('after'))).orderBy(asc(posts.id)).limit(p('limit')).prepare()
  const pagesAfter = db.select().from(pages).where(gt(pages.id, p('after'))).orderBy(asc(pages.id)).limit(p('limit')).prepare()
  const seoOf = db.select().from(postSeo).where(eq(postSeo.postId, p('postId'))).prepare()
  const categoriesOf = db.select({ slug: categories.slug, name: categories.name }).from(postCategories)
    .innerJoin(categories, eq(categories.id, postCategories.categoryId)).where(eq(postCategories.postId, p('postId')))
    .orderBy(asc(postCategories.position), asc(categories.id)).prepare()
  const tagsOf = db.select({ slug: tags.slug, name: tags.name }).from(postTags)
    .innerJoin(tags, eq(tags.id, postTags.tagId)).where(eq(postTags.postId, p('postId')))
    .orderBy(asc(postTags.position), asc(tags.id)).prepare()
  const authorsOf = db.select({ slug: authors.slug }).from(postAuthors)
    .innerJoin(authors, eq(authors.id, postAuthors.authorId)).where(eq(postAuthors.postId, p('postId')))
    .orderBy(asc(postAuthors.position)).prepare()
  // Thread order: a parent always comes before its replies.
  const commentsOf = db.select().from(comments).where(eq(comments.postId, p('postId'))).orderBy(asc(comments.path)).prepare()
  const legacyUrlOf = db.select({ url: legacyUrls.url }).from(legacyUrls).where(eq(legacyUrls.postId, p('postId'))).prepare()

  return {
    site: () => site.get(),
    authors: () => allAuthors.all(),
    categories: () => allCategories.all(),
    tags: () => allTags.all(),
    postsAfter: (after: number, limit: number) => postsAfter.all({ after, limit }),
    pagesAfter: (after: number, limit: number) => pagesAfter.all({ after, limit }),
    /** A post's SEO fields; undefined when it has none of its own. */
    seoOf: (postId: number) => seoOf.get({ postId }),
    categoriesOf: (postId: number) => categoriesOf.all({ postId }),
    tagsOf: (postId: number) => tagsOf.all({ postId }),
    /** Every author of the post, the primary one first. */
    authorsOf: (postId: number) => authorsOf.all({ postId }),
    commentsOf: (postId: number) => commentsOf.all({ postId }),
    legacyUrlOf: (postId: number): string | null => legacyUrlOf.get({ postId })?.url ?? null
  }
}
export type ExportRepository = ReturnType<typeof createExportRepository>
