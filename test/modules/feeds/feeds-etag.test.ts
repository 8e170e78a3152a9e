import { createHash } from 'node:crypto'
import { test } from 'tap'
import { buildTestApp, adminAuth } from '../../helper.js'

// A feed made of stored items names its ETag from the frame's hash and the items' stored
// hashes (feeds-routes.ts), never from hashing the document: the tag must still change when,
// and only when, the bytes change, and conditional requests must still answer 304.

type App = Awaited<ReturnType<typeof buildTestApp>>

async function write (app: App, method: 'POST' | 'PATCH', url: string, payload: object): Promise<number> {
  const res = await app.inject({ method, url, headers: adminAuth, payload })
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`)
  return res.json().data.id
}

const FEEDS = ['/feeds/rss.xml', '/feeds/atom.xml', '/feeds/feed.json', '/feeds/rss.xml?limit=2', '/feeds/feed.json?limit=2', '/feeds/atom.xml?tag=nato']

interface Seen { etag: string, body: string, lastModified: string }

async function snapshot (app: App): Promise<Map<string, Seen>> {
  const seen = new Map<string, Seen>()
  for (const url of FEEDS) {
    const res = await app.inject(url)
    if (res.statusCode !== 200) throw new Error(`${url} → ${res.statusCode}`)
    seen.set(url, { etag: String(res.headers.etag), body: res.body, lastModified: String(res.headers['last-modified']) })
  }
  return seen
}

for (const cache of ['false', 'true']) {
  test(`feed ETags follow the bytes (RESPONSE_CACHE=${cache})`, async (t) => {
    const app = await buildTestApp(t, { RESPONSE_CACHE: cache })
    const author = await write(app, 'POST', '/v1/authors', { name: 'Ann Author' })
    const tag = await write(app, 'POST', '/v1/tags', { name: 'NATO', slug: 'nato' })
    const ids: number[] = []
    for (let i = 0; i < 4; i++) {
      ids.push(await write(app, 'POST', '/v1/posts', {
        title: `Story ${i}`,
        content_html: `<p>Body ${i}</p>`,
        status: 'published',
        // Seconds apart, and minutes ago: Last-Modified (whole seconds) moves with a write.
        published_at: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
        author_id: author,
        tag_ids: i < 2 ? [tag] : []
      }))
    }
    const draft = await write(app, 'POST', '/v1/posts', { title: 'Draft', content_html: '<p>Not yet</p>', status: 'draft', author_id: author })
    t.ok((await app.core.services.feeds.load({}, Date.now(), 'rss')).stored.size > 0, 'items come from the read model')

    let before = await snapshot(app)
    for (const [url, seen] of before) {
      t.match(seen.etag, /^"[A-Za-z0-9_-]{27}"$/, `${url}: a strong tag`)
      t.not(seen.etag, `"${createHash('sha1').update(seen.body).digest('base64url')}"`, `${url}: named from the stored hashes, not a hash of the body`)
    }
    const again = await snapshot(app)
    for (const url of FEEDS) t.equal(again.get(url)?.etag, before.get(url)?.etag, `${url}: the same bytes, the same tag`)

    /** After a write: each feed's tag changed exactly when its bytes did; `changed` lists the feeds whose bytes must have changed. */
    async function after (label: string, changed: string[], unchanged: string[]): Promise<void> {
      // Last-Modified and RSS lastBuildDate have whole seconds: a write lands in a later one.
      await new Promise((resolve) => setTimeout(resolve, 1001))
      const now = await snapshot(app)
      for (const url of FEEDS) {
        const [a, b] = [before.get(url) as Seen, now.get(url) as Seen]
        t.equal(a.etag !== b.etag, a.body !== b.body, `${label}: ${url}: the tag changes if and only if the bytes do`)
      }
      for (const url of changed) t.not(now.get(url)?.body, before.get(url)?.body, `${label}: ${url} shows it`)
      for (const url of unchanged) t.equal(now.get(url)?.etag, before.get(url)?.etag, `${label}: ${url} keeps its tag`)
      before = now
    }

    await write(app, 'PATCH', `/v1/posts/${draft}`, { title: 'Draft, edited' })
    await after('a draft edited', [], FEEDS)
    // The oldest post is in the whole feeds only: the JSON Feed of two is the same bytes (it
    // carries no feed date); RSS and Atom carry the feed's last change, so theirs move too.
    await write(app, 'PATCH', `/v1/posts/${ids[3]}`, { title: 'Story 3, edited' })
    await after('an item outside the short feeds edited', ['/feeds/rss.xml', '/feeds/feed.json', '/feeds/rss.xml?limit=2'], ['/feeds/feed.json?limit=2'])
    await write(app, 'PATCH', `/v1/posts/${ids[0]}`, { content_html: '<p>Body 0, corrected</p>' })
    await after('the newest item edited', FEEDS, [])
    await write(app, 'PATCH', `/v1/tags/${tag}`, { name: 'Alliance' })
    await after('a tag of two items renamed', ['/feeds/feed.json', '/feeds/feed.json?limit=2', '/feeds/atom.xml?tag=nato'], [])

    // Conditional requests: the tag (or the date) sent back gets a 304, an old tag the document.
    for (const [url, seen] of before) {
      const fresh = await app.inject({ url, headers: { 'if-none-match': seen.etag } })
      t.equal(fresh.statusCode, 304, `${url}: If-None-Match with the current tag`)
      t.equal(fresh.headers.etag, seen.etag)
      t.equal(fresh.body, '')
      t.equal((await app.inject({ url, headers: { 'if-modified-since': seen.lastModified } })).statusCode, 304, `${url}: If-Modified-Since its Last-Modified`)
      t.equal((await app.inject({ url, headers: { 'if-none-match': again.get(url)?.etag } })).statusCode, 200, `${url}: an old tag gets the document`)
    }
    const gz = await app.inject({ url: '/feeds/rss.xml', headers: { 'accept-encoding': 'gzip' } })
    t.equal(gz.headers.etag, before.get('/feeds/rss.xml')?.etag.replace(/"$/, '-gzip"'), 'a compressed answer has its own tag')
  })
}
