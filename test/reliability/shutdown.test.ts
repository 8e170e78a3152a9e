import t from 'tap'
import type { Test } from 'tap'
import Database from 'better-sqlite3'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request as httpRequest } from 'node:http'
import { childAuth, startServer } from '../helpers/server-process.js'

// Graceful shutdown: SIGTERM while a large import and a crowd of list requests are in
// flight. Every one of them completes, the process exits 0, and the database was closed
// properly (SQLite checkpoints and deletes the -wal file only on a clean last close).

const ITEMS = 400
const UPLOADS = 8

function wxr (items: number): string {
  const entries = Array.from({ length: items }, (_, i) => `<item><title>Archive story ${i}</title><link>https://old.example.org/${i}</link><pubDate>Mon, 03 Jan 2022 10:00:00 +0000</pubDate><dc:creator><![CDATA[sam]]></dc:creator><guid isPermaLink="false">https://old.example.org/?p=${i + 1}</guid><content:encoded><![CDATA[<p>Paragraph one of story ${i} about the harbour, the ferries and the storm.</p><p>Paragraph two with more words so the import has real text to index.</p>]]></content:encoded><wp:post_id>${i + 1}</wp:post_id><wp:post_date_gmt><![CDATA[2022-01-03 10:00:00]]></wp:post_date_gmt><wp:post_name><![CDATA[archive-story-${i}]]></wp:post_name><wp:status><![CDATA[publish]]></wp:status><wp:post_type><![CDATA[post]]></wp:post_type></item>`).join('\n')
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Old blog</title><link>https://old.example.org</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[sam]]></wp:author_login><wp:author_display_name><![CDATA[Sam Old]]></wp:author_display_name></wp:author>
${entries}
</channel></rss>`
}

interface Outcome { id: string, status: number, body: string }

/** A server on a fresh file database with a few long posts, and a way to see which requests it has taken. */
async function setup (t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-shutdown-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const dbPath = join(dir, 'shutdown.db')
  // The access log tells which requests the server had taken when the signal came.
  const server = await startServer({ DATABASE_PATH: dbPath, LOG_LEVEL: 'info', LOG_REQUESTS: 'true' })
  t.teardown(() => { server.child.kill('SIGKILL') })
  const headers = { ...childAuth, 'content-type': 'application/json' }
  const author = await fetch(`${server.base}/v1/authors`, { method: 'POST', headers, body: JSON.stringify({ name: 'Lister' }) })
  const authorId = (await author.json() as { data: { id: number } }).data.id
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${server.base}/v1/posts`, { method: 'POST', headers, body: JSON.stringify({ title: `Listed ${i}`, author_id: authorId, status: 'published', content_html: `<p>${'Words for the list. '.repeat(200)}</p>` }) })
    await res.arrayBuffer()
  }
  const spec = await (await fetch(`${server.base}/openapi.json`)).json() as { paths: Record<string, unknown> }
  const inFlight: Array<Promise<Outcome>> = []
  const request = (id: string, url: string, init: RequestInit = {}) => {
    const withId = { ...init, headers: { ...(init.headers as Record<string, string>), 'x-request-id': id } }
    inFlight.push(fetch(url, withId).then(async (res) => ({ id, status: res.status, body: await res.text() }), (err: Error) => ({ id, status: 0, body: err.message })))
  }
  const received = () => new Set([...server.output().matchAll(/"reqId":"([^"]+)"[^\n]*"msg":"incoming request"/g)].map((m) => m[1]))
  const open = () => {
    const done = new Set([...server.output().matchAll(/"reqId":"([^"]+)"[^\n]*"msg":"request completed"/g)].map((m) => m[1]))
    return [...received()].filter((id) => !done.has(id))
  }
  const wait = async (until: () => boolean) => {
    for (let i = 0; i < 2500 && !until(); i++) await new Promise((resolve) => setTimeout(resolve, 2))
  }
  const list = (i: number) => request(`list-${i}`, `${server.base}/v1/posts?per_page=50&fields=id,title,content_html&q=words&sort=relevance&page=${1 + (i % 3)}&published_before=2100-01-${String(1 + i).padStart(2, '0')}T00:00:00Z`)

  /** Sends SIGTERM and checks what every shutdown must give. */
  async function terminate (): Promise<{ results: Outcome[], taken: Set<string>, openAtSignal: string[] }> {
    const taken = received()
    const openAtSignal = open()
    const signalledAt = Date.now()
    server.child.kill('SIGTERM')
    const results = await Promise.all(inFlight)
    const code = await server.exited
    t.equal(code, 0, 'the process exits 0')
    if (code !== 0) t.comment(server.output().split('\n').filter((l) => !l.includes('request')).slice(-8).join('\n'))
    t.ok(Date.now() - signalledAt < 15_000, 'within the grace period')
    for (const r of results) {
      if (taken.has(r.id)) {
        t.ok(r.status >= 200 && r.status < 300, `${r.id}, taken before SIGTERM, completed with ${r.status}`)
      } else {
        // Not yet taken when the close began: refused (connection closed or 503), never cut mid-answer.
        t.ok(r.status === 0 || r.status === 503 || (r.status >= 200 && r.status < 300), `${r.id}, not yet taken at SIGTERM, was answered ${r.status || 'by a closed connection'}`)
      }
    }
    t.match(server.output(), /closing: finishing in-flight requests/, 'the server logged the graceful close')
    t.notOk(existsSync(`${dbPath}-wal`), 'the -wal file was checkpointed and removed: the database was closed cleanly')
    const db = new Database(dbPath, { readonly: true })
    t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'integrity_check is ok on reopen')
    db.close()
    t.comment(`shutdown: ${openAtSignal.length} requests in flight at SIGTERM (${openAtSignal.join(', ')}), all completed`)
    return { results, taken, openAtSignal }
  }
  const track = (outcomes: Array<Promise<Outcome>>) => { inFlight.push(...outcomes) }
  return { server, dbPath, spec, request, track, open, wait, list, terminate }
}

t.test('SIGTERM lets slow in-flight uploads finish, closes the database and exits 0', { timeout: 120_000 }, async (t) => {
  const s = await setup(t)
  // Handlers here are synchronous, so a request is only ever "in flight" across I/O: these
  // clients send their headers and half a body, and the rest only after the signal.
  const uploads = Array.from({ length: UPLOADS }, (_, i) => {
    const body = JSON.stringify({ title: `Slow upload ${i}`, author_id: 1, content_html: `<p>${'Sent slowly. '.repeat(500)}</p>` })
    const req = httpRequest(`${s.server.base}/v1/posts`, { method: 'POST', agent: false, headers: { ...childAuth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': `upload-${i}` } })
    const answered = new Promise<Outcome>((resolve) => {
      req.on('response', (res) => {
        let text = ''
        res.on('data', (chunk: Buffer) => { text += chunk.toString() })
        res.on('end', () => resolve({ id: `upload-${i}`, status: res.statusCode ?? 0, body: text }))
      })
      req.on('error', (err) => resolve({ id: `upload-${i}`, status: 0, body: err.message }))
    })
    req.write(body.slice(0, 1000))
    return { req, rest: body.slice(1000), answered }
  })
  s.track(uploads.map((u) => u.answered))
  await s.wait(() => s.open().filter((id) => id.startsWith('upload-')).length === UPLOADS)
  const terminating = s.terminate()
  await new Promise((resolve) => setTimeout(resolve, 300))
  for (const u of uploads) u.req.end(u.rest)
  const { results, openAtSignal } = await terminating
  t.equal(openAtSignal.length, UPLOADS, `${UPLOADS} uploads were in flight at SIGTERM`)
  t.same(results.map((r) => r.status), uploads.map(() => 201), 'every one was created')
  const db = new Database(s.dbPath, { readonly: true })
  t.equal(db.prepare("SELECT count(*) FROM posts WHERE title LIKE 'Slow upload %'").pluck().get(), UPLOADS, 'and is in the database')
  db.close()
})

t.test('SIGTERM during an import: the waiting request is answered, the job ends whole or failed with its reason, never left running', { timeout: 120_000 }, async (t) => {
  const s = await setup(t)
  if (!('/v1/imports/wxr' in s.spec.paths)) {
    t.comment('no /v1/imports/wxr in this build')
    return
  }
  // Waiting for the import (Prefer: wait) keeps the request in flight until the job ends.
  s.request('import', `${s.server.base}/v1/imports/wxr`, { method: 'POST', headers: { ...childAuth, 'content-type': 'application/xml', prefer: 'wait=60' }, body: wxr(ITEMS) })
  await s.wait(() => s.open().includes('import'))
  for (let i = 0; i < 3; i++) s.list(i)
  const { results, openAtSignal } = await s.terminate()
  t.ok(openAtSignal.includes('import'), 'the import was in flight at SIGTERM')
  const answer = results.find((r) => r.id === 'import')!
  t.ok((JSON.parse(answer.body) as { data: unknown }).data, `the waiting import request was answered (${answer.status})`)
  // A job does not hold the shutdown for as long as it takes: it is stopped after the item in
  // hand and failed with the reason (sending the file again imports the rest, idempotently), or
  // it finished first. Either way every item is whole: the posts are exactly those it counted.
  const db = new Database(s.dbPath, { readonly: true })
  const imported = db.prepare("SELECT count(*) FROM posts WHERE slug LIKE 'archive-story-%'").pluck().get() as number
  const job = db.prepare('SELECT status, error_code, summary FROM import_jobs ORDER BY id DESC LIMIT 1').get() as { status: string, error_code: string | null, summary: string | null }
  db.close()
  if (job.status === 'succeeded') {
    t.equal(imported, ITEMS, `the import finished before the close: all ${ITEMS} posts`)
  } else {
    t.equal(job.status, 'failed', 'a job cut by the shutdown is failed, never left running')
    t.equal(job.error_code, 'IMPORT_INTERRUPTED', 'with the reason')
    // The summary is written as the job goes; a job stopped only by the grace timer may have
    // committed an item more than its last summary says, never fewer.
    const created = (JSON.parse(job.summary ?? '{}') as { created?: { posts?: number } }).created?.posts ?? 0
    t.ok(imported >= created && imported <= ITEMS, `the posts written (${imported}) cover what it counted (${created})`)
  }
})
