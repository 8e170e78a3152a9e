import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'

t.test('migrations apply to an empty file database with WAL, foreign keys and full sync', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'nested', 'folder', 'test.db')
  const db = openDatabase(path)
  runMigrations(db)
  runMigrations(db)
  const c = db.$client
  t.equal(c.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(c.pragma('foreign_keys', { simple: true }), 1)
  t.equal(c.pragma('synchronous', { simple: true }), 2, 'FULL')
  const tables = c.prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name").pluck().all() as string[]
  for (const name of ['posts', 'categories', 'tags', 'authors', 'comments', 'api_keys', 'changes', 'webhooks', 'webhook_deliveries', 'site_settings', 'posts_fts']) {
    t.ok(tables.includes(name), `table ${name}`)
  }
  t.equal(c.prepare('SELECT count(*) FROM site_settings').pluck().get(), 1, 'one settings row, also after running twice')
  t.throws(() => c.prepare("INSERT INTO posts (slug, title, author_id, created_at, updated_at) VALUES ('x', 'x', 999, 0, 0)").run(), /FOREIGN KEY/)
  const plan = c.prepare("EXPLAIN QUERY PLAN SELECT id FROM posts p WHERE p.status = 'published' AND p.published_at <= 1 ORDER BY p.published_at DESC, p.id DESC LIMIT 10").all() as Array<{ detail: string }>
  t.match(plan.map((r) => r.detail).join(' '), /USING (COVERING )?INDEX posts_status_published_idx/, 'the default list uses its index, no sort')
  t.notMatch(plan.map((r) => r.detail).join(' '), /TEMP B-TREE/)
  c.close()
})
