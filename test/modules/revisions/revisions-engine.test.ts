import t from 'tap'
import { adminAuth, buildTestApp } from '../../helper.js'
import { revisionsCases } from '../../helpers/revisions-cases.js'
import { sqliteHarness } from '../../helpers/engine-harness.js'

// Revisions' engine-neutral repository on SQLite; the same cases run on PostgreSQL in
// test/db/pg-revisions.test.ts.

t.test('revisions repository on SQLite', async (t) => {
  await revisionsCases(t, sqliteHarness(t))
})

t.test('over HTTP: NUL and ids past the int range are 4xx problems, never a 500; a page restore with If-Match', async (t) => {
  const app = await buildTestApp(t)
  const json = { ...adminAuth, 'content-type': 'application/json' }
  const made = await app.inject({ method: 'POST', url: '/v1/pages', headers: json, payload: JSON.stringify({ title: 'About', status: 'published' }) })
  t.equal(made.statusCode, 201, made.body)
  const { id } = made.json().data
  for (const [url, status] of [
    ['/v1/pages/about%00/revisions', 404],
    ['/v1/pages/about%00/revisions/1', 404],
    [`/v1/pages/${id}/revisions/1%00`, 400],
    [`/v1/pages/${2 ** 40}/revisions`, 404],
    [`/v1/pages/${id}/revisions/${2 ** 40}`, 404],
    ['/v1/posts/x%00/revisions', 404]
  ] as const) {
    const res = await app.inject({ url, headers: adminAuth })
    t.equal(res.statusCode, status, url)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
  }
  const etag = made.headers.etag as string
  const patched = await app.inject({ method: 'PATCH', url: `/v1/pages/${id}`, headers: { ...json, 'if-match': etag }, payload: JSON.stringify({ title: 'About us' }) })
  t.equal(patched.statusCode, 200, patched.body)
  const stale = await app.inject({ method: 'POST', url: `/v1/pages/${id}/revisions/1/restore`, headers: { ...adminAuth, 'if-match': etag } })
  t.equal(stale.statusCode, 409, 'a stale If-Match on a restore')
  const restored = await app.inject({ method: 'POST', url: `/v1/pages/${id}/revisions/1/restore`, headers: { ...adminAuth, 'if-match': patched.headers.etag as string } })
  t.equal(restored.statusCode, 201, restored.body)
  t.match(restored.json().data, { number: 3, restored_from: 1 })
  t.equal((await app.inject({ url: `/v1/pages/${id}`, headers: adminAuth })).json().data.title, 'About')
  const list = (await app.inject({ url: `/v1/pages/${id}/revisions`, headers: adminAuth })).json().data
  t.same(list.map((r: { number: number }) => r.number), [3, 2, 1])
})
