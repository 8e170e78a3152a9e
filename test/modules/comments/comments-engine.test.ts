import t from 'tap'
import { eq } from 'drizzle-orm'
import { posts } from '../../../src/db/schema.js'
import { adminAuth, buildTestApp } from '../../helper.js'
import { makePost } from '../../helpers/factories.js'
import { commentsCases } from '../../helpers/comments-cases.js'
import { sqliteHarness } from '../../helpers/engine-harness.js'

// Comments' engine-neutral repository and service on SQLite; the same cases run on PostgreSQL
// in test/db/pg-comments.test.ts.

t.test('comments repository and service on SQLite', async (t) => {
  const h = sqliteHarness(t)
  const { db } = h
  await commentsCases(t, {
    ...h,
    post: async (live) => makePost(db, live ? { status: 'published', publishedAt: Date.now() - 86_400_000 } : { status: 'draft', publishedAt: null }).id,
    commentCount: async (postId) => db.select({ n: posts.commentCount }).from(posts).where(eq(posts.id, postId)).get()!.n
  })
})

t.test('over HTTP: NUL in a comment is a 400 on writes, never a 500 on reads; a post not live is a 404', async (t) => {
  const app = await buildTestApp(t, { COMMENT_RATE_LIMIT: '2' })
  const post = makePost(app.db, { status: 'published', publishedAt: Date.now() - 86_400_000 })
  const draft = makePost(app.db, { status: 'draft', publishedAt: null })
  const body = { author_name: 'Ann', author_email: 'ann@example.com', content: 'Hello' }
  const bad = await app.inject({ method: 'POST', url: `/v1/posts/${post.id}/comments`, payload: { ...body, content: 'a\u0000b' } })
  t.equal(bad.statusCode, 400, 'a submission holding NUL')
  t.match(bad.headers['content-type'], /^application\/problem\+json/)
  const made = await app.inject({ method: 'POST', url: `/v1/posts/${post.id}/comments`, payload: body })
  t.equal(made.statusCode, 201, made.body)
  const { id } = made.json().data
  const patch = await app.inject({ method: 'PATCH', url: `/v1/comments/${id}`, headers: adminAuth, payload: { content: 'x\u0000' } })
  t.equal(patch.statusCode, 400, 'a PATCH holding NUL')
  t.equal((await app.inject({ url: `/v1/comments/${id}`, headers: adminAuth })).json().data.content, 'Hello', 'unchanged')
  for (const url of [`/v1/comments/${id}%00`, `/v1/posts/${post.slug}%00/comments`, `/v1/comments?post=${post.slug}%00`, '/v1/comments/9007199254740991']) {
    const res = await app.inject({ url, headers: adminAuth })
    t.ok(res.statusCode === 400 || res.statusCode === 404, `${url}: ${res.statusCode}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
  }
  t.equal((await app.inject({ method: 'POST', url: `/v1/posts/${draft.id}/comments`, payload: { ...body, content: 'On a draft' } })).statusCode, 404, 'a draft takes no comments')
  t.equal((await app.inject({ url: `/v1/posts/${draft.id}/comments` })).statusCode, 404)

  // The per-client limit counts stored submissions only (2 a minute here: one is stored above).
  const second = await app.inject({ method: 'POST', url: `/v1/posts/${post.id}/comments`, payload: { ...body, content: 'Second' } })
  t.equal(second.statusCode, 201)
  t.equal(second.headers['ratelimit-remaining'], '0')
  const third = await app.inject({ method: 'POST', url: `/v1/posts/${post.id}/comments`, payload: { ...body, content: 'Third' } })
  t.equal(third.statusCode, 429)
  t.ok(Number(third.headers['retry-after']) > 0)
})
