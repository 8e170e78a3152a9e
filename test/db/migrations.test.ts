import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { loadConfig } from '../../src/config.js'

t.test('migrations apply to an empty file database with WAL, foreign keys and normal sync', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'nested', 'folder', 'test.db')
  const db = openDatabase(path)
  runMigrations(db)
  runMigrations(db)
  const c = db.$client
  t.equal(c.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(c.pragma('foreign_keys', { simple: true }), 1)
  t.equal(c.pragma('synchronous', { simple: true }), 1, 'NORMAL by default')
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
  const full = openDatabase(path, 'full')
  t.equal(full.$client.pragma('synchronous', { simple: true }), 2, "'full': FULL")
  full.$client.close()
})

t.test('DATABASE_SYNCHRONOUS reaches the app\'s connection', async (t) => {
  const { buildTestApp } = await import('../helper.js')
  t.equal((await buildTestApp(t)).db.$client.pragma('synchronous', { simple: true }), 1, 'normal by default')
  t.equal((await buildTestApp(t, { DATABASE_SYNCHRONOUS: 'full' })).db.$client.pragma('synchronous', { simple: true }), 2, 'full')
  t.throws(() => loadConfig({ DATABASE_SYNCHRONOUS: 'off' }), /DATABASE_SYNCHRONOUS/)
})

t.test('0014 moves WordPress sticky flags to featured and lists every existing post\'s author in post_authors', async (t) => {
  const { cpSync, readFileSync, writeFileSync } = await import('node:fs')
  const { migrate } = await import('drizzle-orm/better-sqlite3/migrator')
  const { MIGRATIONS_FOLDER } = await import('../../src/db/migrate.js')
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  // The migrations as they were before 0014.
  const before = join(dir, 'migrations')
  cpSync(MIGRATIONS_FOLDER, before, { recursive: true })
  const journalPath = join(before, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> }
  const at = journal.entries.findIndex((e) => e.tag.endsWith('_featured_and_coauthors'))
  t.ok(at > 0)
  journal.entries = journal.entries.slice(0, at)
  writeFileSync(journalPath, JSON.stringify(journal))
  const db = openDatabase(join(dir, 'old.db'))
  migrate(db, { migrationsFolder: before })
  const c = db.$client
  c.prepare("INSERT INTO authors (id, slug, name, created_at, updated_at) VALUES (1, 'ann', 'Ann', 0, 0), (2, 'ben', 'Ben', 0, 0)").run()
  c.prepare("INSERT INTO posts (id, slug, title, author_id, created_at, updated_at, sticky, status, published_at) VALUES (1, 'a', 'A', 1, 0, 0, 1, 'published', 1), (2, 'b', 'B', 2, 0, 0, 0, 'published', 2)").run()
  runMigrations(db)
  t.same(c.prepare('SELECT id, featured FROM posts ORDER BY id').all(), [{ id: 1, featured: 1 }, { id: 2, featured: 0 }], 'sticky became featured')
  t.notOk((c.prepare('PRAGMA table_info(posts)').all() as Array<{ name: string }>).some((col) => col.name === 'sticky'), 'and sticky is gone')
  t.same(c.prepare('SELECT post_id, author_id, position FROM post_authors ORDER BY post_id').all(), [{ post_id: 1, author_id: 1, position: 0 }, { post_id: 2, author_id: 2, position: 0 }], 'each post\'s author, primary')
  // From now on the triggers keep position 0 equal to posts.author_id, whoever writes it.
  c.prepare('UPDATE posts SET author_id = 2 WHERE id = 1').run()
  c.prepare("INSERT INTO posts (id, slug, title, author_id, created_at, updated_at) VALUES (3, 'c', 'C', 1, 0, 0)").run()
  t.same(c.prepare('SELECT post_id, author_id, position FROM post_authors ORDER BY post_id').all(), [{ post_id: 1, author_id: 2, position: 0 }, { post_id: 2, author_id: 2, position: 0 }, { post_id: 3, author_id: 1, position: 0 }])
  c.prepare('DELETE FROM posts WHERE id = 3').run()
  t.equal(c.prepare('SELECT count(*) FROM post_authors WHERE post_id = 3').pluck().get(), 0, 'deleted with its post')
  c.close()
})
