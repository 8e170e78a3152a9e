import t from 'tap'
import { asc, eq, or, sql } from 'drizzle-orm'
import { postPreviews, posts } from '../../../src/db/schema.js'
import { adminAuth, buildTestApp } from '../../helper.js'
import { makePost } from '../../helpers/factories.js'
import { previewsCases } from '../../helpers/previews-cases.js'
import { sqliteHarness } from '../../helpers/engine-harness.js'

// Preview links' engine-neutral repository and service on SQLite; the same cases run on
// PostgreSQL in test/db/pg-previews.test.ts.

t.test('previews repository and service on SQLite', async (t) => {
  const h = sqliteHarness(t)
  const { db } = h
  const columns = { id: posts.id, slug: posts.slug, status: posts.status }
  await previewsCases(t, {
    ...h,
    post: async (published = false) => {
      const row = makePost(db, published ? { status: 'published', publishedAt: Date.now() - 86_400_000 } : { status: 'draft', publishedAt: null })
      return { id: row.id, slug: row.slug, status: row.status }
    },
    findPost: async (ref) => db.select(columns).from(posts)
      .where(or(ref.id === undefined ? undefined : eq(posts.id, ref.id), ref.slug === undefined ? undefined : eq(posts.slug, ref.slug)) ?? sql`0`).get(),
    deletePost: async (id) => { db.delete(posts).where(eq(posts.id, id)).run() },
    rows: async () => db.select({ postId: postPreviews.postId, tokenHash: postPreviews.tokenHash, createdAt: postPreviews.createdAt, expiresAt: postPreviews.expiresAt })
      .from(postPreviews).orderBy(asc(postPreviews.id)).all()
  })
})

t.test('over HTTP: NUL and ids past the integer range are a 404 (or a 400), never a 500', async (t) => {
  const app = await buildTestApp(t)
  const post = makePost(app.db, { status: 'draft', publishedAt: null })
  const made = await app.inject({ method: 'POST', url: `/v1/posts/${post.id}/previews`, headers: adminAuth, payload: { expires_in: 600 } })
  t.equal(made.statusCode, 201)
  const { token } = made.json().data as { token: string }
  t.equal((await app.inject(`/v1/previews/${token}`)).statusCode, 200)
  const urls: Array<[string, string]> = [
    ['GET', `/v1/previews/${token}%00`],
    ['GET', `/v1/previews/${token}%00/related`],
    ['GET', `/v1/previews/${token}%00/comments`],
    ['GET', '/v1/previews/%00'],
    ['POST', `/v1/posts/${post.slug}%00/previews`],
    ['DELETE', `/v1/posts/${post.slug}%00/previews`],
    ['POST', '/v1/posts/2147483648/previews'],
    ['DELETE', '/v1/posts/2147483648/previews'],
    ['POST', '/v1/posts/9007199254740993/previews'],
    ['DELETE', '/v1/posts/9007199254740993/previews']
  ]
  for (const [method, url] of urls) {
    const res = await app.inject({ method: method as 'GET', url, headers: method === 'GET' ? {} : adminAuth, ...(method === 'POST' ? { payload: {} } : {}) })
    t.ok(res.statusCode === 400 || res.statusCode === 404, `${method} ${url}: ${res.statusCode}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.equal(res.headers['cache-control'], 'private, no-store')
  }
  t.equal((await app.inject(`/v1/previews/${token}`)).statusCode, 200, 'the good link still works')
  t.equal((app.db.$client.prepare('SELECT count(*) AS n FROM post_previews').get() as { n: number }).n, 1, 'nothing else stored')
})
