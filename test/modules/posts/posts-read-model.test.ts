import { test, type Test } from 'tap'
import { buildTestApp, adminAuth, TEST_SITE_URL } from '../../helper.js'
import { createPostsService } from '../../../src/modules/posts/posts-service.js'
import type { ListPostsQueryType } from '../../../src/modules/posts/posts-schemas.js'
import { withSeo } from '../../../src/modules/posts/posts-seo.js'
import { eventually, until } from '../../helpers/wait.js'

// The read model (posts-documents.ts) against the rows: after every kind of write, each public
// list page and each live post the API answers from stored documents must equal what the
// row-based path (the posts service without documents, as before the read model) builds.

type App = Awaited<ReturnType<typeof buildTestApp>>

/** A small deterministic generator (mulberry32), so a failing sequence can be replayed by its seed. */
function rng (seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)],
    some: <T>(list: readonly T[], max: number): T[] => [...new Set(Array.from({ length: Math.floor(next() * (max + 1)) }, () => list[Math.floor(next() * list.length)]))]
  }
}

async function json (app: App, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object): Promise<{ id: number } & Record<string, unknown>> {
  const res = await app.inject({ method, url, headers: adminAuth, ...(payload ? { payload } : {}) })
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`)
  return res.statusCode === 204 ? { id: 0 } : res.json().data
}

/** Compares every public representation the read model serves with the row path's. */
async function compare (t: Test, app: App, label: string): Promise<void> {
  const rows = createPostsService({ ...app.core.repos, categories: app.core.repos.categories.sync, tags: app.core.repos.tags.sync, authors: app.core.repos.authors.sync }, TEST_SITE_URL)
  const now = Date.now()
  const queries: ListPostsQueryType[] = [
    {},
    { page: 2, per_page: 3 },
    { sort: 'title' },
    { sort: '-updated_at', per_page: 50 },
    { per_page: 100 },
    { featured: 'true', per_page: 100 },
    { featured: 'false', sort: 'title', per_page: 100 }
  ]
  const cats = app.core.db.$client.prepare('SELECT id FROM categories').all() as Array<{ id: number }>
  const tags = app.core.db.$client.prepare('SELECT id FROM tags').all() as Array<{ id: number }>
  const authors = app.core.db.$client.prepare('SELECT id FROM authors').all() as Array<{ id: number }>
  for (const c of cats) queries.push({ category: String(c.id), per_page: 100 })
  for (const g of tags) queries.push({ tag: String(g.id), per_page: 100 })
  for (const a of authors) queries.push({ author: String(a.id), per_page: 100 })
  for (const q of queries) {
    const qs = new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString()
    const res = await app.inject(`/v1/posts?${qs}`)
    let expected: unknown
    try {
      const r = rows.list(q, 'public', now)
      expected = JSON.parse(JSON.stringify({ data: r.data, total: r.total, next: r.nextCursor }))
    } catch {
      expected = 404
    }
    if (expected === 404) {
      t.equal(res.statusCode, 404, `${label}: /v1/posts?${qs} is unknown on both paths`)
      continue
    }
    t.equal(res.statusCode, 200, `${label}: /v1/posts?${qs}`)
    const body = res.json()
    // Totals and id windows are memoized until an invalidation moves the membership stamp, like
    // the response cache; a write outside the API reaches the stored documents through the
    // triggers, and records the invalidation any writer records (the steps below do).
    const got = { data: body.data, total: body.meta.total, next: body.meta.next_cursor }
    t.same(got, expected, `${label}: /v1/posts?${qs} equals the row path`)
  }
  const live = rows.list({ per_page: 100 }, 'public', now).data
  for (const p of live) {
    // A single read also shows the post's SEO fields (post_seo) and the computed `seo` object.
    const expected = JSON.parse(JSON.stringify(withSeo(rows.get(String(p.id), 'public', now), app.core.repos.postSeo.get(p.id as number))))
    for (const ref of [String(p.id), String(p.slug)]) {
      const res = await app.inject(`/v1/posts/${ref}`)
      t.same(res.json().data, expected, `${label}: /v1/posts/${ref} equals the row path`)
    }
  }
}

test('every kind of write leaves the stored posts equal to what the rows build', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  const r = rng(Number(process.env.READ_MODEL_SEED ?? 20261130))
  const authorIds = [
    (await json(app, 'POST', '/v1/authors', { name: 'Ann Author' })).id,
    (await json(app, 'POST', '/v1/authors', { name: 'Ben Byline' })).id,
    (await json(app, 'POST', '/v1/authors', { name: 'Cat Coauthor' })).id
  ]
  // One to three distinct authors, in a random order (the first is the primary author).
  const byline = () => {
    const list = r.some(authorIds, 3)
    return list.length > 0 ? list : [r.pick(authorIds)]
  }
  const sql = (text: string, ...params: unknown[]) => app.core.db.$client.prepare(text).run(...params)
  // A tree three deep (World > Europe > France) beside a top-level Sport: posts embed each
  // category with its path, so a rename or move above a post's category changes its documents.
  const top = (await json(app, 'POST', '/v1/categories', { name: 'World' })).id
  const europe = (await json(app, 'POST', '/v1/categories', { name: 'Europe', parent_id: top })).id
  const categoryIds = [top, europe, (await json(app, 'POST', '/v1/categories', { name: 'Sport' })).id, (await json(app, 'POST', '/v1/categories', { name: 'France', parent_id: europe })).id]
  const tagIds = [(await json(app, 'POST', '/v1/tags', { name: 'NATO' })).id, (await json(app, 'POST', '/v1/tags', { name: 'Elections' })).id, (await json(app, 'POST', '/v1/tags', { name: 'Climate' })).id]
  const postIds: number[] = []
  const commentIds: number[] = []
  const past = () => new Date(Date.now() - 1000 - r.int(86_400_000)).toISOString()
  let n = 0
  const newPost = async () => {
    n++
    const status = r.pick(['published', 'published', 'published', 'draft', 'archived'] as const)
    const post = await json(app, 'POST', '/v1/posts', {
      title: `Story ${n} ${r.pick(['on talks', 'of the match', 'about rain'])}`,
      content_html: `<p>Body ${n} with <a href="/x">a link</a>.</p>`,
      status,
      published_at: status === 'published' ? past() : null,
      ...(r.next() < 0.5 ? { author_id: r.pick(authorIds) } : { author_ids: byline() }),
      featured: r.next() < 0.3,
      category_ids: r.some(categoryIds, 2),
      tag_ids: r.some(tagIds, 3),
      ...(r.next() < 0.3 ? { featured_image: { url: 'https://img.example.com/a.jpg', alt: 'A' } } : {}),
      ...(r.next() < 0.2 ? { canonical_url: 'https://elsewhere.example.com/story' } : {})
    })
    postIds.push(post.id)
  }
  for (let i = 0; i < 8; i++) await newPost()

  const writes: Array<[string, () => Promise<void>]> = [
    ['create a post', newPost],
    ['edit a post\'s fields', async () => {
      await json(app, 'PATCH', `/v1/posts/${r.pick(postIds)}`, { title: `Edited ${r.int(1000)}`, excerpt: r.next() < 0.5 ? null : 'A new excerpt', comment_status: r.pick(['open', 'closed']) })
    }],
    ['change a post\'s slug and links', async () => {
      await json(app, 'PATCH', `/v1/posts/${r.pick(postIds)}`, { slug: `moved-${n}-${r.int(1_000_000)}`, category_ids: r.some(categoryIds, 3), tag_ids: r.some(tagIds, 3), author_id: r.pick(authorIds) })
    }],
    ['publish, unpublish or archive', async () => {
      const status = r.pick(['published', 'draft', 'archived'] as const)
      await json(app, 'PATCH', `/v1/posts/${r.pick(postIds)}`, { status, ...(status === 'published' ? { published_at: past() } : {}) })
    }],
    ['change a post\'s SEO fields', async () => {
      await json(app, 'PATCH', `/v1/posts/${r.pick(postIds)}`, {
        meta_title: r.next() < 0.3 ? null : `Meta ${r.int(1000)}`,
        og_image: r.next() < 0.5 ? null : 'https://img.example.com/og.jpg',
        noindex: r.next() < 0.3
      })
    }],
    ['rename a tag', async () => { await json(app, 'PATCH', `/v1/tags/${r.pick(tagIds)}`, { name: `Tag ${r.int(1000)}`, slug: `tag-${r.int(1_000_000)}` }) }],
    ['rename a category', async () => { await json(app, 'PATCH', `/v1/categories/${r.pick(categoryIds)}`, { name: `Section ${r.int(1000)}`, slug: `section-${r.int(1_000_000)}` }) }],
    ['move a category with a child', async () => {
      await json(app, 'PATCH', `/v1/categories/${categoryIds[1]}`, { parent_id: r.next() < 0.5 ? null : r.pick([categoryIds[0], categoryIds[2]]) })
    }],
    ['move the grandchild category', async () => {
      await json(app, 'PATCH', `/v1/categories/${categoryIds[3]}`, { parent_id: r.next() < 0.2 ? null : r.pick([categoryIds[0], categoryIds[1], categoryIds[2]]) })
    }],
    ['rename a category at the top', async () => {
      await json(app, 'PATCH', `/v1/categories/${r.pick([categoryIds[0], categoryIds[2]])}`, { name: `Desk ${r.int(1000)}`, ...(r.next() < 0.5 ? { slug: `desk-${r.int(1_000_000)}` } : {}) })
    }],
    ['change a post\'s authors', async () => {
      await json(app, 'PATCH', `/v1/posts/${r.pick(postIds)}`, { author_ids: byline() })
    }],
    ['feature or unfeature a post', async () => {
      await json(app, 'PATCH', `/v1/posts/${r.pick(postIds)}`, { featured: r.next() < 0.5 })
    }],
    ['add or drop a co-author outside the API', async () => {
      // Straight to post_authors (a repair, a bulk loader): the triggers must drop the documents.
      const postId = r.pick(postIds)
      const authorId = r.pick(authorIds)
      const row = app.core.db.$client.prepare('SELECT position FROM post_authors WHERE post_id = ? AND author_id = ?').get(postId, authorId) as { position: number } | undefined
      if (row === undefined) sql('INSERT INTO post_authors (post_id, author_id, position) VALUES (?, ?, 9)', postId, authorId)
      else if (row.position > 0) sql('DELETE FROM post_authors WHERE post_id = ? AND author_id = ?', postId, authorId)
      // What the CLI or a worker records with such a write: the memos of who wrote what (lists by author) follow it.
      sql('INSERT INTO invalidations (at, keys) VALUES (?, ?)', Date.now(), `authors post-${postId}`)
      // Another writer's invalidations are read from the next event-loop turn.
      await new Promise((resolve) => setImmediate(resolve))
    }],
    ['rename an author outside the API', async () => {
      sql('UPDATE authors SET name = ? WHERE id = ?', `Renamed ${r.int(1000)}`, r.pick(authorIds))
    }],
    ['rename an author', async () => {
      await json(app, 'PATCH', `/v1/authors/${r.pick(authorIds)}`, { name: `Writer ${r.int(1000)}`, avatar_url: r.next() < 0.5 ? null : 'https://img.example.com/w.png' })
    }],
    ['approve a comment', async () => {
      const live = postIds.filter((id) => app.core.repos.posts.findByRef({ id }, 'public', Date.now()) !== undefined)
      if (live.length === 0) return
      const res = await app.inject({ method: 'POST', url: `/v1/posts/${r.pick(live)}/comments`, payload: { author_name: 'Reader', author_email: 'r@example.com', content: `Comment ${r.int(1000)}` } })
      if (res.statusCode !== 201) return // comments closed on this post
      const id = res.json().data.id as number
      commentIds.push(id)
      await json(app, 'PATCH', `/v1/comments/${id}`, { status: 'approved' })
    }],
    ['delete a comment', async () => {
      if (commentIds.length === 0) return
      const id = commentIds.splice(r.int(commentIds.length), 1)[0]
      // A comment of a deleted post went with it.
      const res = await app.inject({ method: 'DELETE', url: `/v1/comments/${id}`, headers: adminAuth })
      t.ok(res.statusCode === 204 || res.statusCode === 404, `deleting comment ${id}`)
    }],
    ['delete a post', async () => {
      if (postIds.length < 4) return
      await json(app, 'DELETE', `/v1/posts/${postIds.splice(r.int(postIds.length), 1)[0]}`)
    }]
  ]

  await compare(t, app, 'after the first posts')
  for (let step = 0; step < 50; step++) {
    const [label, write] = r.pick(writes)
    await write()
    await compare(t, app, `step ${step}: ${label}`)
  }

  // Once the queue is worked through (the writes outside the API left posts queued), every
  // live post has a current document: the comparisons read stored documents, not the fallback.
  app.core.workers.readModel.drain()
  await compare(t, app, 'after the queue is drained')
  const live = app.core.db.$client.prepare("SELECT id FROM posts WHERE status = 'published' AND published_at <= ?").all(Date.now()) as Array<{ id: number }>
  const stored = app.core.repos.postDocuments.cardsOf(live.map((p) => p.id), app.core.documents.posts.fingerprint)
  t.equal(stored.size, live.length, 'each live post is served from its stored document')
})

test('a change of a post\'s SEO row alone drops its stored documents and queues it', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  app.core.workers.readModel.stop()
  const author = (await json(app, 'POST', '/v1/authors', { name: 'Ann Author' })).id
  const post = await json(app, 'POST', '/v1/posts', { title: 'Here', content_html: '<p>x</p>', status: 'published', author_id: author, meta_title: 'First' })
  const fingerprint = app.core.documents.posts.fingerprint
  t.equal(app.core.repos.postDocuments.cardsOf([post.id], fingerprint).size, 1, 'stored by the write')
  t.equal((await app.inject(`/v1/posts/${post.id}`)).json().data.seo.title, 'First', 'the stored full document carries the SEO fields')
  const queued = () => app.core.db.$client.prepare('SELECT count(*) AS n FROM post_queue WHERE post_id = ?').get(post.id) as { n: number }
  // Outside the posts row (as a repair or a future writer might): the post_seo triggers.
  for (const [label, statement] of [
    ['update', "UPDATE post_seo SET meta_title = 'Second' WHERE post_id = ?"],
    ['delete', 'DELETE FROM post_seo WHERE post_id = ?'],
    ['insert', "INSERT INTO post_seo (post_id, meta_title, noindex) VALUES (?, 'Third', 0)"]
  ] as const) {
    app.core.documents.posts.refresh([post.id])
    t.equal(queued().n, 0)
    app.core.db.$client.prepare(statement).run(post.id)
    t.equal(app.core.repos.postDocuments.cardsOf([post.id], fingerprint).size, 0, `${label}: the documents were dropped`)
    t.equal(queued().n, 1, `${label}: and the post queued`)
  }
  t.equal((await app.inject(`/v1/posts/${post.id}`)).json().data.seo.title, 'Third', 'read from its rows meanwhile')
  app.core.documents.posts.refresh([post.id])
  t.equal((await app.inject(`/v1/posts/${post.id}`)).json().data.seo.title, 'Third', 'and from the rebuilt document')
})

test('a rename or move above a post\'s category drops its stored documents and queues it', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  app.core.workers.readModel.stop()
  const author = (await json(app, 'POST', '/v1/authors', { name: 'Ann Author' })).id
  const world = (await json(app, 'POST', '/v1/categories', { name: 'World' })).id
  const europe = (await json(app, 'POST', '/v1/categories', { name: 'Europe', parent_id: world })).id
  const france = (await json(app, 'POST', '/v1/categories', { name: 'France', parent_id: europe })).id
  const sport = (await json(app, 'POST', '/v1/categories', { name: 'Sport' })).id
  const post = await json(app, 'POST', '/v1/posts', { title: 'Paris', content_html: '<p>x</p>', status: 'published', author_id: author, category_ids: [france] })
  const other = await json(app, 'POST', '/v1/posts', { title: 'Match', content_html: '<p>x</p>', status: 'published', author_id: author, category_ids: [sport] })
  const fingerprint = app.core.documents.posts.fingerprint
  const stored = (id: number) => app.core.repos.postDocuments.cardsOf([id], fingerprint).get(id)
  t.same(JSON.parse(stored(post.id) ?? '{}').primary_category, {
    id: france, slug: 'france', name: 'France', parent_id: europe, path: [{ id: world, slug: 'world', name: 'World' }, { id: europe, slug: 'europe', name: 'Europe' }]
  }, 'the stored card carries the primary category with its path')
  const queued = () => (app.core.db.$client.prepare('SELECT post_id AS id FROM post_queue ORDER BY post_id').all() as Array<{ id: number }>).map((r) => r.id)
  // Outside the write services (as a repair or an import might): the categories trigger alone.
  for (const [label, statement, id] of [
    ['a rename two levels up', "UPDATE categories SET name = 'Earth' WHERE id = ?", world],
    ['a new slug one level up', "UPDATE categories SET slug = 'eu' WHERE id = ?", europe],
    ['a move one level up', 'UPDATE categories SET parent_id = ? WHERE id = ?', europe]
  ] as const) {
    app.core.documents.posts.refresh([post.id, other.id])
    t.same(queued(), [])
    const args = label.startsWith('a move') ? [sport, id] : [id]
    app.core.db.$client.prepare(statement).run(...args)
    t.equal(stored(post.id), undefined, `${label}: the documents of the post below were dropped`)
    t.same(queued(), [post.id], `${label}: and it alone was queued`)
  }
  const path = (await app.inject(`/v1/posts/${post.id}`)).json().data.categories[0].path
  t.same(path, [{ id: sport, slug: 'sport', name: 'Sport' }, { id: europe, slug: 'eu', name: 'Europe' }], 'read from its rows meanwhile')
  app.core.documents.posts.refresh([post.id])
  t.same(JSON.parse(stored(post.id) ?? '{}').categories[0].path, path, 'and rebuilt with the new path')
})

test('a scheduled post goes live with no write, from its stored document', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  const author = (await json(app, 'POST', '/v1/authors', { name: 'Ann Author' })).id
  const at = Date.now() + 1500
  const post = await json(app, 'POST', '/v1/posts', { title: 'Soon', content_html: '<p>Soon.</p>', status: 'scheduled', published_at: new Date(at).toISOString(), author_id: author })
  t.equal((await app.inject(`/v1/posts/${post.id}`)).statusCode, 404, 'not live yet')
  await until(at)
  await eventually('the go-live', async () => (await app.inject(`/v1/posts/${post.id}`)).statusCode === 200)
  const stored = app.core.repos.postDocuments.cardsOf([post.id], app.core.documents.posts.fingerprint)
  t.equal(stored.size, 1, 'its document was stored when it was written')
  await compare(t, app, 'after go-live')
  t.equal((await app.inject(`/v1/posts/${post.id}`)).json().data.status, 'published')
})

test('documents built with another SITE_URL are never served; the background fill rebuilds them', async (t) => {
  const { mkdtempSync, rmSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'read-model-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'db.sqlite')
  const first = await buildTestApp(t, { DATABASE_PATH: file, RESPONSE_CACHE: 'false' })
  const author = (await json(first, 'POST', '/v1/authors', { name: 'Ann Author' })).id
  const cat = (await json(first, 'POST', '/v1/categories', { name: 'World' })).id
  const post = await json(first, 'POST', '/v1/posts', { title: 'Here', content_html: '<p>x</p>', status: 'published', author_id: author, category_ids: [cat] })
  t.equal((await first.inject(`/v1/posts/${post.id}`)).json().data.url, `${TEST_SITE_URL}/world/here`)

  const other = 'https://other.example.org'
  const second = await buildTestApp(t, { DATABASE_PATH: file, RESPONSE_CACHE: 'false', SITE_URL: other })
  second.core.workers.readModel.stop()
  // Whatever the second process's fill did already, the first one (old SITE_URL) now stores
  // its documents again: the file holds documents of the other fingerprint only.
  first.core.workers.readModel.stop()
  t.ok(first.core.workers.readModel.rebuild() >= 1)
  t.equal(second.core.repos.postDocuments.cardsOf([post.id], second.core.documents.posts.fingerprint).size, 0, 'no current document for the second process')
  const page = (await second.inject('/v1/posts')).json()
  t.equal(page.data[0].url, `${other}/world/here`, 'the list shows the new SITE_URL')
  t.equal((await second.inject(`/v1/posts/${post.id}`)).json().data.canonical_url, `${other}/world/here`, 'so does the post')
  t.equal(first.core.repos.postDocuments.cardsOf([post.id], first.core.documents.posts.fingerprint).size, 1, 'the stale document is there, unserved')

  // The start-up fill (here run to the end at once) rebuilds what has another fingerprint.
  second.core.documents.posts.refill()
  t.ok(second.core.workers.readModel.drain() >= 1, 'the fill builds the stale document')
  t.equal(second.core.repos.postDocuments.cardsOf([post.id], second.core.documents.posts.fingerprint).size, 1)
  t.equal((await second.inject(`/v1/posts/${post.id}`)).json().data.url, `${other}/world/here`)
})
