import { test } from 'tap'
import { buildTestApp, adminAuth } from '../../helper.js'

// A public list page sent from stored cards reads only the ids and the sort key of the page
// (posts-repository.ts list `keysOnly`); posts without a current card are built from their rows.

test('a page sent from stored cards reads only ids and sort keys, and falls back to rows for a missing card', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  app.core.workers.readModel.stop()
  const author = (await app.inject({ method: 'POST', url: '/v1/authors', headers: adminAuth, payload: { name: 'Ann' } })).json().data.id
  const ids: number[] = []
  for (let i = 0; i < 4; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: `Post ${i}`, content_html: '<p>x</p>', status: 'published', author_id: author, published_at: new Date(Date.now() - (i + 1) * 60_000).toISOString() } })
    ids.push(res.json().data.id)
  }
  const filter = { visibility: 'public' as const, now: Date.now() }
  for (const [sort, key] of [['-published_at', 'publishedAt'], ['title', 'title'], ['-updated_at', 'updatedAt']] as const) {
    const rows = app.core.repos.posts.list(filter, { sort, limit: 10, withContent: false, keysOnly: true })
    t.same(rows.map((r) => Object.keys(r).sort()), rows.map(() => ['id', key].sort()), `${sort}: only the id and the sort key`)
  }

  const before = (await app.inject('/v1/posts?per_page=2')).json()
  // A card dropped (as a rename on thousands of posts leaves them to the background).
  app.core.db.$client.prepare('DELETE FROM post_documents WHERE post_id = ?').run(ids[0])
  const after = (await app.inject('/v1/posts?per_page=2')).json()
  t.same(after, before, 'the page is the same, the missing card built from the rows')
  const next = (await app.inject(`/v1/posts?per_page=2&cursor=${encodeURIComponent(before.meta.next_cursor)}`)).json()
  t.same(next.data.map((p: { id: number }) => p.id), [ids[2], ids[3]], 'the cursor (from the sort key alone) continues after the page')
})
