import t from 'tap'
import { createHash } from 'node:crypto'
import { buildTestApp, adminSend } from '../../helper.js'
import { POST_FIELDS } from '../../../src/modules/posts/posts-schemas.js'

// A public search without `fields` is sent from the stored cards, the snippet added at the end
// of each (posts-service listJson): byte for byte what the row path serializes. The row path
// answers the same search with `fields` naming every field of a list item.

const send = adminSend

const EVERY_FIELD = POST_FIELDS.filter((f) => f !== 'content_html').join(',')

t.test('a search from stored cards answers the bytes of the row path, snippets, meta and headers included', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  const author = await send(app, 'POST', '/v1/authors', { name: 'Zoë “Desk” Ünal' })
  const tag = await send(app, 'POST', '/v1/tags', { name: 'Häfen & <Docks>' })
  const cat = await send(app, 'POST', '/v1/categories', { name: 'Région' })
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()
  const bodies = [
    '<p>The harbour ferry “Ünïcödé” sails at dawn — café &amp; crème, 😀 and a line\u2028separator.</p>',
    '<p>Ferry timetables: <b>harbour</b> closes; quotes " and \' and \\ backslashes.</p>',
    '<p>Nothing about boats here, only a harbour wall and <i>ferries</i>.</p>',
    '<p>Another harbour story, with ferry delays of 25 minutes.</p>'
  ]
  for (let i = 0; i < 12; i++) {
    await send(app, 'POST', '/v1/posts', {
      title: i % 3 === 0 ? `Harbour ferry ${i} — “quoted”` : `Story ${i}`,
      author_id: author.id,
      category_ids: i % 2 === 0 ? [cat.id] : [],
      tag_ids: i % 4 === 0 ? [tag.id] : [],
      status: 'published',
      published_at: ago(100 - i),
      content_html: bodies[i % bodies.length]
    })
  }
  const stored = (app.core.db.$client.prepare('SELECT count(*) AS n FROM post_cards').get() as { n: number }).n
  t.equal(stored, 12, 'every card is stored')
  const queries = ['harbour', 'ferry', 'harbour&per_page=2', 'harbour&per_page=2&page=2', 'harbour&sort=relevance', 'harbour&sort=relevance&per_page=3',
    'harbour&sort=published_at&per_page=2', 'caf', 'ünïcödé', 'harbour&tag=' + tag.slug, 'harbour&category=' + cat.slug, 'nomatchatall', '%22%22', 'ferr']
  for (const q of queries) {
    const cards = await app.inject(`/v1/posts?q=${q}`)
    const rows = await app.inject(`/v1/posts?q=${q}&fields=${EVERY_FIELD}`)
    t.equal(cards.statusCode, 200, q)
    t.equal(cards.body, rows.body, `q=${q}: the same bytes`)
    t.equal(cards.headers['x-total-count'], rows.headers['x-total-count'], `q=${q}: X-Total-Count`)
    t.equal(cards.headers['content-type'], rows.headers['content-type'])
    const next = cards.json().meta.next_cursor as string | null
    if (next !== null) {
      const c2 = await app.inject(`/v1/posts?q=${q}&cursor=${encodeURIComponent(next)}`.replace(/&page=\d+/, ''))
      const r2 = await app.inject(`/v1/posts?q=${q}&fields=${EVERY_FIELD}&cursor=${encodeURIComponent(next)}`.replace(/&page=\d+/, ''))
      t.equal(c2.body, r2.body, `q=${q}: the cursor page, the same bytes`)
    }
  }
  t.match((await app.inject('/v1/posts?q=harbour')).json().data[0].snippet, /<mark>/, 'snippets are there')

  // A first page reads its snippets in the walk over the index, a deeper page in a query of its
  // own: the same snippets either way.
  for (const q of ['harbour', 'ferry', 'harbour%20ferry', 'stor', 'ferr']) {
    for (const sort of ['', '&sort=published_at']) {
      const wide = (await app.inject(`/v1/posts?q=${q}${sort}&per_page=6`)).json().data as unknown[]
      const second = (await app.inject(`/v1/posts?q=${q}${sort}&per_page=3&page=2`)).json().data as unknown[]
      t.ok(second.length > 0, `q=${q}${sort}: a second page`)
      t.same(second, wide.slice(3, 6), `q=${q}${sort}: page 2 equals items 4–6 of a wider page 1, snippets included`)
    }
  }

  // A card that is not stored (its documents dropped) is built from rows: the same bytes again.
  const before = (await app.inject('/v1/posts?q=harbour')).body
  app.core.db.$client.prepare('DELETE FROM post_documents').run()
  t.equal((await app.inject('/v1/posts?q=harbour')).body, before, 'cards built from rows')
})

t.test('a search list ETag changes with a snippet, and a conditional request matches it', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  const author = await send(app, 'POST', '/v1/authors', { name: 'Desk' })
  const post = await send(app, 'POST', '/v1/posts', { title: 'Harbour', author_id: author.id, status: 'published', published_at: new Date(Date.now() - 60_000).toISOString(), content_html: '<p>Ferry one.</p>' })
  await send(app, 'POST', '/v1/posts', { title: 'Other', author_id: author.id, status: 'published', published_at: new Date(Date.now() - 120_000).toISOString(), content_html: '<p>Harbour two, ferry.</p>' })
  const a = await app.inject('/v1/posts?q=harbour')
  const b = await app.inject('/v1/posts?q=ferry')
  t.not(a.headers.etag, b.headers.etag, 'the same posts, other snippets: another ETag')
  t.not(a.headers.etag, `"${createHash('sha1').update(a.rawPayload).digest('base64url')}"`, 'named from the cards, not a hash of the body: the cards path answered')
  t.equal((await app.inject('/v1/posts?q=harbour')).headers.etag, a.headers.etag, 'the same answer, the same ETag')
  t.equal((await app.inject({ url: '/v1/posts?q=harbour', headers: { 'if-none-match': a.headers.etag as string } })).statusCode, 304)
  await send(app, 'PATCH', `/v1/posts/${post.id}`, { content_html: '<p>Ferry one, rewritten.</p>' })
  const c = await app.inject('/v1/posts?q=harbour')
  t.not(c.body, a.body)
  t.not(c.headers.etag, a.headers.etag, 'an edit of a listed post: another ETag')
})
