import t from 'tap'
import http from 'node:http'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import Database from 'better-sqlite3'
import { buildTestApp, adminAuth } from '../../helper.js'
import { generateWxr } from '../../../src/scripts/gen-wxr.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
type Test = Parameters<typeof buildTestApp>[0]
interface Job { id: number, status: string, cancel_requested: boolean, progress: { items_read: number, items_total: number | null, bytes_read: number, bytes_total: number }, summary: { created: Record<string, number>, updated: Record<string, number>, unchanged: Record<string, number>, warnings: string[] }, error: { code: string, message: string } | null, started_at: string | null, finished_at: string | null }

// Uploads are spooled here, so the tests can see that every spooled body is removed.
const spoolDir = mkdtempSync(join(tmpdir(), 'broadsheet-jobs-test-'))
process.env.TMPDIR = spoolDir
t.teardown(() => rmSync(spoolDir, { recursive: true, force: true }))
const spooled = () => readdirSync(spoolDir).filter((d) => d.startsWith('broadsheet-import-'))

const BLOG = readFileSync(new URL('../../fixtures/wxr/blog-1.1.xml', import.meta.url))
const xml = { ...adminAuth, 'content-type': 'application/xml' }

/** A database file of its own: imports then run on a worker thread, as in production. */
function fileDb (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-jobs-db-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return join(dir, 'jobs.db')
}

/** A generated export of about `mb` megabytes, made once per size. */
const exports = new Map<number, Promise<{ file: string, posts: number, comments: number }>>()
function bigExport (mb: number) {
  let made = exports.get(mb)
  if (made === undefined) {
    const file = join(mkdtempSync(join(tmpdir(), 'broadsheet-jobs-wxr-')), 'export.xml')
    made = generateWxr(file, mb * 1024 * 1024, { bodyBytes: 3000, commentsPerPost: 2 }).then((g) => ({ file, posts: g.posts, comments: g.comments }))
    exports.set(mb, made)
  }
  return made
}

async function upload (app: App, body: Buffer | string, headers: Record<string, string> = {}) {
  return await app.inject({ method: 'POST', url: '/v1/imports/wxr', headers: { ...xml, ...headers }, payload: body })
}

async function job (app: App, id: number): Promise<Job> {
  return (await app.inject({ url: `/v1/imports/${id}`, headers: adminAuth })).json().data as Job
}

async function ended (app: App, id: number, timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const j = await job(app, id)
    if (j.status !== 'queued' && j.status !== 'running') return j
    if (Date.now() > deadline) throw new Error(`job ${id} still ${j.status}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

function count (app: App, sql: string): number {
  return app.db.$client.prepare(sql).pluck().get() as number
}

t.test('an upload is answered 202 with the job and its Location; the job reports progress and ends with the summary', async (t) => {
  const app = await buildTestApp(t)
  const res = await upload(app, BLOG)
  t.equal(res.statusCode, 202, res.body)
  t.match(res.headers['content-type'], /application\/json/)
  const accepted = res.json().data as Job
  t.equal(res.headers.location, `/v1/imports/${accepted.id}`)
  t.match(accepted, { kind: 'wxr', source: 'upload', cancel_requested: false, error: null, progress: { bytes_total: BLOG.length } })
  t.ok(['queued', 'running'].includes(accepted.status), `accepted as ${accepted.status}`)

  const done = await ended(app, accepted.id)
  t.equal(done.status, 'succeeded')
  t.same(done.summary.created, { posts: 5, pages: 1, categories: 4, tags: 3, authors: 3, comments: 6 })
  t.match(done.progress, { items_read: 17, items_total: null, bytes_read: BLOG.length, bytes_total: BLOG.length })
  t.ok(done.started_at !== null && done.finished_at !== null && done.started_at <= done.finished_at)
  t.equal(count(app, 'SELECT count(*) FROM posts'), 5)

  const list = await app.inject({ url: '/v1/imports?per_page=5', headers: adminAuth })
  t.equal(list.statusCode, 200)
  t.equal(list.headers['x-total-count'], '1')
  t.match(list.headers.link, /rel="first"/)
  t.match(list.json(), { data: [{ id: accepted.id, status: 'succeeded' }], meta: { page: 1, per_page: 5, total: 1, total_pages: 1 } })
  t.same((await app.inject({ url: '/v1/imports?status=failed', headers: adminAuth })).json().data, [])
  const missing = await app.inject({ url: '/v1/imports/999', headers: adminAuth })
  t.equal(missing.statusCode, 404)
  t.match(missing.headers['content-type'], /application\/problem\+json/)
  t.equal((await app.inject({ url: '/v1/imports' })).statusCode, 401)
  const reader = app.core.repos.keys.createSync('reader', ['read:drafts'])
  t.equal((await app.inject({ url: `/v1/imports/${accepted.id}`, headers: { authorization: `Bearer ${reader.key}` } })).statusCode, 403)
  t.same(spooled(), [], 'the spooled body is removed once the job has ended')
})

t.test('Prefer: wait answers 200 with the summary when the import ends in time; an unreadable body fails the job', async (t) => {
  const app = await buildTestApp(t)
  const waited = await upload(app, BLOG, { prefer: 'respond-async, wait=30' })
  t.equal(waited.statusCode, 200, waited.body)
  t.equal(waited.headers['preference-applied'], 'wait=30')
  t.match(waited.headers['content-location'], /^\/v1\/imports\/\d+$/)
  t.equal(waited.json().data.created.posts, 5, 'the summary, as before imports were jobs')

  const junk = await upload(app, 'this is not XML at all')
  t.equal(junk.statusCode, 202, 'without a wait the body is only looked at by the job')
  const failed = await ended(app, junk.json().data.id)
  t.equal(failed.status, 'failed')
  t.match(failed.error, { code: 'UNREADABLE_IMPORT', message: /not a readable WordPress export/ })
  const refused = await upload(app, 'this is not XML at all', { prefer: 'wait=30' })
  t.equal(refused.statusCode, 422, 'with a wait, the 422 problem of a body that is not an export')
  t.match(refused.json(), { code: 'UNREADABLE_IMPORT', detail: /not a readable WordPress export/ })
  t.equal((await upload(app, BLOG, { prefer: 'wait=0' })).statusCode, 202, 'wait=0 does not wait')
  t.equal((await upload(app, BLOG, { prefer: 'wait=soon' })).statusCode, 202, 'an unusable preference is ignored')

  const entities = Array.from({ length: 32 }, (_, i) => `<!ENTITY e${i} "${'x'.repeat(1000)}">`).join('')
  const bomb = `<!DOCTYPE rss [${entities}]><rss><channel><title>T</title><item><guid>1</guid><description>${'&e1;'.repeat(20_000)}</description></item></channel></rss>`
  const feed = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { ...adminAuth, 'content-type': 'application/rss+xml', prefer: 'wait=30' }, payload: bomb })
  t.equal(feed.statusCode, 422, 'a feed whose entities expand 300-fold is refused')
  t.match(feed.json().detail, /expand to more than/)
  t.equal(count(app, "SELECT count(*) FROM posts WHERE import_key LIKE 'feed:%'"), 0)
})

t.test('a chunked upload is refused with a 413 the moment it passes IMPORT_MAX_BYTES, and nothing is imported', async (t) => {
  const app = await buildTestApp(t, { IMPORT_MAX_BYTES: String(64 * 1024) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const result = await new Promise<{ status: number, body: string, sent: number, connection: string | undefined }>((resolve, reject) => {
    let sent = 0
    let answered = false
    let broken = false
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/v1/imports/wxr', headers: { ...xml, 'transfer-encoding': 'chunked' } }, (res) => {
      answered = true
      let body = ''
      res.on('data', (c: Buffer) => { body += c.toString() })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sent, connection: res.headers.connection }))
    })
    // The server answers and closes while this side is still writing: a write may then fail
    // (EPIPE, ECONNRESET) before the answer that is already on its way has been parsed.
    req.on('error', (err) => {
      broken = true
      setTimeout(() => { if (!answered) reject(err) }, 2000)
    })
    // A valid export, sent on and on: 16 KB every few milliseconds, up to 20 MB.
    const head = BLOG.toString('utf8').slice(0, BLOG.indexOf('</channel>'))
    const filler = Buffer.from(`<!-- ${'x'.repeat(16 * 1024)} -->\n`)
    const pump = () => {
      if (broken) return
      if (answered || sent > 20 * 1024 * 1024) return req.end()
      const chunk = sent === 0 ? Buffer.from(head) : filler
      sent += chunk.length
      req.write(chunk, () => setTimeout(pump, 2))
    }
    pump()
  })
  t.equal(result.status, 413)
  t.match(JSON.parse(result.body), { status: 413, code: 'BODY_TOO_LARGE', detail: /larger than 65536 bytes \(IMPORT_MAX_BYTES\): nothing was imported/ })
  t.ok(result.sent < 1024 * 1024, `answered after ${result.sent} bytes, not at the end of the upload`)
  t.equal(result.connection, 'close', 'the connection is closed: the rest is never read')
  t.equal(count(app, 'SELECT count(*) FROM posts'), 0, 'not one post of the items before the limit')
  t.equal(count(app, 'SELECT count(*) FROM import_jobs'), 0, 'and no job')
  t.same(spooled(), [], 'the partial body was removed')

  const feed = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: { ...adminAuth, 'content-type': 'application/rss+xml' }, payload: Buffer.alloc(10 * 1024 * 1024 + 1, 32) })
  t.equal(feed.statusCode, 413, 'a feed over 10 MB too')
})

t.test('cancelling: a queued job at once, a running one after its item; a later re-import completes without duplicates', async (t) => {
  const big = await bigExport(4)
  const body = readFileSync(big.file)
  const app = await buildTestApp(t)
  const first = (await upload(app, body)).json().data as Job
  const second = (await upload(app, body)).json().data as Job
  t.equal(second.status, 'queued', 'one import runs at a time')

  const dropped = await app.inject({ method: 'DELETE', url: `/v1/imports/${second.id}`, headers: adminAuth })
  t.equal(dropped.statusCode, 200)
  t.match(dropped.json().data, { status: 'cancelled', finished_at: String })
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/imports/${second.id}`, headers: adminAuth })).statusCode, 200, 'cancelling twice is harmless')

  // The job runs on the event loop here (an in-memory database), yielding every few milliseconds.
  while (count(app, 'SELECT count(*) FROM posts') < 20) await new Promise((resolve) => setTimeout(resolve, 2))
  const stopping = await app.inject({ method: 'DELETE', url: `/v1/imports/${first.id}`, headers: adminAuth })
  t.equal(stopping.statusCode, 202, stopping.body)
  t.match(stopping.json().data, { status: 'running', cancel_requested: true })
  const stopped = await ended(app, first.id)
  t.equal(stopped.status, 'cancelled')
  const kept = count(app, 'SELECT count(*) FROM posts')
  t.ok(kept > 0 && kept < big.posts, `${kept} of ${big.posts} posts were imported before it stopped, and they stay`)
  t.equal(stopped.summary.created.posts, kept, 'the summary says what was done')

  const finished = await app.inject({ method: 'DELETE', url: `/v1/imports/${first.id}`, headers: adminAuth })
  t.equal(finished.statusCode, 200, 'a cancelled job stays cancelled')
  const again = await upload(app, body, { prefer: 'wait=60' })
  t.equal(again.statusCode, 200, again.body.slice(0, 200))
  const summary = again.json().data
  t.equal(summary.created.posts, big.posts - kept, 'the re-import adds what is missing')
  // Featured images whose attachment came after the stop are set now: those posts are updated.
  t.equal(summary.unchanged.posts + summary.updated.posts, kept, 'and finds what was imported')
  t.equal(count(app, 'SELECT count(*) FROM posts'), big.posts)
  t.equal(count(app, 'SELECT count(*) FROM comments'), big.comments)
  const done = (await app.inject({ url: '/v1/imports?status=succeeded', headers: adminAuth })).json().data[0] as Job
  const conflict = await app.inject({ method: 'DELETE', url: `/v1/imports/${done.id}`, headers: adminAuth })
  t.equal(conflict.statusCode, 409, 'a job that has ended cannot be cancelled')
  t.equal(conflict.json().code, 'IMPORT_FINISHED')
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/imports/999', headers: adminAuth })).statusCode, 404)
})

t.test('two jobs queued on the same file run one after the other: the second changes nothing', async (t) => {
  const big = await bigExport(1)
  const body = readFileSync(big.file)
  const app = await buildTestApp(t, { DATABASE_PATH: fileDb(t) })
  const a = (await upload(app, body)).json().data as Job
  const b = (await upload(app, body)).json().data as Job
  t.equal(b.status, 'queued')
  const [first, second] = [await ended(app, a.id), await ended(app, b.id)]
  t.equal(first.status, 'succeeded', JSON.stringify(first.error))
  t.equal(second.status, 'succeeded', JSON.stringify(second.error))
  t.ok((first.finished_at as string) <= (second.started_at as string), 'the second started after the first ended')
  t.equal(first.summary.created.posts, big.posts)
  t.same(second.summary.created, { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0 })
  t.same(second.summary.updated, { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0 })
  t.equal(second.summary.unchanged.posts, big.posts)
  t.equal(count(app, 'SELECT count(*) FROM posts'), big.posts)
  t.equal(count(app, 'SELECT count(*) FROM comments'), big.comments)
})

/** An RSS feed of `items` items of about 2.5 KB: parsing it is one long step, then each item is one. */
function bigFeed (items: number): Buffer {
  const words = 'harbour ferry tide pier storm lighthouse market sailing island crew cargo dawn wind gull rope anchor'.split(' ')
  const text = (i: number) => Array.from({ length: 400 }, (_, j) => words[(i * 7 + j * 3 + (j * j) % 5) % words.length]).join(' ')
  const entries = Array.from({ length: items }, (_, i) => `<item><title>Story ${i}</title><link>https://partner.example.org/${i}</link><guid>partner-${i}</guid><pubDate>Mon, 03 Jan 2022 10:00:00 +0000</pubDate><description>&lt;p&gt;${text(i)}&lt;/p&gt;</description><category>Topic ${i % 40}</category></item>`)
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Partner</title><link>https://partner.example.org/</link>${entries.join('\n')}</channel></rss>`)
}

t.test('while a long import runs on its worker thread, /health and post reads answer promptly over the network', async (t) => {
  // Imported on the event loop, this feed held every request for its whole import: the
  // feed reader and the items ran in one synchronous block (seconds for 8 MB).
  const feed = bigFeed(3000)
  t.ok(feed.length > 7_000_000 && feed.length < 10 * 1024 * 1024, `a ${(feed.length / 1048576).toFixed(1)} MB feed`)
  const app = await buildTestApp(t, { DATABASE_PATH: fileDb(t), RESPONSE_CACHE: 'false' })
  const author = (await app.inject({ method: 'POST', url: '/v1/authors', headers: adminAuth, payload: { name: 'Desk' } })).json().data
  await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: 'Read me', author_id: author.id, status: 'published', content_html: '<p>Hello.</p>' } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  // Each route's serializer is compiled on its first use: not what is measured here.
  for (const path of ['/health', '/v1/posts/read-me', '/v1/imports/1']) await (await fetch(`${base}${path}`, { headers: adminAuth })).arrayBuffer()

  const started = await fetch(`${base}/v1/imports/feed?status=published&source_url=https://partner.example.org/feed`, { method: 'POST', headers: { ...adminAuth, 'content-type': 'application/rss+xml', prefer: 'wait=1' }, body: feed })
  t.equal(started.status, 202, 'an import that takes longer than the wait is answered 202')
  const id = (await started.json() as { data: Job }).data.id
  const latencies: Array<[number, string, number]> = []
  const statuses = new Set<number>()
  let running = 0
  for (;;) {
    const state = await (await fetch(`${base}/v1/imports/${id}`, { headers: adminAuth })).json() as { data: Job }
    if (state.data.status !== 'running' && state.data.status !== 'queued') break
    if (state.data.status === 'running') running++
    for (const path of ['/health', '/v1/posts/read-me']) {
      const at = performance.now()
      const res = await fetch(`${base}${path}`)
      await res.arrayBuffer()
      latencies.push([performance.now() - at, path, state.data.progress.items_read])
      statuses.add(res.status)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const final = await job(app, id)
  t.equal(final.status, 'succeeded', JSON.stringify(final.error))
  t.equal(final.summary.created.posts, 3000)
  t.equal(final.progress.items_total, 3000, 'a feed knows how many items it has')
  t.ok(running >= 10, `${running} rounds of requests while the import ran`)
  t.same([...statuses], [200], 'every request was answered')
  latencies.sort((x, y) => x[0] - y[0])
  const [worst, path, at] = latencies[latencies.length - 1]
  const median = latencies[latencies.length >> 1][0]
  // Generous for a shared two-core machine; the import on the event loop took seconds.
  t.ok(worst < 2000 && median < 50, `${latencies.length} requests during the import: median ${median.toFixed(1)} ms, worst ${worst.toFixed(1)} ms (${path} at item ${at})`)
})

t.test('a job that makes no progress for IMPORT_STALL_TIMEOUT_MS is stopped and failed; the server goes on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-jobs-stall-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'busy-post.xml')
  // A post with 10,000 comments is one transaction: formatting, sanitizing and writing them
  // is one step of several seconds, far past a 1 s stall timeout.
  await generateWxr(file, 64 * 1024, { bodyBytes: 2000, commentsPerPost: 10_000 })
  const app = await buildTestApp(t, { DATABASE_PATH: fileDb(t), IMPORT_STALL_TIMEOUT_MS: '1000' })
  const res = await upload(app, readFileSync(file))
  t.equal(res.statusCode, 202)
  const stalled = await ended(app, res.json().data.id)
  t.equal(stalled.status, 'failed')
  t.match(stalled.error, { code: 'IMPORT_STALLED', message: /no progress for 1 s/ })
  t.equal(count(app, 'SELECT count(*) FROM comments'), 0, 'the item in hand was rolled back, not half-written')
  t.equal((await app.inject({ url: '/health' })).statusCode, 200)
  const next = await ended(app, (await upload(app, BLOG)).json().data.id)
  t.equal(next.status, 'succeeded', `the next job runs: ${JSON.stringify(next.error)}`)
})

t.test('closing the app stops a running job after its item and fails it with the reason', async (t) => {
  const big = await bigExport(2)
  const path = fileDb(t)
  const app = await buildTestApp(t, { DATABASE_PATH: path })
  const id = (await upload(app, readFileSync(big.file))).json().data.id as number
  while ((await job(app, id)).progress.items_read < 50) await new Promise((resolve) => setTimeout(resolve, 10))
  const queued = (await upload(app, BLOG)).json().data.id as number
  await app.close()
  const db = new Database(path, { readonly: true })
  t.teardown(() => db.close())
  const rows = db.prepare('SELECT id, status, error_code, error, items_read FROM import_jobs ORDER BY id').all() as Array<{ id: number, status: string, error_code: string, error: string, items_read: number }>
  t.match(rows, [
    { id, status: 'failed', error_code: 'IMPORT_INTERRUPTED', error: /server was stopped during the import.*send the file again/ },
    { id: queued, status: 'failed', error_code: 'IMPORT_INTERRUPTED', error: /stopped before this import started/ }
  ])
  t.ok(rows[0].items_read >= 50, `its progress is kept (${rows[0].items_read} items)`)
  const posts = db.prepare("SELECT count(*) FROM posts WHERE import_key LIKE 'wxr:%'").pluck().get() as number
  t.ok(posts > 0 && posts < big.posts, `what was committed stays (${posts} of ${big.posts} posts)`)
})

t.test('two servers on one database file: one import at a time across both, and neither fails the other\'s job', async (t) => {
  const big = await bigExport(1)
  const path = fileDb(t)
  const a = await buildTestApp(t, { DATABASE_PATH: path })
  const first = (await upload(a, readFileSync(big.file))).json().data as Job
  // A second process starting up sweeps for jobs of dead processes: this one is alive.
  const b = await buildTestApp(t, { DATABASE_PATH: path })
  const second = (await upload(b, BLOG)).json().data as Job
  t.equal(second.status, 'queued', 'the other server\'s import runs: this one waits for it')
  const [x, y] = [await ended(a, first.id), await ended(b, second.id)]
  t.equal(x.status, 'succeeded', JSON.stringify(x.error))
  t.equal(y.status, 'succeeded', JSON.stringify(y.error))
  t.ok((x.finished_at as string) <= (y.started_at as string), 'the second started once the first had ended')
  t.equal((await b.inject({ url: '/v1/imports', headers: adminAuth })).json().meta.total, 2, 'both servers list both jobs')
})
