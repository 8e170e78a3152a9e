import t, { type Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestApp, adminSend } from '../helper.js'

// Invalidation by key through the app: a write drops exactly the cached responses that show
// what it changed (an approved comment leaves other posts' pages cached), and no read after a
// write returns is stale — in the process that wrote, and in another one sharing the file.

function diffAt (got: string, want: string) {
  let i = 0
  while (i < got.length && got[i] === want[i]) i++
  return { got: got.slice(Math.max(0, i - 150), i + 150), want: want.slice(Math.max(0, i - 150), i + 150) }
}
const turn = () => new Promise((resolve) => setImmediate(resolve))

const send = adminSend

t.test('an approved comment drops its post\'s responses and the lists showing it, nothing else', async (t) => {
  const app = await buildTestApp(t, { COMMENT_RATE_LIMIT: '100' })
  const author = await send(app, 'POST', '/v1/authors', { name: 'Desk' })
  const category = await send(app, 'POST', '/v1/categories', { name: 'Harbour' })
  const older = await send(app, 'POST', '/v1/posts', { title: 'Ferries late again', author_id: author.id, category_ids: [category.id], status: 'published', published_at: new Date(Date.now() - 60_000).toISOString(), content_html: '<p>Harbour ferries run late.</p>' })
  const newer = await send(app, 'POST', '/v1/posts', { title: 'Tide tables', author_id: author.id, status: 'published', content_html: '<p>Tides.</p>' })
  const urls = {
    older: `/v1/posts/${older.slug}`,
    olderComments: `/v1/posts/${older.slug}/comments`,
    newer: `/v1/posts/${newer.slug}`,
    newerComments: `/v1/posts/${newer.slug}/comments`,
    firstPage: '/v1/posts?per_page=1',
    bothPage: '/v1/posts',
    categoryPage: `/v1/posts?category=${category.slug}`,
    featuredPage: '/v1/posts?featured=true',
    categories: '/v1/categories',
    site: '/v1/site',
    feed: '/feeds/rss.xml',
    changes: '/v1/changes'
  }
  const state = async () => {
    const out: Record<string, string> = {}
    for (const [name, url] of Object.entries(urls)) out[name] = String((await app.inject(url)).headers['x-cache'])
    return out
  }
  await state()
  t.same(Object.values(await state()), Object.values(urls).map(() => 'HIT'), 'all cached')

  const comment = (await app.inject({ method: 'POST', url: `/v1/posts/${older.slug}/comments`, payload: { author_name: 'Sam', author_email: 'sam@example.com', content: 'Late again indeed' } })).json().data
  t.same(Object.values(await state()), Object.values(urls).map(() => 'HIT'), 'a pending comment changes nothing public')

  await send(app, 'PATCH', `/v1/comments/${comment.id}`, { status: 'approved' })
  t.same(await state(), {
    older: 'MISS',
    olderComments: 'MISS',
    newer: 'HIT',
    newerComments: 'HIT',
    firstPage: 'HIT',
    bothPage: 'MISS',
    categoryPage: 'MISS',
    featuredPage: 'HIT',
    categories: 'HIT',
    site: 'HIT',
    feed: 'MISS',
    changes: 'MISS'
  }, 'its post, its comments, the pages and feed showing its card, the change log')
  t.equal((await app.inject(urls.older)).json().data.comment_count, 1, 'and they are fresh')

  await send(app, 'PATCH', `/v1/posts/${newer.id}`, { title: 'Tide tables, corrected' })
  t.same(await state(), {
    older: 'HIT',
    olderComments: 'HIT',
    newer: 'MISS',
    newerComments: 'MISS',
    firstPage: 'MISS',
    bothPage: 'MISS',
    categoryPage: 'HIT',
    featuredPage: 'HIT',
    categories: 'HIT',
    site: 'HIT',
    feed: 'MISS',
    changes: 'MISS'
  }, 'an edit: the post and the pages showing it; not the other post, nor pages without it')

  await state()
  await send(app, 'PATCH', `/v1/posts/${older.id}`, { featured: true })
  t.same(await state(), {
    older: 'MISS',
    olderComments: 'MISS',
    newer: 'HIT',
    newerComments: 'HIT',
    firstPage: 'HIT',
    bothPage: 'MISS',
    categoryPage: 'MISS',
    featuredPage: 'MISS',
    categories: 'HIT',
    site: 'HIT',
    feed: 'MISS',
    changes: 'MISS'
  }, 'featuring a post: the lists filtered by featured (it was in none of them before), and those showing it')
  t.same((await app.inject(urls.featuredPage)).json().data.map((p: { id: number }) => p.id), [older.id], 'fresh')
})

/** Every public URL that shows something of the data set, from its current state (slugs move). */
function urlsOf (ids: { posts: number[], categories: number[], tags: number[], authors: number[], pages: number[] }): string[] {
  const urls = [
    '/v1/posts', '/v1/posts?per_page=2', '/v1/posts?per_page=2&page=2', '/v1/posts?sort=title', '/v1/posts?sort=-updated_at', '/v1/posts?sort=published_at',
    '/v1/posts?q=harbour', '/v1/posts?q=harbour&sort=relevance', '/v1/posts?fields=id,title',
    '/v1/posts?featured=true', '/v1/posts?featured=false&sort=title',
    '/v1/categories', '/v1/tags', '/v1/authors', '/v1/site', '/v1/changes',
    '/feeds/rss.xml', '/feeds/atom.xml', '/feeds/feed.json',
    '/v1/pages', '/sitemap.xml', '/sitemaps/posts-1.xml', '/sitemaps/pages.xml', '/sitemaps/categories.xml', '/sitemaps/tags.xml'
  ]
  for (const id of ids.pages) urls.push(`/v1/pages/${id}`)
  for (const id of ids.posts) urls.push(`/v1/posts/${id}`, `/v1/posts/${id}/comments`, `/v1/posts/${id}/related`)
  for (const id of ids.categories) urls.push(`/v1/categories/${id}`, `/v1/posts?category=${id}`, `/feeds/rss.xml?category=${id}`)
  for (const id of ids.tags) urls.push(`/v1/tags/${id}`, `/v1/posts?tag=${id}`)
  for (const id of ids.authors) urls.push(`/v1/authors/${id}`, `/v1/posts?author=${id}`)
  return urls
}

async function sharedApps (t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-fresh-'))
  const env = { DATABASE_PATH: join(dir, 'fresh.db'), COMMENT_RATE_LIMIT: '1000', QUERY_BUDGET_MS: '60000' }
  // The writer and a reader in "another process" (its own connection, cache and invalidations),
  // and the truth: the same file read without a cache.
  const writer = await buildTestApp(t, env)
  const reader = await buildTestApp(t, env)
  const truth = await buildTestApp(t, { ...env, RESPONSE_CACHE: 'false' })
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return { writer, reader, truth }
}

/**
 * A related answer without what the documented drift allowance lets differ between a stored list
 * and a fresh computation (README, "When a stored list is served"): scores and the order of near
 * ties move with corpus statistics until the list's refresh. Who is listed, and why (shared
 * categories and tags), must match exactly.
 */
function comparable (url: string, answer: string): string {
  if (!url.endsWith('/related') || !answer.startsWith('200 ')) return answer
  const { data } = JSON.parse(answer.slice(4)) as { data: Array<Record<string, unknown> & { id: number, reasons: Record<string, unknown> }> }
  const members = data.map(({ score: _s, reasons: { text_similarity: _t, ...why }, ...post }) => ({ ...post, reasons: why }))
  return `200 ${JSON.stringify(members.sort((a, b) => a.id - b.id))}`
}

t.test('no read after a write is stale, for every kind of write, in the writing process and in another', async (t) => {
  const { writer, reader, truth } = await sharedApps(t)
  const ids = { posts: [] as number[], categories: [] as number[], tags: [] as number[], authors: [] as number[], pages: [] as number[] }
  // Problem answers name their request: not part of what is compared.
  const body = (res: { statusCode: number, body: string }) => `${res.statusCode} ${res.body.replace(/"request_id":"[^"]*"/, '')}`
  const warm = async () => {
    for (const url of urlsOf(ids)) {
      await writer.inject(url)
      await reader.inject(url)
    }
  }
  let stale = 0
  let compared = 0
  const check = async (label: string) => {
    const urls = urlsOf(ids)
    // The writing process, right after its write returned (no event-loop turn in between).
    const fromWriter = []
    for (const url of urls) fromWriter.push(body(await writer.inject(url)))
    // The other processes see it from their next turn (inject alone may never yield one).
    await turn()
    for (const [i, url] of urls.entries()) {
      const want = comparable(url, body(await truth.inject(url)))
      const got = comparable(url, body(await reader.inject(url)))
      fromWriter[i] = comparable(url, fromWriter[i])
      compared += 2
      if (fromWriter[i] !== want) { stale++; t.fail(`${label}: the writing process served a stale ${url}`, diffAt(fromWriter[i], want)) }
      if (got !== want) { stale++; t.fail(`${label}: another process served a stale ${url}`, diffAt(got, want)) }
    }
  }
  const step = async (label: string, write: () => Promise<void>) => {
    await warm()
    await write()
    await check(label)
  }

  const author = await send(writer, 'POST', '/v1/authors', { name: 'Desk' })
  const other = await send(writer, 'POST', '/v1/authors', { name: 'Night desk' })
  ids.authors.push(author.id, other.id)
  const news = await send(writer, 'POST', '/v1/categories', { name: 'News' })
  const harbour = await send(writer, 'POST', '/v1/categories', { name: 'Harbour' })
  ids.categories.push(news.id, harbour.id)
  const ferries = await send(writer, 'POST', '/v1/tags', { name: 'Ferries' })
  const tides = await send(writer, 'POST', '/v1/tags', { name: 'Tides' })
  ids.tags.push(ferries.id, tides.id)
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()
  for (const [i, title] of ['Harbour ferries run late', 'Harbour tides rise', 'Council budget set', 'Harbour fish market reopens'].entries()) {
    const p = await send(writer, 'POST', '/v1/posts', { title, author_id: author.id, category_ids: [i % 2 === 0 ? news.id : harbour.id], tag_ids: [i % 2 === 0 ? ferries.id : tides.id], status: 'published', published_at: ago(60 - i), content_html: `<p>${title}: the harbour story number ${i}.</p>` })
    ids.posts.push(p.id)
  }
  const [first, second, third, fourth] = ids.posts
  let draftId = 0
  let commentId = 0
  let scheduledId = 0

  await step('a new post', async () => {
    const p = await send(writer, 'POST', '/v1/posts', { title: 'Harbour dredging begins', author_id: other.id, category_ids: [harbour.id], tag_ids: [ferries.id], status: 'published', content_html: '<p>Dredging the harbour.</p>' })
    ids.posts.push(p.id)
  })
  await step('a new draft', async () => {
    draftId = (await send(writer, 'POST', '/v1/posts', { title: 'Harbour secret', author_id: other.id, status: 'draft', content_html: '<p>Not yet.</p>' })).id
    ids.posts.push(draftId)
  })
  let aboutId = 0
  let teamId = 0
  await step('a page', async () => {
    aboutId = (await send(writer, 'POST', '/v1/pages', { title: 'About', status: 'published', content_html: '<p>Us.</p>' })).id
    ids.pages.push(aboutId)
  })
  await step('a draft page under it', async () => {
    teamId = (await send(writer, 'POST', '/v1/pages', { title: 'Team', parent_id: aboutId, content_html: '<p>Who.</p>' })).id
    ids.pages.push(teamId)
  })
  await step('the draft page published', async () => { await send(writer, 'PATCH', `/v1/pages/${teamId}`, { status: 'published' }) })
  await step('a menu naming a page, a post and a category', async () => {
    await send(writer, 'PATCH', '/v1/site', { navigation: { primary: [{ label: 'About', page_id: aboutId, children: [{ label: 'Team', page_id: teamId }] }, { label: 'Tides', post_id: second }, { label: 'News', category_id: news.id }] } })
  })
  await step('a parent page renamed (its child\'s path moves)', async () => { await send(writer, 'PATCH', `/v1/pages/${aboutId}`, { slug: 'about-us' }) })
  await step('a post marked noindex', async () => { await send(writer, 'PATCH', `/v1/posts/${fourth}`, { noindex: true, meta_title: 'Fish market' }) })
  await step('a page\'s SEO fields', async () => { await send(writer, 'PATCH', `/v1/pages/${teamId}`, { noindex: true, meta_description: 'The team' }) })
  await step('an edit of the title and text', async () => { await send(writer, 'PATCH', `/v1/posts/${first}`, { title: 'Ferries run later still', content_html: '<p>The harbour ferries, later.</p>' }) })
  await step('a new slug', async () => { await send(writer, 'PATCH', `/v1/posts/${second}`, { slug: 'tides-rise-higher' }) })
  await step('another publication time', async () => { await send(writer, 'PATCH', `/v1/posts/${third}`, { published_at: ago(1) }) })
  await step('other tags and category', async () => { await send(writer, 'PATCH', `/v1/posts/${fourth}`, { tag_ids: [ferries.id, tides.id], category_ids: [news.id] }) })
  await step('another author', async () => { await send(writer, 'PATCH', `/v1/posts/${fourth}`, { author_id: other.id }) })
  await step('a co-author', async () => { await send(writer, 'PATCH', `/v1/posts/${third}`, { author_ids: [author.id, other.id] }) })
  await step('a co-author renamed', async () => { await send(writer, 'PATCH', `/v1/authors/${other.id}`, { name: 'Late desk' }) })
  await step('a post featured', async () => { await send(writer, 'PATCH', `/v1/posts/${second}`, { featured: true }) })
  await step('a post unfeatured', async () => { await send(writer, 'PATCH', `/v1/posts/${second}`, { featured: false }) })
  await step('a submitted comment', async () => {
    commentId = (await writer.inject({ method: 'POST', url: `/v1/posts/${second}/comments`, payload: { author_name: 'Sam', author_email: 'sam@example.com', content: 'Rising indeed' } })).json().data.id
  })
  await step('a comment approved', async () => { await send(writer, 'PATCH', `/v1/comments/${commentId}`, { status: 'approved' }) })
  await step('a comment deleted', async () => { await send(writer, 'DELETE', `/v1/comments/${commentId}`) })
  await step('a tag renamed', async () => { await send(writer, 'PATCH', `/v1/tags/${ferries.id}`, { name: 'Ferry services', slug: 'ferry-services' }) })
  await step('an author renamed', async () => { await send(writer, 'PATCH', `/v1/authors/${author.id}`, { name: 'Day desk' }) })
  await step('a category moved under another', async () => { await send(writer, 'PATCH', `/v1/categories/${harbour.id}`, { parent_id: news.id }) })
  // Posts show each category's path (CategoryRef.path): a change above a post's category shows in it.
  await step('a parent category renamed (its child\'s posts show it in their paths)', async () => { await send(writer, 'PATCH', `/v1/categories/${news.id}`, { name: 'Local news', slug: 'local-news' }) })
  await step('a new top-level category', async () => { ids.categories.push((await send(writer, 'POST', '/v1/categories', { name: 'Region' })).id) })
  await step('a parent category moved under another (its child\'s path grows)', async () => { await send(writer, 'PATCH', `/v1/categories/${news.id}`, { parent_id: ids.categories[2] }) })
  await step('the site settings', async () => { await send(writer, 'PATCH', '/v1/site', { title: 'The Harbour Herald' }) })
  await step('a draft published', async () => { await send(writer, 'PATCH', `/v1/posts/${draftId}`, { status: 'published' }) })
  await step('a parent page unpublished', async () => { await send(writer, 'PATCH', `/v1/pages/${aboutId}`, { status: 'draft' }) })
  await step('a post unpublished', async () => { await send(writer, 'PATCH', `/v1/posts/${first}`, { status: 'draft' }) })
  await step('a post deleted', async () => { await send(writer, 'DELETE', `/v1/posts/${third}`) })
  await step('a tag deleted', async () => { await send(writer, 'DELETE', `/v1/tags/${tides.id}?reassign=${ferries.id}`) })
  // Far enough ahead that the reads of the step (slow on a busy machine) end before it.
  const goLiveAt = Date.now() + 8000
  await step('a post scheduled', async () => {
    scheduledId = (await send(writer, 'POST', '/v1/posts', { title: 'Harbour festival', author_id: author.id, tag_ids: [ferries.id], status: 'published', published_at: new Date(goLiveAt).toISOString(), content_html: '<p>The harbour festival.</p>' })).id
    ids.posts.push(scheduledId)
  })
  let scheduledPageId = 0
  await step('a page scheduled', async () => {
    scheduledPageId = (await send(writer, 'POST', '/v1/pages', { title: 'Festival', status: 'scheduled', published_at: new Date(goLiveAt).toISOString(), content_html: '<p>Soon.</p>' })).id
    ids.pages.push(scheduledPageId)
  })
  t.ok(Date.now() < goLiveAt, 'the step was read before the go-live time')
  // No write: the scheduled post goes live by time, and both processes show it from then on.
  await warm()
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, goLiveAt - Date.now()) + 20))
  await check('a scheduled post gone live by time')
  t.equal((await reader.inject(`/v1/posts/${scheduledId}`)).statusCode, 200, 'the scheduled post is live')
  t.equal((await reader.inject(`/v1/pages/${scheduledPageId}`)).statusCode, 200, 'and so is the scheduled page')

  t.equal(stale, 0, `no stale answer in ${compared} reads after ${32} kinds of write`)
})
