import type { Test } from 'tap'
import type { EngineDb } from '../../src/db/engine-port.js'
import type { EngineWrite } from '../../src/db/engine-write.js'
import { createPagesRepository } from '../../src/modules/pages/pages-repository.js'
import { createPagesService } from '../../src/modules/pages/pages-service.js'
import { createRevisionsRepository } from '../../src/modules/revisions/revisions-repository.js'
import { checkIfMatchAsync, etagAsync, findAsync, recordRevision, type Actor } from '../../src/modules/revisions/revisions-service.js'

// Revisions (src/modules/revisions) on either engine, run on SQLite by
// test/modules/revisions/revisions-engine.test.ts and on PostgreSQL by
// test/db/pg-revisions.test.ts: recording through the write's tx (all fields first, then what
// changed, nothing when nothing did, pruning to `keep`), the list newest first with revisions
// of one millisecond, offset pages and totals, reading one, the ETag and If-Match checked inside
// the write (412, 409 for restores, 404 for a page that is gone), a page revision restored
// through the engine-neutral pages service, and ids past the int range naming nothing.

export interface RevisionsHarness {
  edb: EngineDb
  write: EngineWrite
}

async function statusOf (call: Promise<unknown>): Promise<number | undefined> {
  return await call.then(() => undefined, (err: { statusCode?: number }) => err.statusCode ?? 500)
}

export async function revisionsCases (t: Test, h: RevisionsHarness): Promise<void> {
  const repo = createRevisionsRepository(h.edb)
  const pages = createPagesService({ repo: createPagesRepository(h.edb), write: h.write, stamp: () => String(Math.random()), iframeHosts: [] })
  const admin: Actor = { keyId: null, name: 'admin' }
  /** Records the page's revision in a write of its own, at `now` when given. */
  const record = async (id: number, opts: { keep?: number, restoredFrom?: number, at?: number } = {}) =>
    await h.write(async (tx, _emit, now) => await recordRevision(repo, tx, 'page', id, opts.at ?? now, { by: admin, keep: opts.keep ?? 25, restoredFrom: opts.restoredFrom }))

  const about = await pages.create({ title: 'About', status: 'published', content_html: '<p>One</p>' })

  t.test('recording: revision 1 names every field, then only what changed; nothing when nothing did', async (t) => {
    t.equal(await record(about), 1)
    const first = await repo.latest('page', about)
    t.match(first, { number: 1, pageId: about, postId: null, keyId: null, keyPrefix: null, keyName: 'admin', restoredFrom: null })
    t.equal(first?.changed.length, 15, 'all editorial fields')
    t.match(first?.fields, { title: 'About', content_html: '<p>One</p>', status: 'published', noindex: false })
    t.equal(await record(about), undefined, 'no change, no revision')
    await pages.update(about, { title: 'About us' })
    t.equal(await record(about), 2)
    t.same((await repo.latest('page', about))?.changed, ['title'])
    t.equal(await repo.keyPrefix(999_999), null, 'an unknown key has no prefix')
  })

  t.test('the list: newest first by number, revisions of one millisecond too; offset pages and the total', async (t) => {
    const page = await pages.create({ title: 'Tied' })
    const at = Date.now()
    for (let i = 0; i < 5; i++) {
      if (i > 0) await pages.update(page, { title: `Tied ${i}` })
      t.equal(await record(page, { at }), i + 1)
    }
    const all = await repo.list('page', page, 0, 10)
    t.equal(all.total, 5)
    t.same(all.rows.map((r) => r.number), [5, 4, 3, 2, 1])
    t.ok(all.rows.every((r) => r.createdAt === at), 'one millisecond')
    t.notOk('fields' in all.rows[0], 'summaries without fields')
    t.same((await repo.list('page', page, 2, 2)).rows.map((r) => r.number), [3, 2])
    t.same(await repo.list('page', page, 10, 2), { total: 5, rows: [] }, 'past the end')
    t.same(await repo.list('post', page, 0, 10), { total: 0, rows: [] }, 'a post of the same id has none')
  })

  t.test('reading one; a missing one a 404; ids past the int range name nothing', async (t) => {
    t.match(await repo.find('page', about, 2), { number: 2, fields: { title: 'About us' } })
    t.equal(await repo.find('page', about, 99), undefined)
    t.equal(await statusOf(findAsync(repo, 'page', about, 99)), 404)
    t.equal(await repo.find('page', 2 ** 40, 1), undefined)
    t.equal(await repo.find('page', about, 2 ** 40), undefined)
    t.same(await repo.list('page', 2 ** 40, 0, 10), { total: 0, rows: [] })
    t.equal(await repo.stamp('page', 2 ** 40), undefined)
    t.equal(await repo.state('post', 2 ** 40), undefined)
    t.equal(await etagAsync(repo, 'page', 2 ** 40), undefined)
  })

  t.test('pruning: the newest `keep` stay', async (t) => {
    const page = await pages.create({ title: 'Pruned' })
    for (let i = 1; i <= 4; i++) {
      if (i > 1) await pages.update(page, { title: `Pruned ${i}` })
      await record(page, { keep: 2 })
    }
    t.same((await repo.list('page', page, 0, 10)).rows.map((r) => r.number), [4, 3])
  })

  t.test('ETag and If-Match inside the write: stale a 412 (409 for restores), gone a 404, current passes', async (t) => {
    const etag = await etagAsync(repo, 'page', about) as string
    t.match(etag, new RegExp(`^"g${about}\\.2\\.[0-9a-z]+"$`))
    const check = async (ifMatch: string, status: 409 | 412 = 412, id = about) =>
      await statusOf(h.write(async (tx) => { await checkIfMatchAsync(repo, tx, 'page', id, ifMatch, status) }))
    t.equal(await check(etag), undefined)
    t.equal(await check('*'), undefined)
    t.equal(await check('"g1.0.0"'), 412)
    t.equal(await check('"g1.0.0"', 409), 409)
    t.equal(await check(etag, 412, 999_999), 404)
    t.equal(await check(etag, 412, 2 ** 40), 404)
    // A write that moves the page inside the same transaction: the check reads through tx.
    const seen = await h.write(async (tx) => {
      await pages.update(about, { excerpt: 'Moved' })
      await recordRevision(repo, tx, 'page', about, Date.now(), { by: admin, keep: 25 })
      return await etagAsync(repo, 'page', about, tx)
    })
    t.not(seen, etag, 'the write sees its own revision')
    t.equal(await check(etag), 412, 'the old ETag is stale after it')
  })

  t.test('restore of a page revision: the fields written back through the pages service, a new revision with restored_from', async (t) => {
    const etag = await etagAsync(repo, 'page', about) as string
    const number = await h.write(async (tx, _emit, now) => {
      await checkIfMatchAsync(repo, tx, 'page', about, etag, 409)
      const { fields } = await findAsync(repo, 'page', about, 1, tx)
      await pages.update(about, { title: fields.title as string, excerpt: fields.excerpt as string, content_html: fields.content_html as string })
      return await recordRevision(repo, tx, 'page', about, now, { by: admin, keep: 25, restoredFrom: 1 })
    })
    const row = await repo.latest('page', about)
    t.match(row, { number, restoredFrom: 1, fields: { title: 'About', content_html: '<p>One</p>' } })
    t.equal((await h.write(async (tx, _emit, now) => await recordRevision(repo, tx, 'page', about, now, { by: admin, keep: 25, restoredFrom: 1 }))), (number as number) + 1, 'a restore stores a revision even when nothing differs')
    t.equal(await statusOf(h.write(async (tx) => { await checkIfMatchAsync(repo, tx, 'page', about, etag, 409) })), 409, 'the ETag before the restore is stale')
  })
}
