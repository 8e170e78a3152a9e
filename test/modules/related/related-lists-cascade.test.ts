import t from 'tap'
import { buildTestApp } from '../../helper.js'
import { createRelatedLists } from '../../../src/modules/related/related-lists.js'
import { computed, seed } from '../../helpers/related-lists.js'

// The related lists of the read model (src/modules/related/related-lists.ts) against the
// computed path: once the background steps have settled, a stored answer equals what a request
// computes; and whatever the state of the background, no answer names a post that is not live.

t.test('a changed post is offered to the lists it now scores into, and only those are rebuilt', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  app.core.workers.readModel.stop()
  const ids = seed(app)
  // The core's lists with no drift allowance would rebuild everything after any write; these
  // keep every list until a write reaches it, so only the precise rule is at work.
  const lists = createRelatedLists({
    db: app.core.db,
    repo: app.core.repos.relatedLists,
    scoreAll: (id, now, limit) => app.core.services.related.scoreAll(id, now, limit),
    indexer: app.core.listeners.relatedIndex,
    liveCount: () => app.core.repos.related.postCount(),
    fingerprint: app.core.documents.posts.fingerprint,
    drift: () => 1e9
  })
  const settle = () => {
    let built = 0
    for (;;) {
      const r = lists.step(1000)
      built += r.built
      if (!r.more) return built
    }
  }
  app.core.workers.readModel.drain()
  settle()
  const target = ids[77]
  const row = app.core.repos.posts.findByRef({ id: target }, 'any', Date.now())
  const fresh = app.core.writes.posts.create({
    title: row?.title ?? '',
    content_html: `<p>${row?.title ?? ''}</p>`,
    status: 'published',
    published_at: new Date(row?.publishedAt ?? Date.now()).toISOString(),
    author_id: row?.authorId ?? 1,
    tag_ids: app.core.repos.related.tagIdsOf(target),
    category_ids: app.core.repos.related.categoryIdsOf(target)
  })
  // Only these lists' steps run (the core's worker is stopped; the documents were settled by the write).
  const rebuilt = settle()
  t.ok(rebuilt > 1 && rebuilt < ids.length / 2, `the new post's list and the few it enters were rebuilt (${rebuilt}), not all ${ids.length}`)
  let entered = 0
  for (const id of ids) {
    const stored = lists.read(id, 20)
    t.not(stored, null, `post ${id} is served`)
    const want = computed(app, id).some((r) => r.id === fresh)
    t.equal(stored?.ids.includes(fresh), want, `post ${id}: names the new post exactly when the computed answer does`)
    if (want) entered++
  }
  t.ok(entered > 0, `the new post entered ${entered} lists`)
  t.equal(lists.read(target, 1)?.ids[0], fresh, 'first in the list of the post it copies')
})
