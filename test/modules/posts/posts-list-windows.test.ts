import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestApp, TEST_SITE_URL, adminSend } from '../../helper.js'
import { createPostsService } from '../../../src/modules/posts/posts-service.js'
import type { ListPostsQueryType } from '../../../src/modules/posts/posts-schemas.js'
import { eventually, until } from '../../helpers/wait.js'

// The posts service remembers the id window of a public page (its ids, total and next cursor)
// until the membership stamp moves. With the response cache off, every write that changes
// which posts a page lists, or their order, must reach that memo — in the writing process at
// once and in another process sharing the file from its next event-loop turn.

type App = Awaited<ReturnType<typeof buildTestApp>>
const turn = () => new Promise((resolve) => setImmediate(resolve))

const send = adminSend

t.test('a remembered list window follows every write that moves it, in the writing process and in another', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-windows-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_PATH: join(dir, 'windows.db'), RESPONSE_CACHE: 'false' }
  const writer = await buildTestApp(t, env)
  const reader = await buildTestApp(t, env)

  const author = await send(writer, 'POST', '/v1/authors', { name: 'Desk' })
  const other = await send(writer, 'POST', '/v1/authors', { name: 'Night desk' })
  const news = await send(writer, 'POST', '/v1/categories', { name: 'News' })
  const harbour = await send(writer, 'POST', '/v1/categories', { name: 'Harbour' })
  const ferries = await send(writer, 'POST', '/v1/tags', { name: 'Ferries' })
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()
  const ids: number[] = []
  for (let i = 0; i < 6; i++) {
    const p = await send(writer, 'POST', '/v1/posts', { title: `Story ${i}`, author_id: author.id, category_ids: [i % 2 === 0 ? news.id : harbour.id], tag_ids: i % 3 === 0 ? [ferries.id] : [], status: 'published', published_at: ago(60 - i), content_html: `<p>Story ${i}.</p>` })
    ids.push(p.id)
  }

  const queries: ListPostsQueryType[] = [
    { per_page: 2 },
    { page: 2, per_page: 2 },
    { per_page: 2, sort: 'published_at' },
    { category: String(news.id) },
    { category: String(harbour.id), per_page: 2 },
    { tag: String(ferries.id) },
    { author: String(author.id) },
    { author: String(other.id) },
    { featured: 'true' }
  ]
  const qs = (q: ListPostsQueryType) => new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString()
  // The truth: the row path, with no stamp and so no memo.
  const truth = createPostsService({ ...reader.core.repos, categories: reader.core.repos.categories.sync, tags: reader.core.repos.tags.sync, authors: reader.core.repos.authors.sync }, TEST_SITE_URL)
  const expected = (q: ListPostsQueryType) => {
    try {
      const r = truth.list(q, 'public', Date.now())
      return { ids: r.ids, total: r.total, next: r.nextCursor }
    } catch {
      return 404
    }
  }
  const answer = async (app: App, url: string) => {
    const res = await app.inject(url)
    if (res.statusCode === 404) return 404
    const body = res.json()
    return { ids: body.data.map((p: { id: number }) => p.id), total: body.meta.total, next: body.meta.next_cursor }
  }
  // Every page read first, so both processes remember its window; then the write; then both read again.
  const step = async (label: string, write: () => Promise<void>) => {
    for (const q of queries) {
      await writer.inject(`/v1/posts?${qs(q)}`)
      await reader.inject(`/v1/posts?${qs(q)}`)
    }
    for (const feed of ['/feeds/feed.json', `/feeds/feed.json?category=${harbour.id}`]) await reader.inject(feed)
    await write()
    const fromWriter = []
    for (const q of queries) fromWriter.push(await answer(writer, `/v1/posts?${qs(q)}`))
    await turn()
    for (const [i, q] of queries.entries()) {
      const want = expected(q)
      t.same(fromWriter[i], want, `${label}: the writing process, /v1/posts?${qs(q)}`)
      t.same(await answer(reader, `/v1/posts?${qs(q)}`), want, `${label}: another process, /v1/posts?${qs(q)}`)
    }
    // Feeds take their posts from the same remembered windows.
    for (const [feed, q] of [['/feeds/feed.json', {}], [`/feeds/feed.json?category=${harbour.id}`, { category: String(harbour.id) }]] as const) {
      const want = truth.list({ ...q, per_page: 20 }, 'public', Date.now()).data.map((p) => p.url)
      const got = (await reader.inject(feed)).json().items.map((i: { url: string }) => i.url)
      t.same(got, want, `${label}: another process, ${feed}`)
    }
    // A cursor taken from a remembered page continues where the current list does.
    const first = await reader.inject('/v1/posts?per_page=2')
    const cursor = first.json().meta.next_cursor as string | null
    if (cursor !== null) t.same(await answer(reader, `/v1/posts?per_page=2&cursor=${cursor}`), expected({ per_page: 2, cursor }), `${label}: cursor page`)
  }

  await step('a new post', async () => {
    ids.push((await send(writer, 'POST', '/v1/posts', { title: 'Breaking', author_id: other.id, category_ids: [harbour.id], tag_ids: [ferries.id], status: 'published', content_html: '<p>Now.</p>' })).id)
  })
  await step('a post moved to another category', async () => {
    await send(writer, 'PATCH', `/v1/posts/${ids[0]}`, { category_ids: [harbour.id] })
  })
  await step('a tag dropped', async () => {
    await send(writer, 'PATCH', `/v1/posts/${ids[3]}`, { tag_ids: [] })
  })
  await step('a co-author added', async () => {
    await send(writer, 'PATCH', `/v1/posts/${ids[1]}`, { author_ids: [author.id, other.id] })
  })
  await step('a post featured', async () => {
    await send(writer, 'PATCH', `/v1/posts/${ids[2]}`, { featured: true })
  })
  await step('a publication time moved', async () => {
    await send(writer, 'PATCH', `/v1/posts/${ids[0]}`, { published_at: ago(1) })
  })
  await step('a post unpublished', async () => {
    await send(writer, 'PATCH', `/v1/posts/${ids[4]}`, { status: 'draft' })
  })
  await step('a post deleted', async () => {
    await send(writer, 'DELETE', `/v1/posts/${ids[5]}`)
  })
  await step('a category deleted, its posts moved to another', async () => {
    await send(writer, 'DELETE', `/v1/categories/${news.id}?reassign=${harbour.id}`)
  })
})

t.test('a scheduled post joins remembered windows when its time comes, with no write', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  const author = await send(app, 'POST', '/v1/authors', { name: 'Desk' })
  await send(app, 'POST', '/v1/posts', { title: 'Old', author_id: author.id, status: 'published', published_at: new Date(Date.now() - 60_000).toISOString(), content_html: '<p>Old.</p>' })
  const at = Date.now() + 1500
  const soon = await send(app, 'POST', '/v1/posts', { title: 'Soon', author_id: author.id, status: 'published', published_at: new Date(at).toISOString(), content_html: '<p>Soon.</p>' })
  const before = (await app.inject('/v1/posts')).json()
  t.equal(before.meta.total, 1, 'not live yet (and its window remembered)')
  // Waits for the publication time itself: what is checked is the go-live, not a duration.
  await until(at)
  await eventually('the go-live', async () => (await app.inject('/v1/posts')).json().meta.total === 2)
  const after = (await app.inject('/v1/posts')).json()
  t.same(after.data.map((p: { id: number }) => p.id)[0], soon.id, 'live at its time')
  t.equal(after.meta.total, 2)
})
