import { Readable } from 'node:stream'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import sharp from 'sharp'
import type { ContentChange } from '../../src/db/change-bus.js'
import type { EngineDb } from '../../src/db/engine-port.js'
import type { EngineWrite } from '../../src/db/engine-write.js'
import { createMediaRepository, type MediaRow } from '../../src/modules/media/media-repository.js'
import { createMediaService } from '../../src/modules/media/media-service.js'
import { createLocalStorage } from '../../src/modules/media/media-storage.js'

// The media library (src/modules/media) on either engine, run on SQLite by
// test/modules/media/media-engine.test.ts and on PostgreSQL by test/db/pg-media.test.ts: uploads
// of real images made by sharp, list order and keyset pages, reads, metadata updates that
// re-announce the posts showing the image, deletes, and NUL.

/** What each engine's test gives: an empty migrated database, its writer, and raw seeding. */
export interface MediaHarness {
  edb: EngineDb
  write: EngineWrite
  /** The changes of each committed write, in order. */
  committed: ContentChange[][]
  /** Inserts a live post (published a day ago); returns its id. */
  post: () => Promise<number>
  /** Makes the record the post's featured image (as the posts write service does). */
  feature: (postId: number, mediaId: number) => Promise<void>
  /** The posts whose featured image the record is. */
  featuring: (mediaId: number) => Promise<number[]>
  /** The change log (resource:id:action), oldest first: the engine's listener is wired. */
  changeLog: () => Promise<string[]>
}

/** The HTTP status a call is refused with (undefined when it succeeds). */
async function statusOf (call: Promise<unknown>): Promise<number | undefined> {
  return await call.then(() => undefined, (err: { statusCode?: number }) => err.statusCode ?? 500)
}

const image = async (width: number, height: number, format: 'png' | 'jpeg', r: number) =>
  await sharp({ create: { width, height, channels: 3, background: { r, g: 80, b: 40 } } })[format]().toBuffer()

export async function mediaCases (t: Test, h: MediaHarness): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-media-cases-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const storage = createLocalStorage(dir)
  storage.ensure()
  const repo = createMediaRepository(h.edb)
  const service = createMediaService({ repo, write: h.write, storage }, { maxBytes: 5_000_000, maxPixels: 50_000_000, concurrency: 2 })

  async function upload (bytes: Buffer, filename: string, meta: Partial<Pick<MediaRow, 'title' | 'alt' | 'caption' | 'credit'>> = {}): Promise<MediaRow> {
    const received = await service.receive({ stream: Readable.from([bytes]), filename, truncated: () => false })
    try {
      return await service.store(received, { title: '', alt: '', caption: '', credit: '', ...meta })
    } catch (err) {
      await service.discard(received)
      throw err
    }
  }

  const red = await image(64, 48, 'png', 200)
  const first = await upload(red, 'Red Square.png', { title: 'Red', alt: 'A red square', caption: 'Caption', credit: 'Ana' })
  const second = await upload(await image(40, 30, 'jpeg', 10), 'dark.jpg')
  const third = await upload(await image(32, 32, 'png', 120), 'mid.png')
  // Three more at one instant: the keyset order breaks the tie by id on both engines.
  const tied = 4_102_444_800_000
  const sameTime: MediaRow[] = []
  const { id: _id, createdAt: _c, updatedAt: _u, ...copy } = first
  for (let i = 0; i < 3; i++) {
    sameTime.push(await h.write(async (tx) => await repo.insert(tx, { ...copy, title: `tied ${i}` }, tied)))
  }

  t.test('upload: the record with its size, type and text, readable by id; a Promise on both engines', async (t) => {
    t.match(first, { filename: /^red-square-[0-9a-f]{8}\.png$/, mimeType: 'image/png', width: 64, height: 48, title: 'Red', alt: 'A red square', caption: 'Caption', credit: 'Ana' })
    t.equal(first.bytes, red.length)
    t.equal(first.createdAt, first.updatedAt)
    t.type(first.createdAt, 'number')
    t.equal(second.mimeType, 'image/jpeg')
    const answer = repo.byId(first.id)
    t.ok(answer instanceof Promise, 'answers a Promise')
    t.same(await answer, first, 'the stored row, with the same value types')
    t.same(await service.get(second.id), second)
    t.equal(await repo.byId(999_999), undefined)
    t.equal(await statusOf(service.get(999_999)), 404)
    t.ok(existsSync(storage.originalPath(first.sha256)), 'the original kept')
    t.equal(await repo.hashUsers(first.sha256), 4, 'the upload and the three tied rows share its bytes')
  })

  t.test('list: newest first, ties by id, the same keyset pages and filters on both engines', async (t) => {
    const all = await service.list({}, 100)
    const expected = [...sameTime].reverse().map((r) => r.id).concat([third.id, second.id, first.id])
    t.same(all.rows.map((r) => r.id), expected)
    t.equal(all.total, 6)
    const paged: number[] = []
    let at: { createdAt: number, id: number } | undefined
    for (;;) {
      const page = await service.list({}, 2, at)
      paged.push(...page.rows.map((r) => r.id))
      t.equal(page.total, 6, 'the total ignores the cursor')
      const last = page.rows.at(-1)
      if (page.rows.length < 2 || last === undefined) break
      at = { createdAt: last.createdAt, id: last.id }
    }
    t.same(paged, expected, 'pages of two follow the same order')
    const jpegs = await service.list({ type: 'image/jpeg' }, 10)
    t.same([jpegs.rows.map((r) => r.id), jpegs.total], [[second.id], 1], 'a full type')
    t.equal((await service.list({ type: 'image' }, 10)).total, 6, 'a family')
    t.equal((await service.list({ type: 'video' }, 10)).total, 0)
    const after = await service.list({ after: third.createdAt }, 10)
    t.same(after.rows.map((r) => r.id), [...sameTime].reverse().map((r) => r.id), 'strictly after an upload time')
    t.same((await service.list({ before: tied }, 10)).rows.map((r) => r.id), [third.id, second.id, first.id], 'strictly before')
    t.same((await service.list({}, 10, { createdAt: tied, id: Number.MAX_SAFE_INTEGER })).rows.map((r) => r.id), expected, 'a cursor past every id')
  })

  t.test('update: alt text and caption; the posts showing the image are re-announced and logged', async (t) => {
    const post = await h.post()
    await h.feature(post, first.id)
    const before = h.committed.length
    const row = await service.update(first.id, { alt: 'A brighter square', caption: 'New caption' })
    t.match(row, { id: first.id, alt: 'A brighter square', caption: 'New caption', title: 'Red', credit: 'Ana' })
    t.ok(row.updatedAt >= first.updatedAt)
    t.same(await repo.byId(first.id), row, 'stored')
    t.same(h.committed.slice(before).flat().map((c) => `${c.kind}:${'id' in c ? c.id : ''}`), [`post:${post}`], 'the post announced after commit')
    t.same((await h.changeLog()).slice(-1), [`post:${post}:upsert`], 'and in the change log')
    t.equal(await statusOf(service.update(999_999, { alt: 'x' })), 404)
    const quiet = h.committed.length
    await service.update(second.id, { title: 'Nobody shows it' })
    t.same(h.committed.slice(quiet).flat(), [], 'an image no post shows announces nothing')
  })

  t.test('delete: a featured image is a 409 unless forced; the bytes stay while another record has them', async (t) => {
    const [post] = await h.featuring(first.id)
    t.equal(await statusOf(service.remove(first.id, false)), 409)
    t.ok(await repo.byId(first.id), 'still there')
    const logged = (await h.changeLog()).length
    await service.remove(first.id, true)
    t.equal(await repo.byId(first.id), undefined, 'gone')
    t.same(await h.featuring(first.id), [], 'the link cleared')
    t.same((await h.changeLog()).slice(logged), [`post:${post}:upsert`], 'its post re-announced')
    t.ok(existsSync(storage.originalPath(first.sha256)), 'the tied rows still have the bytes')
    await service.remove(second.id, false)
    t.equal(await repo.byId(second.id), undefined)
    t.notOk(existsSync(storage.originalPath(second.sha256)), 'the last record with the bytes took them along')
    t.equal(await statusOf(service.remove(second.id, false)), 404)
    t.equal((await service.list({}, 10)).total, 4)
  })

  t.test('NUL: refused as a 400 on writes, nothing found on reads, never a 500', async (t) => {
    t.equal(await statusOf(service.update(third.id, { caption: 'a\u0000b' })), 400)
    t.equal((await repo.byId(third.id))?.caption, '', 'unchanged')
    t.equal(await statusOf(upload(await image(20, 20, 'png', 1), 'nul.png', { alt: '\u0000' })), 400)
    t.same(await service.list({ type: 'image\u0000' }, 10), { rows: [], total: 0 })
    t.equal(await repo.hashUsers('\u0000'), 0)
    t.equal((await service.list({}, 10)).total, 4, 'nothing stored')
  })
}
