import t from 'tap'
import { adminAuth, buildTestApp } from '../../helper.js'
import { makeAuthor, makeCategory, makePost, makeTag, type PostOptions } from '../../helpers/factories.js'
import type { Db } from '../../../src/db/client.js'

// Categories, tags and authors are one resource written once (src/modules/terms): each case
// below runs for all three kinds; the category tree has its own cases at the end.

type App = Awaited<ReturnType<typeof buildTestApp>>
type Json = Record<string, any>

interface Kind {
  plural: 'categories' | 'tags' | 'authors'
  name: 'category' | 'tag' | 'author'
  /** A term written straight into the database. */
  make (db: Db, over?: { slug?: string, name?: string }): { id: number, slug: string }
  /** A post filed under the term (live, one day old, unless `over` says otherwise). */
  file (db: Db, termId: number, over?: PostOptions): { id: number }
  /** The names of this kind a post shows. */
  onPost (post: Json): string[]
}

const KINDS: Kind[] = [
  {
    plural: 'categories',
    name: 'category',
    make: (db, over) => makeCategory(db, over),
    file: (db, id, over) => makePost(db, { ...over, categoryIds: [id] }),
    onPost: (post) => post.categories.map((c: Json) => c.name)
  },
  {
    plural: 'tags',
    name: 'tag',
    make: (db, over) => makeTag(db, over),
    file: (db, id, over) => makePost(db, { ...over, tagIds: [id] }),
    onPost: (post) => post.tags.map((c: Json) => c.name)
  },
  {
    plural: 'authors',
    name: 'author',
    make: (db, over) => makeAuthor(db, over),
    file: (db, id, over) => makePost(db, { ...over, authorId: id }),
    onPost: (post) => [post.author.name]
  }
]

const DAY = 86_400_000

async function write (app: App, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Json) {
  return await app.inject({ method, url, payload, headers: adminAuth })
}

for (const kind of KINDS) {
  const base = `/v1/${kind.plural}`

  t.test(`${kind.plural}: create answers 201 with the term, its Location and a slug made from the name`, async (t) => {
    const app = await buildTestApp(t)
    const res = await write(app, 'POST', base, { name: 'Zürich Desk' })
    t.equal(res.statusCode, 201)
    t.match(res.headers['content-type'], /^application\/json/)
    const term = res.json().data
    t.equal(res.headers.location, `${base}/${term.id}`)
    t.match(term, { id: Number, slug: 'zurich-desk', name: 'Zürich Desk', post_count: 0, created_at: /Z$/, updated_at: /Z$/ })
    t.same(Object.keys(term).slice(0, 3), ['id', 'slug', 'name'])
    t.equal(term.email, undefined, 'never an e-mail')
  })

  t.test(`${kind.plural}: slug rules (unique by suffix, explicit one taken is a 409, never all digits)`, async (t) => {
    const app = await buildTestApp(t)
    t.equal((await write(app, 'POST', base, { name: 'Ukraine' })).json().data.slug, 'ukraine')
    t.equal((await write(app, 'POST', base, { name: 'Ukraine' })).json().data.slug, 'ukraine-2', 'a made slug gets a suffix')
    const taken = await write(app, 'POST', base, { name: 'Other', slug: 'ukraine' })
    t.equal(taken.statusCode, 409)
    t.match(taken.json(), { code: 'SLUG_CONFLICT', detail: `A ${kind.name} with slug "ukraine" already exists` })
    t.equal((await write(app, 'POST', base, { name: 'x', slug: 'Bad Slug' })).statusCode, 400)
    t.equal((await write(app, 'POST', base, { name: 'x', slug: '123' })).statusCode, 400, 'an all-digit ref means an id')
    t.equal((await write(app, 'POST', base, { name: '2024' })).json().data.slug, `${kind.name}-2024`)
    t.equal((await write(app, 'POST', base, { name: '!!!' })).json().data.slug, kind.name, 'nothing sluggable: the kind')
    const missing = await write(app, 'POST', base, { slug: 'no-name' })
    t.equal(missing.statusCode, 400)
    t.equal(missing.json().errors[0].path, 'name')
    t.equal((await write(app, 'POST', base, { name: 'x', colour: 'red' })).statusCode, 400, 'an unknown field is refused')
  })

  t.test(`${kind.plural}: read by id or slug; an unknown ref is a 404 problem`, async (t) => {
    const app = await buildTestApp(t)
    const term = kind.make(app.db, { slug: 'world', name: 'World' })
    kind.file(app.db, term.id)
    const bySlug = await app.inject(`${base}/world`)
    t.equal(bySlug.statusCode, 200)
    t.match(bySlug.headers['cache-control'], /^public/)
    t.match(bySlug.json().data, { id: term.id, slug: 'world', name: 'World', post_count: 1 })
    t.same((await app.inject(`${base}/${term.id}`)).json(), bySlug.json())
    t.equal((await app.inject(`${base}/WORLD`)).json().data.id, term.id, 'slugs are read case-insensitively')
    const unknown = await app.inject(`${base}/nowhere`)
    t.equal(unknown.statusCode, 404)
    t.match(unknown.headers['content-type'], /^application\/problem\+json/)
    t.match(unknown.json(), { code: 'NOT_FOUND', detail: /"nowhere" not found/ })
    t.equal((await app.inject(`${base}/0`)).statusCode, 404)
  })

  t.test(`${kind.plural}: lists by name, with X-Total-Count, Link and meta`, async (t) => {
    const app = await buildTestApp(t)
    for (const name of ['Charlie', 'Alpha', 'Bravo']) kind.file(app.db, kind.make(app.db, { name }).id)
    const first = await app.inject(`${base}?per_page=2`)
    t.equal(first.statusCode, 200)
    t.same(first.json().data.map((x: Json) => x.name), ['Alpha', 'Bravo'])
    t.same(first.json().meta, { page: 1, per_page: 2, total: 3, total_pages: 2 })
    t.equal(first.headers['x-total-count'], '3')
    t.equal(first.headers.link, `<${base}?per_page=2&page=1>; rel="first", <${base}?per_page=2&page=2>; rel="next", <${base}?per_page=2&page=2>; rel="last"`)
    const second = await app.inject(`${base}?per_page=2&page=2`)
    t.same(second.json().data.map((x: Json) => x.name), ['Charlie'])
    t.match(second.headers.link, /rel="prev"/)
    t.notMatch(second.headers.link, /rel="next"/)
    const beyond = await app.inject(`${base}?page=9`)
    t.same(beyond.json().data, [])
    t.equal(beyond.json().meta.total, 3)
    t.equal((await app.inject(`${base}?per_page=101`)).statusCode, 400)
    t.equal((await app.inject(`${base}?sort=name`)).statusCode, 400, 'an unknown parameter is refused')
  })

  t.test(`${kind.plural}: update changes only the fields sent, and posts show the new name`, async (t) => {
    const app = await buildTestApp(t)
    const term = kind.make(app.db, { slug: 'old', name: 'Old' })
    kind.make(app.db, { slug: 'taken' })
    const post = kind.file(app.db, term.id)
    t.same(kind.onPost((await app.inject(`/v1/posts/${post.id}`)).json().data), ['Old'])
    const renamed = await write(app, 'PATCH', `${base}/old`, { name: 'New' })
    t.equal(renamed.statusCode, 200)
    t.match(renamed.json().data, { id: term.id, slug: 'old', name: 'New', post_count: 1 })
    t.same(kind.onPost((await app.inject(`/v1/posts/${post.id}`)).json().data), ['New'], 'the cached post is refreshed')
    t.equal((await write(app, 'PATCH', `${base}/${term.id}`, { slug: 'old' })).statusCode, 200, 'its own slug is not a conflict')
    t.equal((await write(app, 'PATCH', `${base}/${term.id}`, { slug: 'taken' })).statusCode, 409)
    t.equal((await write(app, 'PATCH', `${base}/${term.id}`, { slug: 'fresh' })).json().data.slug, 'fresh')
    t.equal((await write(app, 'PATCH', `${base}/${term.id}`, {})).statusCode, 400, 'at least one field')
    t.equal((await write(app, 'PATCH', `${base}/nothing`, { name: 'x' })).statusCode, 404)
    const anonymous = await app.inject({ method: 'PATCH', url: `${base}/${term.id}`, payload: { name: 'x' } })
    t.equal(anonymous.statusCode, 401)
  })

  t.test(`${kind.plural}: delete is a 409 while in use, unless ?reassign names who takes the posts over`, async (t) => {
    const app = await buildTestApp(t)
    const from = kind.make(app.db, { slug: 'from', name: 'From' })
    kind.make(app.db, { slug: 'to', name: 'To' })
    const unused = kind.make(app.db, { slug: 'unused' })
    const post = kind.file(app.db, from.id)
    const inUse = await write(app, 'DELETE', `${base}/from`)
    t.equal(inUse.statusCode, 409)
    t.match(inUse.json(), { code: 'IN_USE', detail: /has 1 post\(s\): pass \?reassign=/ })
    t.equal((await write(app, 'DELETE', `${base}/from?reassign=from`)).statusCode, 422, 'not to itself')
    const nobody = await write(app, 'DELETE', `${base}/from?reassign=nobody`)
    t.equal(nobody.statusCode, 404)
    t.match(nobody.json().detail, /"nobody" \(reassign\)/)
    const moved = await write(app, 'DELETE', `${base}/from?reassign=to`)
    t.equal(moved.statusCode, 204)
    t.equal(moved.body, '')
    t.same(kind.onPost((await app.inject(`/v1/posts/${post.id}`)).json().data), ['To'])
    t.equal((await app.inject(`${base}/to`)).json().data.post_count, 1)
    t.equal((await app.inject({ url: `${base}/from`, headers: adminAuth })).statusCode, 404)
    t.equal((await write(app, 'DELETE', `${base}/unused`)).statusCode, 204, 'an unused term goes at once')
    t.equal((await write(app, 'DELETE', `${base}/${unused.id}`)).statusCode, 404)
  })

  t.test(`${kind.plural}: public only once a live post has it; a write key sees every one`, async (t) => {
    const app = await buildTestApp(t)
    const hidden = kind.make(app.db, { slug: 'hidden', name: 'Hidden' })
    const draft = kind.file(app.db, hidden.id, { status: 'draft', publishedAt: null })
    kind.file(app.db, hidden.id, { publishedAt: Date.now() + DAY })
    kind.file(app.db, hidden.id, { status: 'archived' })
    kind.file(app.db, kind.make(app.db, { slug: 'shown', name: 'Shown' }).id)
    const unknown = await app.inject(`${base}/nowhere`)
    for (const ref of ['hidden', String(hidden.id)]) {
      const res = await app.inject(`${base}/${ref}`)
      t.equal(res.statusCode, 404, 'a single read')
      t.equal(res.json().code, unknown.json().code, 'the same 404 as an unknown term')
    }
    const list = (await app.inject(base)).json()
    t.same(list.data.map((x: Json) => x.slug), ['shown'], 'not in lists')
    t.equal(list.meta.total, 1, 'nor in the total')
    const all = (await app.inject({ url: base, headers: adminAuth })).json()
    t.same(all.data.map((x: Json) => x.slug), ['hidden', 'shown'])
    t.equal((await app.inject(`/v1/posts?${kind.name}=hidden`)).statusCode, 404, 'a post filter is as unknown')
    t.equal((await write(app, 'PATCH', `/v1/posts/${draft.id}`, { status: 'published' })).statusCode, 200)
    t.equal((await app.inject(`${base}/hidden`)).statusCode, 200, 'public once its post is live')
  })

  t.test(`${kind.plural}: post_count counts live posts only`, async (t) => {
    const app = await buildTestApp(t)
    const term = kind.make(app.db, { slug: 'counted' })
    kind.file(app.db, term.id)
    kind.file(app.db, term.id)
    kind.file(app.db, term.id, { status: 'draft', publishedAt: null })
    kind.file(app.db, term.id, { publishedAt: Date.now() + DAY })
    kind.file(app.db, term.id, { status: 'archived' })
    t.equal((await app.inject(`${base}/counted`)).json().data.post_count, 2)
    t.equal((await app.inject(base)).json().data[0].post_count, 2, 'in lists too')
  })
}

t.test('categories: a tree read by level, and post filters that take the subtree', async (t) => {
  const app = await buildTestApp(t)
  const world = makeCategory(app.db, { slug: 'world', name: 'World' })
  const europe = makeCategory(app.db, { slug: 'europe', name: 'Europe', parentId: world.id })
  const france = makeCategory(app.db, { slug: 'france', name: 'France', parentId: europe.id })
  makeCategory(app.db, { slug: 'sport', name: 'Sport' })
  const post = makePost(app.db, { categoryIds: [france.id] })
  t.same((await app.inject('/v1/categories?parent=0')).json().data.map((c: Json) => c.slug), ['world'], 'the top of what is public')
  t.same((await app.inject({ url: '/v1/categories?parent=0', headers: adminAuth })).json().data.map((c: Json) => c.slug), ['sport', 'world'])
  const level = await app.inject(`/v1/categories?parent=${world.id}`)
  t.same(level.json().data.map((c: Json) => [c.slug, c.parent_id]), [['europe', world.id]])
  t.equal(level.headers['x-total-count'], '1')
  t.equal((await app.inject('/v1/categories?parent=nowhere')).statusCode, 404)
  t.equal((await app.inject('/v1/categories/world')).json().data.post_count, 0, 'counts posts filed directly')
  const filtered = (await app.inject('/v1/posts?category=world')).json()
  t.same(filtered.data.map((p: Json) => p.id), [post.id], 'a filter takes the sub-categories')
})

t.test('categories: a parent that does not exist or would make a cycle is a 422', async (t) => {
  const app = await buildTestApp(t)
  const top = (await write(app, 'POST', '/v1/categories', { name: 'Top' })).json().data
  const middle = (await write(app, 'POST', '/v1/categories', { name: 'Middle', parent_id: top.id })).json().data
  const bottom = (await write(app, 'POST', '/v1/categories', { name: 'Bottom', parent_id: middle.id })).json().data
  t.equal(bottom.parent_id, middle.id)
  for (const parent of [bottom.id, top.id]) {
    const cycle = await write(app, 'PATCH', '/v1/categories/top', { parent_id: parent })
    t.equal(cycle.statusCode, 422)
    t.match(cycle.json().errors, [{ in: 'body', path: 'parent_id', message: /cycle/ }])
  }
  const missing = await write(app, 'POST', '/v1/categories', { name: 'Orphan', parent_id: 999 })
  t.equal(missing.statusCode, 422)
  t.match(missing.json().errors, [{ path: 'parent_id', message: 'category 999 does not exist' }])
  const moved = await write(app, 'PATCH', '/v1/categories/bottom', { parent_id: null })
  t.equal(moved.json().data.parent_id, null, 'null moves it to the top')
  t.equal((await write(app, 'PATCH', '/v1/categories/bottom', { description: 'Kept at the top' })).json().data.parent_id, null, 'a field not sent stays')
})

t.test('categories: deleting one moves its children up to its parent', async (t) => {
  const app = await buildTestApp(t)
  const top = (await write(app, 'POST', '/v1/categories', { name: 'Top' })).json().data
  const middle = (await write(app, 'POST', '/v1/categories', { name: 'Middle', parent_id: top.id })).json().data
  const child = (await write(app, 'POST', '/v1/categories', { name: 'Child', parent_id: middle.id })).json().data
  t.equal((await write(app, 'DELETE', `/v1/categories/${middle.id}`)).statusCode, 204)
  t.equal((await app.inject({ url: `/v1/categories/${child.id}`, headers: adminAuth })).json().data.parent_id, top.id)
  t.equal((await write(app, 'DELETE', `/v1/categories/${top.id}`)).statusCode, 204)
  t.equal((await app.inject({ url: `/v1/categories/${child.id}`, headers: adminAuth })).json().data.parent_id, null, 'to the top')
})

t.test('categories and tags: reassigning to a term a post already has leaves it there once', async (t) => {
  const app = await buildTestApp(t)
  for (const [plural, make, key] of [['categories', makeCategory, 'categoryIds'], ['tags', makeTag, 'tagIds']] as const) {
    const from = make(app.db)
    const to = make(app.db)
    const both = makePost(app.db, { [key]: [from.id, to.id] })
    const only = makePost(app.db, { [key]: [from.id] })
    t.equal((await write(app, 'DELETE', `/v1/${plural}/${from.id}?reassign=${to.id}`)).statusCode, 204)
    for (const post of [both, only]) {
      const names = (await app.inject(`/v1/posts/${post.id}`)).json().data[plural].map((x: Json) => x.id)
      t.same(names, [to.id], `${plural}: post ${post.id}`)
    }
  }
})

t.test('authors: bio, avatar and website are shown, the e-mail never; a new avatar reaches posts', async (t) => {
  const app = await buildTestApp(t)
  const created = await write(app, 'POST', '/v1/authors', { name: 'Maria López', email: 'maria@secret.example', bio: 'Correspondent.', avatar_url: 'https://img.example/m.jpg', website: null })
  t.equal(created.statusCode, 201)
  t.match(created.json().data, { slug: 'maria-lopez', bio: 'Correspondent.', avatar_url: 'https://img.example/m.jpg', website: null })
  t.notMatch(created.body, /secret/)
  const author = created.json().data
  t.equal((await write(app, 'POST', '/v1/authors', { name: 'x', email: 'not-an-address' })).statusCode, 400)
  t.equal((await write(app, 'POST', '/v1/authors', { name: 'x', website: 'ftp://x' })).statusCode, 400)
  const post = makePost(app.db, { authorId: author.id })
  t.equal((await app.inject(`/v1/posts/${post.id}`)).json().data.author.avatar_url, 'https://img.example/m.jpg')
  const changed = await write(app, 'PATCH', `/v1/authors/${author.id}`, { avatar_url: 'https://img.example/new.jpg', email: null })
  t.match(changed.json().data, { avatar_url: 'https://img.example/new.jpg', bio: 'Correspondent.' })
  t.equal((await app.inject(`/v1/posts/${post.id}`)).json().data.author.avatar_url, 'https://img.example/new.jpg')
  t.notMatch((await app.inject({ url: '/v1/authors', headers: adminAuth })).body, /secret/, 'not even to a write key')
})
