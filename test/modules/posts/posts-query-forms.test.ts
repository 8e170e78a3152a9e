import t from 'tap'
import { buildTestApp, adminAuth } from '../../helper.js'
import { makeAuthor, makePost } from '../../helpers/factories.js'

// Query forms a client reaches for first: a date without a time, a cursor with a page.

t.test('published_after/before take a date alone as the start of that day in UTC', async (t) => {
  const app = await buildTestApp(t)
  makePost(app.db, { slug: 'oct-31', publishedAt: Date.parse('2026-10-31T23:59:00Z') })
  makePost(app.db, { slug: 'nov-01', publishedAt: Date.parse('2026-11-01T00:30:00Z') })
  makePost(app.db, { slug: 'nov-02', publishedAt: Date.parse('2026-11-02T10:00:00Z') })
  const slugs = async (q: string) => (await app.inject(`/v1/posts?${q}&sort=published_at`)).json().data.map((p: { slug: string }) => p.slug)
  t.same(await slugs('published_after=2026-11-01'), ['nov-01', 'nov-02'])
  t.same(await slugs('published_before=2026-11-02'), ['oct-31', 'nov-01'])
  t.same(await slugs('published_after=2026-11-01T00:00:00Z'), ['nov-01', 'nov-02'], 'the same as the full form')
  for (const bad of ['yesterday', 'November 1, 2026', '2026-11-01T10:00', '2026-13-45']) {
    const res = await app.inject(`/v1/posts?published_after=${encodeURIComponent(bad)}`)
    t.equal(res.statusCode, 400, bad)
    t.match(res.json().errors[0].message, /2026-11-01T12:00:00Z.*2026-11-01/, 'the error shows both forms')
  }
})

t.test('a cursor together with page is a 400, not a silently ignored page', async (t) => {
  const app = await buildTestApp(t)
  for (let i = 0; i < 3; i++) makePost(app.db)
  const first = (await app.inject('/v1/posts?per_page=1')).json()
  const cursor = first.meta.next_cursor as string
  t.equal((await app.inject(`/v1/posts?per_page=1&cursor=${cursor}`)).statusCode, 200)
  const both = await app.inject(`/v1/posts?per_page=1&cursor=${cursor}&page=2`)
  t.equal(both.statusCode, 400)
  t.equal(both.json().errors[0].path, 'page')
  t.match(both.json().detail, /cursor/)
})

t.test('a post with a source and no canonical_url points search engines at the source', async (t) => {
  const app = await buildTestApp(t)
  const author = makeAuthor(app.db)
  const post = async (extra: Record<string, unknown>) => (await app.inject({
    method: 'POST',
    url: '/v1/posts',
    headers: adminAuth,
    payload: { title: `Syndicated ${Math.random()}`, author_id: author.id, status: 'published', content_html: '<p>x</p>', ...extra }
  })).json().data
  const syndicated = await post({ source: { url: 'https://wire.example.org/story', name: 'Wire' } })
  t.equal(syndicated.canonical_url, 'https://wire.example.org/story', 'the source, as for imported posts')
  t.equal((await app.inject(`/v1/posts/${syndicated.id}`)).json().data.canonical_url, 'https://wire.example.org/story')
  const explicit = await post({ source: { url: 'https://wire.example.org/other', name: 'Wire' }, canonical_url: 'https://www.example.com/ours' })
  t.equal(explicit.canonical_url, 'https://www.example.com/ours', 'an explicit canonical_url wins')
  const own = await post({})
  t.equal(own.canonical_url, own.url, 'our own post: its url')
})
