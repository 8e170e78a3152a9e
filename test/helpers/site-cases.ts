import type { Test } from 'tap'
import type { EngineWrite } from '../../src/db/engine-write.js'
import { FieldError } from '../../src/errors.js'
import type { SiteRow, SiteSettingsRepository } from '../../src/modules/site/site-repository.js'
import { createSiteService } from '../../src/modules/site/site-service.js'
import type { NavigationTargets } from '../../src/modules/site/site-navigation.js'

// The site module's repository, service and write path, run on SQLite (test/modules/site/) and
// on PostgreSQL (test/db/pg-site.test.ts): the first writing module ported to both engines
// through the engine-neutral writer (src/db/engine-write.ts).

/** What each engine's test builds over a fresh database whose site row exists. */
export interface SiteHarness {
  repo: SiteSettingsRepository
  write: EngineWrite
  /** The change log, oldest first. */
  changeLog: () => Promise<Array<{ resource: string, resourceId: number, action: string, changedAt: number }>>
  /** The `invalidations` rows' keys, oldest first. */
  invalidationRows: () => Promise<string[]>
  /** The keys this process was told after each commit, in order. */
  told: string[][]
}

/** Menu targets: page 1 exists, nothing else does (pages, terms and posts are other modules). */
export const TARGETS: Pick<NavigationTargets, 'exists'> = { exists: (kind, id) => kind === 'page' && id === 1 }

const SITE_CHANGE = { kind: 'site' } as const

/** Every case, in order, against one harness. */
export async function siteCases (t: Test, h: SiteHarness): Promise<void> {
  const { repo, write, told } = h
  const service = createSiteService({ repo, write, targets: TARGETS })
  /** Everything a write can leave behind, to compare before and after. */
  const state = async () => ({ row: await repo.read(), log: (await h.changeLog()).length, invalidations: (await h.invalidationRows()).length, told: told.length })

  t.test('the settings are read as a Promise, with the stored types', async (t) => {
    const answer = repo.read()
    t.ok(answer instanceof Promise, 'answers a Promise')
    const row = await answer
    t.type(row.title, 'string')
    t.type(row.commentsEnabled, 'boolean')
    t.type(row.updatedAt, 'number')
    t.same(Object.keys(row.navigation).sort(), ['primary', 'secondary'])
  })

  t.test('an update changes what it names and keeps the rest', async (t) => {
    const before = await repo.read()
    const start = Date.now()
    await service.update({ title: 'My Blog', timezone: 'Europe/London', comments: { max_depth: 3 } })
    const after = await repo.read()
    t.strictSame(after, {
      ...before,
      title: 'My Blog',
      timezone: 'Europe/London',
      commentMaxDepth: 3,
      updatedAt: after.updatedAt
    })
    t.ok(after.updatedAt >= start, 'updated_at is the write\'s time')
  })

  t.test('a write emits its change: one change-log entry, its keys recorded and told after commit', async (t) => {
    const before = await state()
    await service.update({ description: 'News from the valley' })
    const log = await h.changeLog()
    t.equal(log.length, before.log + 1, 'one entry')
    t.match(log[log.length - 1], { resource: 'site', resourceId: 1, action: 'upsert' })
    t.ok(log[log.length - 1].changedAt >= (await repo.read()).updatedAt, 'at or after the write\'s time')
    const rows = await h.invalidationRows()
    t.equal(rows.length, before.invalidations + 1, 'one invalidations row')
    t.ok(rows[rows.length - 1].split(' ').includes('site'), 'naming the site key')
    t.equal(told.length, before.told + 1)
    t.ok(told[told.length - 1].includes('site'), 'this process applied the keys')
  })

  t.test('keys are recorded inside the transaction and told only after COMMIT', async (t) => {
    const before = await state()
    let toldInside = -1
    let rowsInside = -1
    await write(async (tx, emit) => {
      emit(SITE_CHANGE)
      toldInside = told.length
      rowsInside = (await h.invalidationRows()).length
      await repo.update(tx, { ...(await repo.read(tx)), title: 'Inside' })
    })
    t.equal(toldInside, before.told, 'nothing told while the write runs')
    t.equal(rowsInside, before.invalidations, 'the keys are recorded at the end of the write, not at emit')
    t.equal(told.length, before.told + 1, 'told once after COMMIT')
    t.equal((await h.invalidationRows()).length, before.invalidations + 1)
  })

  t.test('a failing write leaves nothing half-written: no row change, no log entry, no keys', async (t) => {
    const before = await state()
    const error = await write(async (tx, emit, now) => {
      await repo.update(tx, { ...(await repo.read(tx)), title: 'Half', updatedAt: now })
      emit(SITE_CHANGE)
      throw new Error('refused')
    }).catch((e: unknown) => e)
    t.match(error, { message: 'refused' })
    t.strictSame(await state(), before)
  })

  t.test('menus: an unknown id is a 422 naming the item, and nothing is written', async (t) => {
    const before = await state()
    const error = await service.update({ title: 'Not this', navigation: { primary: [{ label: 'Home', url: '/' }, { label: 'Gone', page_id: 99 }] } }).catch((e: unknown) => e)
    t.ok(error instanceof FieldError)
    t.match(error, { statusCode: 422, errors: [{ path: 'navigation.primary.1.page_id' }] })
    t.strictSame(await state(), before)
    await service.update({ navigation: { primary: [{ label: 'About', page_id: 1 }] } })
    t.strictSame((await repo.read()).navigation, { primary: [{ label: 'About', page_id: 1 }], secondary: before.row.navigation.secondary }, 'a known one is stored as written')
  })

  t.test('an unknown time zone is a 400 naming it, before any transaction', async (t) => {
    const before = await state()
    const error = await service.update({ timezone: 'Mars/Olympus' }).catch((e: unknown) => e)
    t.match(error, { statusCode: 400, errors: [{ path: 'timezone' }] })
    t.strictSame(await state(), before)
  })

  t.test('a write inside a write is a savepoint: a failing one undoes only itself, a succeeding one\'s changes are the outer write\'s', async (t) => {
    const before = await state()
    const title = (row: SiteRow, text: string, now: number): SiteRow => ({ ...row, title: text, updatedAt: now })
    await write(async (tx, emit, now) => {
      await repo.update(tx, title(await repo.read(tx), 'Outer', now))
      const inner = await write(async (tx2, emit2, now2) => {
        await repo.update(tx2, title(await repo.read(tx2), 'Undone', now2))
        emit2(SITE_CHANGE)
        throw new Error('inner')
      }).catch((e: unknown) => e)
      t.match(inner, { message: 'inner' })
      t.equal((await repo.read(tx)).title, 'Outer', 'the inner write was undone inside the outer one')
      await write(async (_tx2, emit2, now2) => {
        t.equal(now2, now, 'the same time as the outer write')
        emit2(SITE_CHANGE)
      })
      t.equal(told.length, before.told, 'the inner write told nothing by itself')
    })
    t.equal((await repo.read()).title, 'Outer')
    t.equal(told.length, before.told + 1, 'one write told once')
    t.equal((await h.changeLog()).length, before.log + 1, 'only the succeeding inner write\'s change reached the log')
  })

  t.test('two updates at once: each keeps the other\'s fields', async (t) => {
    await Promise.all([service.update({ title: 'Both' }), service.update({ description: 'Kept too' }), service.update({ comments: { max_links: 7 } })])
    t.match(await repo.read(), { title: 'Both', description: 'Kept too', commentMaxLinks: 7 })
  })
}
