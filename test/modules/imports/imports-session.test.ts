import t from 'tap'
import { buildTestApp } from '../../helper.js'
import { createImportSession, type ImportPost } from '../../../src/modules/imports/imports-session.js'
import { touchPosts } from '../../../src/modules/posts/posts-repository.js'

type App = Awaited<ReturnType<typeof buildTestApp>>

function session (app: App) {
  const { core } = app
  // What the core gives its import service, handed to a session directly.
  const target = {
    writes: { ...core.writes, ...core.termsSyncWrites, pages: core.pagesSync, write: core.write },
    repo: core.repos.imports,
    comments: core.repos.comments.sync,
    touchPosts: (emit: Parameters<typeof touchPosts>[1], ids: number[]) => { touchPosts(app.db, emit, ids) }
  }
  return createImportSession(target, { iframeHosts: [], format: 'test' })
}

function post (over: Partial<ImportPost> = {}): ImportPost {
  return {
    key: 'test:1',
    ref: 'one',
    title: 'First post',
    slug: 'first-post',
    status: 'published',
    publishedAt: Date.UTC(2022, 4, 1, 12),
    contentHtml: '<p>Hello <b>there</b></p>',
    author: { login: 'ed', name: 'Ed' },
    categories: [{ slug: 'news', name: 'News' }],
    tags: [{ slug: 'hello', name: 'Hello' }],
    featuredImage: null,
    comments: [
      { id: '2', parentId: '1', authorName: 'B', authorEmail: 'b@example.net', date: Date.UTC(2022, 4, 2), content: 'Reply', approved: '1', type: '' },
      { id: '1', parentId: null, authorName: 'A', authorEmail: 'a@example.net', authorIp: '192.0.2.5', date: Date.UTC(2022, 4, 1, 13), content: 'First!', approved: '1', type: '' },
      { id: '3', parentId: '99', authorName: 'C', date: null, content: 'Orphan', approved: '0', type: '' },
      { id: '4', parentId: null, authorName: 'Shop', date: null, content: 'Order shipped', approved: '1', type: 'order_note' }
    ],
    ...over
  }
}

function rows (app: App, sql: string): Array<Record<string, unknown>> {
  return app.db.$client.prepare(sql).all() as Array<Record<string, unknown>>
}

t.test('a post with its terms, author and threaded comments; the same again changes nothing', async (t) => {
  const app = await buildTestApp(t)
  const s1 = session(app)
  s1.post(post())
  const first = s1.finish()
  t.same(first.created, { posts: 1, pages: 0, categories: 1, tags: 1, authors: 1, comments: 3 })
  t.same(first.skipped, [{ kind: 'comment', ref: 'one comment 4', reason: 'comment type "order_note" is not a reader comment' }])
  t.match(first.warnings.join('\n'), /comment 3 .* replies to comment 99/)
  const comments = rows(app, 'SELECT author_name, depth, parent_id, status, content_html FROM comments ORDER BY path')
  t.same(comments.map((c) => `${c.author_name}@${c.depth}`), ['A@0', 'B@1', 'C@0'])
  t.equal(rows(app, 'SELECT comment_count FROM posts')[0].comment_count, 2)

  const s2 = session(app)
  s2.post(post())
  const second = s2.finish()
  t.same(second.created, { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0 })
  t.same(second.updated, { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0 })
  t.same(second.unchanged.posts, 1)
  t.same(second.unchanged.comments, 3)

  const s3 = session(app)
  s3.post(post({ title: 'First post, revised', tags: [{ slug: 'other', name: 'Other' }], comments: [{ id: '1', parentId: null, authorName: 'A', authorEmail: 'a@example.net', date: Date.UTC(2022, 4, 1, 13), content: 'First!', approved: 'spam', type: '' }] }))
  const third = s3.finish()
  t.same(third.updated.posts, 1)
  t.same(third.updated.comments, 1)
  t.same(third.created.tags, 1)
  const p = rows(app, 'SELECT title, slug, comment_count FROM posts')[0]
  t.same(p, { title: 'First post, revised', slug: 'first-post', comment_count: 1 }, 'the slug stays, the spam comment no longer counts')
  t.equal(rows(app, 'SELECT count(*) AS n FROM posts')[0].n, 1)
})

t.test('a slug taken by another post gets a suffix once, and keeps it on re-import', async (t) => {
  const app = await buildTestApp(t)
  const s = session(app)
  s.post(post({ key: 'a', ref: 'a', comments: [] }))
  s.post(post({ key: 'b', ref: 'b', comments: [] }))
  s.finish()
  const s2 = session(app)
  s2.post(post({ key: 'b', ref: 'b', comments: [] }))
  t.same(s2.finish().unchanged.posts, 1)
  t.same(rows(app, 'SELECT slug FROM posts ORDER BY id').map((r) => r.slug), ['first-post', 'first-post-2'])
})

t.test('a featured image whose attachment comes later is set at the end', async (t) => {
  const app = await buildTestApp(t)
  const s = session(app)
  s.post({ ...post({ comments: [], featuredImage: undefined }), thumbnailId: '77' } as ImportPost)
  s.post({ ...post({ key: 'x', ref: 'x', slug: 'x', comments: [], featuredImage: undefined }), thumbnailId: '78' } as ImportPost)
  s.attachment('77', { url: 'https://img.example.org/a.jpg', alt: 'A' })
  const summary = s.finish()
  t.same(rows(app, 'SELECT featured_image_url, featured_image_alt FROM posts ORDER BY id'), [
    { featured_image_url: 'https://img.example.org/a.jpg', featured_image_alt: 'A' },
    { featured_image_url: null, featured_image_alt: null }
  ])
  t.match(summary.warnings.join('\n'), /attachment 78/)
  t.same(summary.ignored, { attachment: 1 })
})

t.test('categories link to parents declared in any order; a cycle is a warning, not a failure', async (t) => {
  const app = await buildTestApp(t)
  const s = session(app)
  s.category({ slug: 'c', name: 'C', parent: 'b' })
  s.category({ slug: 'b', name: 'B', parent: 'a' })
  s.category({ slug: 'a', name: 'A', parent: '' })
  s.category({ slug: 'lost', name: 'Lost', parent: 'nowhere' })
  s.linkCategories()
  const summary = s.finish()
  const cats = new Map(rows(app, 'SELECT id, slug, parent_id FROM categories').map((r) => [r.slug, r]))
  t.equal(cats.get('c')?.parent_id, cats.get('b')?.id)
  t.equal(cats.get('b')?.parent_id, cats.get('a')?.id)
  t.equal(cats.get('a')?.parent_id, null)
  t.match(summary.warnings.join('\n'), /lost names parent nowhere/)

  const s2 = session(app)
  s2.category({ slug: 'a', name: 'A', parent: 'c' })
  s2.category({ slug: 'b', name: 'B', parent: 'a' })
  s2.category({ slug: 'c', name: 'C', parent: 'b' })
  const second = s2.finish()
  t.match(second.skipped.map((x) => x.reason).join('\n'), /cycle/)
})

t.test('bodies and comments longer than the write API takes are cut to its limits, with a warning naming the item', async (t) => {
  const app = await buildTestApp(t)
  const s = session(app)
  const body = `<p>${'word '.repeat(420_000)}</p>`
  s.post(post({ contentHtml: body, comments: [{ id: '1', parentId: null, authorName: 'A', date: null, content: 'x'.repeat(6000), approved: '1', type: '' }] }))
  const summary = s.finish()
  t.equal(summary.created.posts, 1)
  const stored = rows(app, 'SELECT length(content_html) AS n FROM posts')[0].n as number
  t.ok(stored <= 2_000_010 && stored > 1_900_000, `the body was cut to the limit (${stored} characters)`)
  t.match(summary.warnings, [/^one: the body has 2100007 characters; cut to 2000000/, /^one comment 1: the comment has 6000 characters; cut to 5000/])
  t.equal(rows(app, 'SELECT length(content) AS n FROM comments')[0].n, 5000)
})
