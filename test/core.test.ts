import t, { type Test } from 'tap'
import { openDatabase } from '../src/db/client.js'
import { runMigrations } from '../src/db/migrate.js'
import { loadConfig } from '../src/config.js'
import { coreOptions, createCore } from '../src/core.js'

function core (t: Test) {
  const db = openDatabase(':memory:')
  runMigrations(db)
  t.teardown(() => { db.$client.close() })
  return createCore(db, coreOptions(loadConfig({ SITE_URL: 'https://news.example.com' })))
}

t.test('a write through the core reaches every listener in its transaction and records what it invalidates', async (t) => {
  const c = core(t)
  const invalidated: string[][] = []
  c.invalidations.onInvalidated((keys) => { invalidated.push([...keys]) })
  const committed: string[] = []
  c.bus.onCommitted((changes) => { committed.push(...changes.map((ch) => ch.kind)) })
  const author = await c.writes.authors.create({ name: 'Ann' })
  const id = c.writes.posts.create({ title: 'Hello world', author_id: author, status: 'published', content_html: '<p>Harbour ferries run late.</p>' })
  t.same(invalidated, [['authors', 'changes'], ['authors', 'categories', 'changes', `post-${id}`, 'post-edits', 'posts', 'related', 'tags']], 'each write invalidated its keys, in commit order (a post going live drops every related answer)')
  t.same(c.db.$client.prepare('SELECT keys FROM invalidations ORDER BY id').pluck().all(), invalidated.map((k) => k.join(' ')), 'recorded for the other processes')
  t.same(committed, ['author', 'post'], 'after-commit listeners heard both writes')
  const { rows } = await c.repos.changes.after({ at: 0, id: 0 }, 10, Date.now())
  t.ok(rows.some((r) => r.resource === 'post' && r.resourceId === id), 'the change log has the post')
  t.equal(c.listeners.relatedIndex.indexMissing(1000).more, false, 'the related index is up to date')
  t.equal(c.services.posts.get(String(id), 'public').url, 'https://news.example.com/hello-world', 'read services see it, with the configured site URL')
})

t.test('the workers start and stop with the core', async (t) => {
  const c = core(t)
  c.start()
  c.drain()
  t.equal(c.workers.imports.draining, true, 'no import job starts once draining')
  await c.stop()
  t.pass('stopped')
})
