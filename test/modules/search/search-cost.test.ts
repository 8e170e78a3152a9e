import t from 'tap'
import { buildTestApp } from '../../helper.js'
import { makeAuthor, makeCategory, makeTag, invalidateAll } from '../../helpers/factories.js'
import { createSearchEngine, SEARCH_LIMITS } from '../../../src/modules/search/search-service.js'
import type { PostFilter } from '../../../src/modules/posts/posts-repository.js'

// A corpus where one word ("common") is in every post, written straight into SQLite so the
// search triggers index it as any writer's posts would be. Publication times are a permutation
// of the ids (backdated and scheduled posts: ids do not follow time), some posts share a
// millisecond, and drafts and scheduled posts hold the word too.
const N = 4000
const MINUTE = 60_000

interface Doc { id: number, status: 'published' | 'draft', publishedAt: number, authorId: number, categoryId: number | null, tagIds: number[], title: string }

async function corpus (t: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}) {
  const app = await buildTestApp(t, env)
  const now = Date.now()
  const authors = [0, 1, 2, 3].map(() => makeAuthor(app.db).id)
  const parent = makeCategory(app.db, { slug: 'world' })
  const child = makeCategory(app.db, { slug: 'europe', parentId: parent.id })
  const other = makeCategory(app.db, { slug: 'sport' })
  const tags = [makeTag(app.db, { slug: 'nato' }).id, makeTag(app.db, { slug: 'un' }).id]
  const c = app.db.$client
  const insert = c.prepare(`INSERT INTO posts (slug, title, excerpt, content_html, content_text, status, published_at, created_at, updated_at, author_id, word_count, reading_time_minutes)
    VALUES (?, ?, '', '', ?, ?, ?, ?, ?, ?, 8, 1) RETURNING id`).pluck()
  const linkCat = c.prepare('INSERT INTO post_categories (post_id, category_id, position) VALUES (?, ?, 0)')
  const linkTag = c.prepare('INSERT INTO post_tags (post_id, tag_id, position) VALUES (?, ?, ?)')
  const docs: Doc[] = []
  c.transaction(() => {
    for (let i = 0; i < N; i++) {
      // Every 100th post shares its millisecond with the one before.
      const slot = (i * 7919) % N
      let publishedAt = now - (slot + 1) * MINUTE
      if (i % 100 === 1) publishedAt = docs[i - 1].publishedAt
      const status = i % 50 === 7 ? 'draft' : 'published'
      if (i % 50 === 13) publishedAt = now + (i + 1) * MINUTE
      const title = i % 500 === 3 ? `Harbour common story ${i}` : `Story ${i}`
      const body = `A common word in every post, number ${i}.${i % 10 === 0 ? ' Harbour news.' : ''}`
      const authorId = authors[i % 4]
      const id = insert.get(`s-${i}`, title, body, status, publishedAt, publishedAt, publishedAt, authorId) as number
      const categoryId = i % 3 === 0 ? child.id : i % 3 === 1 ? other.id : null
      if (categoryId !== null) linkCat.run(id, categoryId)
      const tagIds = [...(i % 5 === 0 ? [tags[0]] : []), ...(i % 7 === 0 ? [tags[1]] : [])]
      tagIds.forEach((tagId, k) => linkTag.run(id, tagId, k))
      docs.push({ id, status, publishedAt, authorId, categoryId, tagIds, title })
    }
  })()
  invalidateAll(app.db)
  const live = (d: Doc) => d.status === 'published' && d.publishedAt <= Date.now()
  const newestFirst = (a: Doc, b: Doc) => b.publishedAt - a.publishedAt || b.id - a.id
  return { app, now, docs, live, newestFirst, authors, parent, child, other, tags }
}

type Page = { data: Array<{ id: number, snippet?: string, status?: string, title?: string }>, meta: { total: number, next_cursor: string | null, search?: { bounded: boolean, scored: number | null, total_exact: boolean, timed_out: boolean } } }

t.test('newest first reads only the page, in exact order over every match, through cursors to the end', async (t) => {
  const { app, docs, live, newestFirst } = await corpus(t)
  const expected = docs.filter(live).sort(newestFirst).map((d) => d.id)
  t.ok(expected.length > 3500, 'the word is in thousands of live posts')

  const first = await app.inject('/v1/posts?q=common&fields=id,snippet')
  t.equal(first.statusCode, 200)
  const body = first.json() as Page
  t.same(body.data.map((p) => p.id), expected.slice(0, 10))
  t.match(body.data[0].snippet, /<mark>common<\/mark>/)
  t.same(body.meta.search, { bounded: true, scored: null, total_exact: false, timed_out: false })
  t.equal(body.meta.total, SEARCH_LIMITS.results, 'the total counts at most 1,000 matches')
  t.equal(first.headers['x-total-count'], String(SEARCH_LIMITS.results), 'and X-Total-Count says the same: the results pages reach')

  const seen: number[] = []
  let cursor: string | null = ''
  let requests = 0
  while (cursor !== null && requests++ < 100) {
    const page = (await app.inject(`/v1/posts?q=common&per_page=100&fields=id${cursor ? `&cursor=${cursor}` : ''}`)).json() as Page
    seen.push(...page.data.map((p) => p.id))
    cursor = page.meta.next_cursor
  }
  t.same(seen, expected, 'every live match exactly once, newest first (ties in one millisecond by id)')

  const oldest = (await app.inject('/v1/posts?q=common&sort=published_at&per_page=25&fields=id')).json() as Page
  t.same(oldest.data.map((p) => p.id), [...expected].reverse().slice(0, 25), 'oldest first too')

  const engine = createSearchEngine(app.core.repos.search, { budgetMs: 60_000 })
  const filter: PostFilter = { visibility: 'public', now: Date.now() }
  const page1 = engine.list('common', filter, { sort: '-published_at', limit: 10, offset: 0, withContent: false })
  t.ok(page1 !== null && page1.read <= 12, `page 1 read ${page1?.read} of ${expected.length} matches: the page, one more, and its last millisecond`)
  const page100 = engine.list('common', filter, { sort: '-published_at', limit: 10, offset: 990, withContent: false })
  t.ok(page100 !== null && page100.read <= 1002, `page 100 read ${page100?.read}`)
  t.same(page100?.rows.map((r) => r.id), expected.slice(990, 1000))
  const beyond = (await app.inject('/v1/posts?q=common&page=101')).json() as Page
  t.same(beyond.data, [], 'page numbers stop at 1,000 results; a cursor goes on')
})

t.test('filters are index words: q with a category (and its children), tags and an author stays exact and bounded', async (t) => {
  const { app, docs, live, newestFirst, authors, parent, tags } = await corpus(t)
  const engine = createSearchEngine(app.core.repos.search, { budgetMs: 60_000 })
  const cases: Array<{ url: string, filter: Partial<PostFilter>, keep: (d: Doc) => boolean }> = [
    { url: 'category=world', filter: { categoryIds: [parent.id, parent.id + 1] }, keep: (d) => d.categoryId === parent.id + 1 },
    { url: 'tag=nato,un', filter: { tagIds: tags }, keep: (d) => d.tagIds.length > 0 },
    { url: `author=${authors[2]}`, filter: { authorId: authors[2] }, keep: (d) => d.authorId === authors[2] },
    { url: `author=${authors[1]}&tag=un&category=world`, filter: { authorId: authors[1], tagIds: [tags[1]], categoryIds: [parent.id, parent.id + 1] }, keep: (d) => d.authorId === authors[1] && d.tagIds.includes(tags[1]) && d.categoryId === parent.id + 1 }
  ]
  for (const { url, filter, keep } of cases) {
    const expected = docs.filter((d) => live(d) && keep(d)).sort(newestFirst).map((d) => d.id)
    const res = (await app.inject(`/v1/posts?q=common&${url}&per_page=20&fields=id`)).json() as Page
    t.same(res.data.map((p) => p.id), expected.slice(0, 20), `${url}: newest first, exact`)
    t.equal(res.meta.total, Math.min(expected.length, 1000), `${url}: total`)
    const page = engine.list('common', { visibility: 'public', now: Date.now(), ...filter }, { sort: '-published_at', limit: 20, offset: 0, withContent: false })
    t.ok(page !== null && page.read <= 22, `${url}: read ${page?.read} matches for a page of 20 (${expected.length} match)`)
    const ranked = (await app.inject(`/v1/posts?q=common&${url}&sort=relevance&per_page=100&fields=id`)).json() as Page
    const window = new Set(expected.slice(0, 1000))
    t.ok(ranked.data.every((p) => window.has(p.id)), `${url}: relevance returns only matches of the filter`)
  }
})

t.test('a search whose walk reads every match counts them on the way: no second pass over the index, the same totals', async (t) => {
  const { app, docs, live } = await corpus(t)
  const repo = app.core.repos.search
  let counts = 0
  const counting = { ...repo, count: (...args: Parameters<typeof repo.count>) => { counts++; return repo.count(...args) } }
  const engine = createSearchEngine(counting, { budgetMs: 60_000 })
  const plain = createSearchEngine(repo, { budgetMs: 60_000 })
  // Each post's number is in its title and body: "150" (the last word, a prefix) matches 150 and 1500–1509.
  const numberOf = (d: Doc) => d.title.replace(/.* /, '')
  const matching = docs.filter((d) => live(d) && numberOf(d).startsWith('150')).length
  t.ok(matching >= 8 && matching <= 11, `150 matches ${matching} live posts`)
  const cases: Array<{ q: string, limit: number, offset: number }> = [
    { q: 'harbour', limit: 10, offset: 0 },
    { q: '1503', limit: 10, offset: 0 },
    { q: '150', limit: 3, offset: 0 },
    { q: '150', limit: 3, offset: 3 },
    { q: '150', limit: 10, offset: 0 },
    { q: '150', limit: 5, offset: 10 },
    { q: '150', limit: matching - 1, offset: 0 },
    { q: 'nothingmatchesthis', limit: 10, offset: 0 }
  ]
  for (const c of cases) {
    counts = 0
    const filter: PostFilter = { visibility: 'public', now: Date.now() }
    const o = { sort: '-published_at' as const, limit: c.limit, offset: c.offset, withContent: false }
    const page = engine.list(c.q, filter, o)
    const reference = plain.list(c.q, filter, o)
    const total = reference?.total ?? 0
    // The walk stops once it holds the page and one more: only then is a count left to do.
    const passes = total > c.offset + c.limit + 1 ? 1 : 0
    t.equal(counts, passes, `${c.q} (limit ${c.limit}, offset ${c.offset}, ${total} matches): ${passes} count queries`)
    t.same({ ids: page?.rows.map((r) => r.id), total: page?.total, more: page?.hasMore, search: page?.search },
      { ids: reference?.rows.map((r) => r.id), total: reference?.total, more: reference?.hasMore, search: reference?.search }, `${c.q}: the same page and totals`)
  }
  const res = (await app.inject('/v1/posts?q=150&per_page=3&page=2')).json() as Page
  t.equal(res.meta.total, matching, 'the total is exact')
  t.equal(res.meta.search?.total_exact, true)
  // A cursor starts mid-range: the walk cannot count what lies before it.
  const first = engine.list('150', { visibility: 'public', now: Date.now() }, { sort: '-published_at', limit: 1, offset: 0, withContent: false })
  const last = first?.rows[0]
  t.ok(last !== undefined)
  counts = 0
  const after = engine.list('150', { visibility: 'public', now: Date.now() }, { sort: '-published_at', limit: 20, offset: 0, after: { value: last!.publishedAt, id: last!.id }, withContent: false })
  t.equal(counts, 1, 'after a cursor the total is counted in SQLite')
  t.equal(after?.total, matching, 'the total of the whole range')
})

t.test('relevance ranks only the newest 1,000 matches, exactly as BM25 orders them', async (t) => {
  const { app, docs, live, newestFirst } = await corpus(t)
  const res = (await app.inject('/v1/posts?q=common%20harbour&sort=relevance&per_page=100&fields=id,title')).json() as Page
  const matches = docs.filter((d) => live(d) && (d.title.startsWith('Harbour') || d.id % 10 === 1)).sort(newestFirst)
  t.ok(matches.length > 0)
  // The same ranking computed independently in SQL over the newest 1,000 live matches by key.
  const c = app.db.$client
  const expected = c.prepare(`SELECT post_id FROM (
      SELECT s.post_id, s.published_at, bm25(posts_fts, 10.0, 4.0, 1.0, 0.0) AS r FROM posts_fts f JOIN post_search s ON s.key = f.rowid
      WHERE posts_fts MATCH '{title excerpt content_text} : ("common" "harbour"*)' AND s.status = 'published' AND s.published_at <= ?
      ORDER BY f.rowid DESC LIMIT 1000) ORDER BY r, published_at DESC, post_id DESC LIMIT 100`).pluck().all(Date.now()) as number[]
  t.same(res.data.map((p) => p.id), expected)
  t.match(res.data[0].title, /^Harbour/, 'a title match ranks first')

  const every = (await app.inject('/v1/posts?q=common&sort=relevance&per_page=100&fields=id')).json() as Page
  t.same(every.meta.search, { bounded: true, scored: 1000, total_exact: false, timed_out: false }, 'a word in every post: 1,000 scored, flagged')
  t.equal(every.meta.total, 1000)
  const window = new Set(docs.filter(live).sort(newestFirst).slice(0, 1000).map((d) => d.id))
  t.ok(every.data.every((p) => window.has(p.id)), 'every result lies in the newest 1,000 matches')

  const engine = createSearchEngine(app.core.repos.search, { budgetMs: 60_000 })
  const ranked = engine.list('common', { visibility: 'public', now: Date.now() }, { sort: 'relevance', limit: 10, offset: 0, withContent: false })
  t.ok(ranked !== null && ranked.read <= SEARCH_LIMITS.results + 1, `relevance read ${ranked?.read} matches of ${docs.length}`)
  const byTitle = engine.list('common', { visibility: 'public', now: Date.now() }, { sort: 'title', limit: 10, offset: 0, withContent: false })
  t.ok(byTitle !== null && byTitle.read <= SEARCH_LIMITS.results + 1 && byTitle.search.scored === 1000, 'title order ranks the same window')
})

t.test('the query plan drives from the index in key order: no sort, no walk over posts', async (t) => {
  const { app } = await corpus(t)
  const c = app.db.$client
  const plan = (sqlText: string) => (c.prepare(`EXPLAIN QUERY PLAN ${sqlText}`).all() as Array<{ detail: string }>).map((r) => r.detail)
  const walk = plan(`SELECT s.post_id FROM posts_fts f CROSS JOIN post_search s ON s.key = f.rowid
    WHERE posts_fts MATCH 'x' AND f.rowid >= (0 << 14) AND f.rowid <= ((1 << 14) | 16383) ORDER BY f.rowid DESC`)
  t.match(walk[0], /^SCAN f VIRTUAL TABLE/, 'the full-text index is the outer loop')
  t.match(walk[1], /SEARCH s USING (COVERING )?INDEX post_search_key_unique/)
  t.notOk(walk.some((d) => /TEMP B-TREE|posts/.test(d.replace('posts_fts', ''))), 'no sort and no posts rows')
})

t.test('drafts and scheduled posts never match publicly; drafts are found with read:drafts', async (t) => {
  const { app, docs } = await corpus(t)
  const hidden = new Set(docs.filter((d) => d.status === 'draft' || d.publishedAt > Date.now()).map((d) => d.id))
  for (const sort of ['-published_at', 'relevance', 'title']) {
    const res = (await app.inject(`/v1/posts?q=common&sort=${sort}&per_page=100&fields=id`)).json() as Page
    t.notOk(res.data.some((p) => hidden.has(p.id)), `${sort}: nothing unpublished`)
  }
  const key = { authorization: `Bearer ${app.core.repos.keys.createSync('e', ['read:drafts']).key}` }
  const drafts = (await app.inject({ url: '/v1/posts?q=common&status=draft&per_page=100&fields=id,status', headers: key })).json() as Page
  t.equal(drafts.data.length, docs.filter((d) => d.status === 'draft').length)
  t.ok(drafts.data.every((p) => p.status === 'draft'))
  const scheduled = (await app.inject({ url: '/v1/posts?q=common&status=scheduled&per_page=100&fields=id,status', headers: key })).json() as Page
  t.ok(scheduled.data.length > 0 && scheduled.data.every((p) => p.status === 'scheduled'))
})

t.test('past the time budget a search answers what it has, flagged, or a 422 problem when that is nothing', async (t) => {
  const { app } = await corpus(t, { QUERY_BUDGET_MS: '0' })
  const ranked = await app.inject('/v1/posts?q=common&sort=relevance&fields=id')
  t.equal(ranked.statusCode, 200)
  const body = ranked.json() as Page
  t.equal(body.data.length, 10)
  t.same(body.meta.search, { bounded: true, scored: SEARCH_LIMITS.checkEvery, total_exact: false, timed_out: true }, 'ranked what it read before the first check')
  t.equal(ranked.headers['cache-control'], 'public, no-store', 'a partial answer is kept by no cache')
  t.not((await app.inject('/v1/posts?q=common&sort=relevance&fields=id')).headers['x-cache'], 'HIT')
  const deep = await app.inject('/v1/posts?q=common&page=20')
  t.equal(deep.statusCode, 422)
  t.match(deep.headers['content-type'], /^application\/problem\+json/)
  t.equal(deep.json().code, 'QUERY_TOO_BROAD')
})

t.test('the index follows every kind of write: links, author, status, dates, deletes', async (t) => {
  const app = await buildTestApp(t)
  const key = { authorization: `Bearer ${app.core.repos.keys.createSync('w', ['write:content', 'read:drafts']).key}` }
  const post = async (method: string, url: string, payload?: object) => (await app.inject({ method: method as 'POST', url, payload, headers: key })).json().data
  const a1 = await post('POST', '/v1/authors', { name: 'One' })
  const a2 = await post('POST', '/v1/authors', { name: 'Two' })
  const c1 = await post('POST', '/v1/categories', { name: 'Alpha' })
  const c2 = await post('POST', '/v1/categories', { name: 'Beta' })
  const t1 = await post('POST', '/v1/tags', { name: 'Red' })
  const p = await post('POST', '/v1/posts', { title: 'Lighthouse keeper', author_id: a1.id, category_ids: [c1.id], tag_ids: [t1.id], status: 'published' })
  // A category, tag or author with no live post is not public: filtering by it is a 404, which
  // finds no post either.
  const ids = async (query: string) => {
    const res = await app.inject(`/v1/posts?q=lighthouse&${query}`)
    return res.statusCode === 404 ? [] : (res.json() as Page).data.map((x) => x.id)
  }
  t.same(await ids(`category=${c1.id}&tag=${t1.id}&author=${a1.id}`), [p.id])
  await post('PATCH', `/v1/posts/${p.id}`, { category_ids: [c2.id], tag_ids: [], author_id: a2.id })
  t.same(await ids(`category=${c1.id}`), [], 'old category gone')
  t.same(await ids(`tag=${t1.id}`), [], 'old tag gone')
  t.same(await ids(`category=${c2.id}&author=${a2.id}`), [p.id], 'new category and author')
  await post('PATCH', `/v1/posts/${p.id}`, { published_at: new Date(Date.now() + 86_400_000).toISOString() })
  t.same(await ids(''), [], 'rescheduled into the future: not public')
  await post('PATCH', `/v1/posts/${p.id}`, { published_at: '2001-02-03T04:05:06.000Z' })
  t.same(await ids('published_before=2001-02-04T00:00:00Z&published_after=2001-02-03T00:00:00Z'), [p.id], 'backdated, found by its date')
  t.same(await ids('published_after=2001-02-03T04:05:06.000Z'), [], 'published_after is exclusive, to the millisecond')
  const t2 = await post('POST', '/v1/tags', { name: 'Blue' })
  const p2 = await post('POST', '/v1/posts', { title: 'Lighthouse lamp', author_id: a1.id, category_ids: [c1.id], tag_ids: [t1.id], status: 'published' })
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/tags/${t1.id}?reassign=${t2.id}`, headers: key })).statusCode, 204)
  t.same(await ids(`tag=${t2.id}`), [p2.id], 'a tag merged into another: its posts are found by the other')
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/categories/${c1.id}?reassign=${c2.id}`, headers: key })).statusCode, 204)
  t.same((await ids(`category=${c2.id}`)).sort(), [p.id, p2.id].sort(), 'the same for a category')
  await post('PATCH', `/v1/posts/${p2.id}`, { status: 'draft' })
  t.same(await ids(''), [p.id], 'unpublished: gone from public search')
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/posts/${p.id}`, headers: key })).statusCode, 204)
  const c = app.db.$client
  t.equal(c.prepare('SELECT count(*) FROM post_search WHERE post_id = ?').pluck().get(p.id), 0, 'a deleted post leaves post_search')
  t.same(await ids(''), [], 'and the results')
  t.doesNotThrow(() => c.exec("INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 1)"), 'the index matches its content')
})

t.test('posts of the same millisecond whose ids clash on a slot get keys of their own', async (t) => {
  const app = await buildTestApp(t)
  const author = makeAuthor(app.db)
  const c = app.db.$client
  const when = Date.UTC(2020, 0, 1)
  const insert = c.prepare(`INSERT INTO posts (id, slug, title, content_text, status, published_at, created_at, updated_at, author_id)
    VALUES (?, ?, 'Tide tables', 'tide', 'published', ?, ?, ?, ?)`)
  for (const id of [5, 5 + 16384, 5 + 2 * 16384, 6]) insert.run(id, `t-${id}`, when, when, when, author.id)
  invalidateAll(app.db)
  t.equal(c.prepare('SELECT count(DISTINCT key) FROM post_search').pluck().get(), 4)
  const res = (await app.inject('/v1/posts?q=tide&fields=id')).json() as Page
  t.same(res.data.map((p) => p.id), [5 + 2 * 16384, 5 + 16384, 6, 5], 'one millisecond: higher id first')
  t.doesNotThrow(() => c.exec("INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 1)"))
})
