import t from 'tap'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { openDatabase } from '../../src/db/client.js'
import { MIGRATIONS_FOLDER, runMigrations } from '../../src/db/migrate.js'

// The migration that adds scheduled_page_events gives pages scheduled before it their
// go-live event, as a write would have: an upgrade loses no page.published.

t.test('upgrading: pages scheduled before the migration get their page.published event', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-migration-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  // The migrations before this one, in a folder of their own.
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> }
  const at = journal.entries.findIndex((e) => e.tag.endsWith('_scheduled_page_events'))
  t.ok(at > 0, 'the migration is in the journal')
  const earlier = join(dir, 'earlier')
  mkdirSync(join(earlier, 'meta'), { recursive: true })
  for (const entry of journal.entries.slice(0, at)) copyFileSync(join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), join(earlier, `${entry.tag}.sql`))
  writeFileSync(join(earlier, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }))

  const db = openDatabase(join(dir, 'site.db'))
  t.teardown(() => db.$client.close())
  migrate(db, { migrationsFolder: earlier })
  const now = Date.now()
  const insert = db.$client.prepare('INSERT INTO pages (slug, title, status, published_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
  const future = insert.run('soon', 'Soon', 'published', now + 3_600_000, now, now).lastInsertRowid
  insert.run('live', 'Live', 'published', now - 3_600_000, now, now)
  insert.run('draft', 'Draft', 'draft', now + 3_600_000, now, now)
  runMigrations(db)
  const events = db.$client.prepare('SELECT page_id, event, due_at FROM scheduled_page_events').all()
  t.same(events, [{ page_id: Number(future), event: 'page.published', due_at: now + 3_600_000 }], 'only the scheduled page')
})
