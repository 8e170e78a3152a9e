import t from 'tap'
import { buildTestApp, adminAuth } from '../../helper.js'
import { makePost } from '../../helpers/factories.js'

// What a commenter meets: the rate limit counts only what was stored, a browser's refused
// form goes back to the page with what to fix, and a 201 points only where the submitter may read.

type App = Awaited<ReturnType<typeof buildTestApp>>
const reader = { author_name: 'Sam Reader', author_email: 'sam@example.com', content: 'Thanks for this.' }
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const BROWSER = { ...FORM, accept: 'text/html,application/xhtml+xml' }

function submit (app: App, body: Record<string, unknown> | string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/v1/posts/story/comments', payload: body, headers })
}

t.test('refused submissions do not count toward the rate limit; stored ones (honeypot hits too) do', async (t) => {
  const app = await buildTestApp(t, { COMMENT_RATE_LIMIT: '3' })
  makePost(app.db, { slug: 'story' })
  for (let i = 0; i < 6; i++) t.equal((await submit(app, { ...reader, author_email: undefined, content: `Try ${i}` })).statusCode, 400, 'missing e-mail')
  t.equal((await submit(app, { ...reader, content: 'x'.repeat(5001) })).statusCode, 400, 'too long')
  const ok = await submit(app, { ...reader, content: 'Corrected at last' })
  t.equal(ok.statusCode, 201, 'the corrected submission is stored')
  t.equal(ok.headers['ratelimit-limit'], '3')
  t.equal(ok.headers['ratelimit-remaining'], '2')
  t.equal((await submit(app, { ...reader, content: 'Corrected at last' })).statusCode, 409, 'a duplicate is refused and not counted')
  t.equal((await submit(app, { ...reader, content: 'Buy pills', website: 'http://spam.example' })).statusCode, 201, 'a honeypot hit is stored as spam')
  t.equal((await submit(app, { ...reader, content: 'Third stored' })).statusCode, 201)
  const limited = await submit(app, { ...reader, content: 'Fourth' })
  t.equal(limited.statusCode, 429, 'three stored submissions in a minute: the fourth waits')
  t.equal(limited.json().code, 'RATE_LIMITED')
  t.ok(Number(limited.headers['retry-after']) >= 1)
  const other = await app.inject({ method: 'POST', url: '/v1/posts/story/comments', payload: { ...reader, content: 'From elsewhere' }, remoteAddress: '192.0.2.9' })
  t.equal(other.statusCode, 201, 'another client is not limited')
})

t.test('a browser whose form is refused is sent back to the post page with the reason and its text', async (t) => {
  const app = await buildTestApp(t, { COMMENT_RATE_LIMIT: '100' })
  makePost(app.db, { slug: 'story' })
  const bad = await submit(app, 'author_name=Sam+R&author_email=not-an-address&author_url=&content=My+point+stands', BROWSER)
  t.equal(bad.statusCode, 303)
  t.equal(bad.body, '', 'a 303 has no body')
  const to = new URL(bad.headers.location as string)
  t.equal(to.origin + to.pathname, 'https://news.example.com/story')
  t.equal(to.hash, '#comment-error')
  t.equal(to.searchParams.get('comment_error'), 'VALIDATION_FAILED')
  t.equal(to.searchParams.get('comment_fields'), 'author_email')
  t.match(to.searchParams.get('comment_message'), /author_email/)
  t.equal(to.searchParams.get('author_name'), 'Sam R', 'the name is kept')
  t.equal(to.searchParams.get('content'), 'My point stands', 'the text is kept')
  t.notOk(to.searchParams.has('author_email'), 'the e-mail never travels in a URL')

  t.equal((await submit(app, 'author_name=Sam&author_email=sam%40example.com&content=Same+words', BROWSER)).statusCode, 303)
  const dup = new URL((await submit(app, 'author_name=Sam&author_email=sam%40example.com&content=Same+words', BROWSER)).headers.location as string)
  t.equal(dup.searchParams.get('comment_error'), 'DUPLICATE_COMMENT')

  await app.inject({ method: 'PATCH', url: '/v1/site', payload: { comments: { enabled: false } }, headers: adminAuth })
  const closed = new URL((await submit(app, 'author_name=Sam&author_email=sam%40example.com&content=Closed+now', BROWSER)).headers.location as string)
  t.equal(closed.searchParams.get('comment_error'), 'COMMENTS_CLOSED')

  const json = await submit(app, 'author_name=Sam&author_email=sam%40example.com&content=Closed+now', FORM)
  t.equal(json.statusCode, 403, 'a client that did not ask for HTML gets the problem')
  t.match(json.headers['content-type'], /^application\/problem\+json/)
  const missing = await app.inject({ method: 'POST', url: '/v1/posts/no-such-post/comments', payload: 'author_name=Sam&author_email=sam%40example.com&content=Lost', headers: BROWSER })
  t.equal(missing.statusCode, 404, 'no post page to go back to: the problem')
})

t.test('a 201 points at the comment only when its submitter may read it', async (t) => {
  const app = await buildTestApp(t, { COMMENT_RATE_LIMIT: '100' })
  makePost(app.db, { slug: 'story' })
  const pending = await submit(app, reader)
  t.equal(pending.statusCode, 201)
  t.notOk(pending.headers.location, 'a pending comment has no URL its submitter may open')
  t.equal((await app.inject(`/v1/comments/${pending.json().data.id}`)).statusCode, 404, 'pending is not public')

  await app.inject({ method: 'PATCH', url: '/v1/site', payload: { comments: { moderation: 'none' } }, headers: adminAuth })
  const approved = await submit(app, { ...reader, content: 'Approved at once' })
  t.equal(approved.json().data.status, 'approved')
  const location = approved.headers.location as string
  t.equal(location, `/v1/comments/${approved.json().data.id}`)
  const read = await app.inject(location)
  t.equal(read.statusCode, 200, 'readable without a key')
  t.same(Object.keys(read.json().data).sort(), ['author_name', 'author_url', 'content_html', 'created_at', 'deleted', 'depth', 'id', 'parent_id', 'post_id', 'type'])
  t.notMatch(read.body, /sam@example\.com/)
})

t.test('change-log comment entries name their post, and the mirror can read the comment', async (t) => {
  const app = await buildTestApp(t, { COMMENT_RATE_LIMIT: '100' })
  const post = makePost(app.db, { slug: 'story' })
  const mod = { authorization: `Bearer ${app.core.repos.keys.createSync('mod', ['moderate:comments']).key}` }
  const id = (await submit(app, reader)).json().data.id
  await app.inject({ method: 'PATCH', url: `/v1/comments/${id}`, payload: { status: 'approved' }, headers: mod })
  const log = (await app.inject('/v1/changes')).json().data as Array<{ resource: string, id: number, post_id: number | null }>
  const entry = log.find((e) => e.resource === 'comment' && e.id === id)
  t.equal(entry?.post_id, post.id, 'the entry names the post')
  t.ok(log.filter((e) => e.resource !== 'comment').every((e) => e.post_id === null), 'other entries carry null')
  const pub = await app.inject(`/v1/comments/${id}`)
  t.equal(pub.statusCode, 200)
  t.equal(pub.json().data.post_id, post.id)
  t.same(pub.json().data, (await app.inject('/v1/posts/story/comments')).json().data[0], 'the same comment as in the thread')
  const asMod = await app.inject({ url: `/v1/comments/${id}`, headers: mod })
  t.equal(asMod.json().data.author_email, 'sam@example.com', 'a moderator still sees the full comment')

  await app.inject({ method: 'PATCH', url: `/v1/comments/${id}`, payload: { status: 'spam' }, headers: mod })
  t.equal((await app.inject(`/v1/comments/${id}`)).statusCode, 404, 'no longer approved: gone for the public')
  const deletion = (await app.inject('/v1/changes')).json().data.filter((e: { resource: string, id: number }) => e.resource === 'comment' && e.id === id).at(-1)
  t.same([deletion.action, deletion.post_id], ['delete', post.id])
})
