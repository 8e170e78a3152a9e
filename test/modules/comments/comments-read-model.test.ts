import { test } from 'tap'
import { buildTestApp, adminAuth } from '../../helper.js'
import { toPublicComment, visibleThread } from '../../../src/modules/comments/comments-mapper.js'
import { createCommentDocuments } from '../../../src/modules/comments/comments-documents.js'

// Public threads served from the read model's stored comments (comments-documents.ts) equal
// the threads built from the rows, over a random sequence of submissions, replies,
// approvals, spam, and deletes (tombstones kept for replies, dropped without).

function rng (seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

test('stored threads equal the rows after every kind of comment write', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false', COMMENT_RATE_LIMIT: '10000' })
  const r = rng(Number(process.env.READ_MODEL_SEED ?? 7))
  const pick = <T>(list: T[]): T => list[Math.floor(r() * list.length)]
  const author = (await app.inject({ method: 'POST', url: '/v1/authors', headers: adminAuth, payload: { name: 'Ann' } })).json().data.id
  const posts: number[] = []
  for (let i = 0; i < 2; i++) {
    posts.push((await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: `Post ${i}`, status: 'published', author_id: author } })).json().data.id)
  }
  const comments: Array<{ id: number, postId: number }> = []
  for (let step = 0; step < 80; step++) {
    const action = r()
    if (action < 0.4 || comments.length === 0) {
      const postId = pick(posts)
      const mine = comments.filter((c) => c.postId === postId)
      const parent = mine.length > 0 && r() < 0.6 ? pick(mine).id : undefined
      const res = await app.inject({ method: 'POST', url: `/v1/posts/${postId}/comments`, payload: { author_name: 'Reader', author_email: 'r@example.com', content: `Say ${step} <b>bold</b>`, ...(parent ? { parent_id: parent } : {}) } })
      if (res.statusCode === 201) comments.push({ id: res.json().data.id, postId })
    } else if (action < 0.75) {
      const c = pick(comments)
      await app.inject({ method: 'PATCH', url: `/v1/comments/${c.id}`, headers: adminAuth, payload: { status: r() < 0.85 ? 'approved' : 'spam' } })
    } else {
      const c = pick(comments)
      await app.inject({ method: 'DELETE', url: `/v1/comments/${c.id}`, headers: adminAuth })
    }
    for (const postId of posts) {
      t.not(app.core.documents.comments.thread(postId), null, `step ${step}: post ${postId}'s thread is stored`)
      const expected = JSON.parse(JSON.stringify(visibleThread(await app.core.repos.comments.publicThread(postId)).map(toPublicComment)))
      for (const query of ['', '?per_page=3&page=2']) {
        const res = await app.inject(`/v1/posts/${postId}/comments${query}`)
        const body = res.json()
        const want = query === '' ? expected.slice(0, 10) : expected.slice(3, 6)
        t.same(body.data, want, `step ${step}: post ${postId}${query} equals the rows`)
        t.equal(body.meta.total, expected.length)
      }
    }
  }
})

test('the start-up look for incomplete threads walks the posts only when some thread is missing', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  app.core.workers.readModel.stop()
  const author = (await app.inject({ method: 'POST', url: '/v1/authors', headers: adminAuth, payload: { name: 'Ann' } })).json().data.id
  for (let i = 0; i < 3; i++) await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: `Post ${i}`, status: 'published', author_id: author } })
  // The real repository, its walk counted.
  const repo = app.core.repos.commentDocuments.sync
  let walks = 0
  const counted = { ...repo, postsWithoutThread: (...args: Parameters<typeof repo.postsWithoutThread>) => { walks++; return repo.postsWithoutThread(...args) } }
  const docs = createCommentDocuments({ db: app.core.db, repo: counted, comments: app.core.repos.comments.sync })
  t.same(docs.step(50), { built: 0, more: false }, 'every thread complete: nothing to build')
  t.equal(walks, 0, 'and no walk of the posts')
  // A thread dropped (as by a crash between steps): the next start looks and builds it.
  app.core.db.$client.prepare('DELETE FROM comment_threads WHERE post_id IN (SELECT id FROM posts LIMIT 1)').run()
  docs.refill()
  t.equal(docs.step(50).built, 1, 'the missing thread is built')
  t.ok(walks > 0, 'by walking the posts')
})
