import t from 'tap'
import { createHash } from 'node:crypto'
import { buildTestApp, adminAuth } from '../../helper.js'

// A public thread page answered from the stored comments names its ETag from the comments'
// stored hashes and its meta (comments-routes.ts), not from a hash of the body: the tag changes
// when and only when the page's bytes do, and conditional GETs still answer 304.

type App = Awaited<ReturnType<typeof buildTestApp>>

const sha1 = (body: string) => `"${createHash('sha1').update(body).digest('base64url')}"`

async function call (app: App, method: 'POST' | 'PATCH', url: string, payload: object, auth = true): Promise<{ id: number }> {
  const res = await app.inject({ method, url, headers: auth ? adminAuth : {}, payload })
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`)
  return res.json().data
}

t.test('a thread page\'s ETag follows its comments and meta, not the body\'s hash', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false', COMMENT_RATE_LIMIT: '10000' })
  const author = await call(app, 'POST', '/v1/authors', { name: 'Ann' })
  const post = await call(app, 'POST', '/v1/posts', { title: 'Story', status: 'published', author_id: author.id })
  const other = await call(app, 'POST', '/v1/posts', { title: 'Other', status: 'published', author_id: author.id })
  let n = 0
  const comment = async (postId: number, parentId?: number) => {
    const c = await call(app, 'POST', `/v1/posts/${postId}/comments`, { author_name: 'Reader', author_email: 'r@example.com', content: `Say ${++n}`, ...(parentId ? { parent_id: parentId } : {}) }, false)
    await call(app, 'PATCH', `/v1/comments/${c.id}`, { status: 'approved' })
    return c.id
  }
  const first = await comment(post.id)
  await comment(post.id, first)
  await comment(post.id)

  const seen = new Map<string, string>()
  const read = async (label: string, query = 'per_page=50') => {
    const res = await app.inject(`/v1/posts/${post.id}/comments?${query}`)
    t.equal(res.statusCode, 200, label)
    const etag = res.headers.etag as string
    if (seen.has(etag)) t.equal(res.body, seen.get(etag), `${label}: a tag seen before names the same bytes`)
    seen.set(etag, res.body)
    return { etag, body: res.body }
  }

  const start = await read('first read')
  t.match(start.etag, /^"c[\w-]{27}"$/, 'made from the stored hashes')
  t.not(start.etag, sha1(start.body), 'not a SHA-1 of the body')
  t.equal((await read('again')).etag, start.etag, 'the same tag on every read')
  const conditional = await app.inject({ url: `/v1/posts/${post.id}/comments?per_page=50`, headers: { 'if-none-match': start.etag } })
  t.equal(conditional.statusCode, 304, 'If-None-Match with the tag: 304')

  // Pages of one thread: different bytes, different tags (the meta is part of it).
  const pages = [await read('page 1 of 2', 'per_page=2'), await read('page 2 of 2', 'per_page=2&page=2'), await read('page 1 of 3', 'per_page=1')]
  t.equal(new Set([start.etag, ...pages.map((p) => p.etag)]).size, 4, 'four pages, four tags')

  // Comments elsewhere, and a pending one here, change nothing this page shows.
  await comment(other.id)
  await call(app, 'POST', `/v1/posts/${post.id}/comments`, { author_name: 'Reader', author_email: 'r@example.com', content: 'Waits for moderation' }, false)
  const unrelated = await read('after unrelated writes')
  t.equal(unrelated.etag, start.etag, 'the same tag')
  t.equal(unrelated.body, start.body, 'and the same bytes')

  // An approved comment here, then an edit of one: new bytes, new tags.
  await comment(post.id, first)
  const added = await read('after a new comment')
  t.not(added.etag, start.etag, 'a new comment: a new tag')
  await call(app, 'PATCH', `/v1/comments/${first}`, { content: 'Said otherwise' })
  const edited = await read('after an edit')
  t.not(edited.etag, added.etag, 'an edited comment: a new tag')
  t.equal((await app.inject({ url: `/v1/posts/${post.id}/comments?per_page=50`, headers: { 'if-none-match': start.etag } })).statusCode, 200, 'an old tag: a full answer')

  // A deleted comment with replies stays as a tombstone: other bytes, another tag.
  await app.inject({ method: 'DELETE', url: `/v1/comments/${first}`, headers: adminAuth })
  const tombstone = await read('after a delete')
  t.match(tombstone.body, /"deleted":true/, 'the tombstone shows')
  t.not(tombstone.etag, edited.etag, 'a new tag')

  // Read from the rows (the thread not complete): tagged by the body's hash.
  app.core.workers.readModel.stop()
  app.core.db.$client.prepare('DELETE FROM comment_threads WHERE post_id = ?').run(post.id)
  const rows = await read('from the rows')
  t.equal(rows.body, tombstone.body, 'the same bytes from the rows')
  t.equal(rows.etag, sha1(rows.body), 'tagged by their SHA-1')
})
