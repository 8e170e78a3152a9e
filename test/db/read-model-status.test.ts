import { test } from 'tap'
import { buildTestApp, adminAuth } from '../helper.js'
import { createReadModelStatus, isComplete } from '../../src/db/read-model-status.js'
import { COMMENT_DOCUMENT_VERSION } from '../../src/modules/comments/comments-documents.js'

// The backlog the benchmark waits on: it counts what is queued and what is not built with the
// current fingerprint, and reads zero only once the background steps have caught up.

test('the backlog counts queued and missing documents until the worker drains them', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  app.core.workers.readModel.stop()
  const status = createReadModelStatus(app.core.db)
  const fingerprints = { posts: app.core.documents.posts.fingerprint, comments: COMMENT_DOCUMENT_VERSION }
  const author = (await app.inject({ method: 'POST', url: '/v1/authors', headers: adminAuth, payload: { name: 'Ann' } })).json().data.id
  for (let i = 0; i < 3; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: `Post ${i}`, content_html: '<p>x</p>', status: 'published', author_id: author } })
    t.equal(res.statusCode, 201)
  }
  app.core.workers.readModel.drain()
  t.ok(isComplete(status.backlog(fingerprints)), 'complete once drained')

  // Rows written around the write services (a bulk loader, another process) queue their posts.
  app.core.db.$client.prepare("UPDATE posts SET title = 'Changed' WHERE id IN (SELECT id FROM posts LIMIT 2)").run()
  app.core.db.$client.prepare('DELETE FROM comment_threads WHERE post_id IN (SELECT id FROM posts LIMIT 1)').run()
  let b = status.backlog(fingerprints)
  t.equal(b.postQueue, 2, 'two posts queued')
  t.equal(b.threadsMissing, 1, 'one thread not built')
  t.notOk(isComplete(b))

  // A new format (another fingerprint) makes every document missing.
  b = status.backlog({ ...fingerprints, posts: 'another' })
  t.equal(b.postsMissing, 3)

  // A live post's related list dropped (as by a crash between steps) is missing until rebuilt.
  app.core.db.$client.prepare('DELETE FROM related_lists WHERE post_id IN (SELECT id FROM posts LIMIT 1)').run()
  t.equal(status.backlog(fingerprints).relatedMissing, 1, 'a related list missing')
  app.core.relatedLists.refill()

  // Missing threads are looked for at start (as after a restart).
  app.core.documents.comments.refill()
  app.core.workers.readModel.drain()
  b = status.backlog(fingerprints)
  t.same(b, { postQueue: 0, commentQueue: 0, postsMissing: 0, threadsMissing: 0, relatedQueue: 0, relatedMissing: 0 }, 'nothing left after the worker ran')
})
