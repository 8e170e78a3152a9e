import t from 'tap'
import http from 'node:http'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { buildTestApp, adminAuth } from '../../helper.js'
import { BLOG, bigExport, count, ended, fileDb, spoolInto, upload, xml, type Job } from '../../helpers/import-jobs.js'

// The long-running jobs (worker thread, stall, shutdown, two servers) are in
// imports-jobs-threads.test.ts: each file stays well inside tap's per-file timeout.
const spooled = spoolInto(t)

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
  // The server answers while this side is still writing; its lingering close
  // (plugins/lingering-close.ts) reads and drops the rest for a while, so the answer is never
  // lost to a reset.
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
    req.on('error', (err) => {
      broken = true
      // An error once the answer is in (the server closing after it) is no matter.
      setTimeout(() => { if (!answered) reject(new Error(`${(err as NodeJS.ErrnoException).code ?? err.message} after ${sent} bytes, before any answer`)) }, 2000)
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
  const big = await bigExport(1.5)
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
  t.ok(again.statusCode === 200 || again.statusCode === 202, again.body.slice(0, 200))
  // wait=60 is a preference: on a loaded machine the job may still run when it ends (202).
  const summary = again.statusCode === 200 ? again.json().data : (await ended(app, again.json().data.id)).summary
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
