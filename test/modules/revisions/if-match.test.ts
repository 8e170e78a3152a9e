import t from 'tap'
import { adminAuth, buildTestApp, keyAuth } from '../../helper.js'
import { makeAuthor } from '../../helpers/factories.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
type Headers = Record<string, string>

async function newPost (app: App, body: object = {}) {
  const author = makeAuthor(app.db)
  const res = await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: 'Original', author_id: author.id, ...body } })
  return { id: res.json().data.id as number, etag: res.headers.etag as string }
}
const patch = (app: App, url: string, payload: object, headers: Headers = {}) =>
  app.inject({ method: 'PATCH', url, headers: { ...adminAuth, ...headers }, payload })
const titleOf = async (app: App, id: number) => (await app.inject({ url: `/v1/posts/${id}`, headers: adminAuth })).json().data.title
const revisionCount = (app: App, id: number) => app.db.$client.prepare('SELECT count(*) FROM revisions WHERE post_id = ?').pluck().get(id)

t.test('If-Match: the ETag a read with a key or a write answers lets the next edit through, and moves', async (t) => {
  const app = await buildTestApp(t)
  const post = await newPost(app)
  t.match(post.etag, /^"p\d+\.1\.[0-9a-z]+"$/, 'a create answers the ETag')
  const read = await app.inject({ url: `/v1/posts/${post.id}`, headers: adminAuth })
  t.equal(read.headers.etag, post.etag, 'a read with a key gives the same ETag')
  t.equal(read.headers['cache-control'], 'private, no-store')
  const writer = keyAuth(app, 'write:content')
  t.equal((await app.inject({ url: `/v1/posts/${post.id}`, headers: writer })).statusCode, 404, 'a draft stays hidden from a key without read:drafts')

  const ok = await patch(app, `/v1/posts/${post.id}`, { title: 'Edited' }, { 'if-match': post.etag })
  t.equal(ok.statusCode, 200)
  t.not(ok.headers.etag, post.etag, 'the write answers the new ETag')
  t.match(ok.headers.etag, /^"p\d+\.2\./)
  // A millisecond later at least, so updated_at moves whatever the clock's pace here.
  await new Promise((resolve) => setTimeout(resolve, 2))
  const next = await patch(app, `/v1/posts/${post.id}`, { comment_status: 'closed' }, { 'if-match': ok.headers.etag as string })
  t.equal(next.statusCode, 200, 'the answered ETag is current')
  t.not(next.headers.etag, ok.headers.etag, 'a write of no editorial field moves the ETag too (updated_at)')
})

t.test('If-Match: a stale ETag is a 412 problem naming the current one, and nothing is written', async (t) => {
  const app = await buildTestApp(t)
  const post = await newPost(app)
  const current = (await patch(app, `/v1/posts/${post.id}`, { title: 'Theirs' })).headers.etag as string
  const before = revisionCount(app, post.id)
  const res = await patch(app, `/v1/posts/${post.id}`, { title: 'Mine' }, { 'if-match': post.etag })
  t.equal(res.statusCode, 412)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.equal(res.headers.etag, current, 'the ETag header is the current one')
  t.match(res.json(), {
    type: 'https://broadsheet.dev/problems/precondition-failed',
    title: 'Precondition Failed',
    status: 412,
    code: 'PRECONDITION_FAILED',
    current_etag: current,
    detail: new RegExp(`If-Match ${post.etag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not match the current ETag`)
  })
  t.equal(await titleOf(app, post.id), 'Theirs', 'the post is as it was')
  t.equal(revisionCount(app, post.id), before, 'no revision')
  t.equal((await patch(app, `/v1/posts/${post.id}`, { title: 'Last write wins' })).statusCode, 200, 'without If-Match the write goes ahead, as before')
  t.equal(await titleOf(app, post.id), 'Last write wins')
})

t.test('If-Match: *, lists, weak tags, malformed headers and the public ETag', async (t) => {
  const app = await buildTestApp(t)
  const post = await newPost(app, { status: 'published' })
  const url = `/v1/posts/${post.id}`
  const stale = post.etag
  const current = (await patch(app, url, { title: 'Second' })).headers.etag as string

  t.equal((await app.inject(url)).json().data.title, 'Second', 'a public read, now cached')
  const logged = (await app.inject('/v1/changes')).json().data.length
  t.equal((await patch(app, url, { title: 'Star' }, { 'if-match': '*' })).statusCode, 200, '* matches any current version')
  t.equal((await app.inject(url)).json().data.title, 'Star', 'a conditional write invalidates the cache as any write')
  t.ok((await app.inject('/v1/changes')).json().data.length > logged, 'and is in the change log')
  const now = (await app.inject({ url, headers: adminAuth })).headers.etag as string
  t.not(now, current)
  t.equal((await patch(app, url, { title: 'Listed' }, { 'if-match': `${stale}, "other", ${now}` })).statusCode, 200, 'a list matches when any tag is current')
  const latest = (await app.inject({ url, headers: adminAuth })).headers.etag as string
  t.equal((await patch(app, url, { title: 'x' }, { 'if-match': `${stale}, "other"` })).statusCode, 412, 'a list of stale tags does not')

  const weak = await patch(app, url, { title: 'Weak' }, { 'if-match': `W/${latest}` })
  t.equal(weak.statusCode, 412, 'a weak tag never matches (strong comparison, RFC 9110 §13.1.1)')
  t.match(weak.json().detail, /weak tag/)
  t.equal((await patch(app, url, { title: 'Mixed' }, { 'if-match': `W/"zzz", ${latest}` })).statusCode, 200, 'a strong tag beside a weak one does')

  const bad = await patch(app, url, { title: 'Bad' }, { 'if-match': 'no-quotes' })
  t.equal(bad.statusCode, 400, 'a malformed If-Match is a validation error')
  t.match(bad.json().errors, [{ in: 'headers', path: 'if-match' }])

  const publicRead = await app.inject(url)
  t.ok(publicRead.headers.etag, 'a public read has an ETag of its bytes')
  const refused = await patch(app, url, { title: 'From the public copy' }, { 'if-match': publicRead.headers.etag as string })
  t.equal(refused.statusCode, 412, 'which is not the post\'s version: the 412 names the one to send')
  t.equal((await patch(app, url, { title: 'Now' }, { 'if-match': refused.json().current_etag })).statusCode, 200)
})

t.test('If-Match: checked after auth, scope, the lookup and validation, before the rules', async (t) => {
  const app = await buildTestApp(t)
  const post = await newPost(app)
  const url = `/v1/posts/${post.id}`
  await patch(app, url, { title: 'Moved on' })
  const stale = { 'if-match': post.etag }
  t.equal((await app.inject({ method: 'PATCH', url, headers: stale, payload: { title: 'x' } })).statusCode, 401)
  t.equal((await app.inject({ method: 'PATCH', url, headers: { ...keyAuth(app, 'read:drafts'), ...stale }, payload: { title: 'x' } })).statusCode, 403)
  t.equal((await patch(app, '/v1/posts/9999', { title: 'x' }, stale)).statusCode, 404)
  t.equal((await patch(app, url, { title: 42 }, stale)).statusCode, 400)
  t.equal((await patch(app, url, { author_id: 'nobody-at-all' }, stale)).statusCode, 412, 'the precondition comes before the rules of the write')
  const current = (await app.inject({ url, headers: adminAuth })).headers.etag as string
  t.equal((await patch(app, url, { author_id: 'nobody-at-all' }, { 'if-match': current })).statusCode, 422)
})

t.test('If-Match: an approved comment does not make an editor\'s copy stale', async (t) => {
  const app = await buildTestApp(t)
  const post = await newPost(app, { status: 'published' })
  const before = (await app.inject({ url: `/v1/posts/${post.id}`, headers: adminAuth })).headers.etag as string
  const comment = await app.inject({ method: 'POST', url: `/v1/posts/${post.id}/comments`, payload: { author_name: 'Sam', author_email: 'sam@example.com', content: 'Hello' } })
  t.equal(comment.statusCode, 201)
  const approved = await app.inject({ method: 'PATCH', url: `/v1/comments/${comment.json().data.id}`, headers: adminAuth, payload: { status: 'approved' } })
  t.equal(approved.statusCode, 200)
  const read = (await app.inject({ url: `/v1/posts/${post.id}`, headers: adminAuth }))
  t.equal(read.json().data.comment_count, 1)
  t.equal(read.headers.etag, before, 'counts kept by other resources do not move the ETag')
  t.equal((await patch(app, `/v1/posts/${post.id}`, { title: 'Fixed typo' }, { 'if-match': before })).statusCode, 200)
})

t.test('If-Match on pages: edits 412, the same rules', async (t) => {
  const app = await buildTestApp(t)
  const created = await app.inject({ method: 'POST', url: '/v1/pages', headers: adminAuth, payload: { title: 'About', status: 'published' } })
  const id = created.json().data.id as number
  const first = created.headers.etag as string
  t.match(first, /^"g\d+\.1\.[0-9a-z]+"$/)
  t.equal((await app.inject({ url: `/v1/pages/${id}`, headers: adminAuth })).headers.etag, first)
  const ok = await app.inject({ method: 'PATCH', url: `/v1/pages/${id}`, headers: { ...adminAuth, 'if-match': first }, payload: { title: 'About us' } })
  t.equal(ok.statusCode, 200)
  const stale = await app.inject({ method: 'PATCH', url: `/v1/pages/${id}`, headers: { ...adminAuth, 'if-match': first }, payload: { title: 'Lost' } })
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().current_etag, ok.headers.etag)
  t.equal((await app.inject({ url: `/v1/pages/${id}`, headers: adminAuth })).json().data.title, 'About us')
})

t.test('If-Match on DELETE: a stale ETag is a 412 and nothing is deleted; the current one deletes (posts and pages)', async (t) => {
  const app = await buildTestApp(t)
  const post = await newPost(app)
  const current = (await patch(app, `/v1/posts/${post.id}`, { title: 'Changed by someone else' })).headers.etag as string
  const stale = await app.inject({ method: 'DELETE', url: `/v1/posts/${post.id}`, headers: { ...adminAuth, 'if-match': post.etag } })
  t.equal(stale.statusCode, 412)
  t.match(stale.headers['content-type'], /^application\/problem\+json/)
  t.equal(stale.json().current_etag, current)
  t.equal(await titleOf(app, post.id), 'Changed by someone else', 'the post is still there')
  const gone = await app.inject({ method: 'DELETE', url: `/v1/posts/${post.id}`, headers: { ...adminAuth, 'if-match': current } })
  t.equal(gone.statusCode, 204)
  t.equal((await app.inject({ url: `/v1/posts/${post.id}`, headers: adminAuth })).statusCode, 404)
  const missing = await app.inject({ method: 'DELETE', url: `/v1/posts/${post.id}`, headers: { ...adminAuth, 'if-match': '*' } })
  t.equal(missing.statusCode, 404, 'If-Match: * on a post that is not there: 404')

  const created = await app.inject({ method: 'POST', url: '/v1/pages', headers: adminAuth, payload: { title: 'About', status: 'published' } })
  const id = created.json().data.id as number
  const edited = await app.inject({ method: 'PATCH', url: `/v1/pages/${id}`, headers: adminAuth, payload: { title: 'About us' } })
  const pageStale = await app.inject({ method: 'DELETE', url: `/v1/pages/${id}`, headers: { ...adminAuth, 'if-match': created.headers.etag as string } })
  t.equal(pageStale.statusCode, 412)
  t.equal(pageStale.json().current_etag, edited.headers.etag)
  t.equal((await app.inject({ url: `/v1/pages/${id}`, headers: adminAuth })).statusCode, 200, 'the page is still there')
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/pages/${id}`, headers: { ...adminAuth, 'if-match': edited.headers.etag as string } })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/pages/${id}`, headers: adminAuth })).statusCode, 404)
})

t.test('restore: a stale If-Match is a 409 (the issue\'s contract), a current one restores', async (t) => {
  const app = await buildTestApp(t)
  const post = await newPost(app)
  const second = (await patch(app, `/v1/posts/${post.id}`, { title: 'Second' })).headers.etag as string
  const url = `/v1/posts/${post.id}/revisions/1/restore`
  const conflict = await app.inject({ method: 'POST', url, headers: { ...adminAuth, 'if-match': post.etag } })
  t.equal(conflict.statusCode, 409)
  t.match(conflict.json(), { code: 'EDIT_CONFLICT', current_etag: second, status: 409 })
  t.equal(conflict.headers.etag, second)
  t.equal(await titleOf(app, post.id), 'Second', 'nothing restored')
  t.equal(revisionCount(app, post.id), 2)
  const done = await app.inject({ method: 'POST', url, headers: { ...adminAuth, 'if-match': second } })
  t.equal(done.statusCode, 201)
  t.equal(await titleOf(app, post.id), 'Original')
  const page = (await app.inject({ method: 'POST', url: '/v1/pages', headers: adminAuth, payload: { title: 'About' } }))
  const pageId = page.json().data.id as number
  await app.inject({ method: 'PATCH', url: `/v1/pages/${pageId}`, headers: adminAuth, payload: { title: 'Team' } })
  const pageConflict = await app.inject({ method: 'POST', url: `/v1/pages/${pageId}/revisions/1/restore`, headers: { ...adminAuth, 'if-match': page.headers.etag as string } })
  t.equal(pageConflict.statusCode, 409)
})
