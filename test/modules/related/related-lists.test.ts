import t from 'tap'
import { buildTestApp } from '../../helper.js'
import { createRelatedLists } from '../../../src/modules/related/related-lists.js'
import { computed, liveIds, seed, served, type Related } from '../../helpers/related-lists.js'

// The related lists of the read model (src/modules/related/related-lists.ts) against the
// computed path: once the background steps have settled, a stored answer equals what a request
// computes; and whatever the state of the background, no answer names a post that is not live.

t.test('once the background settles, every stored list is served and equals the computed answer', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  app.core.workers.readModel.stop()
  const ids = seed(app)
  app.core.workers.readModel.drain()
  let fromStore = 0
  for (const id of ids) {
    if (app.core.relatedLists.read(id, 20) !== null) fromStore++
    const got = await served(app, id)
    t.same(got, computed(app, id), `post ${id}, limit 20`)
    if (id % 4 === 0) t.same(await served(app, id, 5), computed(app, id, 5), `post ${id}, limit 5: a prefix of the stored list`)
  }
  t.equal(fromStore, ids.length, 'each answer came from the stored list')

  // A few writes (fewer than the drift allowance, 1 % of 200 posts): the lists they can change
  // are rebuilt by the background, the others stay; each answer still matches the computed one.
  const [a, b, c] = [ids[10], ids[50], ids[120]]
  const source = app.core.repos.posts.findByRef({ id: a }, 'any', Date.now())
  app.core.writes.posts.update(b, { title: source?.title, tag_ids: app.core.repos.related.tagIdsOf(a), category_ids: app.core.repos.related.categoryIdsOf(a) })
  t.not(app.core.relatedLists.read(a, 20), null, 'the write ran its cascade: the list it changed was queued, and its first read rebuilds it')
  app.core.workers.readModel.drain()
  t.not(app.core.relatedLists.read(a, 20), null, 'then the stored list is served again')
  t.ok((await served(app, a)).some((r) => r.id === b), 'the edited post joined the list of the post it now resembles')
  app.core.writes.posts.update(c, { status: 'draft' })
  app.core.workers.readModel.drain()
  const live = liveIds(app)
  for (const id of ids) {
    if (id === c) continue
    const got = await served(app, id)
    t.equal(got.some((r) => r.id === b), computed(app, id).some((r) => r.id === b), `post ${id}: names the edited post exactly when the computed answer does`)
    t.ok(got.every((r) => live.has(r.id)), `post ${id}: only live posts`)
  }

  // Lists older than the drift allowance are rebuilt with the statistics of now: with no
  // allowance at all, every list after a change, and each then equals the computed answer,
  // scores and all.
  const exact = createRelatedLists({
    db: app.core.db,
    repo: app.core.repos.relatedLists,
    scoreAll: (id, now, limit) => app.core.services.related.scoreAll(id, now, limit),
    indexer: app.core.listeners.relatedIndex,
    liveCount: () => app.core.repos.related.postCount(),
    fingerprint: app.core.documents.posts.fingerprint,
    drift: () => 0,
    driftDuty: 1
  })
  app.core.writes.posts.update(ids[150], { title: 'A third change to the corpus' })
  while (exact.step(1000).more);
  for (const id of ids) {
    if (id === c) continue
    const stored = exact.read(id, 20)
    t.not(stored, null, `post ${id} is served from its list`)
    t.same(JSON.parse(`[${stored?.items.join(',') ?? ''}]`), computed(app, id), `post ${id}: equal to the computed answer`)
  }
})

t.test('after a write, only the lists it can change are computed; the others stay served', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  app.core.workers.readModel.stop()
  const ids = seed(app)
  app.core.workers.readModel.drain()
  const queue = () => app.core.db.$client.prepare('SELECT post_id AS id, cascade FROM related_queue ORDER BY post_id').all() as Array<{ id: number, cascade: number }>
  const lists = app.core.relatedLists
  const [a, b] = [ids[10], ids[50]]
  const source = app.core.repos.posts.findByRef({ id: a }, 'any', Date.now())
  app.core.writes.posts.update(b, { title: source?.title, tag_ids: app.core.repos.related.tagIdsOf(a), category_ids: app.core.repos.related.categoryIdsOf(a) })
  // The write ran its cascade itself (related-lists.ts, settle): its post's list is rebuilt and
  // the lists it changes are queued, so no answer waits for a cascade.
  const waiting = new Set(queue().map((r) => r.id))
  t.notOk(waiting.has(b), 'the cascade ran in the write')
  t.ok(queue().every((r) => r.cascade === 0), 'what is left are lists to rebuild')
  t.ok(waiting.has(a), 'the list of the post the edited one now resembles is queued')
  t.ok(waiting.size < ids.length / 2, `only the lists it can change (${waiting.size})`)
  let servedCount = 0
  for (const id of ids) {
    if (waiting.has(id)) continue
    if (lists.read(id, 20) !== null) servedCount++
    // Between rebuilds only corpus statistics drift (scores move in the fourth decimal): which
    // posts a list names is what a write can change.
    t.equal((await served(app, id)).some((r) => r.id === b), computed(app, id).some((r) => r.id === b), `post ${id}: names the edited post exactly when the computed answer does`)
  }
  t.equal(servedCount, ids.length - waiting.size, 'every list not queued is served from the store')
  // The first read of a queued list rebuilds it: served from then on, as fresh as a computed answer.
  for (const id of waiting) {
    const stored = lists.read(id, 20)
    t.not(stored, null, `post ${id}: queued, rebuilt by its first read`)
    t.same(JSON.parse(`[${stored?.items.join(',') ?? ''}]`), computed(app, id), `post ${id}: equal to the computed answer, scores and all`)
  }
  t.same(queue(), [], 'nothing left for the background')
  for (const id of ids) {
    // Between rebuilds only corpus statistics drift (scores move in the fourth decimal): which
    // posts a list names is what a write can change.
    t.equal((await served(app, id)).some((r) => r.id === b), computed(app, id).some((r) => r.id === b), `post ${id}: names the edited post exactly when the computed answer does`)
  }
  t.ok((await served(app, a)).some((r) => r.id === b), 'a read after the write sees it')
})

t.test('a write drops the cached related answers of the lists it changes, and keeps the others', async (t) => {
  const app = await buildTestApp(t)
  app.core.workers.readModel.stop()
  const ids = seed(app)
  app.core.workers.readModel.drain()
  const get = async (id: number) => await app.inject(`/v1/posts/${id}/related?limit=20`)
  for (const id of ids) await get(id)
  for (const id of ids) t.equal((await get(id)).headers['x-cache'], 'HIT', `post ${id}: cached`)

  const [a, b] = [ids[10], ids[50]]
  const source = app.core.repos.posts.findByRef({ id: a }, 'any', Date.now())
  app.core.writes.posts.update(b, { title: source?.title, tag_ids: app.core.repos.related.tagIdsOf(a), category_ids: app.core.repos.related.categoryIdsOf(a) })
  let kept = 0
  for (const id of ids) {
    const res = await get(id)
    if (res.headers['x-cache'] === 'HIT') kept++
    const names = (res.json().data as Related[]).some((r) => r.id === b)
    t.equal(names, computed(app, id).some((r) => r.id === b), `post ${id}: names the edited post exactly when the computed answer does`)
  }
  t.ok(kept > ids.length / 2, `the answers of lists the write cannot change stay cached (${kept} of ${ids.length})`)
  t.ok(kept < ids.length, 'the others were dropped')

  // A write that leaves cascades to the background (here: more changed posts than a write
  // cascades itself) does not know which lists change: every stored answer is dropped, and
  // answers are computed until the background has run the cascades.
  for (const id of ids) await get(id)
  const insert = app.core.db.$client.prepare('INSERT INTO related_queue (post_id, cascade, seq) VALUES (?, 1, (SELECT seq FROM related_state WHERE id = 1))')
  for (const id of ids.slice(0, 3)) insert.run(id)
  await app.core.writes.site.update({ title: 'Another title' })
  for (const id of ids) {
    t.equal((await get(id)).headers['x-cache'], 'MISS', `post ${id}: dropped`)
    t.equal(app.core.relatedLists.read(id, 20), null, `post ${id}: computed while cascades wait`)
  }
  app.core.workers.readModel.drain()
  t.not(app.core.relatedLists.read(ids[0], 20), null, 'served again once they ran')
})

t.test('the start-up fill looks for posts without a list a window of entries at a time', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  app.core.workers.readModel.stop()
  const ids = seed(app)
  app.core.workers.readModel.drain()
  const gone = [ids[3], ids[77], ids[150], ids[199]]
  for (const id of gone) app.core.db.$client.prepare('DELETE FROM related_lists WHERE post_id = ?').run(id)
  const lists = createRelatedLists({
    db: app.core.db,
    repo: app.core.repos.relatedLists,
    scoreAll: (id, now, limit) => app.core.services.related.scoreAll(id, now, limit),
    indexer: app.core.listeners.relatedIndex,
    liveCount: () => app.core.repos.related.postCount(),
    fingerprint: app.core.documents.posts.fingerprint,
    drift: () => 1e9,
    fillWindow: 16
  })
  for (const id of gone) t.equal(lists.read(id, 20), null, `post ${id}: no list, computed`)
  // A step of no budget: one window (or one list built) and back to the event loop.
  let steps = 1
  while (lists.step(0).more) steps++
  t.ok(steps >= ids.length / 16, `${steps} steps for ${ids.length} posts in windows of 16`)
  for (const id of gone) t.same(JSON.parse(`[${lists.read(id, 20)?.items.join(',') ?? ''}]`), computed(app, id), `post ${id}: its list was built`)
})

t.test('a post a write publishes is cascaded by that write, once: the other lists stay served at once', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  app.core.workers.readModel.stop()
  const ids = seed(app)
  app.core.workers.readModel.drain()
  const c = app.core.db.$client
  const row = app.core.repos.posts.findByRef({ id: ids[77] }, 'any', Date.now())
  const fresh = app.core.writes.posts.create({
    title: row?.title ?? '',
    content_html: `<p>${row?.title ?? ''}</p>`,
    status: 'published',
    author_id: row?.authorId ?? 1,
    tag_ids: app.core.repos.related.tagIdsOf(ids[77]),
    category_ids: app.core.repos.related.categoryIdsOf(ids[77])
  })
  const queue = c.prepare('SELECT post_id AS id, cascade FROM related_queue').all() as Array<{ id: number, cascade: number }>
  t.ok(queue.every((r) => r.cascade === 0), 'no cascade left for the background')
  const publishedAt = c.prepare('SELECT published_at FROM post_vectors WHERE post_id = ?').pluck().get(fresh) as number
  t.ok((c.prepare('SELECT live_through FROM related_state WHERE id = 1').pluck().get() as number) >= publishedAt, 'its going live was looked at by the write')
  const waiting = new Set(queue.map((r) => r.id))
  let served = 0
  for (const id of ids) if (!waiting.has(id) && app.core.relatedLists.read(id, 20) !== null) served++
  t.equal(served, ids.length - waiting.size, 'every list not queued is served from the store')
  t.equal(app.core.relatedLists.read(ids[77], 1)?.ids[0], fresh, 'the list of the post it copies names it first')
})
