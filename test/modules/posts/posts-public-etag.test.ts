import t from 'tap'
import { createHash } from 'node:crypto'
import { buildTestApp, adminAuth } from '../../helper.js'

// A public single post answered from its stored document names its ETag from the hash stored
// with the document (posts-documents.ts), not from a hash of the body per request: the tag
// changes when and only when the bytes do, and conditional GETs still answer 304.

type App = Awaited<ReturnType<typeof buildTestApp>>

const sha1 = (body: string) => `"${createHash('sha1').update(body).digest('base64url')}"`
const storedHash = (app: App, id: number) => (app.core.db.$client.prepare('SELECT hash FROM post_documents WHERE post_id = ?').get(id) as { hash: string } | undefined)?.hash

async function write (app: App, method: 'POST' | 'PATCH', url: string, payload: object): Promise<{ id: number }> {
  const res = await app.inject({ method, url, headers: adminAuth, payload })
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`)
  return res.json().data
}

for (const cache of ['false', 'true']) {
  t.test(`RESPONSE_CACHE=${cache}: the ETag follows the stored document, not the body's hash`, async (t) => {
    const app = await buildTestApp(t, { RESPONSE_CACHE: cache })
    const author = await write(app, 'POST', '/v1/authors', { name: 'Ann' })
    const tag = await write(app, 'POST', '/v1/tags', { name: 'Climate' })
    const post = await write(app, 'POST', '/v1/posts', { title: 'Story', content_html: '<p>Body</p>', status: 'published', author_id: author.id, tag_ids: [tag.id] })
    const other = await write(app, 'POST', '/v1/posts', { title: 'Other', content_html: '<p>Else</p>', status: 'published', author_id: author.id })
    // Every tag seen, with the one body it was sent with: two bodies never share a tag.
    const seen = new Map<string, string>()
    const read = async (label: string, url = '/v1/posts/story') => {
      const res = await app.inject(url)
      t.equal(res.statusCode, 200, label)
      const etag = res.headers.etag as string
      if (seen.has(etag)) t.equal(res.body, seen.get(etag), `${label}: a tag seen before names the same bytes`)
      seen.set(etag, res.body)
      return { etag, body: res.body }
    }

    const first = await read('first read')
    t.equal(first.etag, `"p${storedHash(app, post.id)}"`, 'the tag is the stored document\'s hash')
    t.not(first.etag, sha1(first.body), 'not a SHA-1 of the body')
    t.equal((await read('by id', `/v1/posts/${post.id}`)).etag, first.etag, 'by id and by slug: the same bytes, the same tag')

    const conditional = await app.inject({ url: '/v1/posts/story', headers: { 'if-none-match': first.etag } })
    t.equal(conditional.statusCode, 304, 'If-None-Match with the tag: 304')
    t.equal(conditional.body, '', 'no body')

    // Writes that do not change what the post shows leave the tag as it was.
    await write(app, 'PATCH', `/v1/posts/${other.id}`, { title: 'Other, edited' })
    await write(app, 'POST', '/v1/tags', { name: 'Unrelated' })
    const unrelated = await read('after unrelated writes')
    t.equal(unrelated.etag, first.etag, 'an unrelated write: the same tag')
    t.equal(unrelated.body, first.body, 'and the same bytes')

    // An edit of the post: new bytes, new tag; the old tag no longer matches.
    await write(app, 'PATCH', `/v1/posts/${post.id}`, { title: 'Story, edited' })
    const edited = await read('after an edit')
    t.not(edited.body, first.body, 'the body changed')
    t.not(edited.etag, first.etag, 'an edit: a new tag')
    t.equal((await app.inject({ url: '/v1/posts/story', headers: { 'if-none-match': first.etag } })).statusCode, 200, 'the old tag: a full answer')
    t.equal((await app.inject({ url: '/v1/posts/story', headers: { 'if-none-match': edited.etag } })).statusCode, 304, 'the new tag: 304')

    // A change the post only embeds (a tag's name): its document is rebuilt, its tag follows.
    await write(app, 'PATCH', `/v1/tags/${tag.id}`, { name: 'Climate change' })
    const renamed = await read('after a tag rename')
    t.match(renamed.body, /Climate change/, 'the post shows the new name')
    t.not(renamed.etag, edited.etag, 'a rename of a tag it shows: a new tag')
    t.equal(renamed.etag, `"p${storedHash(app, post.id)}"`, 'still the stored hash')

    // Sparse fields are other bytes: the tag is their own hash.
    const sparse = await read('fields', '/v1/posts/story?fields=id,title')
    t.equal(sparse.etag, sha1(sparse.body), 'with fields: the SHA-1 of the sparse body')

    // Without a current document the post is read from its rows, tagged by the body's hash
    // (with the cache off: a write by hand records no invalidation for the cache).
    if (cache === 'true') return
    app.core.workers.readModel.stop()
    app.core.db.$client.prepare('DELETE FROM post_documents WHERE post_id = ?').run(post.id)
    const rows = await read('from the rows')
    t.equal(rows.body, renamed.body, 'the same bytes from the rows')
    t.equal(rows.etag, sha1(rows.body), 'tagged by their SHA-1')
  })
}

t.test('the stored hash covers the full document, the card and the embedded terms', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  const author = await write(app, 'POST', '/v1/authors', { name: 'Ann' })
  const post = await write(app, 'POST', '/v1/posts', { title: 'Story', content_html: '<p>Body</p>', status: 'published', author_id: author.id })
  // The card is stored once, in post_cards (post_documents.card is written empty).
  const row = app.core.db.$client.prepare(`SELECT d.hash, d.full, d.card AS emptyCard, CAST(c.card AS TEXT) AS card, d.terms, d.status
    FROM post_documents d JOIN post_cards c ON c.post_id = d.post_id WHERE d.post_id = ?`).get(post.id) as { hash: string, full: string, emptyCard: string, card: string, terms: string, status: string }
  t.equal(row.emptyCard, '', 'the card is not stored twice')
  const expected = createHash('sha1').update(`${row.full}\u0000${row.card}\u0000${row.terms}`).digest('base64url')
  t.equal(row.hash, expected)
  t.equal(row.status, 'published', 'the document carries the post\'s status')
})
