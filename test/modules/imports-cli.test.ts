import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { runCli } from '../../src/cli.js'

function capture () {
  const out: string[] = []
  const err: string[] = []
  const log = console.log
  const error = console.error
  console.log = (...a: unknown[]) => { out.push(a.join(' ')) }
  console.error = (...a: unknown[]) => { err.push(a.join(' ')) }
  return { out, err, restore: () => { console.log = log; console.error = error } }
}

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/imports/${name}`, import.meta.url))

t.test('import wxr FILE and import feed FILE print a summary; a second run updates nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-import-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_PATH: join(dir, 'cli.db') }
  const io = capture()
  try {
    t.equal(await runCli(['import', 'wxr', fixture('blog.wxr.xml')], env), 0)
    t.match(io.out.join('\n'), /created {4}posts 5, categories 4, tags 3, authors 3, comments 6/)
    t.match(io.out.join('\n'), /post wp:106: a post in the trash/)
    io.out.length = 0
    t.equal(await runCli(['import', 'wxr', fixture('blog.wxr.xml'), '--json'], env), 0)
    const again = JSON.parse(io.out.join('\n'))
    t.same(again.created, { posts: 0, categories: 0, tags: 0, authors: 0, comments: 0 })
    t.equal(again.unchanged.posts, 5)
    t.equal(await runCli(['import', 'feed', fixture('partner.feed.json'), '--status', 'published'], env), 0)
    t.equal(await runCli(['import', 'feed', fixture('partner.rss.xml'), '--status', 'maybe'], env), 2)
    t.equal(await runCli(['import', 'wxr'], env), 2)
    t.equal(await runCli(['import', 'wxr', join(dir, 'missing.xml')], env), 1)
    t.equal(await runCli(['import', 'feed', 'http://127.0.0.1:9/feed.xml'], env), 1, 'a private URL is refused')
    t.match(io.err.join('\n'), /only ports 80 and 443 are allowed|not a public internet address/)
  } finally {
    io.restore()
  }
  const db = new Database(env.DATABASE_PATH, { readonly: true })
  t.teardown(() => db.close())
  t.equal(db.prepare("SELECT count(*) FROM posts WHERE import_key LIKE 'wxr:%'").pluck().get(), 5)
  t.equal(db.prepare("SELECT count(*) FROM posts WHERE import_key LIKE 'feed:%' AND status = 'published'").pluck().get(), 2)
})
