import t from 'tap'
import { buildTestApp } from '../../helper.js'
import { liveIds, seed, served } from '../../helpers/related-lists.js'

// The related lists of the read model (src/modules/related/related-lists.ts) against the
// computed path: once the background steps have settled, a stored answer equals what a request
// computes; and whatever the state of the background, no answer names a post that is not live.

t.test('an unpublished post never appears in a related answer, even before the lists are rebuilt', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  app.core.workers.readModel.stop()
  const ids = seed(app)
  app.core.workers.readModel.drain()
  // The post named by most stored lists.
  const named = app.core.db.$client.prepare('SELECT related_id AS id, count(*) AS n FROM related_list_items GROUP BY related_id ORDER BY n DESC LIMIT 1').get() as { id: number, n: number }
  t.ok(named.n > 3, `post ${named.id} is in ${named.n} stored lists`)
  const naming = (app.core.db.$client.prepare('SELECT post_id AS id FROM related_list_items WHERE related_id = ?').all(named.id) as Array<{ id: number }>).map((r) => r.id)

  for (const status of ['draft', 'archived'] as const) {
    app.core.writes.posts.update(named.id, { status })
    for (const id of naming) t.notOk((await served(app, id)).some((r) => r.id === named.id), `${status}: not in the answer for ${id} (the change is queued)`)
    // As if the queue had been lost (another process's crash, a repair by hand): the lists still
    // name the post, and the read checks every post it names.
    app.core.db.$client.prepare('DELETE FROM related_queue').run()
    for (const id of naming) {
      const got = await served(app, id)
      t.notOk(got.some((r) => r.id === named.id), `${status}: not in the answer for ${id} (the stored list is not served)`)
      t.ok(got.every((r) => liveIds(app).has(r.id)), 'only live posts')
    }
    app.core.writes.posts.update(named.id, { status: 'published' })
    app.core.workers.readModel.drain()
  }

  // Deleted, and scheduled for later.
  app.core.writes.posts.update(named.id, { status: 'published', published_at: new Date(Date.now() + 86_400_000).toISOString() })
  app.core.db.$client.prepare('DELETE FROM related_queue').run()
  for (const id of naming) t.notOk((await served(app, id)).some((r) => r.id === named.id), `scheduled: not in the answer for ${id}`)
  app.core.writes.posts.remove(named.id)
  for (const id of naming) t.notOk((await served(app, id)).some((r) => r.id === named.id), `deleted: not in the answer for ${id}`)
  t.ok(ids.length > 0)
})
