import t from 'tap'
import { buildTestApp, TEST_SITE_URL } from '../../helper.js'
import { makeAuthor, makeCategory, makePost, makeTag, invalidateAll } from '../../helpers/factories.js'
import { eventually, until } from '../../helpers/wait.js'

const DAY = 86_400_000

async function seeded (t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t)
  const db = app.db
  const ann = makeAuthor(db, { slug: 'ann', name: 'Ann Writer', avatarUrl: 'https://img.example.com/ann.jpg' })
  const bob = makeAuthor(db, { slug: 'bob', name: 'Bob' })
  const politics = makeCategory(db, { slug: 'politics', name: 'Politics' })
  const elections = makeCategory(db, { slug: 'elections', name: 'Elections', parentId: politics.id })
  const sport = makeCategory(db, { slug: 'sport', name: 'Sport' })
  const nato = makeTag(db, { slug: 'nato', name: 'NATO' })
  const ukraine = makeTag(db, { slug: 'ukraine', name: 'Ukraine' })
  const now = Date.now()
  const posts = []
  for (let i = 0; i < 25; i++) {
    posts.push(makePost(db, {
      slug: `story-${i}`,
      title: `Story ${String(i).padStart(2, '0')}`,
      publishedAt: now - (i + 1) * DAY,
      updatedAt: now - i * 1000,
      authorId: i % 2 === 0 ? ann.id : bob.id,
      categoryIds: i < 5 ? [politics.id] : i < 10 ? [elections.id, sport.id] : [sport.id],
      tagIds: i % 3 === 0 ? [nato.id] : i % 3 === 1 ? [ukraine.id] : []
    }))
  }
  const draft = makePost(db, { slug: 'secret-draft', status: 'draft', publishedAt: null, authorId: ann.id })
  const scheduled = makePost(db, { slug: 'future-story', status: 'published', publishedAt: now + DAY, authorId: ann.id })
  const archived = makePost(db, { slug: 'old-archived', status: 'archived', publishedAt: now - 900 * DAY, authorId: ann.id })
  invalidateAll(db)
  return { app, ann, bob, politics, elections, sport, nato, ukraine, posts, draft, scheduled, archived }
}

t.test('GET /v1/posts lists live posts newest first with the list envelope and headers', async (t) => {
  const { app } = await seeded(t)
  const res = await app.inject('/v1/posts')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  const body = res.json()
  t.equal(body.data.length, 10)
  t.same(body.meta.page, 1)
  t.equal(body.meta.per_page, 10)
  t.equal(body.meta.total, 25, 'drafts, scheduled and archived posts are not counted')
  t.equal(body.meta.total_pages, 3)
  t.type(body.meta.next_cursor, 'string')
  t.equal(res.headers['x-total-count'], '25')
  t.match(res.headers.link, /<\/v1\/posts\?page=2>; rel="next"/)
  t.match(res.headers.link, /<\/v1\/posts\?page=3>; rel="last"/)
  t.match(res.headers.link, /rel="first"/)
  t.notMatch(res.headers.link, /rel="prev"/)
  t.same(body.data.map((p: { slug: string }) => p.slug).slice(0, 3), ['story-0', 'story-1', 'story-2'])
  const first = body.data[0]
  t.equal(first.content_html, undefined, 'lists leave the body out unless fields asks')
  t.equal(first.status, 'published')
  t.equal(first.url, `${TEST_SITE_URL}/politics/story-0`)
  t.equal(first.canonical_url, first.url)
  t.same(first.author, { id: first.author.id, slug: 'ann', name: 'Ann Writer', avatar_url: 'https://img.example.com/ann.jpg' })
  t.same(first.categories.map((c: { slug: string }) => c.slug), ['politics'])
  t.same(first.tags.map((c: { slug: string }) => c.slug), ['nato'])
  t.match(res.headers['cache-control'], /^public, max-age=\d+/)
  t.match(res.headers.etag, /^"/)
})

t.test('pagination: page and per_page, prev link, a page past the end is empty', async (t) => {
  const { app } = await seeded(t)
  const res = await app.inject('/v1/posts?page=2&per_page=5')
  t.equal(res.statusCode, 200)
  t.same(res.json().data.map((p: { slug: string }) => p.slug), ['story-5', 'story-6', 'story-7', 'story-8', 'story-9'])
  t.match(res.headers.link, /<\/v1\/posts\?page=1&per_page=5>; rel="prev"/)
  const past = await app.inject('/v1/posts?page=99')
  t.equal(past.statusCode, 200)
  t.same(past.json().data, [])
  t.equal(past.json().meta.next_cursor, null)
})

t.test('the cursor walk visits every live post exactly once, in order, for every sort', async (t) => {
  const { app } = await seeded(t)
  for (const sort of ['-published_at', 'published_at', '-updated_at', 'title']) {
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const url: string = `/v1/posts?per_page=4&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`
      const res = await app.inject(url)
      t.equal(res.statusCode, 200, url)
      const body = res.json()
      if (cursor) t.equal(body.meta.page, null)
      seen.push(...body.data.map((p: { slug: string }) => p.slug))
      cursor = body.meta.next_cursor
      if (cursor) t.match(res.headers.link, /rel="next"/)
      pages++
    } while (cursor && pages < 20)
    t.equal(seen.length, 25, `${sort}: all posts`)
    t.equal(new Set(seen).size, 25, `${sort}: no duplicates`)
    const byPage = await app.inject(`/v1/posts?per_page=100&sort=${sort}`)
    t.same(seen, byPage.json().data.map((p: { slug: string }) => p.slug), `${sort}: same order as offset paging`)
  }
})

t.test('cursor walks over drafts, scheduled and archived posts: NULL dates, shared times, every sort', async (t) => {
  // The keyset condition is a row value where no NULL can follow the cursor and the long OR
  // form where one can (drafts without a date, newest first): both must agree with offset paging.
  const { app, ann } = await seeded(t)
  const now = Date.now()
  for (let i = 0; i < 7; i++) makePost(app.db, { slug: `draft-${i}`, status: 'draft', publishedAt: i < 4 ? null : now - DAY, authorId: ann.id, updatedAt: now - (i % 3) * 1000 })
  for (let i = 0; i < 5; i++) makePost(app.db, { slug: `later-${i}`, status: 'published', publishedAt: now + (1 + (i % 2)) * DAY, authorId: ann.id })
  for (let i = 0; i < 5; i++) makePost(app.db, { slug: `gone-${i}`, status: 'archived', publishedAt: i < 2 ? null : now - 5 * DAY, authorId: ann.id, title: 'Same title' })
  invalidateAll(app.db)
  const key = { authorization: `Bearer ${app.core.repos.keys.createSync('drafts', ['read:drafts']).key}` }
  for (const status of ['draft', 'scheduled', 'archived']) {
    for (const sort of ['-published_at', 'published_at', '-updated_at', 'title']) {
      const seen: string[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const url: string = `/v1/posts?status=${status}&per_page=2&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`
        const res = await app.inject({ url, headers: key })
        t.equal(res.statusCode, 200, url)
        seen.push(...res.json().data.map((p: { slug: string }) => p.slug))
        cursor = res.json().meta.next_cursor
        pages++
      } while (cursor && pages < 20)
      const all = (await app.inject({ url: `/v1/posts?status=${status}&per_page=100&sort=${sort}`, headers: key })).json().data.map((p: { slug: string }) => p.slug)
      t.ok(all.length >= 5, `${status}: ${all.length} posts`)
      t.same(seen, all, `${status} ${sort}: the cursor walk is the offset order`)
    }
  }
})

t.test('a cursor continues after the last item even when posts are added in front', async (t) => {
  const { app, ann } = await seeded(t)
  const first = (await app.inject('/v1/posts?per_page=5')).json()
  makePost(app.db, { slug: 'breaking', authorId: ann.id, publishedAt: Date.now() - 1000 })
  invalidateAll(app.db)
  const second = (await app.inject(`/v1/posts?per_page=5&cursor=${first.meta.next_cursor}`)).json()
  t.same(second.data.map((p: { slug: string }) => p.slug), ['story-5', 'story-6', 'story-7', 'story-8', 'story-9'])
})

t.test('category filter includes sub-categories, by slug or id', async (t) => {
  const { app, politics, elections } = await seeded(t)
  const bySlug = (await app.inject('/v1/posts?category=politics&per_page=100')).json()
  t.equal(bySlug.meta.total, 10, 'politics (5) and its child elections (5)')
  const byId = (await app.inject(`/v1/posts?category=${politics.id}&per_page=100`)).json()
  t.same(byId.data.map((p: { id: number }) => p.id), bySlug.data.map((p: { id: number }) => p.id))
  const child = (await app.inject(`/v1/posts?category=${elections.slug}`)).json()
  t.equal(child.meta.total, 5)
  const unknown = await app.inject('/v1/posts?category=nope')
  t.equal(unknown.statusCode, 404)
  t.match(unknown.headers['content-type'], /^application\/problem\+json/)
  t.match(unknown.json().detail, /Category "nope" not found/)
})

t.test('tag filter takes a comma list (any of), author and date filters combine', async (t) => {
  const { app, nato, bob } = await seeded(t)
  t.equal((await app.inject('/v1/posts?tag=nato')).json().meta.total, 9)
  t.equal((await app.inject('/v1/posts?tag=ukraine')).json().meta.total, 8)
  t.equal((await app.inject(`/v1/posts?tag=${nato.id},ukraine`)).json().meta.total, 17)
  t.equal((await app.inject('/v1/posts?tag=nato,missing')).statusCode, 404)
  t.equal((await app.inject('/v1/posts?author=bob')).json().meta.total, 12)
  t.equal((await app.inject(`/v1/posts?author=${bob.id}&tag=nato`)).json().meta.total, 4)
  t.equal((await app.inject('/v1/posts?author=nobody')).statusCode, 404)
  const after = new Date(Date.now() - 5.5 * DAY).toISOString()
  t.equal((await app.inject(`/v1/posts?published_after=${after}`)).json().meta.total, 5)
  const before = new Date(Date.now() - 20.5 * DAY).toISOString()
  t.equal((await app.inject(`/v1/posts?published_before=${before}`)).json().meta.total, 5)
  t.equal((await app.inject(`/v1/posts?published_before=${before}&published_after=${after}`)).json().meta.total, 0)
})

t.test('sorts: title ascending and -updated_at', async (t) => {
  const { app } = await seeded(t)
  const byTitle = (await app.inject('/v1/posts?sort=title&per_page=3')).json()
  t.same(byTitle.data.map((p: { title: string }) => p.title), ['Story 00', 'Story 01', 'Story 02'])
  const byUpdated = (await app.inject('/v1/posts?sort=-updated_at&per_page=2')).json()
  t.same(byUpdated.data.map((p: { slug: string }) => p.slug), ['story-0', 'story-1'])
  const oldest = (await app.inject('/v1/posts?sort=published_at&per_page=1')).json()
  t.same(oldest.data[0].slug, 'story-24')
})

t.test('fields gives sparse objects and can ask for the body', async (t) => {
  const { app } = await seeded(t)
  const res = await app.inject('/v1/posts?fields=id,slug,title&per_page=2')
  t.equal(res.statusCode, 200)
  t.same(Object.keys(res.json().data[0]).sort(), ['id', 'slug', 'title'])
  const withBody = (await app.inject('/v1/posts?fields=slug,content_html&per_page=1')).json()
  t.match(withBody.data[0].content_html, /<h2>/)
  const bad = await app.inject('/v1/posts?fields=slug,password')
  t.equal(bad.statusCode, 400)
  t.same(bad.json().errors[0].path, 'fields')
  t.match(bad.json().errors[0].message, /"password"/)
})

t.test('GET /v1/posts/{ref} by slug and by id; hidden posts are 404 for the public', async (t) => {
  const { app, posts, draft, scheduled, archived } = await seeded(t)
  const bySlug = await app.inject('/v1/posts/story-3')
  t.equal(bySlug.statusCode, 200)
  const post = bySlug.json().data
  t.equal(post.slug, 'story-3')
  t.match(post.content_html, /<h2>/)
  t.equal(post.word_count, 6)
  t.equal(post.reading_time_minutes, 1)
  t.equal(post.comment_status, 'open')
  t.equal(post.comment_count, 0)
  t.equal(post.featured_image, null)
  t.equal(post.source, null)
  const byId = await app.inject(`/v1/posts/${posts[3].id}`)
  t.same(byId.json(), bySlug.json())
  for (const hidden of [draft, scheduled, archived]) {
    for (const ref of [hidden.slug, String(hidden.id)]) {
      const res = await app.inject(`/v1/posts/${ref}`)
      t.equal(res.statusCode, 404, `${hidden.slug} by ${ref}`)
      t.match(res.headers['content-type'], /^application\/problem\+json/)
    }
  }
  t.equal((await app.inject('/v1/posts/99999999999999999999')).statusCode, 404)
  t.equal((await app.inject('/v1/posts/%F0%9F%8E%89')).statusCode, 404)
})

t.test('a scheduled post goes live by itself when its time passes', async (t) => {
  const { app, ann } = await seeded(t)
  const at = Date.now() + 1500
  const soon = makePost(app.db, { slug: 'in-a-moment', status: 'published', publishedAt: at, authorId: ann.id })
  invalidateAll(app.db)
  t.equal((await app.inject('/v1/posts/in-a-moment')).statusCode, 404)
  const before = (await app.inject('/v1/posts?per_page=1')).json()
  t.not(before.data[0].slug, 'in-a-moment')
  await until(at)
  await eventually('the go-live', async () => (await app.inject(`/v1/posts/${soon.id}`)).statusCode === 200)
  const live = await app.inject(`/v1/posts/${soon.id}`)
  t.equal(live.statusCode, 200)
  t.equal(live.json().data.status, 'published')
  const after = (await app.inject('/v1/posts?per_page=1')).json()
  t.equal(after.data[0].slug, 'in-a-moment', 'the cached first page was not served stale')
  t.equal(after.meta.total, 26)
})

t.test('ETag, 304 and the response cache follow every write at once', async (t) => {
  const { app } = await seeded(t)
  const first = await app.inject('/v1/posts/story-0')
  const etag = first.headers.etag as string
  const again = await app.inject({ url: '/v1/posts/story-0', headers: { 'if-none-match': etag } })
  t.equal(again.statusCode, 304)
  t.equal(again.body, '')
  t.equal(again.headers.etag, etag)
  const list = await app.inject('/v1/posts')
  const list304 = await app.inject({ url: '/v1/posts', headers: { 'if-none-match': `"other", ${list.headers.etag as string}` } })
  t.equal(list304.statusCode, 304)
  // A write from outside the app (as another process would commit it), seen by the first
  // request of a later event-loop turn: the stored version is read once per turn.
  app.db.$client.prepare("UPDATE posts SET title = 'Changed' WHERE slug = 'story-0'").run()
  invalidateAll(app.db)
  await new Promise((resolve) => setImmediate(resolve))
  const changed = await app.inject({ url: '/v1/posts/story-0', headers: { 'if-none-match': etag } })
  t.equal(changed.statusCode, 200)
  t.equal(changed.json().data.title, 'Changed')
  t.not(changed.headers.etag, etag)
})

t.test('the cache can be turned off and answers the same', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  makePost(app.db, { slug: 'only' })
  const a = await app.inject('/v1/posts')
  const b = await app.inject({ url: '/v1/posts', headers: { 'if-none-match': a.headers.etag as string } })
  t.equal(a.json().data[0].slug, 'only')
  t.equal(a.headers['x-cache'], undefined)
  t.equal(b.statusCode, 304)
})

t.test('bad query parameters are 400 problems naming each one', async (t) => {
  const { app } = await seeded(t)
  const cases: Array<[string, string]> = [
    ['page=0', 'page'],
    ['page=abc', 'page'],
    ['page=1e400', 'page'],
    ['per_page=101', 'per_page'],
    ['per_page=-1', 'per_page'],
    ['per_page=99999999999999999999999', 'per_page'],
    ['sort=random', 'sort'],
    ['sort=relevance', 'sort'],
    ['published_after=yesterday', 'published_after'],
    ['published_before=2024-13-45T99:00:00Z', 'published_before'],
    ['cursor=%%%', 'cursor'],
    ['cursor=not-a-cursor', 'cursor'],
    ['cursor=WyJ0aXRsZSIsIkEiLDFd', 'cursor'],
    ['unknown=1', 'unknown'],
    ['tag=,,', 'tag']
  ]
  for (const [query, name] of cases) {
    const res = await app.inject(`/v1/posts?${query}`)
    t.equal(res.statusCode, 400, query)
    t.match(res.headers['content-type'], /^application\/problem\+json/, query)
    const body = res.json()
    t.match(body, { type: /^https:\/\//, title: 'Bad Request', status: 400, detail: String }, query)
    if (name !== 'cursor') t.ok(body.errors.some((e: { path: string }) => e.path === name), `${query} names ${name}`)
    else t.equal(body.code, 'INVALID_CURSOR')
  }
  const many = await app.inject('/v1/posts?page=0&per_page=500&sort=x')
  t.same(many.json().errors.map((e: { path: string }) => e.path).sort(), ['page', 'per_page', 'sort'])
})

t.test('status needs a read:drafts key: 401 without, then lists every status', async (t) => {
  const { app } = await seeded(t)
  const anon = await app.inject('/v1/posts?status=draft')
  t.equal(anon.statusCode, 401)
  t.match(anon.headers['www-authenticate'], /^Bearer/)
  const { key } = app.core.repos.keys.createSync('reader', ['read:drafts'])
  const { key: weak } = app.core.repos.keys.createSync('mod', ['moderate:comments'])
  const auth = { authorization: `Bearer ${key}` }
  t.equal((await app.inject({ url: '/v1/posts?status=draft', headers: { authorization: `Bearer ${weak}` } })).statusCode, 403)
  const drafts = await app.inject({ url: '/v1/posts?status=draft', headers: auth })
  t.equal(drafts.statusCode, 200)
  t.same(drafts.json().data.map((p: { slug: string }) => p.slug), ['secret-draft'])
  t.equal(drafts.headers['cache-control'], 'private, no-store')
  const scheduled = (await app.inject({ url: '/v1/posts?status=scheduled', headers: auth })).json()
  t.same(scheduled.data.map((p: { slug: string, status: string }) => [p.slug, p.status]), [['future-story', 'scheduled']])
  t.equal((await app.inject({ url: '/v1/posts?status=archived', headers: auth })).json().data[0].slug, 'old-archived')
  const any = (await app.inject({ url: '/v1/posts?status=any&per_page=100', headers: auth })).json()
  t.equal(any.meta.total, 28)
  const anyCursorWalk: string[] = []
  let cursor: string | null = null
  do {
    const page: { data: Array<{ slug: string }>, meta: { next_cursor: string | null } } = (await app.inject({ url: `/v1/posts?status=any&per_page=7${cursor ? `&cursor=${cursor}` : ''}`, headers: auth })).json()
    anyCursorWalk.push(...page.data.map((p: { slug: string }) => p.slug))
    cursor = page.meta.next_cursor
  } while (cursor)
  t.equal(new Set(anyCursorWalk).size, 28, 'cursor walk includes the draft without a date')
  t.equal((await app.inject({ url: '/v1/posts/secret-draft', headers: auth })).statusCode, 200)
  const bad = await app.inject({ url: '/v1/posts', headers: { authorization: 'Bearer nope' } })
  t.equal(bad.statusCode, 401)
  t.equal((await app.inject({ url: '/v1/posts', headers: { authorization: 'Basic abc' } })).statusCode, 401)
})

t.test('category, tag and author filters answer the same whether their posts are few or many', async (t) => {
  // Up to 2,000 matches a filter sorts its posts; above, it walks posts in order: both ways
  // must give the same pages, by page and by cursor, in every order.
  const app = await buildTestApp(t)
  const db = app.db
  const author = makeAuthor(db)
  const big = makeCategory(db, { slug: 'big' })
  const small = makeCategory(db, { slug: 'small' })
  const tag = makeTag(db, { slug: 'rare' })
  const coauthor = makeAuthor(db, { slug: 'rare-writer' })
  const now = Date.now()
  db.$client.transaction(() => {
    for (let i = 0; i < 2100; i++) {
      const inSmall = i % 300 === 7
      const post = makePost(db, { slug: `p-${i}`, title: `Title ${String((i * 7919) % 2100).padStart(4, '0')}`, authorId: author.id, publishedAt: now - (i % 500) * 60_000 - 1000, categoryIds: inSmall ? [big.id, small.id] : [big.id], tagIds: inSmall ? [tag.id] : [] })
      // A co-author of the few (post_authors; the primary author is there by trigger).
      if (inSmall) db.$client.prepare('INSERT INTO post_authors (post_id, author_id, position) VALUES (?, ?, 1)').run(post.id, coauthor.id)
    }
  })()
  invalidateAll(db)
  const all = db.$client.prepare('SELECT id, slug, title, published_at FROM posts').all() as Array<{ id: number, slug: string, title: string, published_at: number }>
  const byDate = (a: typeof all[0], b: typeof all[0]) => b.published_at - a.published_at || b.id - a.id
  const byTitle = (a: typeof all[0], b: typeof all[0]) => a.title.localeCompare(b.title) || a.id - b.id
  const smallSlugs = new Set(Array.from({ length: 2100 }, (_, i) => i).filter((i) => i % 300 === 7).map((i) => `p-${i}`))
  for (const [query, members] of [['category=big', all], ['category=small', all.filter((p) => smallSlugs.has(p.slug))], ['tag=rare', all.filter((p) => smallSlugs.has(p.slug))], [`author=${author.slug}`, all], ['author=rare-writer', all.filter((p) => smallSlugs.has(p.slug))]] as const) {
    for (const [sort, order] of [['-published_at', byDate], ['title', byTitle]] as const) {
      const expected = [...members].sort(order).map((p) => p.slug)
      const first = (await app.inject(`/v1/posts?${query}&sort=${sort}&per_page=5&fields=slug`)).json()
      t.equal(first.meta.total, members.length, `${query} ${sort}: total`)
      t.same(first.data.map((p: { slug: string }) => p.slug), expected.slice(0, 5), `${query} ${sort}: first page`)
      const third = (await app.inject(`/v1/posts?${query}&sort=${sort}&per_page=5&page=3&fields=slug`)).json()
      t.same(third.data.map((p: { slug: string }) => p.slug), expected.slice(10, 15), `${query} ${sort}: page 3`)
      const next = (await app.inject(`/v1/posts?${query}&sort=${sort}&per_page=5&fields=slug&cursor=${encodeURIComponent(first.meta.next_cursor)}`)).json()
      t.same(next.data.map((p: { slug: string }) => p.slug), expected.slice(5, 10), `${query} ${sort}: by cursor`)
    }
  }
})
