import type { Test } from 'tap'
import type { ContentChange } from '../../src/db/change-bus.js'
import type { EngineDb } from '../../src/db/engine-port.js'
import type { EngineWrite } from '../../src/db/engine-write.js'
import { createPagesRepository } from '../../src/modules/pages/pages-repository.js'
import { createPagesService } from '../../src/modules/pages/pages-service.js'

// Pages (src/modules/pages) on either engine, run on SQLite by
// test/modules/pages/pages-engine.test.ts and on PostgreSQL by test/db/pg-pages.test.ts: writes
// through the engine-neutral writer (create, update, delete), slugs and their conflicts, the
// tree (paths, cycles, children moving up), sibling order with ties, what the public sees of
// drafts, scheduled pages and pages under them, offset pages of the list, NUL, and the change
// log each write leaves. Ids are taken from the writes, never assumed: a failed insert on
// PostgreSQL uses up an identity value that SQLite gives again.

/** What each engine's test gives: an empty migrated database, its writer and its change log. */
export interface PagesHarness {
  edb: EngineDb
  write: EngineWrite
  /** The changes of each committed write, in order. */
  committed: ContentChange[][]
  /** The change log (resource:id:action), oldest first: the engine's listener is wired. */
  changeLog: () => Promise<string[]>
  /** The surrogate keys each write recorded (its `invalidations` row), oldest first. */
  recordedKeys: () => Promise<string[]>
}

/** The HTTP status a call is refused with (undefined when it succeeds). */
async function statusOf (call: Promise<unknown>): Promise<number | undefined> {
  return await call.then(() => undefined, (err: { statusCode?: number }) => err.statusCode ?? 500)
}

const HOUR = 3_600_000

export async function pagesCases (t: Test, h: PagesHarness): Promise<void> {
  const repo = createPagesRepository(h.edb)
  // No invalidations here: a stamp that moves with every commit and every millisecond, so the
  // remembered tree is never stale (the app's stamp is PAGES_KEY's, tested in pages.test.ts).
  const service = createPagesService({ repo, write: h.write, stamp: (now) => `${h.committed.length}:${now ?? Date.now()}`, iframeHosts: [] })
  const announced = (from: number) => h.committed.slice(from).flat().map((c) => `${c.kind}:${'id' in c ? c.id : ''}`)
  const logSince = async (from: number) => (await h.changeLog()).slice(from)
  const paths = async (visibility: 'public' | 'any', opts: { parent?: string, path?: string, status?: string } = {}, now = Date.now()) =>
    (await service.list({ ...opts, offset: 0, limit: 100 }, visibility, now)).rows.map((r) => r.path)

  const published = { status: 'published' as const }
  const about = await service.create({ title: 'About us', slug: 'about', ...published, content_html: '<p>Hello <script>alert(1)</script><b onclick="x()">there</b></p>', meta_description: 'Who we are' })
  const team = await service.create({ title: 'Team', parent_id: about, menu_order: 2, ...published })
  const jobs = await service.create({ title: 'Jobs', parent_id: about, menu_order: 1, ...published })

  t.test('create: the row with its sanitized body, derived excerpt and value types; answers a Promise', async (t) => {
    const answer = repo.findById(about)
    t.ok(answer instanceof Promise, 'answers a Promise')
    const row = await answer
    t.match(row, { id: about, slug: 'about', title: 'About us', parentId: null, menuOrder: 0, status: 'published', contentHtml: '<p>Hello <b>there</b></p>', excerpt: 'Hello there', metaDescription: 'Who we are', noindex: false, importKey: null, featuredImageUrl: null })
    t.type(row?.publishedAt, 'number')
    t.type(row?.createdAt, 'number')
    t.equal(row?.createdAt, row?.updatedAt)
    t.equal(typeof row?.noindex, 'boolean')
    t.equal(await repo.findById(999_999), undefined)
    t.equal(await repo.findById(2 ** 40), undefined, 'an id past the int column names no page')
    const found = await service.find('team', 'public', Date.now())
    t.same([found?.row.id, found?.path], [team, 'about/team'], 'by slug, with its path')
    t.equal((await service.find(String(jobs), 'public', Date.now()))?.path, 'about/jobs', 'by id')
    t.same(await paths('public'), ['about', 'about/jobs', 'about/team'], 'depth first, siblings by menu_order')
  })

  t.test('slugs: made unique from the title, an explicit one taken is a 409, on create and update', async (t) => {
    t.equal(await statusOf(service.create({ title: 'Other', slug: 'about' })), 409)
    const second = await service.create({ title: 'About us' })
    t.equal((await repo.findById(second))?.slug, 'about-us')
    const third = await service.create({ title: 'About us' })
    t.equal((await repo.findById(third))?.slug, 'about-us-2', 'the next free suffix')
    t.equal(await statusOf(service.update(third, { slug: 'team' })), 409)
    await service.update(third, { slug: 'about-us-2', title: 'Same slug, new title' })
    t.equal((await repo.findById(third))?.slug, 'about-us-2', 'its own slug is not a conflict')
    // Two writes racing for one slug: SQLite's writes queue; on PostgreSQL the second waits on
    // the unique index and fails when the first commits. Either way one 409, never a 500.
    const race = await Promise.all([service.create({ title: 'R1', slug: 'race' }), service.create({ title: 'R2', slug: 'race' })].map(statusOf))
    t.same(race.sort(), [409, undefined], 'one wins, one is a 409')
    t.equal(await statusOf(service.create({ title: 'Imported', import_key: 'wxr:1' })), undefined)
    t.equal(await statusOf(service.create({ title: 'Again', import_key: 'wxr:1' })), 422, 'an import key is imported once')
    t.type(await service.findByImportKey('wxr:1'), 'number')
    for (const id of [second, third, (await service.find('race', 'any', Date.now()))!.row.id, (await service.findByImportKey('wxr:1'))!]) await service.remove(id)
    t.same(await paths('any'), ['about', 'about/jobs', 'about/team'], 'back to the three')
  })

  t.test('tree: parents checked, cycles refused, children follow a renamed parent', async (t) => {
    t.equal(await statusOf(service.create({ title: 'X', parent_id: 999 })), 422, 'an unknown parent')
    t.equal(await statusOf(service.update(about, { parent_id: team })), 422, 'a cycle')
    t.equal(await statusOf(service.update(about, { parent_id: about })), 422, 'its own parent')
    t.equal(await statusOf(service.update(999_999, { title: 'x' })), 404)
    const from = h.committed.length
    await service.update(about, { slug: 'who' })
    t.same(announced(from), [`page:${about}`, `page:${jobs}`, `page:${team}`], 'the page and the pages below it, by menu_order')
    t.same(await paths('public'), ['who', 'who/jobs', 'who/team'])
    const quiet = h.committed.length
    await service.update(jobs, { title: 'Careers' })
    t.same(announced(quiet), [`page:${jobs}`], 'a title change moves no page below it')
  })

  t.test('order: siblings by menu_order, then title byte-wise, then id', async (t) => {
    const parent = await service.create({ title: 'Order', ...published })
    const made: number[] = []
    // Byte-wise: uppercase before lowercase, ASCII before accented letters; the same title by id.
    for (const title of ['beta', 'Beta', 'alpha', 'Zulu', 'élan', 'beta']) made.push(await service.create({ title, parent_id: parent, menu_order: 5, ...published }))
    const first = await service.create({ title: 'zzz', parent_id: parent, menu_order: -3, ...published })
    const tree = await service.tree(Date.now())
    const below = tree.order.filter((id) => tree.byId.get(id)?.parentId === parent)
    t.same(below, [first, made[1], made[3], made[2], made[0], made[5], made[4]])
    const titles = (await service.list({ parent: 'order', offset: 0, limit: 10 }, 'public', Date.now())).rows.map((r) => r.row.title)
    t.same(titles, ['zzz', 'Beta', 'Zulu', 'alpha', 'beta', 'beta', 'élan'], 'the list in the same order')
    const paged: string[] = []
    for (let offset = 0; offset < 10; offset += 3) {
      const page = await service.list({ parent: 'order', offset, limit: 3 }, 'public', Date.now())
      t.equal(page.total, 7, 'the total of every page')
      paged.push(...page.rows.map((r) => r.row.title))
    }
    t.same(paged, titles, 'offset pages of three follow it')
    for (const id of [...made, first]) await service.remove(id)
    await service.remove(parent)
  })

  t.test('visibility: drafts, scheduled pages and pages under them', async (t) => {
    const draft = await service.create({ title: 'Secret', parent_id: about })
    const under = await service.create({ title: 'Under the draft', parent_id: draft, ...published })
    const scheduled = await service.create({ title: 'Soon', status: 'scheduled', published_at: new Date(Date.now() + HOUR).toISOString() })
    // After the writes: a page published now is live from its write's time.
    const now = Date.now()
    t.equal(await statusOf(service.create({ title: 'Past', status: 'scheduled', published_at: '2001-01-01T00:00:00Z' })), 422)
    t.same(await paths('public', {}, now), ['who', 'who/jobs', 'who/team'], 'the public sees live pages under live parents')
    t.same(await paths('any', { status: 'draft' }, now), ['who/secret'])
    t.same(await paths('any', { status: 'scheduled' }, now), ['soon'])
    t.same(await paths('any', { status: 'published' }, now), ['who', 'who/secret/under-the-draft', 'who/jobs', 'who/team'], 'the draft (menu_order 0) first among its siblings')
    t.equal(await service.find(String(draft), 'public', now), undefined, 'a draft is unknown to the public')
    t.equal(await service.find('under-the-draft', 'public', now), undefined, 'and so is a page under it')
    t.equal((await service.find('under-the-draft', 'any', now))?.path, 'who/secret/under-the-draft')
    t.equal(await service.findByPath('who/secret/under-the-draft', 'public', now), undefined)
    t.equal(await service.findByPath('who/team', 'public', now), team)
    t.equal(await service.findByPath('team', 'public', now), undefined, 'a path must be the full path')
    t.equal(await statusOf(service.list({ parent: 'secret', offset: 0, limit: 10 }, 'public', now)), 404)
    t.same(await paths('public', {}, now + 2 * HOUR), ['who', 'who/jobs', 'who/team', 'soon'], 'the scheduled page is live at its time, with no write')
    await service.update(draft, { status: 'published' })
    t.same(await paths('public'), ['who', 'who/secret', 'who/secret/under-the-draft', 'who/jobs', 'who/team'], 'publishing the parent shows the page under it')
    await service.update(draft, { status: 'draft' })
    for (const id of [under, draft, scheduled]) await service.remove(id)
  })

  t.test('delete: the pages below move up to its parent, keeping their order', async (t) => {
    const mid = await service.create({ title: 'Mid', parent_id: about, ...published })
    const c = await service.create({ title: 'C', parent_id: mid, menu_order: 3, ...published })
    const d = await service.create({ title: 'D', parent_id: mid, menu_order: 1, ...published })
    const from = h.committed.length
    await service.remove(mid)
    t.same(announced(from), [`page:${mid}`, `page:${d}`, `page:${c}`], 'the page, then the pages that moved')
    t.same(await paths('public', { parent: 'who' }), ['who/jobs', 'who/d', 'who/team', 'who/c'], 'under its parent now, by menu_order (then title: Careers before D)')
    t.equal(await statusOf(service.remove(mid)), 404)
    await service.remove(c)
    await service.remove(d)
  })

  t.test('NUL: refused as a 400 on writes, nothing found on reads, never a 500', async (t) => {
    t.equal(await statusOf(service.create({ title: 'a\u0000b' })), 400)
    t.equal(await statusOf(service.create({ title: 'fine', excerpt: '\u0000' })), 400)
    t.equal(await statusOf(service.create({ title: 'fine', featured_image: { url: 'https://x/a.png', alt: '\u0000' } })), 400)
    t.equal(await statusOf(service.create({ title: 'fine', import_key: 'wxr:\u0000' })), 400)
    t.equal(await statusOf(service.update(team, { slug: 'te\u0000am' })), 400)
    t.equal(await statusOf(service.update(team, { meta_title: '\u0000' })), 400)
    t.equal((await repo.findById(team))?.slug, 'team', 'unchanged')
    t.equal(await service.find('te\u0000am', 'any', Date.now()), undefined)
    t.equal(await service.findByPath('who/\u0000', 'any', Date.now()), undefined)
    t.equal(await statusOf(service.list({ parent: '\u0000', offset: 0, limit: 10 }, 'any', Date.now())), 404)
    t.equal(await statusOf(service.list({ path: 'who\u0000', offset: 0, limit: 10 }, 'any', Date.now())), 404)
    t.equal(await service.findByImportKey('\u0000'), undefined)
    t.same(await paths('any'), ['who', 'who/jobs', 'who/team'], 'nothing stored')
  })

  t.test('change log and keys: live pages logged by their own state; a schedule replaced, never doubled', async (t) => {
    const start = (await h.changeLog()).length
    const page = await service.create({ title: 'Logged', ...published })
    await service.update(page, { title: 'Logged again' })
    await service.update(page, { status: 'draft' })
    await service.update(page, { title: 'Still a draft' })
    await service.update(page, { status: 'published' })
    const draft = await service.create({ title: 'Hidden' })
    const later = await service.create({ title: 'Later', status: 'scheduled', published_at: new Date(Date.now() + HOUR).toISOString() })
    await service.update(later, { published_at: new Date(Date.now() + 2 * HOUR).toISOString() })
    await service.update(later, { title: 'Later still' })
    await service.remove(page)
    await service.remove(draft)
    t.same(await logSince(start), [
      `page:${page}:upsert`, `page:${page}:upsert`, `page:${page}:delete`, `page:${page}:upsert`,
      `page:${later}:upsert`,
      `page:${page}:delete`
    ], 'a draft is not logged; the scheduled page has one entry, at its time, whatever was rewritten')
    const before = (await h.changeLog()).length
    await service.update(later, { status: 'draft' })
    t.same((await h.changeLog()).length, before - 1, 'unscheduling drops its future entry')
    await service.remove(later)
    const draftKeys = await service.create({ title: 'Keys' })
    t.equal((await h.recordedKeys()).at(-1), `page-${draftKeys} pages`, 'a draft: its page and the page reads, recorded in its transaction')
    await service.update(draftKeys, { status: 'published' })
    t.equal((await h.recordedKeys()).at(-1), `changes page-${draftKeys} pages`, 'going live: the change log too')
    await service.remove(draftKeys)
    const renamed = (await h.changeLog()).length
    await service.update(about, { slug: 'about' })
    t.same(await logSince(renamed), [`page:${about}:upsert`, `page:${jobs}:upsert`, `page:${team}:upsert`], 'a renamed parent logs the pages below it')
  })
}
