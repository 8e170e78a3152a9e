import t from 'tap'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { buildTestApp, adminAuth } from '../../helper.js'

// Imports uploaded as forms (issue 21, item 22): `curl -F file=@export.xml` is multipart/form-data.
// A real server and the platform's FormData, as a browser's file input or curl would send it.

type App = Awaited<ReturnType<typeof buildTestApp>>

const BLOG = readFileSync(new URL('../../fixtures/wxr/blog-1.1.xml', import.meta.url))
const RSS = readFileSync(new URL('../../fixtures/feeds/rss2.xml', import.meta.url))

async function serve (t: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}): Promise<{ app: App, base: string }> {
  const app = await buildTestApp(t, env)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` }
}

/** The JSON of an answer: a summary or a problem. */
async function json (res: Response): Promise<{ data: { created: Record<string, number> }, detail: string }> {
  return await res.json() as { data: { created: Record<string, number> }, detail: string }
}

function form (field: string, bytes: Buffer, type: string, name: string, extra: Record<string, string> = {}): FormData {
  const body = new FormData()
  for (const [k, v] of Object.entries(extra)) body.append(k, v)
  body.append(field, new Blob([bytes], { type }), name)
  return body
}

t.test('a WordPress export uploaded as multipart/form-data is imported like a raw body', async (t) => {
  const { app, base } = await serve(t)
  const res = await fetch(`${base}/v1/imports/wxr`, { method: 'POST', headers: { ...adminAuth, prefer: 'wait=60' }, body: form('file', BLOG, 'application/xml', 'export.xml', { note: 'before the file' }) })
  t.equal(res.status, 200, await res.clone().text())
  t.same((await json(res)).data.created, { posts: 5, pages: 1, categories: 4, tags: 3, authors: 3, comments: 6 })
  t.equal(app.db.$client.prepare("SELECT count(*) FROM posts WHERE import_key LIKE 'wxr:%'").pluck().get(), 5)

  const again = await fetch(`${base}/v1/imports/wxr`, { method: 'POST', headers: { ...adminAuth, prefer: 'wait=60' }, body: form('upload', BLOG, 'application/octet-stream', 'x.bin') })
  t.equal(again.status, 200, 'any field name, any part type')
  t.equal((await json(again)).data.created.posts, 0, 'the same file again duplicates nothing')
})

t.test('a feed uploaded as a form', async (t) => {
  const { app, base } = await serve(t)
  const res = await fetch(`${base}/v1/imports/feed?source_url=${encodeURIComponent('https://partner.example.com/feed')}`, {
    method: 'POST', headers: { ...adminAuth, prefer: 'wait=60' }, body: form('file', RSS, 'application/rss+xml', 'feed.xml')
  })
  t.equal(res.status, 200, await res.clone().text())
  t.ok((await json(res)).data.created.posts > 0)
  t.ok(app.db.$client.prepare("SELECT count(*) FROM posts WHERE source_url IS NOT NULL OR import_key LIKE 'feed:%'").pluck().get() as number > 0)
})

t.test('a multipart body without a file, over the limit, malformed, or unauthenticated: 4xx problems, nothing imported', async (t) => {
  const { app, base } = await serve(t, { IMPORT_MAX_BYTES: String(8 * 1024) })
  const posts = () => app.db.$client.prepare('SELECT count(*) FROM posts').pluck().get()

  const noFile = new FormData()
  noFile.append('file', 'just text, not a file')
  const none = await fetch(`${base}/v1/imports/wxr`, { method: 'POST', headers: adminAuth, body: noFile })
  t.equal(none.status, 400)
  t.equal(none.headers.get('content-type'), 'application/problem+json; charset=utf-8')
  t.match((await json(none)).detail, /no file part.*curl -F file=@export\.xml/)

  const big = await fetch(`${base}/v1/imports/wxr`, { method: 'POST', headers: adminAuth, body: form('file', BLOG, 'application/xml', 'export.xml') })
  t.equal(big.status, 413, `the fixture (${BLOG.length} bytes) is over 8 KB`)
  t.match((await json(big)).detail, /IMPORT_MAX_BYTES/)

  const broken = await fetch(`${base}/v1/imports/wxr`, {
    method: 'POST', headers: { ...adminAuth, 'content-type': 'multipart/form-data; boundary=xyz' }, body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.xml"\r\n\r\n<rss'
  })
  t.ok(broken.status >= 400 && broken.status < 500, `a multipart body cut short is a 4xx (${broken.status})`)
  t.equal(broken.headers.get('content-type'), 'application/problem+json; charset=utf-8')

  const anonymous = await fetch(`${base}/v1/imports/wxr`, { method: 'POST', body: form('file', Buffer.from('<rss/>'), 'application/xml', 'a.xml') })
  t.equal(anonymous.status, 401, 'auth comes before reading the body')
  t.equal(posts(), 0)
})

t.test('the spec lists multipart/form-data for both imports', async (t) => {
  const app = await buildTestApp(t)
  const spec = (await app.inject({ url: '/openapi.json' })).json()
  t.ok(spec.paths['/v1/imports/wxr'].post.requestBody.content['multipart/form-data'])
  t.ok(spec.paths['/v1/imports/feed'].post.requestBody.content['multipart/form-data'])
  const other = await app.inject({ method: 'POST', url: '/v1/imports/wxr', headers: { ...adminAuth, 'content-type': 'text/csv' }, payload: 'a,b' })
  t.equal(other.statusCode, 415)
  t.match(other.headers.accept, /multipart\/form-data/)
})
