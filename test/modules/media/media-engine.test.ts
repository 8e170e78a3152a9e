import t from 'tap'
import { eq } from 'drizzle-orm'
import sharp from 'sharp'
import { postFeaturedMedia } from '../../../src/db/schema.js'
import { encodeCursor } from '../../../src/lib/cursor.js'
import { adminAuth, buildTestApp } from '../../helper.js'
import { makePost } from '../../helpers/factories.js'
import { mediaCases } from '../../helpers/media-cases.js'
import { sqliteHarness } from '../../helpers/engine-harness.js'

// The media library's engine-neutral repository and service on SQLite; the same cases run on
// PostgreSQL in test/db/pg-media.test.ts.

t.test('media repository and service on SQLite', async (t) => {
  const h = sqliteHarness(t)
  const { db } = h
  await mediaCases(t, {
    ...h,
    post: async () => makePost(db, { status: 'published', publishedAt: Date.now() - 86_400_000 }).id,
    feature: async (postId, mediaId) => { db.insert(postFeaturedMedia).values({ postId, mediaId }).run() },
    featuring: async (mediaId) => db.select({ id: postFeaturedMedia.postId }).from(postFeaturedMedia).where(eq(postFeaturedMedia.mediaId, mediaId)).all().map((r) => r.id)
  })
})

t.test('over HTTP: NUL in a text field is a 400 on writes, never a 500 on reads', async (t) => {
  const app = await buildTestApp(t)
  const fd = new FormData()
  fd.append('alt', 'a\u0000b')
  const png = await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer()
  fd.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'x.png')
  const body = new Response(fd)
  const up = await app.inject({ method: 'POST', url: '/v1/media', headers: { ...adminAuth, 'content-type': body.headers.get('content-type')! }, payload: Buffer.from(await body.arrayBuffer()) })
  t.equal(up.statusCode, 400, 'an upload field holding NUL')
  t.match(up.headers['content-type'], /^application\/problem\+json/)
  t.match(up.json().errors, [{ path: 'alt' }])
  t.equal((await app.inject({ url: '/v1/media', headers: adminAuth })).json().meta.total, 0, 'nothing stored')

  fd.set('alt', 'fine')
  const ok = new Response(fd)
  const made = await app.inject({ method: 'POST', url: '/v1/media', headers: { ...adminAuth, 'content-type': ok.headers.get('content-type')! }, payload: Buffer.from(await ok.arrayBuffer()) })
  t.equal(made.statusCode, 201, made.body)
  const { id, filename } = made.json().data
  const patch = await app.inject({ method: 'PATCH', url: `/v1/media/${id}`, headers: { ...adminAuth, 'content-type': 'application/json' }, payload: JSON.stringify({ caption: 'x\u0000' }) })
  t.equal(patch.statusCode, 400, 'a PATCH holding NUL')
  t.equal((await app.inject({ url: `/v1/media/${id}`, headers: adminAuth })).json().data.caption, '', 'unchanged')

  for (const url of ['/v1/media?type=image%00', `/v1/media/${id}%00`, `/media/${id}/${filename}%00`, `/media/${id}/a%00b.png`]) {
    const res = await app.inject({ url, headers: adminAuth })
    t.ok(res.statusCode === 400 || res.statusCode === 404, `${url}: ${res.statusCode}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
  }
})

t.test('over HTTP: a media cursor whose time is not a whole millisecond was never given out: a 400', async (t) => {
  const app = await buildTestApp(t)
  for (const value of [1.5, 1e300]) {
    const res = await app.inject({ url: `/v1/media?cursor=${encodeCursor({ sort: 'media', value, id: 1 })}`, headers: adminAuth })
    t.equal(res.statusCode, 400, String(value))
    t.match(res.headers['content-type'], /^application\/problem\+json/)
  }
  const fine = await app.inject({ url: `/v1/media?cursor=${encodeCursor({ sort: 'media', value: Date.now(), id: Number.MAX_SAFE_INTEGER })}`, headers: adminAuth })
  t.equal(fine.statusCode, 200, 'an id past every record reads from the newest at that time')
})
