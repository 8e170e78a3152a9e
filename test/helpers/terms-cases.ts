import type { Test } from 'tap'
import type { ContentChange } from '../../src/db/change-bus.js'
import type { EngineWrite } from '../../src/db/engine-write.js'
import type { EngineDb } from '../../src/db/engine-port.js'
import { createEngineTermVisibility, createTermReads } from '../../src/db/term-visibility.js'
import { authorKind } from '../../src/modules/authors/authors-kind.js'
import { categoryKind } from '../../src/modules/categories/categories-kind.js'
import { tagKind } from '../../src/modules/tags/tags-kind.js'
import { createTermsRepository, createTermsWriter } from '../../src/modules/terms/terms-repository.js'
import { createTermsService } from '../../src/modules/terms/terms-service.js'

// The taxonomy (categories, tags, authors: src/modules/terms) on either engine, run on SQLite by
// test/modules/terms/terms-engine.test.ts and on PostgreSQL by test/db/pg-terms.test.ts: the
// reads (public and all scopes, the category tree, name order), the writes through the
// engine-neutral writer, and NUL in a slug.

/** What each engine's test gives: an empty migrated database, its writer, and raw post seeding. */
export interface TermsHarness {
  edb: EngineDb
  write: EngineWrite
  /** The changes of each committed write, in order. */
  committed: ContentChange[][]
  /** Inserts a post filed under the given terms (live: published a day ago); returns its id. */
  post: (o: { authorId: number, status?: 'published' | 'draft', categoryIds?: number[], tagIds?: number[] }) => Promise<number>
  /** The change log (resource:id:action), oldest first: the engine's listener is wired. */
  changeLog: () => Promise<string[]>
  /** The category ids a post is filed under, in position order. */
  categoriesOf: (postId: number) => Promise<number[]>
}

/** The HTTP status a write is refused with (undefined when it succeeds). */
async function statusOf (write: Promise<unknown>): Promise<number | undefined> {
  return await write.then(() => undefined, (err: { statusCode?: number }) => err.statusCode ?? 500)
}

// The entries the cases above leave, on both engines: a rename of world (public through europe)
// and the terms below it and its live post; europe merged away (it, world and news go dark, its
// heir appears); news deleted while hidden (nothing); tag and author merges.
const EXPECTED_LOG = [
  'category:2:upsert', 'category:3:upsert', 'post:1:upsert',
  'category:3:delete', 'category:2:delete', 'category:1:delete', 'category:6:upsert', 'post:1:upsert',
  'tag:4:delete', 'tag:1:upsert', 'post:1:upsert',
  'author:1:delete', 'author:2:upsert', 'post:1:upsert'
]

const slugs = (rows: Array<{ slug: string }>) => rows.map((r) => r.slug)

export async function termsCases (t: Test, h: TermsHarness): Promise<void> {
  // Reads are remembered per stamp: a test moves it after seeding, as a write's keys would.
  let version = 0
  const stamp = () => String(version)
  const moved = () => { version++ }
  const reads = createTermReads(h.edb, stamp)
  const visibility = createEngineTermVisibility(h.edb)
  const repos = {
    categories: createTermsRepository(h.edb, categoryKind, reads),
    tags: createTermsRepository(h.edb, tagKind, reads),
    authors: createTermsRepository(h.edb, authorKind, reads)
  }
  const services = {
    categories: createTermsService({ write: h.write, writer: createTermsWriter(h.edb, categoryKind), visibility }, categoryKind),
    tags: createTermsService({ write: h.write, writer: createTermsWriter(h.edb, tagKind), visibility }, tagKind),
    authors: createTermsService({ write: h.write, writer: createTermsWriter(h.edb, authorKind), visibility }, authorKind)
  }

  // A small tree: news > world > europe, news > local; sport (empty). Tags with mixed case.
  const author = await services.authors.create({ name: 'Ann' })
  const idle = await services.authors.create({ name: 'bob' })
  const news = await services.categories.create({ name: 'News' })
  const world = await services.categories.create({ name: 'World', parent_id: news })
  const europe = await services.categories.create({ name: 'Europe', parent_id: 'world' })
  const local = await services.categories.create({ name: 'Local', parent_id: news })
  const sport = await services.categories.create({ name: 'Sport' })
  const tagNames = ['beta', 'Alpha', 'alpha', 'Zulu', 'zeta', '_under', 'Élan']
  const tagIds = new Map<string, number>()
  for (const name of tagNames) tagIds.set(name, await services.tags.create({ name }))
  const live = await h.post({ authorId: author, categoryIds: [europe], tagIds: [tagIds.get('beta')!, tagIds.get('Zulu')!] })
  await h.post({ authorId: author, status: 'draft', categoryIds: [sport], tagIds: [tagIds.get('zeta')!] })
  moved()

  t.test('reads answer Promises; the public sees only terms with a live post, a key sees all', async (t) => {
    const answer = repos.tags.count('all')
    t.ok(answer instanceof Promise, 'answers a Promise')
    t.equal(await answer, tagNames.length)
    t.equal(await repos.tags.count('public'), 2)
    t.same(slugs(await repos.tags.list({ limit: 10, offset: 0, scope: 'public' })), ['zulu', 'beta'], 'public tags by name (byte order: upper case first)')
    t.same(slugs(await repos.authors.list({ limit: 10, offset: 0, scope: 'public' })), ['ann'])
    t.same(slugs(await repos.authors.list({ limit: 10, offset: 0, scope: 'all' })), ['ann', 'bob'])
    t.equal((await repos.authors.findByRef({ slug: 'ann' }, 'public'))?.postCount, 1, 'live count')
    t.equal(await repos.authors.findByRef({ id: idle }, 'public'), undefined, 'an author with no live post is unknown to the public')
    t.equal((await repos.authors.findByRef({ id: idle }, 'all'))?.slug, 'bob', 'and known to a key that sees all')
    t.equal(await repos.categories.findByRef({ id: sport }, 'public'), undefined, 'only a draft: hidden')
    t.equal((await repos.categories.findByRef({ id: sport }, 'all'))?.postCount, 0)
    t.equal(await repos.tags.findByRef({ slug: 'no-such-tag' }, 'all'), undefined)
  })

  t.test('names are ordered byte-wise, then by id, on both engines', async (t) => {
    const all = await repos.tags.list({ limit: 10, offset: 0, scope: 'all' })
    t.same(all.map((r) => r.name), ['Alpha', 'Zulu', '_under', 'alpha', 'beta', 'zeta', 'Élan'])
    const paged = [...await repos.tags.list({ limit: 3, offset: 0, scope: 'all' }), ...await repos.tags.list({ limit: 4, offset: 3, scope: 'all' })]
    t.same(paged.map((r) => r.id), all.map((r) => r.id), 'pages follow the same order')
  })

  t.test('the category tree: children, subtree, paths, and a category public through its sub-categories', async (t) => {
    t.same(slugs(await repos.categories.list({ limit: 10, offset: 0, scope: 'all', parentId: null })), ['news', 'sport'], 'the top level')
    t.same(slugs(await repos.categories.list({ limit: 10, offset: 0, scope: 'all', parentId: news })), ['local', 'world'], 'children by name')
    t.equal(await repos.categories.count('all', news), 2)
    t.equal(await repos.categories.count('public', news), 1, 'only world has a live post below it')
    t.same(slugs(await repos.categories.list({ limit: 10, offset: 0, scope: 'public' })), ['europe', 'news', 'world'])
    t.same((await repos.categories.withDescendants(news)).sort((a, b) => a - b), [news, world, europe, local].sort((a, b) => a - b))
    t.same(await repos.categories.withDescendants(europe), [europe])
    t.same(await repos.tags.withDescendants(tagIds.get('beta')!), [tagIds.get('beta')], 'a flat kind: the term alone')
    const eu = await repos.categories.findByRef({ slug: 'europe' }, 'public')
    t.same(eu?.path, [{ id: news, slug: 'news', name: 'News' }, { id: world, slug: 'world', name: 'World' }], 'the path from the root')
    t.same((await repos.categories.findByRef({ id: news }, 'public'))?.path, [], 'a top category: an empty path')
    t.same(await visibility.withAncestors([europe, local]), [europe, world, news, local], 'ancestors, each given one first')
    t.equal(await visibility.hasLivePost('category', news, Date.now()), true, 'through europe')
    t.equal(await visibility.hasLivePost('category', news, Date.now(), live), false, 'not without that post')
    t.equal(await visibility.slugOf('tag', tagIds.get('Zulu')!), 'zulu')
  })

  t.test('a slug holding NUL is refused or unknown, never an error', async (t) => {
    t.equal(await repos.tags.findByRef({ slug: 'beta\u0000' }, 'all'), undefined)
    t.equal(await repos.categories.findByRef({ slug: '\u0000' }, 'public'), undefined)
    t.equal(await statusOf(services.categories.update(world, { parent_id: 'new\u0000s' })), 422, 'a parent named by such a slug does not exist (422)')
  })

  t.test('create: a slug from the name made unique, an explicit one taken is a 409', async (t) => {
    const first = await services.tags.create({ name: 'Beta' })
    t.equal((await repos.tags.findByRef({ id: first }, 'all'))?.slug, 'beta-2', 'beta is taken')
    const second = await services.tags.create({ name: 'BETA' })
    t.equal((await repos.tags.findByRef({ id: second }, 'all'))?.slug, 'beta-3')
    t.equal(await statusOf(services.tags.create({ name: 'x', slug: 'beta' })), 409)
    t.equal(h.committed.at(-1)?.[0]?.kind, 'tag', 'announced on the bus after commit')
    await services.tags.remove(first)
    await services.tags.remove(second)
  })

  t.test('update: fields, slug, and a cycle refused', async (t) => {
    await services.categories.update(local, { name: 'Local news', description: 'Near you', slug: 'local-news' })
    moved()
    const row = await repos.categories.findByRef({ slug: 'local-news' }, 'all')
    t.match(row, { id: local, name: 'Local news', description: 'Near you', parentId: news })
    t.equal(await statusOf(services.categories.update(news, { parent_id: europe })), 422, 'news under its own grandchild')
    t.equal(await statusOf(services.categories.update(news, { slug: 'world' })), 409)
    // A rename of a term shown on posts re-announces its posts (and, in a tree, the terms below).
    const before = h.committed.length
    await services.categories.update(world, { name: 'The World' })
    const changes = h.committed.slice(before).flat()
    t.same(changes.map((c) => c.kind === 'post' ? `post:${c.id}` : `${c.kind}:${'slug' in c ? c.slug : ''}`), ['category:world', 'category:europe', `post:${live}`])
  })

  t.test('delete: in use is a 409; reassign merges; a tree\'s children move up', async (t) => {
    t.equal(await statusOf(services.categories.remove(europe)), 409)
    const other = await services.categories.create({ name: 'Elsewhere' })
    await services.categories.remove(europe, other)
    moved()
    t.same(await h.categoriesOf(live), [other], 'the post moved over')
    t.equal(await repos.categories.findByRef({ id: europe }, 'all'), undefined, 'gone')
    t.equal((await repos.categories.findByRef({ id: other }, 'public'))?.postCount, 1, 'the heir is public with it')
    t.equal(await repos.categories.findByRef({ id: world }, 'public'), undefined, 'world lost its only live post below it')
    // Deleting news moves world and local to the top.
    await services.categories.remove(news)
    moved()
    t.same(slugs(await repos.categories.list({ limit: 10, offset: 0, scope: 'all', parentId: null })), ['elsewhere', 'local-news', 'sport', 'world'], 'its children at the top')
    t.equal((await repos.categories.findByRef({ id: world }, 'all'))?.parentId, null)
    // Tags: merging one into another the post already has leaves it there once.
    const zulu = tagIds.get('Zulu')!
    const beta = tagIds.get('beta')!
    await services.tags.remove(zulu, beta)
    moved()
    t.equal((await repos.tags.findByRef({ id: beta }, 'public'))?.postCount, 1)
    t.equal(await statusOf(services.tags.remove(beta, beta)), 422)
    // Authors: the posts move to the heir.
    await services.authors.remove(author, idle)
    moved()
    t.same(slugs(await repos.authors.list({ limit: 10, offset: 0, scope: 'public' })), ['bob'])
  })

  t.test('the change log records a term only while the public may see it', async (t) => {
    t.same(await h.changeLog(), EXPECTED_LOG)
  })
}
