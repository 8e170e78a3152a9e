import t from 'tap'
import { buildTestApp, adminAuth } from '../../helper.js'
import { makePost, makeComment } from '../../helpers/factories.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
const reader = { author_name: 'Sam Reader', author_email: 'Sam@Example.com', content: 'Thanks for this.\n\nVery clear.' }

function submit (app: App, ref: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: `/v1/posts/${ref}/comments`, payload: body, headers })
}

async function setup (t: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}) {
  const app = await buildTestApp(t, { COMMENT_RATE_LIMIT: '100', ...env })
  const post = makePost(app.db, { slug: 'story' })
  const mod = { authorization: `Bearer ${app.core.repos.keys.createSync('mod', ['moderate:comments']).key}` }
  return { app, post, mod }
}

t.test('a JSON submission is stored as pending with formatted, safe HTML and no public e-mail', async (t) => {
  const { app, post, mod } = await setup(t)
  const res = await submit(app, 'story', { ...reader, content: 'Hi <script>alert(1)</script>\n\nsee https://example.org/x.' })
  t.equal(res.statusCode, 201)
  const c = res.json().data
  t.equal(c.status, 'pending')
  t.equal(c.post_id, post.id)
  t.equal(c.depth, 0)
  t.notMatch(res.body, /sam@example\.com/i)
  t.notMatch(c.content_html, /<script/)
  t.match(c.content_html, /&lt;script&gt;/)
  t.match(c.content_html, /<a href="https:\/\/example\.org\/x" rel="nofollow ugc">/)
  t.match(c.content_html, /<\/p>\s*<p>/)
  t.equal((await app.inject('/v1/posts/story/comments')).json().meta.total, 0, 'pending comments are not public')
  t.equal((await app.inject('/v1/posts/story')).json().data.comment_count, 0)
  const queue = await app.inject({ url: '/v1/comments', headers: mod })
  t.equal(queue.statusCode, 200)
  t.equal(queue.json().data[0].author_email, 'Sam@Example.com', 'moderators see the e-mail, as typed')
  const stored = app.db.$client.prepare('SELECT * FROM comments WHERE id = ?').get(c.id) as Record<string, string>
  t.match(stored.client_hash, /^[0-9a-f]{64}$/, 'the client address is stored only as a keyed hash')
  t.notMatch(JSON.stringify(stored), /127\.0\.0\.1/)
})

t.test('an HTML form post works, and a browser is sent back to the post page', async (t) => {
  const { app } = await setup(t)
  const form = 'author_name=Form+User&author_email=form%40example.com&author_url=&parent_id=&content=Hello+from+a+form'
  const json = await app.inject({ method: 'POST', url: '/v1/posts/story/comments', payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  t.equal(json.statusCode, 201)
  t.equal(json.json().data.author_url, null)
  const browser = await app.inject({
    method: 'POST',
    url: '/v1/posts/story/comments',
    payload: form.replace('Hello', 'Again'),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml' }
  })
  t.equal(browser.statusCode, 303)
  t.match(browser.headers.location, /^https:\/\/news\.example\.com\/story\?comment=pending#comment-\d+$/)
  const bad = await app.inject({ method: 'POST', url: '/v1/posts/story/comments', payload: 'author_name=&content=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  t.equal(bad.statusCode, 400)
  const paths = bad.json().errors.map((e: { path: string }) => e.path)
  t.ok(paths.includes('author_name') && paths.includes('author_email'), 'names the fields to fix')
})

t.test('moderation flow end to end: approve, count, thread, spam, trash, delete keeps replies', async (t) => {
  const { app, mod } = await setup(t)
  const first = (await submit(app, 'story', reader)).json().data
  const approve = await app.inject({ method: 'PATCH', url: `/v1/comments/${first.id}`, payload: { status: 'approved' }, headers: mod })
  t.equal(approve.statusCode, 200)
  t.equal(approve.json().data.status, 'approved')
  t.equal((await app.inject('/v1/posts/story')).json().data.comment_count, 1)
  const reply = (await submit(app, 'story', { ...reader, author_email: 'b@example.com', content: 'A reply', parent_id: first.id })).json().data
  t.equal(reply.depth, 1)
  t.equal(reply.parent_id, first.id)
  await app.inject({ method: 'PATCH', url: `/v1/comments/${reply.id}`, payload: { status: 'approved' }, headers: mod })
  const thread = (await app.inject('/v1/posts/story/comments')).json()
  t.same(thread.data.map((c: { id: number, depth: number }) => [c.id, c.depth]), [[first.id, 0], [reply.id, 1]])
  t.equal((await app.inject('/v1/posts/story')).json().data.comment_count, 2)
  const del = await app.inject({ method: 'DELETE', url: `/v1/comments/${first.id}`, headers: mod })
  t.equal(del.statusCode, 204)
  const after = (await app.inject('/v1/posts/story/comments')).json()
  t.same(after.data.map((c: { id: number, deleted: boolean }) => [c.id, c.deleted]), [[first.id, true], [reply.id, false]], 'the reply is not lost')
  t.equal(after.data[0].author_name, '')
  t.equal((await app.inject('/v1/posts/story')).json().data.comment_count, 1)
  const edit = await app.inject({ method: 'PATCH', url: `/v1/comments/${reply.id}`, payload: { content: 'Edited by a moderator', status: 'spam' }, headers: mod })
  t.equal(edit.json().data.content_html, '<p>Edited by a moderator</p>')
  t.equal((await app.inject('/v1/posts/story')).json().data.comment_count, 0)
  t.same((await app.inject('/v1/posts/story/comments')).json().data, [], 'a tombstone without visible replies disappears')
  const spamQueue = (await app.inject({ url: '/v1/comments?status=spam', headers: mod })).json()
  t.equal(spamQueue.meta.total, 1)
  const byPost = (await app.inject({ url: '/v1/comments?status=any&post=story', headers: mod })).json()
  t.equal(byPost.meta.total, 2)
  t.equal((await app.inject({ url: '/v1/comments?post=nope', headers: mod })).statusCode, 404)
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/comments/${first.id}`, payload: { status: 'approved' }, headers: mod })).statusCode, 422)
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/comments/9999', payload: { status: 'approved' }, headers: mod })).statusCode, 404)
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/comments/${reply.id}`, payload: { status: 'deleted' }, headers: mod })).statusCode, 400)
  t.equal((await app.inject({ url: '/v1/comments' })).statusCode, 401)
  const writer = { authorization: `Bearer ${app.core.repos.keys.createSync('w', ['write:content']).key}` }
  t.equal((await app.inject({ url: '/v1/comments', headers: writer })).statusCode, 403)
  t.equal((await app.inject({ url: `/v1/comments/${reply.id}`, headers: adminAuth })).statusCode, 200)
})

t.test('moderation settings: none approves at once; first_time trusts known authors', async (t) => {
  const { app, mod } = await setup(t)
  await app.inject({ method: 'PATCH', url: '/v1/site', payload: { comments: { moderation: 'none' } }, headers: adminAuth })
  t.equal((await submit(app, 'story', reader)).json().data.status, 'approved')
  await app.inject({ method: 'PATCH', url: '/v1/site', payload: { comments: { moderation: 'first_time' } }, headers: adminAuth })
  const known = (await submit(app, 'story', { ...reader, content: 'Second thought' })).json().data
  t.equal((await app.inject({ url: `/v1/comments/${known.id}`, headers: mod })).json().data.status, 'approved', 'an author with an approved comment')
  const fresh = (await submit(app, 'story', { ...reader, author_email: 'new@example.com', content: 'First time here' })).json().data
  t.equal((await app.inject({ url: `/v1/comments/${fresh.id}`, headers: mod })).json().data.status, 'pending')
})

t.test('spam defences: honeypot, links, duplicates, depth, parent on another post, closed, not live', async (t) => {
  const { app, post, mod } = await setup(t)
  const honey = await submit(app, 'story', { ...reader, content: 'Buy cheap watches', website: 'http://spam.example' })
  t.equal(honey.statusCode, 201, 'accepted silently')
  t.equal(honey.json().data.status, 'pending')
  t.equal((await app.inject({ url: `/v1/comments/${honey.json().data.id}`, headers: mod })).json().data.status, 'spam', 'stored as spam')
  const links = await submit(app, 'story', { ...reader, content: 'https://a.example https://b.example https://c.example' })
  t.equal(links.statusCode, 422)
  t.equal(links.json().errors[0].path, 'content')
  t.equal((await submit(app, 'story', reader)).statusCode, 201)
  const dup = await submit(app, 'story', { ...reader, content: '  thanks for THIS.\n\n very clear. ' })
  t.equal(dup.statusCode, 409)
  t.equal(dup.json().code, 'DUPLICATE_COMMENT')
  await app.inject({ method: 'PATCH', url: '/v1/site', payload: { comments: { max_depth: 2 } }, headers: adminAuth })
  const root = makeComment(app.db, { postId: post.id })
  const child = makeComment(app.db, { postId: post.id, parentId: root.id })
  t.equal((await submit(app, 'story', { ...reader, content: 'ok depth', parent_id: root.id })).statusCode, 201)
  const deep = await submit(app, 'story', { ...reader, content: 'too deep', parent_id: child.id })
  t.equal(deep.statusCode, 422)
  t.equal(deep.json().errors[0].path, 'parent_id')
  const other = makePost(app.db, { slug: 'other' })
  const foreign = makeComment(app.db, { postId: other.id })
  t.equal((await submit(app, 'story', { ...reader, content: 'cross', parent_id: foreign.id })).statusCode, 422)
  t.equal((await submit(app, 'story', { ...reader, content: 'ghost', parent_id: 99999 })).statusCode, 422)
  makePost(app.db, { slug: 'closed', commentStatus: 'closed' })
  const closed = await submit(app, 'closed', reader)
  t.equal(closed.statusCode, 403)
  t.equal(closed.json().code, 'COMMENTS_CLOSED')
  makePost(app.db, { slug: 'draft', status: 'draft' })
  t.equal((await submit(app, 'draft', reader)).statusCode, 404)
  await app.inject({ method: 'PATCH', url: '/v1/site', payload: { comments: { enabled: false } }, headers: adminAuth })
  t.equal((await submit(app, 'other', { ...reader, content: 'site closed' })).statusCode, 403)
  const long = await submit(app, 'story', { ...reader, content: 'x'.repeat(5001) })
  t.equal(long.statusCode, 400)
  const badEmail = await submit(app, 'story', { ...reader, author_email: 'not-an-email' })
  t.equal(badEmail.statusCode, 400)
  t.equal(badEmail.json().errors[0].path, 'author_email')
})

t.test('the per-client rate limit answers 429 with Retry-After over a real socket', async (t) => {
  const app = await buildTestApp(t, { COMMENT_RATE_LIMIT: '3' })
  makePost(app.db, { slug: 'story' })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const statuses: number[] = []
  let last: Response | undefined
  for (let i = 0; i < 5; i++) {
    last = await fetch(`${address}/v1/posts/story/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...reader, content: `Comment number ${i}` })
    })
    statuses.push(last.status)
    if (i === 0) t.equal(last.headers.get('ratelimit-limit'), '3')
  }
  t.same(statuses, [201, 201, 201, 429, 429])
  t.match(last!.headers.get('content-type'), /^application\/problem\+json/)
  t.ok(Number(last!.headers.get('retry-after')) > 0, 'Retry-After is set')
  t.equal(last!.headers.get('ratelimit-remaining'), '0')
  const body = await last!.json() as { code: string, detail: string }
  t.equal(body.code, 'RATE_LIMITED')
  t.match(body.detail, /at most 3 per minute/)
  const read = await fetch(`${address}/v1/posts/story/comments`)
  t.equal(read.status, 200, 'reading is not limited')
})
