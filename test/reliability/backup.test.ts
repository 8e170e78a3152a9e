import t from 'tap'
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../src/cli.js'
import { childAuth, startServer } from '../helpers/server-process.js'
import { eventually } from '../helpers/wait.js'

// Online backup: `broadsheet backup FILE` while the real server keeps taking writes from
// another process. The copy must be a consistent database holding every write that was
// acknowledged before the backup began, and it must serve as a restored database.

t.test('backup makes a consistent online copy while writes go on, and the copy restores', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-backup-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const dbPath = join(dir, 'live.db')
  const copyPath = join(dir, 'copy.db')
  const server = await startServer({ DATABASE_PATH: dbPath })
  t.teardown(() => { server.child.kill('SIGKILL') })
  const headers = { ...childAuth, 'content-type': 'application/json' }
  const author = await fetch(`${server.base}/v1/authors`, { method: 'POST', headers, body: JSON.stringify({ name: 'Backup Author' }) })
  const authorId = (await author.json() as { data: { id: number } }).data.id

  const acked = new Map<number, { title: string, at: number }>()
  let stop = false
  async function writer (n: number) {
    // eslint-disable-next-line no-unmodified-loop-condition -- the test sets it once the backup is taken, between awaits
    for (let i = 0; !stop; i++) {
      const title = `Backup w${n} i${i}`
      const res = await fetch(`${server.base}/v1/posts`, { method: 'POST', headers, body: JSON.stringify({ title, author_id: authorId, content_html: `<p>${'Body text. '.repeat(100)}</p>` }) })
      if (res.status === 201) acked.set((await res.json() as { data: { id: number } }).data.id, { title, at: Date.now() })
      else await res.arrayBuffer()
    }
  }
  const writers = Promise.all([0, 1, 2].map(writer))
  // Writes acknowledged before the backup (counted, not timed: a loaded machine writes slowly).
  await eventually('writes before the backup', () => acked.size >= 20, 60_000)

  const before = new Map(acked)
  const started = Date.now()
  const code = await runCli(['backup', copyPath], { DATABASE_PATH: dbPath })
  const finished = Date.now()
  const atFinish = acked.size
  await eventually('writes after the backup', () => acked.size > atFinish, 60_000)
  stop = true
  await writers
  t.equal(code, 0, 'the backup command succeeds')
  const during = [...acked.values()].filter((w) => w.at >= started && w.at <= finished).length
  t.ok(acked.size > before.size, `writes went on around the backup (${before.size} before it, ${acked.size} in all, ${during} acknowledged while it ran)`)

  const copy = new Database(copyPath, { readonly: true })
  t.equal(copy.pragma('integrity_check', { simple: true }), 'ok', 'the copy passes integrity_check')
  t.same(copy.pragma('foreign_key_check'), [], 'the copy has no dangling references')
  const titleOf = copy.prepare('SELECT title FROM posts WHERE id = ?').pluck()
  const missing = [...before].filter(([id, w]) => titleOf.get(id) !== w.title)
  t.same(missing, [], `all ${before.size} writes acknowledged before the backup began are in the copy`)
  const inCopy = copy.prepare("SELECT count(*) FROM posts WHERE title LIKE 'Backup w%'").pluck().get() as number
  t.ok(inCopy >= before.size && inCopy <= acked.size, `the copy holds ${inCopy} posts: a single point in time between ${before.size} and ${acked.size}`)
  copy.close()

  // Restore: a server started on the copy serves what was backed up.
  server.child.kill('SIGTERM')
  await server.exited
  const restored = await startServer({ DATABASE_PATH: copyPath })
  t.teardown(() => { restored.child.kill('SIGKILL') })
  const [someId, some] = [...before][Math.floor(before.size / 2)]
  const res = await fetch(`${restored.base}/v1/posts/${someId}`, { headers: childAuth })
  t.equal(res.status, 200, 'the restored server serves a backed-up post')
  t.equal((await res.json() as { data: { title: string } }).data.title, some.title, 'with its title')
  restored.child.kill('SIGTERM')
  t.equal(await restored.exited, 0, 'and stops cleanly')
  t.comment(`backup: ${before.size} writes acknowledged before it, ${during} during it (${finished - started} ms), ${inCopy} in the copy, 0 missing`)
})
