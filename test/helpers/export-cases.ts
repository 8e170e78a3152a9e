import type { Test } from 'tap'
import { openDatabase, type Db } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import type { PgDb } from '../../src/db/pg/client.js'
import * as pgs from '../../src/db/pg/schema.js'
import * as s from '../../src/db/schema.js'
import type { ExportRepository } from '../../src/modules/export/export-repository.js'
import { writeWxr } from '../../src/modules/export/export-wxr.js'

// The export repository's tests, run on SQLite (test/modules/export/) and on PostgreSQL
// (test/db/pg-export.test.ts) over the same rows; there the whole WXR file is also compared
// byte for byte with SQLite's.

export const NOW = Date.UTC(2026, 5, 1)
const HOUR = 3_600_000
const stamp = { createdAt: NOW - 100 * HOUR, updatedAt: NOW - 50 * HOUR }

const comment = (id: number, postId: number, path: string, parentId: number | null, extra: Record<string, unknown> = {}) => ({
  id,
  postId,
  parentId,
  path,
  depth: path.split('/').length - 1,
  authorName: `Reader ${id}`,
  authorEmail: id % 2 === 0 ? null : `r${id}@example.com`,
  authorUrl: null,
  content: `Comment ${id} with ]]> & <b>`,
  contentHtml: `<p>Comment ${id} with ]]&gt; &amp; &lt;b&gt;</p>`,
  contentHash: `hash-${id}`,
  status: 'approved' as const,
  createdAt: NOW - id * HOUR,
  updatedAt: NOW - id * HOUR,
  ...extra
})

/** The rows both engines are seeded with, parents first. */
export const EXPORT_ROWS = {
  siteSettings: [{ id: 1, title: 'The Harbour “Gazette”', description: 'News & more', language: 'en-GB', navigation: { primary: [{ label: 'Politics', category_id: 1 }, { label: 'Out', url: 'https://x.example/' }], secondary: [] }, updatedAt: NOW }],
  authors: [
    { id: 1, slug: 'mara', name: 'Mara', email: 'mara@example.com', ...stamp },
    { id: 2, slug: 'tobias', name: 'Tobias <T>', email: null, ...stamp }
  ],
  categories: [
    { id: 1, slug: 'politics', name: 'Politics & Power', description: 'All of it', parentId: 2, ...stamp },
    { id: 2, slug: 'news', name: 'News', ...stamp }
  ],
  tags: [{ id: 1, slug: 'nato', name: 'NATO', ...stamp }, { id: 2, slug: 'geneva', name: 'Geneva', description: 'The city', ...stamp }],
  posts: [
    { id: 1, slug: 'first', title: 'First & <best>', excerpt: 'An excerpt', status: 'published' as const, publishedAt: NOW - 10 * HOUR, authorId: 1, contentHtml: '<p>Body ]]> one</p>', featured: true, importKey: 'wxr:https://old.example.com/?p=1', ...stamp },
    { id: 2, slug: 'second', title: 'Second', status: 'draft' as const, publishedAt: null, authorId: 2, contentHtml: '<p>Draft</p>', featuredImageUrl: 'https://img.example.com/a.jpg', featuredImageAlt: 'A', ...stamp },
    { id: 3, slug: 'third', title: 'Third', status: 'archived' as const, publishedAt: NOW - 20 * HOUR, authorId: 1, sourceUrl: 'https://partner.example.com/x', sourceName: 'Partner', canonicalUrl: 'https://partner.example.com/x', commentStatus: 'closed' as const, ...stamp }
  ],
  postSeo: [{ postId: 1, metaTitle: 'Fares up 5% & more', ogImage: 'https://img.example.com/og.jpg', noindex: true }],
  postCategories: [{ postId: 1, categoryId: 2, position: 0 }, { postId: 1, categoryId: 1, position: 1 }, { postId: 3, categoryId: 1, position: 0 }],
  postTags: [{ postId: 1, tagId: 2, position: 0 }, { postId: 1, tagId: 1, position: 1 }],
  postAuthors: [{ postId: 1, authorId: 1, position: 0 }, { postId: 1, authorId: 2, position: 1 }, { postId: 2, authorId: 2, position: 0 }, { postId: 3, authorId: 1, position: 0 }],
  comments: [
    comment(1, 1, '0000000001', null),
    comment(2, 1, '0000000002', null, { status: 'pending' }),
    comment(3, 1, '0000000001/0000000003', 1, { type: 'pingback' }),
    comment(4, 1, '0000000001/0000000003/0000000004', 3, { deletedAt: NOW - HOUR }),
    comment(10, 1, '0000000010', null, { status: 'spam' })
  ],
  legacyUrls: [{ postId: 1, url: 'https://old.example.com/2019/05/first/', path: '/2019/05/first' }],
  pages: [
    { id: 1, slug: 'about', title: 'About us', status: 'published' as const, publishedAt: NOW - 30 * HOUR, contentHtml: '<p>Who</p>', metaTitle: 'About', featuredImageUrl: 'https://img.example.com/about.jpg', ...stamp },
    { id: 2, slug: 'team', title: 'The team', parentId: 1, menuOrder: 2, status: 'draft' as const, publishedAt: null, canonicalUrl: 'https://elsewhere.example.com/team', noindex: true, ...stamp }
  ]
}

/** Every case, against a repository over EXPORT_ROWS. */
export async function exportRepositoryCases (t: Test, repo: ExportRepository): Promise<void> {
  t.test('the site, authors and terms', async (t) => {
    const answer = repo.site()
    t.ok(answer instanceof Promise, 'answers a Promise')
    t.strictSame(await answer, { title: 'The Harbour “Gazette”', description: 'News & more', language: 'en-GB', navigation: EXPORT_ROWS.siteSettings[0].navigation })
    t.strictSame(await repo.authors(), [{ id: 1, slug: 'mara', name: 'Mara', email: 'mara@example.com' }, { id: 2, slug: 'tobias', name: 'Tobias <T>', email: null }])
    t.strictSame(await repo.categories(), [
      { id: 1, slug: 'politics', name: 'Politics & Power', description: 'All of it', parentId: 2 },
      { id: 2, slug: 'news', name: 'News', description: '', parentId: null }
    ])
    t.strictSame(await repo.tags(), [{ id: 1, slug: 'nato', name: 'NATO', description: '' }, { id: 2, slug: 'geneva', name: 'Geneva', description: 'The city' }])
  })

  t.test('posts and pages a batch at a time, by id', async (t) => {
    const first = await repo.postsAfter(0, 2)
    t.strictSame(first.map((p) => p.id), [1, 2])
    t.strictSame((await repo.postsAfter(2, 2)).map((p) => p.id), [3])
    t.strictSame(await repo.postsAfter(3, 2), [])
    t.equal(first[0].featured, true)
    t.equal(first[0].publishedAt, NOW - 10 * HOUR)
    t.equal(first[1].publishedAt, null)
    t.equal(first[1].featuredImageAlt, 'A')
    t.strictSame((await repo.pagesAfter(0, 10)).map((p) => [p.id, p.parentId, p.noindex, p.menuOrder]), [[1, null, false, 0], [2, 1, true, 2]])
  })

  t.test("a post's own rows", async (t) => {
    t.strictSame(await repo.categoriesOf(1), [{ slug: 'news', name: 'News' }, { slug: 'politics', name: 'Politics & Power' }], 'by position')
    t.strictSame(await repo.tagsOf(1), [{ slug: 'geneva', name: 'Geneva' }, { slug: 'nato', name: 'NATO' }])
    t.strictSame(await repo.authorsOf(1), [{ slug: 'mara' }, { slug: 'tobias' }], 'the byline in order')
    t.strictSame((await repo.commentsOf(1)).map((c) => c.id), [1, 3, 4, 2, 10], 'thread order: every parent before its replies')
    t.strictSame(await repo.commentsOf(2), [])
    const seo = await repo.seoOf(1)
    t.equal(seo?.metaTitle, 'Fares up 5% & more')
    t.equal(seo?.noindex, true)
    t.equal(await repo.seoOf(2), undefined, 'none of its own')
    t.equal(await repo.legacyUrlOf(1), 'https://old.example.com/2019/05/first/')
    t.equal(await repo.legacyUrlOf(2), null)
  })

  t.test('the whole file', async (t) => {
    const wxr = await exportText(repo)
    t.match(wxr, /^<\?xml version="1.0" encoding="UTF-8" \?>/)
    t.match(wxr, /<title>The Harbour “Gazette”<\/title>/)
    t.match(wxr, /<wp:comment_approved><!\[CDATA\[trash\]\]><\/wp:comment_approved>/, 'a deleted comment is in the trash')
    t.match(wxr, /<category domain="author" nicename="cap-tobias">/, 'co-authors')
    t.match(wxr, /<\/channel>\n<\/rss>\n$/)
  })
}

/** The WXR file the repository gives, at NOW. */
export async function exportText (repo: ExportRepository): Promise<string> {
  let out = ''
  for await (const piece of writeWxr(repo, { siteUrl: 'https://www.example.com', now: NOW })) out += piece
  return out
}

/** A migrated in-memory database holding EXPORT_ROWS. */
export function exportDatabase (): Db {
  const db = openDatabase(':memory:')
  runMigrations(db)
  db.delete(s.siteSettings).run()
  db.insert(s.siteSettings).values(EXPORT_ROWS.siteSettings).run()
  db.insert(s.authors).values(EXPORT_ROWS.authors).run()
  db.insert(s.categories).values(EXPORT_ROWS.categories).run()
  db.insert(s.tags).values(EXPORT_ROWS.tags).run()
  db.insert(s.posts).values(EXPORT_ROWS.posts).run()
  db.insert(s.postSeo).values(EXPORT_ROWS.postSeo).run()
  db.insert(s.postCategories).values(EXPORT_ROWS.postCategories).run()
  db.insert(s.postTags).values(EXPORT_ROWS.postTags).run()
  db.insert(s.postAuthors).values(EXPORT_ROWS.postAuthors).onConflictDoNothing().run() // the primary author may be there already (a trigger)
  db.insert(s.comments).values(EXPORT_ROWS.comments).run()
  db.insert(s.legacyUrls).values(EXPORT_ROWS.legacyUrls).run()
  db.insert(s.pages).values(EXPORT_ROWS.pages).run()
  return db
}

/** EXPORT_ROWS into a migrated PostgreSQL database. */
export async function seedExportPg (db: PgDb): Promise<void> {
  await db.delete(pgs.siteSettings)
  await db.insert(pgs.siteSettings).values(EXPORT_ROWS.siteSettings)
  await db.insert(pgs.authors).values(EXPORT_ROWS.authors)
  await db.insert(pgs.categories).values(EXPORT_ROWS.categories)
  await db.insert(pgs.tags).values(EXPORT_ROWS.tags)
  await db.insert(pgs.posts).values(EXPORT_ROWS.posts)
  await db.insert(pgs.postSeo).values(EXPORT_ROWS.postSeo)
  await db.insert(pgs.postCategories).values(EXPORT_ROWS.postCategories)
  await db.insert(pgs.postTags).values(EXPORT_ROWS.postTags)
  await db.insert(pgs.postAuthors).values(EXPORT_ROWS.postAuthors).onConflictDoNothing()
  await db.insert(pgs.comments).values(EXPORT_ROWS.comments)
  await db.insert(pgs.legacyUrls).values(EXPORT_ROWS.legacyUrls)
  await db.insert(pgs.pages).values(EXPORT_ROWS.pages)
}
