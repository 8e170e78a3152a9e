import { asc, eq, gt, sql } from 'drizzle-orm'
import { settled, type EngineDb } from '../../db/engine-port.js'
import type { Db } from '../../db/client.js'
import type { PgDb } from '../../db/pg/client.js'
import * as pgs from '../../db/pg/schema.js'
import { authors, categories, comments, legacyUrls, pages, postAuthors, postCategories, posts, postSeo, postTags, siteSettings, tags } from '../../db/schema.js'

const p = sql.placeholder

/**
 * What the export reads: the whole site, posts and then pages in id order a batch at a time
 * (keyset, so one written during a long export is read at most once), each post's authors,
 * terms, SEO fields, comments and old address by its id. On both engines
 * (src/db/engine-port.ts): the same queries over each engine's twin tables, answered as
 * Promises — settled at once on SQLite.
 */
export function createExportRepository (edb: EngineDb): ExportRepository {
  return edb.engine === 'sqlite' ? onSqlite(edb.db) : onPostgres(edb.db)
}

function onSqlite (db: Db) {
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
    /** The site's title, description, language and menus; undefined before the settings row exists. */
    site: async () => await settled(() => site.get()),
    authors: async () => await settled(() => allAuthors.all()),
    categories: async () => await settled(() => allCategories.all()),
    tags: async () => await settled(() => allTags.all()),
    postsAfter: async (after: number, limit: number) => await settled(() => postsAfter.all({ after, limit })),
    pagesAfter: async (after: number, limit: number) => await settled(() => pagesAfter.all({ after, limit })),
    /** A post's SEO fields; undefined when it has none of its own. */
    seoOf: async (postId: number) => await settled(() => seoOf.get({ postId })),
    categoriesOf: async (postId: number) => await settled(() => categoriesOf.all({ postId })),
    tagsOf: async (postId: number) => await settled(() => tagsOf.all({ postId })),
    /** Every author of the post, the primary one first. */
    authorsOf: async (postId: number) => await settled(() => authorsOf.all({ postId })),
    commentsOf: async (postId: number) => await settled(() => commentsOf.all({ postId })),
    legacyUrlOf: async (postId: number): Promise<string | null> => await settled(() => legacyUrlOf.get({ postId })?.url ?? null)
  }
}

/** The export's reads, on either engine (the SQLite rows' shapes; PostgreSQL's twins give the same values). */
export type ExportRepository = ReturnType<typeof onSqlite>

function onPostgres (db: PgDb): ExportRepository {
  const { authors, categories, comments, legacyUrls, pages, postAuthors, postCategories, posts, postSeo, postTags, siteSettings, tags } = pgs
  // Named statements: each pooled connection parses them once.
  const site = db.select({ title: siteSettings.title, description: siteSettings.description, language: siteSettings.language, navigation: siteSettings.navigation })
    .from(siteSettings).where(eq(siteSettings.id, 1)).prepare('export_site')
  const allAuthors = db.select({ id: authors.id, slug: authors.slug, name: authors.name, email: authors.email }).from(authors).orderBy(asc(authors.id)).prepare('export_authors')
  const allCategories = db.select({ id: categories.id, slug: categories.slug, name: categories.name, description: categories.description, parentId: categories.parentId })
    .from(categories).orderBy(asc(categories.id)).prepare('export_categories')
  const allTags = db.select({ id: tags.id, slug: tags.slug, name: tags.name, description: tags.description }).from(tags).orderBy(asc(tags.id)).prepare('export_tags')
  const postsAfter = db.select().from(posts).where(gt(posts.id, p('after'))).orderBy(asc(posts.id)).limit(p('limit')).prepare('export_posts_after')
  const pagesAfter = db.select().from(pages).where(gt(pages.id, p('after'))).orderBy(asc(pages.id)).limit(p('limit')).prepare('export_pages_after')
  const seoOf = db.select().from(postSeo).where(eq(postSeo.postId, p('postId'))).prepare('export_seo_of')
  const categoriesOf = db.select({ slug: categories.slug, name: categories.name }).from(postCategories)
    .innerJoin(categories, eq(categories.id, postCategories.categoryId)).where(eq(postCategories.postId, p('postId')))
    .orderBy(asc(postCategories.position), asc(categories.id)).prepare('export_categories_of')
  const tagsOf = db.select({ slug: tags.slug, name: tags.name }).from(postTags)
    .innerJoin(tags, eq(tags.id, postTags.tagId)).where(eq(postTags.postId, p('postId')))
    .orderBy(asc(postTags.position), asc(tags.id)).prepare('export_tags_of')
  const authorsOf = db.select({ slug: authors.slug }).from(postAuthors)
    .innerJoin(authors, eq(authors.id, postAuthors.authorId)).where(eq(postAuthors.postId, p('postId')))
    .orderBy(asc(postAuthors.position)).prepare('export_authors_of')
  // Thread order is byte order of the paths, as SQLite compares them, whatever the database's collation.
  const commentsOf = db.select().from(comments).where(eq(comments.postId, p('postId'))).orderBy(sql`${comments.path} collate "C"`).prepare('export_comments_of')
  const legacyUrlOf = db.select({ url: legacyUrls.url }).from(legacyUrls).where(eq(legacyUrls.postId, p('postId'))).prepare('export_legacy_url_of')

  return {
    site: async () => (await site.execute())[0],
    authors: async () => await allAuthors.execute(),
    categories: async () => await allCategories.execute(),
    tags: async () => await allTags.execute(),
    postsAfter: async (after, limit) => await postsAfter.execute({ after, limit }),
    pagesAfter: async (after, limit) => await pagesAfter.execute({ after, limit }),
    seoOf: async (postId) => (await seoOf.execute({ postId }))[0],
    categoriesOf: async (postId) => await categoriesOf.execute({ postId }),
    tagsOf: async (postId) => await tagsOf.execute({ postId }),
    authorsOf: async (postId) => await authorsOf.execute({ postId }),
    commentsOf: async (postId) => await commentsOf.execute({ postId }),
    legacyUrlOf: async (postId) => (await legacyUrlOf.execute({ postId }))[0]?.url ?? null
  }
}
