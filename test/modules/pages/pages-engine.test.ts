import t from 'tap'
import { asc } from 'drizzle-orm'
import { invalidations } from '../../../src/db/schema.js'
import { adminAuth, buildTestApp } from '../../helper.js'
import { pagesCases } from '../../helpers/pages-cases.js'
import { sqliteHarness } from '../../helpers/engine-harness.js'

// Pages' engine-neutral repository and service on SQLite; the same cases run on PostgreSQL in
// test/db/pg-pages.test.ts.

t.test('pages repository and service on SQLite', async (t) => {
  const h = sqliteHarness(t)
  await pagesCases(t, { ...h, recordedKeys: async () => h.db.select({ keys: invalidations.keys }).from(invalidations).orderBy(asc(invalidations.id)).all().map((r) => r.keys) })
})

t.test('over HTTP: NUL is a 400 on writes and a 404 on reads, never a 500; If-Match and the acting key hold across the async write', async (t) => {
  const app = await buildTestApp(t)
  const json = { ...adminAuth, 'content-type': 'application/json' }
  const nul = await app.inject({ method: 'POST', url: '/v1/pages', headers: json, payload: JSON.stringify({ title: 'a\u0000b' }) })
  t.equal(nul.statusCode, 400, 'a create holding NUL')
  t.match(nul.headers['content-type'], /^application\/problem\+json/)
  const made = await app.inject({ method: 'POST', url: '/v1/pages', headers: json, payload: JSON.stringify({ title: 'About', status: 'published' }) })
  t.equal(made.statusCode, 201, made.body)
  const { id } = made.json().data
  const etag = made.headers.etag as string
  const patch = await app.inject({ method: 'PATCH', url: `/v1/pages/${id}`, headers: json, payload: JSON.stringify({ excerpt: 'x\u0000' }) })
  t.equal(patch.statusCode, 400, 'a PATCH holding NUL')
  for (const url of ['/v1/pages/about%00', '/v1/pages?path=about%00', '/v1/pages?parent=about%00']) {
    const res = await app.inject({ url, headers: adminAuth })
    t.equal(res.statusCode, 404, url)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
  }

  const stale = await app.inject({ method: 'PATCH', url: `/v1/pages/${id}`, headers: { ...json, 'if-match': '"g1.0.0"' }, payload: JSON.stringify({ title: 'Stale' }) })
  t.equal(stale.statusCode, 412, 'a stale If-Match: nothing written')
  t.equal((await app.inject({ url: `/v1/pages/${id}`, headers: adminAuth })).json().data.title, 'About')
  const fresh = await app.inject({ method: 'PATCH', url: `/v1/pages/${id}`, headers: { ...json, 'if-match': etag }, payload: JSON.stringify({ title: 'About us' }) })
  t.equal(fresh.statusCode, 200, fresh.body)
  t.not(fresh.headers.etag, etag, 'a new ETag')
  const revisions = (await app.inject({ url: `/v1/pages/${id}/revisions`, headers: adminAuth })).json().data
  t.same(revisions.map((r: { number: number }) => r.number), [2, 1])
  t.ok(revisions.every((r: { key: unknown }) => r.key !== null), 'each revision names the key that made it (kept across the async write)')
  const gone = await app.inject({ method: 'DELETE', url: `/v1/pages/${id}`, headers: { ...adminAuth, 'if-match': etag } })
  t.equal(gone.statusCode, 412, 'a delete with the old ETag')
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/pages/${id}`, headers: { ...adminAuth, 'if-match': fresh.headers.etag as string } })).statusCode, 204)
})
