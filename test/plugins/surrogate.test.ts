import t from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { buildTestApp, adminAuth } from '../helper.js'
import Fastify from 'fastify'
import cachingPlugin from '../../src/plugins/caching.js'
import { keysForChanges } from '../../src/modules/cache-keys.js'

t.test('public responses name their surrogate keys', async (t) => {
  const app = await buildTestApp(t)
  const author = (await app.inject({ method: 'POST', url: '/v1/authors', payload: { name: 'A' }, headers: adminAuth })).json().data
  const post = (await app.inject({ method: 'POST', url: '/v1/posts', payload: { title: 'Keyed', author_id: author.id, status: 'published' }, headers: adminAuth })).json().data
  const cases: Array<[string, string]> = [
    ['/v1/posts', 'posts'],
    ['/v1/posts/keyed', `post-${post.id}`],
    ['/v1/posts/keyed/comments', `post-${post.id}`],
    ['/v1/categories', 'categories'],
    ['/v1/tags', 'tags'],
    ['/v1/authors', 'authors'],
    ['/v1/site', 'site'],
    ['/v1/changes', 'changes'],
    ['/feeds/rss.xml', 'posts site']
  ]
  for (const [url, keys] of cases) {
    t.equal((await app.inject(url)).headers['surrogate-key'], keys, url)
  }
})

t.test('a public route that declares no keys is keyed all', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(cachingPlugin, { stamp: () => 'unchanged', enabled: true })
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

t.test('the keys a set of changes invalidates', async (t) => {
  t.same(keysForChanges([{ kind: 'post', id: 7, before: null, after: null }]), ['authors', 'categories', 'changes', 'post-7', 'posts', 'tags'])
  t.same(keysForChanges([{ kind: 'comment', id: 1, postId: 3, before: null, after: 'approved' }]), ['changes', 'post-3'])
  t.same(keysForChanges([{ kind: 'tag', id: 1, slug: 'x', action: 'upsert' }, { kind: 'site' }]), ['changes', 'posts', 'site', 'tags'])
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
    { method: 'PURGE', keys: 'authors changes posts' },
    { method: 'PURGE', keys: `authors categories changes post-${post.id} posts tags` }
  ], 'one purge per committed write, none for a refused one')
})
