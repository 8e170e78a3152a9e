import t from 'tap'
import Database from 'better-sqlite3'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { childAuth, startServer } from '../helpers/server-process.js'
import { generateWxr } from '../../src/scripts/gen-wxr.js'
import { eventually } from '../helpers/wait.js'

// An import job survives a crash of its server as a failed job with the reason, never stuck
// in "running"; importing the same file again completes it without duplicating anything.

interface Job { id: number, status: string, progress: { items_read: number }, error: { code: string, message: string } | null, summary: { created: { posts: number }, updated: { posts: number }, unchanged: { posts: number } } }

t.test('a job running when its server is killed is failed with the reason after the restart; a re-import completes it', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-import-restart-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const dbPath = join(dir, 'restart.db')
  const file = join(dir, 'export.xml')
  const { posts } = await generateWxr(file, 2.5 * 1024 * 1024, { bodyBytes: 3000, commentsPerPost: 2 })
  const body = readFileSync(file)
  const headers = { ...childAuth, 'content-type': 'application/xml' }
  const get = async (base: string, id: number) => ((await (await fetch(`${base}/v1/imports/${id}`, { headers: childAuth })).json()) as { data: Job }).data

  const first = await startServer({ DATABASE_PATH: dbPath })
  t.teardown(() => { first.child.kill('SIGKILL') })
  const accepted = await fetch(`${first.base}/v1/imports/wxr`, { method: 'POST', headers, body })
  t.equal(accepted.status, 202)
  const id = ((await accepted.json()) as { data: Job }).data.id
  // Progress is written about once a second: wait until some of the import has been.
  for (let i = 0; i < 3000 && (await get(first.base, id)).progress.items_read < 200; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  const before = await get(first.base, id)
  t.equal(before.status, 'running', `running, ${before.progress.items_read} items read`)
  first.child.kill('SIGKILL')
  await first.exited

  const second = await startServer({ DATABASE_PATH: dbPath })
  t.teardown(() => { second.child.kill('SIGKILL') })
  const after = await get(second.base, id)
  t.equal(after.status, 'failed', 'not stuck in running: the process that ran it is gone')
  t.match(after.error, { code: 'IMPORT_INTERRUPTED', message: /stopped before it finished.*send the file again/i })
  const running = (await (await fetch(`${second.base}/v1/imports?status=running`, { headers: childAuth })).json()) as { meta: { total: number } }
  t.equal(running.meta.total, 0)

  const db = new Database(dbPath, { readonly: true })
  t.teardown(() => db.close())
  const kept = db.prepare("SELECT count(*) FROM posts WHERE import_key LIKE 'wxr:%'").pluck().get() as number
  t.ok(kept > 0 && kept < posts, `${kept} of ${posts} posts were committed before the kill`)

  const again = await fetch(`${second.base}/v1/imports/wxr`, { method: 'POST', headers: { ...headers, prefer: 'wait=60' }, body })
  t.ok(again.status === 200 || again.status === 202, `the re-import answers ${again.status}`)
  // wait=60 is a preference: on a loaded machine the job may still run when it ends (202).
  let summary: Job['summary']
  if (again.status === 200) {
    summary = ((await again.json()) as { data: Job['summary'] }).data
  } else {
    const { id } = ((await again.json()) as { data: Job }).data
    let job: Job | undefined
    await eventually('the re-import', async () => {
      job = ((await (await fetch(`${second.base}/v1/imports/${id}`, { headers: childAuth })).json()) as { data: Job }).data
      return job.status !== 'running' && job.status !== 'queued'
    }, 240_000)
    summary = (job as Job).summary
  }
  t.equal(summary.created.posts, posts - kept, 'the re-import adds what was missing')
  t.equal(summary.created.posts + summary.updated.posts + summary.unchanged.posts, posts)
  t.equal(db.prepare("SELECT count(*) FROM posts WHERE import_key LIKE 'wxr:%'").pluck().get(), posts, 'and nothing twice')
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok')
})
