import { test, type Test } from 'tap'
import { buildTestApp, adminAuth } from '../../helper.js'

// Feeds put together from the read model's stored items (posts-documents.ts) are the same
// bytes as feeds built from the rows, after writes that change what the items show.

type App = Awaited<ReturnType<typeof buildTestApp>>

async function write (app: App, method: 'POST' | 'PATCH', url: string, payload: object): Promise<number> {
  const res = await app.inject({ method, url, headers: adminAuth, payload })
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`)
  return res.json().data.id
}

const FEEDS = ['/feeds/rss.xml', '/feeds/atom.xml', '/feeds/feed.json', '/feeds/rss.xml?tag=1', '/feeds/atom.xml?limit=3']

/** Each feed as served (stored items), then as built from the rows alone (documents dropped). */
async function compare (t: Test, app: App, label: string): Promise<void> {
  const stored = (await app.core.services.feeds.load({}, Date.now(), 'rss')).stored
  t.ok(stored.size > 0, `${label}: items come from the read model`)
  const fromStore = new Map<string, string>()
  for (const url of FEEDS) fromStore.set(url, (await app.inject(url)).body)
  app.core.db.$client.exec('DELETE FROM post_documents')
  t.equal((await app.core.services.feeds.load({}, Date.now(), 'rss')).stored.size, 0, `${label}: now from the rows`)
  for (const url of FEEDS) t.equal(fromStore.get(url), (await app.inject(url)).body, `${label}: ${url} is the same document`)
  // Build them all again, as the start-up fill does.
  app.core.workers.readModel.rebuild()
}

test('feeds from stored items equal feeds from the rows', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  const author = await write(app, 'POST', '/v1/authors', { name: 'Ann Author' })
  const tag = await write(app, 'POST', '/v1/tags', { name: 'NATO' })
  const cat = await write(app, 'POST', '/v1/categories', { name: 'World' })
  const ids: number[] = []
  for (let i = 0; i < 6; i++) {
    ids.push(await write(app, 'POST', '/v1/posts', {
      title: `Story ${i} & <more>`,
      content_html: `<p>Body ${i} with <a href="/rel">a relative link</a> &amp; “quotes”.</p>`,
      status: 'published',
      published_at: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
      author_id: author,
      category_ids: i % 2 === 0 ? [cat] : [],
      tag_ids: i < 3 ? [tag] : [],
      ...(i === 1 ? { featured_image: { url: 'https://img.example.com/a.jpg', alt: 'A' }, source: { url: 'https://wire.example.com/x', name: 'Wire' } } : {})
    }))
  }
  await compare(t, app, 'published')
  await write(app, 'PATCH', `/v1/posts/${ids[0]}`, { title: 'Edited title' })
  await compare(t, app, 'after an edit')
  await write(app, 'PATCH', `/v1/tags/${tag}`, { name: 'Alliance', slug: 'alliance' })
  await write(app, 'PATCH', `/v1/authors/${author}`, { name: 'Ann Byline' })
  await compare(t, app, 'after renames')
})
