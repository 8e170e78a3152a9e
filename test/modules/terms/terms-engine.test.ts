import t from 'tap'
import { asc, eq } from 'drizzle-orm'
import { postCategories } from '../../../src/db/schema.js'
import { adminAuth, buildTestApp } from '../../helper.js'
import { makePost } from '../../helpers/factories.js'
import { termsCases } from '../../helpers/terms-cases.js'
import { sqliteHarness } from '../../helpers/engine-harness.js'

// The taxonomy's engine-neutral repository and service on SQLite; the same cases run on
// PostgreSQL in test/db/pg-terms.test.ts.

t.test('terms repository and service on SQLite', async (t) => {
  const h = sqliteHarness(t)
  const { db } = h
  await termsCases(t, {
    ...h,
    post: async ({ authorId, status = 'published', categoryIds, tagIds }) => makePost(db, { authorId, status, categoryIds, tagIds, ...(status === 'published' ? {} : { publishedAt: null }) }).id,
    categoriesOf: async (postId) => db.select({ id: postCategories.categoryId }).from(postCategories).where(eq(postCategories.postId, postId)).orderBy(asc(postCategories.position)).all().map((r) => r.id)
  })
})

t.test('over HTTP: NUL in a slug is a 400 on writes and a 404 on reads, never a 500', async (t) => {
  const app = await buildTestApp(t)
  const headers = { ...adminAuth, 'content-type': 'application/json' }
  for (const base of ['/v1/categories', '/v1/tags', '/v1/authors']) {
    const read = await app.inject(`${base}/a%00b`)
    t.equal(read.statusCode, 404, `${base}: read`)
    t.match(read.headers['content-type'], /^application\/problem\+json/)
    t.equal((await app.inject({ method: 'POST', url: base, headers, payload: JSON.stringify({ name: 'X', slug: 'a\u0000b' }) })).statusCode, 400, `${base}: create`)
  }
  t.equal((await app.inject({ method: 'POST', url: '/v1/categories', headers, payload: JSON.stringify({ name: 'X', parent_id: 'a\u0000b' }) })).statusCode, 400, 'a parent named with NUL')
  t.equal((await app.inject({ method: 'POST', url: '/v1/tags', headers, payload: JSON.stringify({ name: 'a\u0000b' }) })).statusCode, 400, 'a name with NUL (PostgreSQL text cannot hold it)')
  t.equal((await app.inject('/v1/categories?parent=a%00b')).statusCode, 404, 'a list under a parent named with NUL')
})
