import t from 'tap'
import { buildTestApp } from '../../helper.js'
import { makeComment, makePost } from '../../helpers/factories.js'

t.test('the public thread: approved only, each reply after its parent, with depth; never an e-mail', async (t) => {
  const app = await buildTestApp(t)
  const post = makePost(app.db, { slug: 'story' })
  const a = makeComment(app.db, { postId: post.id, authorName: 'A', authorEmail: 'a@private.example' })
  const b = makeComment(app.db, { postId: post.id, authorName: 'B' })
  const a1 = makeComment(app.db, { postId: post.id, parentId: a.id, authorName: 'A1' })
  const a1x = makeComment(app.db, { postId: post.id, parentId: a1.id, authorName: 'A1x' })
  makeComment(app.db, { postId: post.id, parentId: a.id, authorName: 'pending', status: 'pending' })
  const spamParent = makeComment(app.db, { postId: post.id, authorName: 'spam', status: 'spam' })
  makeComment(app.db, { postId: post.id, parentId: spamParent.id, authorName: 'child of spam' })
  const a2 = makeComment(app.db, { postId: post.id, parentId: a.id, authorName: 'A2' })
  const res = await app.inject('/v1/posts/story/comments')
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.same(body.data.map((c: { author_name: string, depth: number }) => [c.author_name, c.depth]), [['A', 0], ['A1', 1], ['A1x', 2], ['A2', 1], ['B', 0]])
  t.same(body.data.map((c: { parent_id: number | null }) => c.parent_id), [null, a.id, a1.id, a.id, null])
  t.notMatch(res.body, /private\.example|author_email/)
  t.equal(body.meta.total, 5)
  void b; void a1x; void a2
  const page2 = (await app.inject('/v1/posts/story/comments?per_page=2&page=2')).json()
  t.same(page2.data.map((c: { author_name: string }) => c.author_name), ['A1x', 'A2'])
})

t.test('a deleted comment with replies stays as a tombstone; without replies it disappears', async (t) => {
  const app = await buildTestApp(t)
  const post = makePost(app.db, { slug: 'story' })
  const parent = makeComment(app.db, { postId: post.id, authorName: 'Gone', deletedAt: Date.now() })
  makeComment(app.db, { postId: post.id, parentId: parent.id, authorName: 'Reply' })
  makeComment(app.db, { postId: post.id, authorName: 'Lonely', deletedAt: Date.now() })
  const data = (await app.inject('/v1/posts/story/comments')).json().data
  t.same(data.map((c: { author_name: string, deleted: boolean, content_html: string }) => [c.author_name, c.deleted, c.content_html]), [['', true, ''], ['Reply', false, '<p>A comment</p>']])
})

t.test('comments of a post that is not live are a 404', async (t) => {
  const app = await buildTestApp(t)
  const draft = makePost(app.db, { slug: 'draft', status: 'draft' })
  makeComment(app.db, { postId: draft.id })
  t.equal((await app.inject('/v1/posts/draft/comments')).statusCode, 404)
  t.equal((await app.inject('/v1/posts/missing/comments')).statusCode, 404)
  // The post is found by an id-only lookup: by id and by slug, scheduled and archived too.
  t.equal((await app.inject(`/v1/posts/${draft.id}/comments`)).statusCode, 404)
  const later = makePost(app.db, { slug: 'later', status: 'published', publishedAt: Date.now() + 60_000 })
  const gone = makePost(app.db, { slug: 'gone', status: 'archived' })
  const live = makePost(app.db, { slug: 'live' })
  makeComment(app.db, { postId: live.id, status: 'approved' })
  for (const ref of ['later', String(later.id), 'gone', String(gone.id)]) t.equal((await app.inject(`/v1/posts/${ref}/comments`)).statusCode, 404, ref)
  for (const ref of ['live', String(live.id)]) t.equal((await app.inject(`/v1/posts/${ref}/comments`)).json().meta.total, 1, ref)
})
