import t from 'tap'
import { adminAuth, buildTestApp } from '../../helper.js'

// Co-authors (post_authors) and featured posts, through the app.

type App = Awaited<ReturnType<typeof buildTestApp>>

async function send (app: App, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  return app.inject({ method, url, headers: adminAuth, ...(payload ? { payload } : {}) })
}
async function data (app: App, method: 'POST' | 'PATCH', url: string, payload: object) {
  const res = await send(app, method, url, payload)
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`)
  return res.json().data
}
const slugs = (list: Array<{ slug: string }>) => list.map((a) => a.slug)
const past = (ms: number) => new Date(Date.now() - ms).toISOString()

async function newsroom (app: App) {
  const ann = await data(app, 'POST', '/v1/authors', { name: 'Ann Author' })
  const ben = await data(app, 'POST', '/v1/authors', { name: 'Ben Byline' })
  const cat = await data(app, 'POST', '/v1/authors', { name: 'Cat Coauthor' })
  return { ann, ben, cat }
}

t.test('author_ids: every author in order, the first primary; reads show author and authors[]', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  const { ann, ben, cat } = await newsroom(app)
  const post = await data(app, 'POST', '/v1/posts', { title: 'Joint story', author_ids: ['ben-byline', ann.id, cat.id], status: 'published', content_html: '<p>x</p>' })
  t.equal(post.author.slug, 'ben-byline', 'the write answer: the first is the primary author')
  t.same(slugs(post.authors), ['ben-byline', 'ann-author', 'cat-coauthor'], 'and authors[] in order')
  const single = (await app.inject(`/v1/posts/${post.slug}`)).json().data
  t.same(slugs(single.authors), ['ben-byline', 'ann-author', 'cat-coauthor'], 'the single read')
  const card = (await app.inject('/v1/posts')).json().data[0]
  t.same(slugs(card.authors), ['ben-byline', 'ann-author', 'cat-coauthor'], 'the list card')
  t.equal(card.author.id, ben.id)
  const sparse = (await app.inject('/v1/posts?fields=id,authors')).json().data[0]
  t.same(Object.keys(sparse).sort(), ['authors', 'id'], 'authors is a sparse field')

  // author_id alone replaces the primary author and keeps the co-authors.
  const moved = await data(app, 'PATCH', `/v1/posts/${post.id}`, { author_id: cat.id })
  t.same(slugs(moved.authors), ['cat-coauthor', 'ann-author'], 'a co-author made primary leaves the co-authors; the old primary goes')
  const reordered = await data(app, 'PATCH', `/v1/posts/${post.id}`, { author_ids: [ann.id, cat.id, ben.id] })
  t.same(slugs(reordered.authors), ['ann-author', 'cat-coauthor', 'ben-byline'], 'author_ids sets the whole list')
  const single2 = await data(app, 'PATCH', `/v1/posts/${post.id}`, { author_ids: [ben.id] })
  t.same(slugs(single2.authors), ['ben-byline'], 'down to one author')
  const legacy = await data(app, 'POST', '/v1/posts', { title: 'Solo', author_id: ann.id })
  t.same(slugs(legacy.authors), ['ann-author'], 'author_id alone still works')
  const both = await data(app, 'POST', '/v1/posts', { title: 'Both', author_id: 'ann-author', author_ids: [ann.id, ben.id] })
  t.same(slugs(both.authors), ['ann-author', 'ben-byline'], 'author_id and author_ids agreeing on the primary author')
})

t.test('bad author lists are clear 4xx problems naming the field, and store nothing', async (t) => {
  const app = await buildTestApp(t)
  const { ann, ben } = await newsroom(app)
  const before = (app.core.db.$client.prepare('SELECT count(*) AS n FROM posts').get() as { n: number }).n
  const conflict = await send(app, 'POST', '/v1/posts', { title: 'x', author_id: ben.id, author_ids: [ann.id, ben.id] })
  t.equal(conflict.statusCode, 422)
  t.same(conflict.json().errors.map((e: { path: string }) => e.path), ['author_id'])
  t.match(conflict.json().errors[0].message, /author_ids starts with author/)
  const unknown = await send(app, 'POST', '/v1/posts', { title: 'x', author_ids: [ann.id, 'nobody'] })
  t.equal(unknown.statusCode, 422)
  t.same(unknown.json().errors.map((e: { path: string }) => e.path), ['author_ids.1'])
  const twice = await send(app, 'POST', '/v1/posts', { title: 'x', author_ids: [ann.id, 'ann-author'] })
  t.equal(twice.statusCode, 422, 'the same author by id and by slug')
  t.same(twice.json().errors.map((e: { path: string }) => e.path), ['author_ids.1'])
  const empty = await send(app, 'POST', '/v1/posts', { title: 'x', author_ids: [] })
  t.equal(empty.statusCode, 422)
  t.same(empty.json().errors.map((e: { path: string }) => e.path), ['author_ids'])
  const none = await send(app, 'POST', '/v1/posts', { title: 'x' })
  t.equal(none.statusCode, 400)
  t.same(none.json().errors.map((e: { path: string }) => e.path), ['author_id'], 'no author: author_id is required')
  const tooMany = await send(app, 'POST', '/v1/posts', { title: 'x', author_ids: Array.from({ length: 21 }, (_, i) => i + 1) })
  t.equal(tooMany.statusCode, 400, 'at most 20 authors')
  t.equal((app.core.db.$client.prepare('SELECT count(*) AS n FROM posts').get() as { n: number }).n, before, 'nothing was stored')
  const post = await data(app, 'POST', '/v1/posts', { title: 'Kept', author_ids: [ann.id, ben.id] })
  const bad = await send(app, 'PATCH', `/v1/posts/${post.id}`, { author_id: ann.id, author_ids: [ben.id] })
  t.equal(bad.statusCode, 422)
  t.same(slugs((await data(app, 'PATCH', `/v1/posts/${post.id}`, { title: 'Kept still' })).authors), ['ann-author', 'ben-byline'], 'a refused edit changed nothing')
})

t.test('?author= matches co-authors; author counts and visibility count co-authored posts; feeds list every author', async (t) => {
  const app = await buildTestApp(t)
  const { ann, ben, cat } = await newsroom(app)
  await data(app, 'POST', '/v1/posts', { title: 'Older solo', author_id: ann.id, status: 'published', published_at: past(60_000), content_html: '<p>a</p>' })
  const joint = await data(app, 'POST', '/v1/posts', { title: 'Joint', author_ids: [ann.id, ben.id], status: 'published', published_at: past(1000), content_html: '<p>b</p>' })
  await data(app, 'POST', '/v1/posts', { title: 'Draft with Cat', author_ids: [ann.id, cat.id] })

  const byBen = (await app.inject('/v1/posts?author=ben-byline')).json()
  t.same(byBen.data.map((p: { id: number }) => p.id), [joint.id], 'a co-author\'s posts')
  t.equal(byBen.meta.total, 1)
  const byAnn = (await app.inject('/v1/posts?author=ann-author&per_page=1')).json()
  t.equal(byAnn.meta.total, 2, 'the primary author\'s posts, co-authored ones included')
  const next = (await app.inject(`/v1/posts?author=ann-author&per_page=1&cursor=${byAnn.meta.next_cursor}`)).json()
  t.same(next.data.map((p: { title: string }) => p.title), ['Older solo'], 'by cursor')

  // With a key: an author with no live post left is still a known filter.
  const search = async (q: string) => (await app.inject({ url: `/v1/posts?${q}`, headers: adminAuth })).json().data.map((p: { title: string }) => p.title)
  t.same(await search('q=joint&author=ben-byline'), ['Joint'], 'a search narrowed to a co-author finds the co-written post')
  t.same(await search('q=joint&author=ann-author'), ['Joint'], 'and to its primary author')
  await data(app, 'PATCH', `/v1/posts/${joint.id}`, { author_ids: [ann.id, cat.id] })
  t.same(await search('q=joint&author=ben-byline'), [], 'a co-author taken off is off the search facets')
  t.same(await search('q=joint&author=cat-coauthor'), ['Joint'], 'and the new one on')
  await data(app, 'PATCH', `/v1/posts/${joint.id}`, { author_ids: [ann.id, ben.id], tag_ids: [] })
  t.same(await search('q=joint&author=ben-byline'), ['Joint'], 'facets rebuilt by a link change keep the co-authors')
  const authors = (await app.inject('/v1/authors')).json().data as Array<{ slug: string, post_count: number }>
  t.same(authors.map((a) => [a.slug, a.post_count]), [['ann-author', 2], ['ben-byline', 1]], 'counts include co-authored posts; a co-author of a draft only stays hidden')
  t.equal((await app.inject('/v1/authors/cat-coauthor')).statusCode, 404)
  t.equal((await app.inject('/v1/authors/ben-byline')).statusCode, 200, 'a co-author of a live post is public')

  const rss = (await app.inject('/feeds/rss.xml')).body
  const item = rss.slice(rss.indexOf('<item>'), rss.indexOf('</item>'))
  t.same([...item.matchAll(/<dc:creator>(.*?)<\/dc:creator>/g)].map((m) => m[1]), ['Ann Author', 'Ben Byline'], 'RSS: one dc:creator per author')
  const atom = (await app.inject('/feeds/atom.xml')).body
  const entry = atom.slice(atom.indexOf('<entry>'), atom.indexOf('</entry>'))
  t.same([...entry.matchAll(/<author>\s*<name>(.*?)<\/name>/g)].map((m) => m[1]), ['Ann Author', 'Ben Byline'], 'Atom: one <author> per author')
  const json = (await app.inject('/feeds/feed.json')).json()
  t.same(json.items[0].authors.map((a: { name: string }) => a.name), ['Ann Author', 'Ben Byline'], 'JSON Feed: every author in `authors`')
  const byBenFeed = (await app.inject('/feeds/feed.json?author=ben-byline')).json()
  t.same(byBenFeed.items.map((i: { title: string }) => i.title), ['Joint'], 'a feed narrowed to a co-author')

  // A co-author's rename shows on the post (stored documents were dropped and rebuilt).
  await data(app, 'PATCH', `/v1/authors/${ben.id}`, { name: 'Benjamin Byline' })
  t.same((await app.inject(`/v1/posts/${joint.id}`)).json().data.authors.map((a: { name: string }) => a.name), ['Ann Author', 'Benjamin Byline'])
  const feedAgain = (await app.inject('/feeds/feed.json')).json()
  t.same(feedAgain.items[0].authors.map((a: { name: string }) => a.name), ['Ann Author', 'Benjamin Byline'], 'and in the feeds')

  // Deleting a co-author (no primary authorship) takes them off the credits.
  t.equal((await send(app, 'DELETE', `/v1/authors/${cat.id}`)).statusCode, 204)
  t.equal((app.core.db.$client.prepare('SELECT count(*) AS n FROM post_authors WHERE author_id = ?').get(cat.id) as { n: number }).n, 0)
})

t.test('featured: written, read, filtered with cursors, and refused with q', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  const { ann } = await newsroom(app)
  const ids: number[] = []
  for (let i = 0; i < 6; i++) {
    const post = await data(app, 'POST', '/v1/posts', { title: `Story ${i}`, author_id: ann.id, status: 'published', published_at: past(10_000 - i * 1000), featured: i % 2 === 0 })
    t.equal(post.featured, i % 2 === 0, 'the write answer shows featured')
    ids.push(post.id)
  }
  const plain = await data(app, 'POST', '/v1/posts', { title: 'Default', author_id: ann.id })
  t.equal(plain.featured, false, 'default false')
  const list = (q: string) => app.inject(`/v1/posts?${q}`).then((r) => r.json())
  const featured = await list('featured=true')
  t.same(featured.data.map((p: { id: number }) => p.id), [ids[4], ids[2], ids[0]], 'newest first, featured only')
  t.ok(featured.data.every((p: { featured: boolean }) => p.featured))
  t.equal(featured.meta.total, 3)
  t.same((await list('featured=false')).data.map((p: { id: number }) => p.id), [ids[5], ids[3], ids[1]])
  const first = await list('featured=true&per_page=2&sort=title')
  const rest = await list(`featured=true&per_page=2&sort=title&cursor=${first.meta.next_cursor}`)
  t.same([...first.data, ...rest.data].map((p: { title: string }) => p.title), ['Story 0', 'Story 2', 'Story 4'], 'cursor and sort')
  t.equal((await app.inject(`/v1/posts/${ids[0]}`)).json().data.featured, true, 'the single read')
  const patched = await data(app, 'PATCH', `/v1/posts/${ids[1]}`, { featured: true })
  t.equal(patched.featured, true)
  t.equal((await list('featured=true')).meta.total, 4, 'the list follows')
  const bad = await app.inject('/v1/posts?featured=yes')
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().errors[0].path, 'featured')
  const withQ = await app.inject('/v1/posts?featured=true&q=story')
  t.equal(withQ.statusCode, 400)
  t.equal(withQ.json().errors[0].path, 'featured')
  const badBody = await send(app, 'PATCH', `/v1/posts/${ids[1]}`, { featured: 'yes' })
  t.equal(badBody.statusCode, 400)
  const plan = app.core.db.$client.prepare("EXPLAIN QUERY PLAN SELECT id FROM posts WHERE featured = 1 AND status = 'published' AND published_at <= ? ORDER BY published_at DESC, id DESC LIMIT 10").all(Date.now()) as Array<{ detail: string }>
  t.match(plan.map((r) => r.detail).join('; '), /posts_featured_published_idx/, 'the featured list is read from its index')
  t.notMatch(plan.map((r) => r.detail).join('; '), /TEMP B-TREE/, 'with no sort')
})

t.test('a co-author becomes public with their first live post, in the change log too, and leaves with it', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  const { ann, ben } = await newsroom(app)
  const entries = async () => ((await app.inject('/v1/changes?limit=100')).json().data as Array<{ resource: string, id: number, action: string }>)
    .filter((e) => e.resource === 'author' && e.id === ben.id).map((e) => e.action)
  const post = await data(app, 'POST', '/v1/posts', { title: 'Draft together', author_ids: [ann.id, ben.id] })
  t.same(await entries(), [], 'a co-author of a draft is not announced')
  await data(app, 'PATCH', `/v1/posts/${post.id}`, { status: 'published' })
  t.same(await entries(), ['upsert'], 'announced when the post goes live')
  await data(app, 'PATCH', `/v1/posts/${post.id}`, { author_ids: [ann.id] })
  t.same(await entries(), ['delete'], 'and gone when taken off the only live post')
  t.equal((await app.inject(`/v1/authors/${ben.id}`)).statusCode, 404)
})
