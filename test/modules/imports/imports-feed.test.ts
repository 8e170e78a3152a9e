import t from 'tap'
import http from 'node:http'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import { buildTestApp, adminAuth } from '../../helper.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
type Test = Parameters<typeof buildTestApp>[0]

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/feeds/${name}`, import.meta.url))
const RSS = fixture('partner.rss.xml')
const JSON_FEED = fixture('partner.feed.json')

function count (app: App, sql: string, ...params: unknown[]): number {
  return app.db.$client.prepare(sql).pluck().get(...params) as number
}

/** A feed server on 127.0.0.1: each path answers what `routes` says. */
async function feedServer (t: Test, routes: Record<string, { status?: number, type?: string, body?: string | Buffer, location?: string }>) {
  let hits = 0
  const server = http.createServer((req, res) => {
    hits++
    const route = routes[req.url ?? '']
    if (route === undefined) {
      res.statusCode = 404
      return res.end('not here')
    }
    res.statusCode = route.status ?? 200
    if (route.type) res.setHeader('content-type', route.type)
    if (route.location) res.setHeader('location', route.location)
    res.end(route.body ?? '')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits }
}

t.test('a feed posted as the body becomes draft posts with source and canonical URL', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({
    method: 'POST',
    url: '/v1/imports/feed?source_url=https://courier.example.com/feed.xml',
    headers: { ...adminAuth, prefer: 'wait=60', 'content-type': 'application/rss+xml' },
    payload: RSS
  })
  t.equal(res.statusCode, 200, res.body)
  const s = res.json().data
  t.equal(s.format, 'rss')
  t.equal(s.created.posts, 2)
  const rows = app.db.$client.prepare('SELECT id, title, status, source_url, source_name, canonical_url, import_key, content_html, author_id FROM posts ORDER BY id').all() as Array<Record<string, string | number>>
  t.same(rows.map((r) => r.status), ['draft', 'draft'], 'drafts unless told otherwise')
  const light = rows.find((r) => r.title === 'Lighthouse reopens') as Record<string, string | number>
  t.equal(light.source_url, 'https://courier.example.com/news/lighthouse-reopens', 'relative links are resolved')
  t.equal(light.canonical_url, 'https://courier.example.com/news/lighthouse-reopens')
  t.equal(light.source_name, 'Coastal Courier')
  t.equal(light.import_key, 'feed:https://courier.example.com/#courier-1001', 'a guid that is no URI is keyed within the site the feed names')
  t.equal(rows.find((r) => r.title === 'Fish market moves')?.import_key, 'feed:https://courier.example.com/news/fish-market', 'a URI guid is the key')
  t.notMatch(String(light.content_html), /script|track\(/)
  t.match(String(light.content_html), /src="https:\/\/courier\.example\.com\/img\/light\.jpg"/)
  const author = (id: number | string) => app.db.$client.prepare('SELECT slug FROM authors WHERE id = ?').pluck().get(id)
  t.equal(author(light.author_id), 'ada-brine', 'the item names its author')
  const market = rows.find((r) => r.title === 'Fish market moves') as Record<string, string | number>
  t.equal(author(market.author_id), 'coastal-courier', 'else a per-feed author named after the feed')
  t.equal(count(app, "SELECT count(*) FROM tags WHERE slug = 'heritage'"), 1, 'item categories become tags')

  const again = await app.inject({
    method: 'POST',
    url: '/v1/imports/feed?source_url=https://courier.example.com/feed.xml',
    headers: { ...adminAuth, prefer: 'wait=60', 'content-type': 'application/rss+xml' },
    payload: RSS
  })
  t.same(again.json().data.created.posts, 0, 'a re-import does not duplicate')
  t.same(again.json().data.unchanged.posts, 2)
  t.equal(count(app, 'SELECT count(*) FROM posts'), 2)
})

t.test('a JSON Feed body can be published directly', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({
    method: 'POST',
    url: '/v1/imports/feed?status=published',
    headers: { ...adminAuth, prefer: 'wait=60', 'content-type': 'application/feed+json' },
    payload: JSON_FEED
  })
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().data.created.posts, 2)
  const regatta = (await app.inject({ url: '/v1/posts/regatta-results' })).json().data
  t.equal(regatta.published_at, '2023-03-15T10:00:00.000Z')
  t.same(regatta.source, { url: 'https://courier.example.com/news/regatta', name: 'Coastal Courier JSON' })
  const tides = (await app.inject({ url: '/v1/posts/spring-tides' })).json().data
  t.equal(tides.published_at, '2023-03-16T04:00:00.000Z', 'offsets are turned into UTC')
  t.equal(tides.author.slug, 'ada-brine')
})

t.test('a feed URL is fetched from a real server when private targets are allowed', async (t) => {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true' })
  const { base } = await feedServer(t, {
    '/feed.xml': { type: 'application/rss+xml; charset=utf-8', body: RSS },
    '/moved': { status: 301, location: '/feed.xml' },
    '/page': { type: 'text/html', body: '<html><body>hello</body></html>' },
    '/loop': { status: 302, location: '/loop' },
    '/junk': { type: 'application/xml', body: 'not a feed at all' }
  })
  const ok = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { ...adminAuth, prefer: 'wait=60' }, payload: { url: `${base}/moved`, status: 'published' } })
  t.equal(ok.statusCode, 200, ok.body)
  t.equal(ok.json().data.created.posts, 2)
  t.equal(count(app, "SELECT count(*) FROM posts WHERE status = 'published'"), 2)
  t.equal(count(app, 'SELECT count(*) FROM posts WHERE import_key LIKE ?', `feed:${base}%`), 0, 'items are not keyed by the URL asked for')

  for (const [path, pattern] of [['/page', /text\/html/], ['/loop', /redirect/], ['/missing', /404/], ['/junk', /./]] as const) {
    const res = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { ...adminAuth, prefer: 'wait=60' }, payload: { url: `${base}${path}` } })
    t.equal(res.statusCode, 422, `${path}: ${res.body}`)
    t.match(res.json().detail, pattern)
  }
  const bad = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { ...adminAuth, prefer: 'wait=60' }, payload: { url: 'file:///etc/passwd' } })
  t.equal(bad.statusCode, 422)
  const unknownField = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { ...adminAuth, prefer: 'wait=60' }, payload: { url: `${base}/feed.xml`, publish: true } })
  t.equal(unknownField.statusCode, 400)
})

t.test('a feed URL in a private network is refused without ALLOW_PRIVATE_TARGETS', async (t) => {
  const app = await buildTestApp(t)
  const { base, hits } = await feedServer(t, { '/feed.xml': { type: 'application/rss+xml', body: RSS } })
  const res = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { ...adminAuth, prefer: 'wait=60' }, payload: { url: `${base}/feed.xml` } })
  t.equal(res.statusCode, 422)
  t.match(res.json().detail, /only ports 80 and 443|not a public internet address/)
  const named = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { ...adminAuth, prefer: 'wait=60' }, payload: { url: `http://localhost:${new URL(base).port}/feed.xml` } })
  t.equal(named.statusCode, 422, 'a host name that resolves to loopback too')
  t.equal(hits(), 0, 'the server was never contacted')
  t.equal(count(app, 'SELECT count(*) FROM posts'), 0)
})

t.test('needs write:content, and junk bodies are a 4xx', async (t) => {
  const app = await buildTestApp(t)
  const anon = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { 'content-type': 'application/rss+xml' }, payload: RSS })
  t.equal(anon.statusCode, 401)
  const reader = app.core.repos.keys.createSync('reader', ['moderate:comments'])
  const denied = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { authorization: `Bearer ${reader.key}`, 'content-type': 'application/rss+xml' }, payload: RSS })
  t.equal(denied.statusCode, 403)
  const junk = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { ...adminAuth, prefer: 'wait=60', 'content-type': 'application/xml' }, payload: '<<<>>>' })
  t.equal(junk.statusCode, 422)
  t.match(junk.headers['content-type'], /problem\+json/)
  t.equal(count(app, 'SELECT count(*) FROM posts'), 0)
})

const FEEDS = new URL('../../../../shared/fixtures/feeds/', import.meta.url)
t.test('every shared feed imports or is refused with a reason', { skip: existsSync(FEEDS) ? false : 'the shared fixtures folder (../shared/fixtures/feeds) is absent' }, async (t) => {
  const app = await buildTestApp(t)
  const dir = fileURLToPath(FEEDS)
  const files = readdirSync(dir).filter((d) => d !== 'spec' && statSync(join(dir, d)).isDirectory())
    .flatMap((d) => readdirSync(join(dir, d)).map((f) => join(dir, d, f)))
  t.ok(files.length > 20)
  let imported = 0
  for (const file of files) {
    const type = file.endsWith('.json') ? 'application/feed+json' : 'application/xml'
    const res = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { ...adminAuth, prefer: 'wait=60', 'content-type': type }, payload: readFileSync(file) })
    t.ok(res.statusCode === 200 || res.statusCode === 422, `${file}: ${res.statusCode}`)
    if (res.statusCode === 422) t.ok(res.json().detail.length > 10, `${file} refused: ${res.json().detail}`)
    else imported++
  }
  t.ok(imported >= files.length - 6, `${imported} of ${files.length} imported`)
})

/** Imports the partner feed as a file (no source_url) or from a local server, and says what it did. */
async function importBoth (t: Test, order: Array<'file' | 'url'>) {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true' })
  const { base } = await feedServer(t, { '/feed.xml': { type: 'application/rss+xml', body: RSS } })
  const summaries = []
  for (const how of order) {
    const res = how === 'file'
      ? await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { ...adminAuth, prefer: 'wait=60', 'content-type': 'application/rss+xml' }, payload: RSS })
      : await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { ...adminAuth, prefer: 'wait=60' }, payload: { url: `${base}/feed.xml` } })
    t.equal(res.statusCode, 200, res.body)
    summaries.push(res.json().data)
  }
  return { app, summaries }
}

t.test('a feed imported from a file and then from its URL is the same posts (items keyed by guid or link)', async (t) => {
  const { app, summaries } = await importBoth(t, ['file', 'url'])
  t.equal(summaries[0].created.posts, 2)
  t.equal(summaries[1].created.posts, 0, 'no duplicate')
  t.equal(summaries[1].unchanged.posts + summaries[1].updated.posts, 2)
  t.equal(count(app, 'SELECT count(*) FROM posts'), 2)
})

t.test('a feed imported from its URL and then from a file is the same posts', async (t) => {
  const { app, summaries } = await importBoth(t, ['url', 'file'])
  t.equal(summaries[1].created.posts, 0, 'no duplicate')
  t.equal(count(app, 'SELECT count(*) FROM posts'), 2)
})

t.test('posts keyed the old way (by where the feed came from) are found and re-keyed', async (t) => {
  for (const legacy of ['feed:https://courier.example.com/feed.xml:', 'feed:https://courier.example.com/:', 'feed:Coastal Courier:']) {
    const app = await buildTestApp(t)
    const first = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { ...adminAuth, prefer: 'wait=60', 'content-type': 'application/rss+xml' }, payload: RSS })
    t.equal(first.json().data.created.posts, 2)
    // What the importer before this version stored: feed:<where it came from>:<item id>.
    app.db.$client.prepare("UPDATE posts SET import_key = ? || substr(import_key, instr(import_key, '#') + 1) WHERE import_key LIKE 'feed:%#%'").run(legacy)
    app.db.$client.prepare("UPDATE posts SET import_key = ? || substr(import_key, 6) WHERE import_key NOT LIKE ? AND import_key LIKE 'feed:http%'").run(legacy, `${legacy}%`)
    t.equal(count(app, 'SELECT count(*) FROM posts WHERE import_key LIKE ?', `${legacy}%`), 2, `set up: ${legacy}`)
    const again = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { ...adminAuth, prefer: 'wait=60', 'content-type': 'application/rss+xml' }, payload: RSS })
    t.equal(again.json().data.created.posts, 0, `${legacy}: found under the old key`)
    t.equal(count(app, 'SELECT count(*) FROM posts'), 2)
    t.equal(count(app, 'SELECT count(*) FROM posts WHERE import_key LIKE ?', `${legacy}%`), 0, 'and re-keyed')
  }
})
