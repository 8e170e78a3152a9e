/* eslint-disable no-control-regex -- the progress line is drawn with terminal escapes (ESC [K) */
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { runCli } from '../../../src/cli.js'
import { createProgressReporter } from '../../../src/modules/imports/imports-cli.js'
import { emptySummary } from '../../../src/modules/imports/imports-run.js'

function capture () {
  const out: string[] = []
  const err: string[] = []
  const log = console.log
  const error = console.error
  console.log = (...a: unknown[]) => { out.push(a.join(' ')) }
  console.error = (...a: unknown[]) => { err.push(a.join(' ')) }
  return { out, err, restore: () => { console.log = log; console.error = error } }
}

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url))

t.test('import wxr FILE and import feed FILE print a summary; a second run updates nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-import-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_PATH: join(dir, 'cli.db') }
  const io = capture()
  try {
    t.equal(await runCli(['import', 'wxr', fixture('wxr/blog-1.1.xml')], env), 0)
    t.match(io.out.join('\n'), /created {4}posts 5, pages 1, categories 4, tags 3, authors 3, comments 6/)
    t.match(io.out.join('\n'), /post wp:106: a post in the trash/)
    io.out.length = 0
    t.equal(await runCli(['import', 'wxr', fixture('wxr/blog-1.1.xml'), '--json'], env), 0)
    const again = JSON.parse(io.out.join('\n'))
    t.same(again.created, { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0 })
    t.equal(again.unchanged.posts, 5)
    t.equal(await runCli(['import', 'feed', fixture('feeds/partner.feed.json'), '--status', 'published'], env), 0)
    t.equal(await runCli(['import', 'feed', fixture('feeds/partner.rss.xml'), '--status', 'maybe'], env), 2)
    t.equal(await runCli(['import', 'wxr'], env), 2)
    t.equal(await runCli(['import', 'wxr', fixture('wxr/blog-1.1.xml'), '--navigation', 'overwrite'], env), 2)
    t.equal(await runCli(['import', 'feed', fixture('feeds/partner.rss.xml'), '--navigation', 'replace'], env), 2, '--navigation is for exports only')
    io.out.length = 0
    t.equal(await runCli(['import', 'wxr', fixture('wxr/pages-menus-seo.xml'), '--navigation', 'replace'], env), 0)
    t.match(io.out.join('\n'), /seo fields 21\n {2}menus {6}3 in the file, 11 items in the site's navigation/)
    t.equal(await runCli(['import', 'wxr', join(dir, 'missing.xml')], env), 1)
    t.equal(await runCli(['import', 'feed', 'http://127.0.0.1:9/feed.xml'], env), 1, 'a private URL is refused')
    t.match(io.err.join('\n'), /only ports 80 and 443 are allowed|not a public internet address/)
  } finally {
    io.restore()
  }
  const db = new Database(env.DATABASE_PATH, { readonly: true })
  t.teardown(() => db.close())
  t.equal(db.prepare("SELECT count(*) FROM posts WHERE import_key LIKE 'wxr:%'").pluck().get(), 7, 'the blog\'s 5 and the 2 of the pages export')
  t.equal(db.prepare("SELECT count(*) FROM posts WHERE import_key LIKE 'feed:%' AND status = 'published'").pluck().get(), 2)
  const jobs = db.prepare('SELECT kind, status, source FROM import_jobs ORDER BY id').all() as Array<{ kind: string, status: string, source: string }>
  t.match(jobs.slice(0, 3), [
    { kind: 'wxr', status: 'succeeded', source: 'file:blog-1.1.xml' },
    { kind: 'wxr', status: 'succeeded' },
    { kind: 'feed', status: 'succeeded', source: 'file:partner.feed.json' }
  ], 'each command-line import is a job like one over HTTP, queued behind any other on the database')
})

t.test('progress: a bar redrawn in place on a terminal, plain periodic lines elsewhere', async (t) => {
  const progress = (itemsRead: number, bytesRead: number) => ({ itemsRead, itemsTotal: null, bytesRead, bytesTotal: 1000, summary: emptySummary('wxr') })
  const tty: string[] = []
  const bar = createProgressReporter({ isTTY: true, columns: 120, write: (s: string) => tty.push(s) }, 'export.xml', { everyMs: 0 })
  bar.update(progress(10, 250))
  bar.update(progress(40, 500))
  bar.done(progress(80, 1000))
  t.equal(tty.length, 3)
  t.match(tty[0], /^\rexport\.xml \[#####\.{15}\] {2}25% {2}10 items, \d+\/s, 00:00\x1b\[K$/, 'bytes read as a bar and a percentage, items, rate and elapsed time')
  t.match(tty[2], /\[#{20}\] 100% {2}80 items.*\n$/, 'the last state is left on its line')
  const plain: string[] = []
  const lines = createProgressReporter({ isTTY: false, write: (s: string) => plain.push(s) }, 'feed.json', { everyMs: 0 })
  await new Promise((resolve) => setTimeout(resolve, 2))
  lines.update({ ...progress(3, 1000), itemsTotal: 12 })
  lines.done(progress(12, 1000))
  t.same(plain.length, 1, 'no redrawing when the output is not a terminal')
  t.match(plain[0], /^feed\.json: 25% read, 3\/12 items, \d+\/s, 00:00\n$/, 'a feed counts items of a known total')
  const quiet: string[] = []
  const slow = createProgressReporter({ isTTY: false, write: (s: string) => quiet.push(s) }, 'x')
  slow.update(progress(1, 1))
  slow.update(progress(2, 2))
  t.equal(quiet.length, 0, 'plain lines come every few seconds, not on every item (a short import prints none)')
})
