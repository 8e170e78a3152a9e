import t from 'tap'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { buildTestApp } from '../helper.js'
import { makeCategory, makeComment, makePost, makeTag } from '../helpers/factories.js'

interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: string }

/** A plain HTTP/1.1 GET with any headers, Host included (fetch does not let a caller set Host). */
function get (port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

const HOSTILE = {
  host: 'attacker.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'gopher',
  'x-forwarded-port': '6666',
  forwarded: 'host=evil.example;proto=https'
}
const HOSTILE_TEXT = /attacker\.example|evil\.example|gopher|6666/

async function newsroomOnPort3400 (t: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}) {
  // PORT=3400 without SITE_URL, behind a proxy that is trusted: the case of issue 13.3 and 22.3.
  const app = await buildTestApp(t, { SITE_URL: '', PORT: '3400', TRUST_PROXY: 'true', ...env })
  const politics = makeCategory(app.db, { slug: 'politics', name: 'Politics' })
  const nato = makeTag(app.db, { slug: 'nato', name: 'NATO' })
  for (let i = 0; i < 12; i++) {
    const post = makePost(app.db, { slug: `story-${i}`, title: `Geneva talks story ${i}`, categoryIds: [politics.id], tagIds: [nato.id], publishedAt: Date.now() - (i + 1) * 3_600_000 })
    if (i === 0) makeComment(app.db, { postId: post.id })
  }
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, port: (app.server.address() as AddressInfo).port }
}

const PUBLIC_PATHS = [
  '/v1/site', '/v1/posts', '/v1/posts?per_page=2&page=2', '/v1/posts?per_page=5&cursor=', '/v1/posts/story-0',
  '/v1/posts/story-0/related', '/v1/posts/story-0/comments', '/v1/categories', '/v1/categories/politics', '/v1/tags',
  '/v1/tags/nato', '/v1/authors', '/v1/changes', '/feeds/rss.xml', '/feeds/atom.xml', '/feeds/feed.json',
  '/feeds/rss.xml?category=politics&limit=3'
]

t.test('no public URL comes from the request: Host and X-Forwarded-* change nothing, cached or not', async (t) => {
  const { port } = await newsroomOnPort3400(t)
  const first = await get(port, '/v1/posts?per_page=5')
  const cursor = JSON.parse(first.body).meta.next_cursor as string
  for (const raw of PUBLIC_PATHS) {
    const path = raw.endsWith('cursor=') ? raw + cursor : raw
    // The hostile request comes first, so it is the one the response cache stores.
    const hostile = await get(port, path, HOSTILE)
    const hostileAgain = await get(port, path, HOSTILE)
    const clean = await get(port, path)
    t.equal(hostile.status, 200, path)
    t.equal(hostile.headers['x-cache'], 'MISS', `${path}: the hostile request was answered fresh`)
    t.equal(clean.headers['x-cache'], 'HIT', `${path}: the clean one from the cache`)
    for (const [name, answer] of [['hostile', hostile], ['hostile, cached', hostileAgain], ['clean', clean]] as const) {
      t.notMatch(answer.body, HOSTILE_TEXT, `${path} (${name}): nothing of the request's host in the body`)
      t.notMatch(JSON.stringify(answer.headers), HOSTILE_TEXT, `${path} (${name}): nor in any header`)
    }
    t.equal(hostile.body, clean.body, `${path}: the same body either way`)
    t.equal(hostile.headers.link, clean.headers.link, `${path}: the same Link header`)
  }
})

t.test('with the response cache off the answers are the same too', async (t) => {
  const { port } = await newsroomOnPort3400(t, { RESPONSE_CACHE: 'false' })
  for (const path of PUBLIC_PATHS.filter((p) => !p.endsWith('cursor='))) {
    const hostile = await get(port, path, HOSTILE)
    const clean = await get(port, path)
    t.notMatch(hostile.body + JSON.stringify(hostile.headers), HOSTILE_TEXT, path)
    t.equal(hostile.body, clean.body, path)
  }
})

t.test('PORT=3400 without SITE_URL: one base URL everywhere', async (t) => {
  const { port } = await newsroomOnPort3400(t)
  const base = 'http://127.0.0.1:3400'
  const site = JSON.parse((await get(port, '/v1/site')).body).data
  t.equal(site.url, base, 'the site url')
  t.same(site.feeds, { rss: `${base}/feeds/rss.xml`, atom: `${base}/feeds/atom.xml`, json: `${base}/feeds/feed.json` }, 'feed links on the same base')
  const post = JSON.parse((await get(port, '/v1/posts/story-0')).body).data
  t.equal(post.url, `${base}/politics/story-0`)
  t.equal(post.canonical_url, post.url)
  const json = JSON.parse((await get(port, '/feeds/feed.json?limit=2')).body)
  t.equal(json.home_page_url, base)
  t.equal(json.feed_url, `${base}/feeds/feed.json?limit=2`, 'the self link')
  t.equal(json.items[0].url, `${base}/politics/story-0`)
  const rss = (await get(port, '/feeds/rss.xml')).body
  t.match(rss, `<atom:link href="${base}/feeds/rss.xml" rel="self"`)
  t.notMatch(rss, /localhost:3000/)
  const links = (await get(port, '/v1/posts?per_page=5')).headers.link as string
  t.match(links, /^<\/v1\/posts\?per_page=5&page=1>; rel="first"/, 'Link targets are relative, so any host the client used resolves them')
})

t.test('SITE_URL and PUBLIC_API_URL apart: posts on the site, feeds on the API', async (t) => {
  const { port } = await newsroomOnPort3400(t, { SITE_URL: 'https://news.example.com', PUBLIC_API_URL: 'https://api.example.com/content' })
  const site = JSON.parse((await get(port, '/v1/site', HOSTILE)).body).data
  t.equal(site.url, 'https://news.example.com')
  t.equal(site.feeds.rss, 'https://api.example.com/content/feeds/rss.xml')
  const json = JSON.parse((await get(port, '/feeds/feed.json?limit=1', HOSTILE)).body)
  t.equal(json.feed_url, 'https://api.example.com/content/feeds/feed.json?limit=1')
  t.equal(json.home_page_url, 'https://news.example.com')
  t.equal(json.items[0].url, 'https://news.example.com/politics/story-0')
})
