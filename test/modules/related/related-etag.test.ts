import t from 'tap'
import { createHash } from 'node:crypto'
import { adminAuth, buildTestApp } from '../../helper.js'
import { seed } from '../../helpers/related-lists.js'

// A related answer served from a stored list names its ETag from the list and the stored hashes
// of the posts it shows (related-lists.ts), not from a hash of the body: the tag changes when and
// only when the bytes do, and conditional GETs still answer 304.

const sha1 = (body: string) => `"${createHash('sha1').update(body).digest('base64url')}"`

t.test('a stored related answer\'s ETag follows the list and its posts, not the body\'s hash', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  app.core.workers.readModel.stop()
  const ids = seed(app)
  app.core.workers.readModel.drain()
  const id = ids[0]
  const seen = new Map<string, string>()
  const read = async (label: string, limit = 3) => {
    const res = await app.inject(`/v1/posts/${id}/related?limit=${limit}`)
    t.equal(res.statusCode, 200, label)
    const etag = res.headers.etag as string
    if (seen.has(etag)) t.equal(res.body, seen.get(etag), `${label}: a tag seen before names the same bytes`)
    seen.set(etag, res.body)
    return { etag, body: res.body, data: res.json().data as Array<{ id: number, tags: Array<{ id: number }> }> }
  }

  const start = await read('first read')
  t.match(start.etag, /^"r[\w-]{27}"$/, 'made from the stored list and hashes')
  t.not(start.etag, sha1(start.body), 'not a SHA-1 of the body')
  t.equal((await read('again')).etag, start.etag, 'the same tag on every read')
  t.equal((await app.inject({ url: `/v1/posts/${id}/related?limit=3`, headers: { 'if-none-match': start.etag } })).statusCode, 304, 'If-None-Match with the tag: 304')
  t.not((await read('another limit', 4)).etag, start.etag, 'another limit: other bytes, another tag')

  // A tag no shown post carries: nothing shown changes.
  const shownTags = new Set(start.data.flatMap((p) => p.tags.map((g) => g.id)))
  const allTags = (app.core.db.$client.prepare('SELECT id FROM tags').all() as Array<{ id: number }>).map((r) => r.id)
  const elsewhere = allTags.find((g) => !shownTags.has(g))
  t.ok(elsewhere !== undefined, 'a tag no shown post carries')
  await app.inject({ method: 'PATCH', url: `/v1/tags/${elsewhere}`, headers: adminAuth, payload: { name: 'Renamed elsewhere' } })
  app.core.workers.readModel.drain()
  const unrelated = await read('after an unrelated rename')
  t.equal(unrelated.body, start.body, 'the same bytes')
  t.equal(unrelated.etag, start.etag, 'the same tag')

  // A tag a shown post carries: its card (and so the answer) changes, and the tag with it.
  const shown = [...shownTags][0]
  await app.inject({ method: 'PATCH', url: `/v1/tags/${shown}`, headers: adminAuth, payload: { name: 'Renamed here' } })
  app.core.workers.readModel.drain()
  const renamed = await read('after a rename of a shown post\'s tag')
  t.match(renamed.body, /Renamed here/, 'the answer shows the new name')
  t.not(renamed.etag, start.etag, 'a new tag')
  t.equal((await app.inject({ url: `/v1/posts/${id}/related?limit=3`, headers: { 'if-none-match': start.etag } })).statusCode, 200, 'the old tag: a full answer')

  // Computed (a change waits for its cascade): tagged by the body's hash.
  app.core.db.$client.prepare('INSERT INTO related_queue (post_id, cascade, seq) VALUES (?, 1, 0)').run(ids[ids.length - 1])
  const computed = await read('computed')
  t.equal(computed.etag, sha1(computed.body), 'tagged by the SHA-1 of the body')
})
