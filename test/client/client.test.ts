import t from 'tap'
import { createBroadsheetClient, BroadsheetProblem, isBroadsheetProblem, REVALIDATED_HEADER } from '@broadsheet/client'
import { ADMIN_TOKEN, startApi } from './api-server.js'

/** The BroadsheetProblem a call rejects with (fails the test when it resolves). */
async function problemOf (call: Promise<unknown>): Promise<BroadsheetProblem> {
  try {
    await call
  } catch (err) {
    if (err instanceof BroadsheetProblem) return err
    throw err
  }
  throw new Error('expected the call to throw a BroadsheetProblem')
}

// The typed client against the real server: buildApp on a temporary database with the demo
// newsroom, over a real socket.

t.test('the typed client against the real API', async (t) => {
  const api = await startApi(t)
  const requests: string[] = []
  const bs = createBroadsheetClient({
    baseUrl: api.url,
    fetch: async (request) => {
      requests.push(`${request.method} ${new URL(request.url).pathname}${new URL(request.url).search}`)
      return await fetch(request)
    }
  })
  const admin = createBroadsheetClient({ baseUrl: api.url, key: ADMIN_TOKEN })

  await t.test('lists posts and follows next_cursor through every page', async (t) => {
    const { data, response } = await bs.GET('/v1/posts', { params: { query: { per_page: 5 } } })
    t.equal(data.data.length, 5)
    t.type(data.meta.next_cursor, 'string', 'the first page has a cursor')
    t.equal(response.headers.get('x-total-count'), String(data.meta.total))
    const total = data.meta.total

    requests.length = 0
    const seen: number[] = []
    const dates: string[] = []
    for await (const post of bs.iterate('/v1/posts', { params: { query: { per_page: 20, fields: 'id,published_at' } } })) {
      seen.push(post.id!)
      dates.push(post.published_at!)
    }
    t.equal(seen.length, total, `iterate() yields all ${total} published posts`)
    t.equal(new Set(seen).size, seen.length, 'no post twice')
    t.same(dates, [...dates].sort().reverse(), 'newest first, across page boundaries')
    t.equal(requests.length, Math.ceil(total / 20), 'one request per page')
    t.ok(requests.slice(1).every((r) => /[?&]cursor=/.test(r) && !/[?&]page=/.test(r)), 'later pages ask by cursor, not page number')

    const pages = []
    for await (const page of bs.paginate('/v1/posts', { params: { query: { per_page: 20 } } }, { maxPages: 2 })) pages.push(page)
    t.equal(pages.length, 2, 'maxPages stops early')
  })

  await t.test('walks page-numbered lists and the change log', async (t) => {
    const { data: first } = await bs.GET('/v1/categories', { params: { query: { per_page: 5 } } })
    const pages = []
    for await (const page of bs.paginate('/v1/categories', { params: { query: { per_page: 5 } } })) pages.push(page)
    t.equal(pages.length, first.meta.total_pages, 'one page per meta.total_pages')
    t.same(pages.map((p) => p.meta.page), pages.map((_, i) => i + 1), 'pages 1, 2, 3…')
    t.equal(pages.flatMap((p) => p.data).length, first.meta.total)

    const actions = new Set<string>()
    let changes = 0
    for await (const change of bs.iterate('/v1/changes', { params: { query: { limit: 100 } } })) {
      actions.add(change.action)
      changes++
    }
    t.ok(changes > 100, `the change log is followed by its cursor until has_more is false (${changes} changes)`)
    t.same([...actions], ['upsert'])
  })

  await t.test('reads a post by slug', async (t) => {
    const { data } = await bs.GET('/v1/posts/{ref}', { params: { path: { ref: 'blinken-warns-russia' } } })
    t.match(data.data.title, /^Blinken warns/)
    t.equal(data.data.categories[0]?.name, 'Politics')
    t.equal(data.data.source?.name, 'Example Wire')
    t.match(data.data.content_html, /<h2>/)
    const { data: related } = await bs.GET('/v1/posts/{ref}/related', { params: { path: { ref: 'blinken-warns-russia' }, query: { limit: 3 } } })
    t.equal(related.data.length, 3)
  })

  await t.test('throws a 404 problem as a typed BroadsheetProblem', async (t) => {
    const err = await bs.GET('/v1/posts/{ref}', { params: { path: { ref: 'no-such-post' } } }).catch((e: unknown) => e)
    t.ok(err instanceof BroadsheetProblem)
    t.ok(isBroadsheetProblem(err))
    const problem = err as BroadsheetProblem
    t.equal(problem.status, 404)
    t.equal(problem.title, 'Not Found')
    t.type(problem.code, 'string')
    t.match(problem.detail, /no-such-post/)
    t.same(problem.errors, [])
    t.equal(problem.response.headers.get('content-type'), 'application/problem+json; charset=utf-8')

    const invalid = await problemOf(bs.GET('/v1/posts', { params: { query: { per_page: 1000 } } }))
    t.equal(invalid.status, 400)
    t.ok(invalid.errors.some((e) => e.path.includes('per_page')), 'errors[] names the bad parameter')

    const { data, error, response } = await bs.raw.GET('/v1/posts/{ref}', { params: { path: { ref: 'no-such-post' } } })
    t.equal(data, undefined, 'the raw openapi-fetch client returns the problem instead of throwing')
    t.equal(error?.status, 404)
    t.equal(response.status, 404)
  })

  await t.test('creates content with a key and is refused without one', async (t) => {
    const { data: created } = await admin.POST('/v1/keys', { body: { name: 'client test', scopes: ['write:content'] } })
    const writer = createBroadsheetClient({ baseUrl: api.url, key: created.data.key })
    const { data: author } = await bs.GET('/v1/authors/{ref}', { params: { path: { ref: 'maria-lopez' } } })
    const { data: post, response } = await writer.POST('/v1/posts', {
      body: { title: 'Typed client test post', content_html: '<p>Hello <script>alert(1)</script>world</p>', status: 'published', author_id: author.data.id, category_ids: [1] }
    })
    t.equal(response.status, 201)
    t.equal((post.data as { slug: string }).slug, 'typed-client-test-post')
    const { data: read } = await bs.GET('/v1/posts/{ref}', { params: { path: { ref: 'typed-client-test-post' } } })
    t.notMatch(read.data.content_html, /script/, 'the API sanitized the body')

    const refused = await problemOf(bs.POST('/v1/posts', { body: { title: 'No key', author_id: author.data.id } }))
    t.equal(refused.status, 401)
    t.match(refused.response.headers.get('www-authenticate'), /Bearer/)
  })

  await t.test('posts a comment that waits for moderation, then is approved', async (t) => {
    const { data: submitted, response } = await bs.POST('/v1/posts/{ref}/comments', {
      params: { path: { ref: 'blinken-warns-russia' } },
      body: { author_name: 'Typed Client', author_email: 'typed@example.com', content: 'Posted through @broadsheet/client.' }
    })
    t.equal(response.status, 201)
    t.equal(submitted.data.status, 'pending')
    const { data: queue } = await admin.GET('/v1/comments', { params: { query: { status: 'pending', post: 'blinken-warns-russia' } } })
    t.ok(queue.data.some((c) => c.id === submitted.data.id && c.author_email === 'typed@example.com'), 'the moderator sees it, with the e-mail')

    const before = await bs.GET('/v1/posts/{ref}/comments', { params: { path: { ref: 'blinken-warns-russia' }, query: { per_page: 100 } } })
    t.notOk(before.data.data.some((c) => c.id === submitted.data.id), 'not public while pending')
    await admin.PATCH('/v1/comments/{id}', { params: { path: { id: submitted.data.id } }, body: { status: 'approved' } })
    const after = await bs.GET('/v1/posts/{ref}/comments', { params: { path: { ref: 'blinken-warns-russia' }, query: { per_page: 100 } } })
    t.ok(after.data.data.some((c) => c.id === submitted.data.id), 'public once approved')

    const duplicate = await problemOf(bs.POST('/v1/posts/{ref}/comments', {
      params: { path: { ref: 'blinken-warns-russia' } },
      body: { author_name: 'Typed Client', author_email: 'typed@example.com', content: 'Posted through @broadsheet/client.' }
    }))
    t.equal(duplicate.status, 409, 'a duplicate is a 409 problem')
  })

  await t.test('reuses answers by ETag when the cache is on, and never serves stale ones', async (t) => {
    const cached = createBroadsheetClient({ baseUrl: api.url, etagCache: true })
    const first = await cached.GET('/v1/site')
    t.equal(first.response.headers.get(REVALIDATED_HEADER), null)
    const second = await cached.GET('/v1/site')
    t.equal(second.response.status, 200, 'the 304 comes back as the stored 200')
    t.equal(second.response.headers.get(REVALIDATED_HEADER), '1')
    t.same(second.data, first.data)
    t.same(cached.etags?.stats, { stored: 1, revalidated: 1 })

    await admin.PATCH('/v1/site', { body: { description: 'Changed by the client test' } })
    const third = await cached.GET('/v1/site')
    t.equal(third.response.headers.get(REVALIDATED_HEADER), null, 'a changed resource is read again')
    t.equal(third.data.data.description, 'Changed by the client test')

    // Answers read with a key are private, no-store: never kept.
    const keyed = createBroadsheetClient({ baseUrl: api.url, key: ADMIN_TOKEN, etagCache: true })
    await keyed.GET('/v1/site')
    await keyed.GET('/v1/site')
    t.equal(keyed.etags?.size, 0)

    const tiny = createBroadsheetClient({ baseUrl: api.url, etagCache: { maxEntries: 2 } })
    for (const ref of ['politics', 'world', 'science']) await tiny.GET('/v1/categories/{ref}', { params: { path: { ref } } })
    t.equal(tiny.etags?.size, 2, 'the cache keeps at most maxEntries answers')
  })
})

t.test('a non-problem error answer still becomes a BroadsheetProblem', async (t) => {
  const bs = createBroadsheetClient({
    baseUrl: 'http://api.invalid',
    fetch: async () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'text/html', 'retry-after': '7' } })
  })
  const err = await problemOf(bs.GET('/v1/site'))
  t.ok(err instanceof BroadsheetProblem)
  t.equal(err.status, 502)
  t.equal(err.title, 'Bad Gateway')
  t.match(err.detail, /Bad gateway/)
  t.equal(err.retryAfter, 7)
})
