import t from 'tap'
import { buildTestApp } from '../../helper.js'
import { makeAuthor, makeCategory, makeTag } from '../../helpers/factories.js'
import { buildRelatedCorpus } from '../../fixtures/related-corpus.js'
import { createRelatedLists } from '../../../src/modules/related/related-lists.js'

// The related lists of the read model (src/modules/related/related-lists.ts) against the
// computed path: once the background steps have settled, a stored answer equals what a request
// computes; and whatever the state of the background, no answer names a post that is not live.

type App = Awaited<ReturnType<typeof buildTestApp>>
interface Related { id: number, score: number, [key: string]: unknown }

/** The labelled corpus, written through the write services; returns the post ids. */
function seed (app: App): number[] {
  const corpus = buildRelatedCorpus()
  const author = makeAuthor(app.db, { slug: 'desk', name: 'News Desk' })
  for (const id of new Set(corpus.flatMap((p) => p.categoryIds))) makeCategory(app.db, { id, slug: `category-${id}`, name: `Category ${id}` })
  for (const id of new Set(corpus.flatMap((p) => p.tagIds))) makeTag(app.db, { id, slug: `tag-${id}`, name: `Tag ${id}` })
  return [...corpus].sort((a, b) => a.id - b.id).map((p) => app.core.writes.posts.create({
    title: p.title,
    content_html: `<p>${p.body}</p>`,
    status: 'published',
    published_at: new Date(p.publishedAt).toISOString(),
    author_id: author.id,
    category_ids: p.categoryIds,
    tag_ids: p.tagIds
  }))
}

async function served (app: App, id: number, limit = 20): Promise<Related[]> {
  const res = await app.inject(`/v1/posts/${id}/related?limit=${limit}`)
  if (res.statusCode !== 200) throw new Error(`related ${id}: ${res.statusCode} ${res.body}`)
  return res.json().data
}

/** The computed answer as the API serializes it (a draft's related list, as a preview reads it, is computed too). */
function computed (app: App, id: number, limit = 20): Related[] {
  return JSON.parse(JSON.stringify(app.core.services.related.find(String(id), limit)))
}

const liveIds = (app: App): Set<number> => new Set((app.core.db.$client.prepare("SELECT id FROM posts WHERE status = 'published' AND published_at <= ?").all(Date.now()) as Array<{ id: number }>).map((r) => r.id))

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
    const five = await served(app, id, 5)
    t.same(five, computed(app, id, 5), `post ${id}, limit 5: a prefix of the stored list`)
  }
  t.equal(fromStore, ids.length, 'each answer came from the stored list')

  // A few writes (fewer than the drift allowance, 1 % of 200 posts): the lists they can change
  // are rebuilt by the background, the others stay; each answer still matches the computed one.
  const [a, b, c] = [ids[10], ids[50], ids[120]]
  const source = app.core.repos.posts.findByRef({ id: a }, 'any', Date.now())
  app.core.writes.posts.update(b, { title: source?.title, tag_ids: app.core.repos.related.tagIdsOf(a), category_ids: app.core.repos.related.categoryIdsOf(a) })
  t.equal(app.core.relatedLists.read(a, 20), null, 'a write is followed by computed answers until the background has processed it')
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
    scoreAll: (id, now) => app.core.services.related.scoreAll(id, now),
    indexer: app.core.listeners.relatedIndex,
    liveCount: () => app.core.repos.related.postCount(),
    fingerprint: app.core.documents.posts.fingerprint,
    drift: () => 0
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

t.test('a changed post is offered to the lists it now scores into, and only those are rebuilt', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  app.core.workers.readModel.stop()
  const ids = seed(app)
  // The core's lists with no drift allowance would rebuild everything after any write; these
  // keep every list until a write reaches it, so only the precise rule is at work.
  const lists = createRelatedLists({
    db: app.core.db,
    repo: app.core.repos.relatedLists,
    scoreAll: (id, now) => app.core.services.related.scoreAll(id, now),
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
