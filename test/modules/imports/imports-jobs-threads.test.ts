import t from 'tap'
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import Database from 'better-sqlite3'
import { buildTestApp, adminAuth } from '../../helper.js'
import { generateWxr } from '../../../src/scripts/gen-wxr.js'
import { BLOG, bigExport, count, ended, fileDb, job, spoolInto, upload, type Job } from '../../helpers/import-jobs.js'

// Import jobs on their worker thread, stalled, stopped by a shutdown, shared by two servers
// (the rest of the job tests: imports-jobs.test.ts).
spoolInto(t)

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
  const feed = bigFeed(800)
  t.ok(feed.length > 1_800_000 && feed.length < 10 * 1024 * 1024, `a ${(feed.length / 1048576).toFixed(1)} MB feed`)
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
  const importStarted = performance.now()
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
  const importMs = performance.now() - importStarted
  const final = await job(app, id)
  t.equal(final.status, 'succeeded', JSON.stringify(final.error))
  t.equal(final.summary.created.posts, 800)
  t.equal(final.progress.items_total, 800, 'a feed knows how many items it has')
  t.ok(running >= 10, `${running} rounds of requests while the import ran`)
  t.same([...statuses], [200], 'every request was answered')
  latencies.sort((x, y) => x[0] - y[0])
  const [worst, path, at] = latencies[latencies.length - 1]
  const median = latencies[latencies.length >> 1][0]
  // On the event loop, the import held every request for its whole run (seconds), so the worst
  // request took about as long as the import. Bounded against the import's own duration, not a
  // fixed figure: the suite runs several test files per core, and a busy machine slows the import
  // and the requests alike.
  t.ok(worst < importMs / 3 && median < 100, `${latencies.length} requests during the ${importMs.toFixed(0)} ms import: median ${median.toFixed(1)} ms, worst ${worst.toFixed(1)} ms (${path} at item ${at})`)
})

t.test('a job that makes no progress for IMPORT_STALL_TIMEOUT_MS is stopped and failed; the server goes on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-jobs-stall-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'busy-post.xml')
  // A post with 40,000 comments is one transaction: formatting, sanitizing and writing them
  // is one step of many seconds, far past a 3 s stall timeout, which an ordinary item (the
  // next job's) stays under even on a busy machine (1 s was not: a loaded CI run stalled it).
  await generateWxr(file, 64 * 1024, { bodyBytes: 2000, commentsPerPost: 40_000 })
  const app = await buildTestApp(t, { DATABASE_PATH: fileDb(t), IMPORT_STALL_TIMEOUT_MS: '3000' })
  const res = await upload(app, readFileSync(file))
  t.equal(res.statusCode, 202)
  const stalled = await ended(app, res.json().data.id)
  t.equal(stalled.status, 'failed')
  t.match(stalled.error, { code: 'IMPORT_STALLED', message: /no progress for 3 s/ })
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
