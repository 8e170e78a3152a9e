import t from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHash } from 'node:crypto'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import Fastify from 'fastify'
import { adminAuth, buildTestApp } from '../helper.js'
import cachingPlugin from '../../src/plugins/caching.js'
import { makePost } from '../helpers/factories.js'

// The response cache and content negotiation of public reads: compressed bodies, their
// ETags, conditional requests answered from a hit, and headers replayed on a hit.

const LONG_BODY = '<p>' + 'A paragraph long enough to be worth compressing. '.repeat(80) + '</p>'

async function seeded (t: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}) {
  const app = await buildTestApp(t, env)
  for (let i = 0; i < 5; i++) makePost(app.db, { slug: `long-${i}`, contentHtml: LONG_BODY })
  return app
}

t.test('gzip and brotli when the client asks, the same bytes underneath', async (t) => {
  const app = await seeded(t)
  const plain = await app.inject('/v1/posts')
  t.equal(plain.headers['content-encoding'], undefined, 'no Accept-Encoding: identity')
  t.match(String(plain.headers.vary), /Accept-Encoding/, 'the response says it varies by encoding')
  for (const [coding, decode] of [['gzip', gunzipSync], ['br', brotliDecompressSync]] as const) {
    for (const round of ['made', 'from the cache']) {
      const res = await app.inject({ url: '/v1/posts', headers: { 'accept-encoding': coding } })
      t.equal(res.headers['content-encoding'], coding, `${coding} ${round}`)
      t.equal(decode(res.rawPayload).toString(), plain.body, `${coding} ${round}: the same document`)
      t.ok(res.rawPayload.length < plain.rawPayload.length / 2, `${coding} ${round}: smaller`)
      t.not(res.headers.etag, plain.headers.etag, `${coding}: its own ETag`)
      t.match(String(res.headers.vary), /Accept-Encoding/)
    }
  }
  const preferred = await app.inject({ url: '/v1/posts', headers: { 'accept-encoding': 'gzip;q=1, br;q=0.5' } })
  t.equal(preferred.headers['content-encoding'], 'gzip', 'q-values are honoured')
  const refused = await app.inject({ url: '/v1/posts', headers: { 'accept-encoding': 'identity' } })
  t.equal(refused.headers['content-encoding'], undefined)
  const unknown = await app.inject({ url: '/v1/posts', headers: { 'accept-encoding': 'compress' } })
  t.equal(unknown.headers['content-encoding'], undefined, 'an encoding we do not make falls back to identity')
  t.equal(unknown.body, plain.body)
})

t.test('a 304 for the ETag of any encoding of the current version', async (t) => {
  const app = await seeded(t)
  const gz = await app.inject({ url: '/v1/posts', headers: { 'accept-encoding': 'gzip' } })
  const plain = await app.inject('/v1/posts')
  for (const [label, etag, encoding] of [['gzip tag, gzip', gz.headers.etag, 'gzip'], ['plain tag, gzip', plain.headers.etag, 'gzip'], ['gzip tag, plain', gz.headers.etag, undefined]] as const) {
    const headers: Record<string, string> = { 'if-none-match': String(etag) }
    if (encoding !== undefined) headers['accept-encoding'] = encoding
    const res = await app.inject({ url: '/v1/posts', headers })
    t.equal(res.statusCode, 304, label)
    t.equal(res.rawPayload.length, 0, `${label}: no body`)
  }
  makePost(app.db, { slug: 'newer' })
  app.core.invalidations.invalidate(['posts'])
  const stale = await app.inject({ url: '/v1/posts', headers: { 'if-none-match': String(gz.headers.etag), 'accept-encoding': 'gzip' } })
  t.equal(stale.statusCode, 200, 'after a write the old tag no longer matches')
  t.match(gunzipSync(stale.rawPayload).toString(), /"newer"/)
})

t.test('small bodies are not compressed', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ url: '/v1/tags', headers: { 'accept-encoding': 'gzip, br' } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-encoding'], undefined)
})

t.test('a hit replays the headers of the response and answers conditionals itself', async (t) => {
  const app = await seeded(t)
  const miss = await app.inject('/feeds/rss.xml')
  const hit = await app.inject('/feeds/rss.xml')
  t.equal(miss.headers['x-cache'], 'MISS')
  t.equal(hit.headers['x-cache'], 'HIT')
  for (const name of ['content-type', 'content-security-policy', 'x-content-type-options', 'access-control-allow-origin', 'last-modified', 'surrogate-key', 'cache-control', 'etag', 'vary']) {
    t.equal(hit.headers[name], miss.headers[name], `${name} replayed`)
  }
  t.not(hit.headers['x-request-id'], miss.headers['x-request-id'], 'each request has its own id')
  const since = await app.inject({ url: '/feeds/rss.xml', headers: { 'if-modified-since': String(miss.headers['last-modified']) } })
  t.equal(since.statusCode, 304, 'If-Modified-Since answered from the cache')
  const earlier = new Date(Date.parse(String(miss.headers['last-modified'])) - 1000).toUTCString()
  t.equal((await app.inject({ url: '/feeds/rss.xml', headers: { 'if-modified-since': earlier } })).statusCode, 200)
  const both = await app.inject({ url: '/feeds/rss.xml', headers: { 'if-modified-since': String(miss.headers['last-modified']), 'if-none-match': '"other"' } })
  t.equal(both.statusCode, 200, 'If-None-Match wins over If-Modified-Since')
  const head = await app.inject({ method: 'HEAD', url: '/feeds/rss.xml' })
  t.equal(head.statusCode, 200)
  t.equal(head.body, '', 'HEAD from the cache has no body')
  t.equal(head.headers['content-length'], miss.headers['content-length'])
})

t.test('with a list of CORS origins, one origin never receives the grant of another', async (t) => {
  const app = await seeded(t, { CORS_ORIGINS: 'https://a.example,https://b.example' })
  const a = await app.inject({ url: '/v1/posts', headers: { origin: 'https://a.example' } })
  t.equal(a.headers['access-control-allow-origin'], 'https://a.example')
  const b = await app.inject({ url: '/v1/posts', headers: { origin: 'https://b.example' } })
  t.equal(b.headers['access-control-allow-origin'], 'https://b.example')
  const evil = await app.inject({ url: '/v1/posts', headers: { origin: 'https://evil.example' } })
  t.notOk(evil.headers['access-control-allow-origin'])
  const againA = await app.inject({ url: '/v1/posts', headers: { origin: 'https://a.example' } })
  t.equal(againA.headers['x-cache'], 'HIT')
  t.equal(againA.headers['access-control-allow-origin'], 'https://a.example')
})

t.test('authenticated reads are neither served from nor stored in the cache', async (t) => {
  const app = await seeded(t)
  await app.inject('/v1/posts')
  const authed = await app.inject({ url: '/v1/posts', headers: adminAuth })
  t.equal(authed.headers['x-cache'], undefined)
  t.equal(authed.headers['cache-control'], 'private, no-store')
  t.equal((await app.inject('/v1/posts')).headers['x-cache'], 'HIT')
})

t.test('with the cache off, responses are still compressed and conditional', async (t) => {
  const app = await seeded(t, { RESPONSE_CACHE: 'false' })
  const res = await app.inject({ url: '/v1/posts', headers: { 'accept-encoding': 'gzip' } })
  t.equal(res.headers['content-encoding'], 'gzip')
  t.equal(res.headers['x-cache'], undefined)
  const again = await app.inject({ url: '/v1/posts', headers: { 'accept-encoding': 'gzip', 'if-none-match': String(res.headers.etag) } })
  t.equal(again.statusCode, 304)
})

t.test('the cache stays within its byte budget, least recently used out first', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(cachingPlugin, { sync: () => {}, enabled: true, maxBytes: 10_000 })
  app.get('/doc/:n', { config: { publicCache: true } }, async (request) => `${(request.params as { n: string }).n}:` + 'x'.repeat(2000))
  app.get('/big', { config: { publicCache: true } }, async () => 'y'.repeat(3000))
  const state = async (url: string) => (await app.inject(url)).headers['x-cache']
  for (const n of [1, 2, 3, 4]) t.equal(await state(`/doc/${n}`), 'MISS')
  t.equal(await state('/doc/1'), 'HIT', 'four entries of 2 KB fit in 10 KB')
  t.equal(await state('/doc/5'), 'MISS')
  t.equal(await state('/doc/2'), 'MISS', 'the least recently used entry made room for the fifth')
  t.equal(await state('/doc/1'), 'HIT', 'a recently read entry stayed')
  t.equal(await state('/big'), 'MISS')
  t.equal(await state('/big'), 'MISS', 'a body over a quarter of the budget is never stored')
})

t.test('the cache holds at most RESPONSE_CACHE_ENTRIES responses, least recently used out first', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE_ENTRIES: '2' })
  makePost(app.db, { slug: 'one' })
  makePost(app.db, { slug: 'two' })
  makePost(app.db, { slug: 'three' })
  const state = async (url: string) => (await app.inject(url)).headers['x-cache']
  for (const slug of ['one', 'two']) t.equal(await state(`/v1/posts/${slug}`), 'MISS')
  t.equal(await state('/v1/posts/one'), 'HIT', 'two entries fit')
  t.equal(await state('/v1/posts/three'), 'MISS')
  t.equal(await state('/v1/posts/two'), 'MISS', 'the least recently used one made room for the third')
  t.equal(await state('/v1/posts/three'), 'HIT')
})

// Surrogate keys: what each public response depends on, and the PURGE of every committed write.

t.test('public responses name their surrogate keys', async (t) => {
  const app = await buildTestApp(t)
  const author = (await app.inject({ method: 'POST', url: '/v1/authors', payload: { name: 'A' }, headers: adminAuth })).json().data
  const post = (await app.inject({ method: 'POST', url: '/v1/posts', payload: { title: 'Keyed', author_id: author.id, status: 'published' }, headers: adminAuth })).json().data
  const other = (await app.inject({ method: 'POST', url: '/v1/posts', payload: { title: 'Keyed too', author_id: author.id, status: 'published', content_html: '<p>Keyed</p>' }, headers: adminAuth })).json().data
  const both = `post-${other.id} post-${post.id}`
  const cases: Array<[string, string]> = [
    ['/v1/posts', `posts ${both}`],
    ['/v1/posts?fields=title', `posts ${both}`],
    ['/v1/posts?per_page=1&page=2', `posts post-${post.id}`],
    ['/v1/posts?q=keyed', `posts post-edits ${both}`],
    ['/v1/posts?sort=title', `posts post-edits post-${post.id} post-${other.id}`],
    ['/v1/posts?sort=-updated_at', `posts post-edits ${both}`],
    [`/v1/posts?author=${author.id}`, `posts authors ${both}`],
    ['/v1/posts?q=nothing-matches-this', 'posts post-edits'],
    ['/v1/posts/keyed', `post-${post.id}`],
    ['/v1/posts/keyed/comments', `post-${post.id}`],
    ['/v1/posts/keyed/related', `posts post-edits related post-${post.id} post-${other.id}`],
    ['/v1/categories', 'categories'],
    ['/v1/tags', 'tags'],
    ['/v1/authors', 'authors'],
    [`/v1/authors/${author.id}`, 'authors'],
    ['/v1/site', 'site'],
    ['/v1/changes', 'changes'],
    ['/feeds/rss.xml', `posts site changes ${both}`],
    [`/feeds/atom.xml?author=${author.id}`, `posts site changes authors ${both}`]
  ]
  for (const [url, keys] of cases) {
    const got = (await app.inject(url)).headers['surrogate-key']
    // Related posts are computed until the read model's background step has stored the post's
    // list, then served from it with the list's own key: which one answers depends on timing.
    if (url.endsWith('/related') && got === `related related-${post.id} ${both.split(' ').reverse().join(' ')}`) {
      t.pass(`${url}: served from the stored list`)
      continue
    }
    t.equal(got, keys, url)
  }
})

t.test('a public route that declares no keys is keyed all', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(cachingPlugin, { sync: () => {}, enabled: true })
  app.get('/plain', { config: { publicCache: true } }, async () => 'plain')
  app.get('/declared', { config: { publicCache: true, cacheKeys: ['a', 'b'] } }, async () => 'declared')
  app.get('/dynamic', { config: { publicCache: true, cacheKeys: ['a'] } }, async (_request, reply) => {
    reply.cacheKeys(['c'])
    return 'dynamic'
  })
  t.equal((await app.inject('/plain')).headers['surrogate-key'], 'all')
  t.equal((await app.inject('/declared')).headers['surrogate-key'], 'a b')
  t.equal((await app.inject('/dynamic')).headers['surrogate-key'], 'c', 'what the handler names wins')
})

t.test('every committed write sends PURGE with the keys it invalidates', async (t) => {
  const seen: Array<{ method: string, keys: string }> = []
  const receiver = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', keys: String(req.headers['surrogate-key']) })
    res.end('ok')
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  t.teardown(() => receiver.close())
  const app = await buildTestApp(t, { PURGE_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/` })
  const author = (await app.inject({ method: 'POST', url: '/v1/authors', payload: { name: 'A' }, headers: adminAuth })).json().data
  const post = (await app.inject({ method: 'POST', url: '/v1/posts', payload: { title: 'P', author_id: author.id, status: 'published' }, headers: adminAuth })).json().data
  const failed = await app.inject({ method: 'POST', url: '/v1/posts', payload: { title: 'P', slug: post.slug, author_id: author.id }, headers: adminAuth })
  t.equal(failed.statusCode, 409)
  for (let i = 0; i < 50 && seen.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  t.same(seen, [
    { method: 'PURGE', keys: 'authors changes' },
    { method: 'PURGE', keys: `authors categories changes post-${post.id} post-edits posts related tags` }
  ], 'one purge per committed write, none for a refused one')
})

t.test('reply.cacheUntil: an entry past its time is dropped and made again', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(cachingPlugin, { sync: () => {}, enabled: true })
  let made = 0
  app.get('/past', { config: { publicCache: true } }, async (_request, reply) => {
    reply.cacheUntil(Date.now() - 1)
    return `past ${++made}`
  })
  app.get('/future', { config: { publicCache: true } }, async (_request, reply) => {
    reply.cacheUntil(Date.now() + 3_600_000)
    return 'future'
  })
  t.equal((await app.inject('/past')).headers['x-cache'], 'MISS')
  const again = await app.inject('/past')
  t.equal(again.headers['x-cache'], 'MISS', 'expired: not answered from the cache')
  t.equal(again.body, 'past 2', 'made again')
  t.equal((await app.inject('/future')).headers['x-cache'], 'MISS')
  t.equal((await app.inject('/future')).headers['x-cache'], 'HIT', 'not yet expired: a hit')
})

t.test('a route may send the bytes it holds and name their validator: both cached, conditional and compressed', async (t) => {
  for (const enabled of [true, false]) {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(cachingPlugin, { sync: () => {}, enabled })
    const bytes = Buffer.from(LONG_BODY)
    app.get('/bytes', { config: { publicCache: true } }, async (_request, reply) => {
      reply.type('text/html').cacheEtag('v1-abc')
      return bytes
    })
    app.get('/hashed', { config: { publicCache: true } }, async (_request, reply) => {
      reply.type('text/html')
      return bytes
    })
    const label = enabled ? 'cache on' : 'cache off'
    const first = await app.inject('/bytes')
    t.equal(first.headers.etag, '"v1-abc"', `${label}: the route's validator, not a hash of the body`)
    t.equal(first.body, LONG_BODY)
    t.equal(first.headers['x-cache'], enabled ? 'MISS' : undefined, `${label}: a Buffer answer goes through the cache`)
    if (enabled) t.equal((await app.inject('/bytes')).headers['x-cache'], 'HIT', 'then a hit')
    t.equal((await app.inject({ url: '/bytes', headers: { 'if-none-match': '"v1-abc"' } })).statusCode, 304, `${label}: conditional`)
    const gz = await app.inject({ url: '/bytes', headers: { 'accept-encoding': 'gzip' } })
    t.equal(gz.headers.etag, '"v1-abc-gzip"', `${label}: the encoding's own tag`)
    t.equal(gunzipSync(gz.rawPayload).toString(), LONG_BODY)
    const hashed = await app.inject('/hashed')
    t.match(hashed.headers.etag, /^"[A-Za-z0-9_-]{27}"$/, `${label}: a Buffer without a named validator gets the SHA-1 of its bytes`)
  }
})

t.test('with the cache off, a string with a named validator goes out as it is, with every public header and conditional', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(cachingPlugin, { sync: () => {}, enabled: false })
  const modified = 'Tue, 01 Dec 2026 08:00:00 GMT'
  app.get('/doc', { config: { publicCache: true, cacheKeys: ['doc-1', 'docs'] } }, async (_request, reply) => {
    reply.type('application/json').header('last-modified', modified).cacheEtag('d1')
    return '{"a":1}'
  })
  app.get('/plain', { config: { publicCache: true } }, async () => 'plain text')
  const res = await app.inject('/doc')
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{"a":1}')
  t.equal(res.headers.etag, '"d1"')
  t.equal(res.headers['surrogate-key'], 'doc-1 docs')
  t.equal(res.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')
  t.equal(res.headers.vary, 'Accept-Encoding')
  t.equal(res.headers['x-cache'], undefined, 'nothing stored')
  t.equal((await app.inject({ url: '/doc', headers: { 'if-none-match': 'W/"d1"' } })).statusCode, 304, 'If-None-Match')
  t.equal((await app.inject({ url: '/doc', headers: { 'if-modified-since': modified } })).statusCode, 304, 'If-Modified-Since')
  t.equal((await app.inject({ url: '/doc', headers: { 'if-none-match': '"d0"' } })).statusCode, 200, 'another version')
  const plain = await app.inject('/plain')
  t.equal(plain.headers.etag, `"${createHash('sha1').update('plain text').digest('base64url')}"`, 'without one, the SHA-1 of the body')
})
