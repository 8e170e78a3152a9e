import t from 'tap'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { openDatabase } from '../../../src/db/client.js'
import { MIGRATIONS_FOLDER, runMigrations } from '../../../src/db/migrate.js'

t.test('the revisions migration gives every existing post and page its revision 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-revisions-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  // The migrations as they were before revisions: every one up to the one that adds them.
  const before = join(dir, 'migrations')
  cpSync(MIGRATIONS_FOLDER, before, { recursive: true })
  const journalPath = join(before, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> }
  const at = journal.entries.findIndex((e) => e.tag.endsWith('_revisions'))
  t.ok(at > 0, 'the revisions migration is in the journal')
  journal.entries = journal.entries.slice(0, at)
  writeFileSync(journalPath, JSON.stringify(journal))

  const db = openDatabase(join(dir, 'old.db'))
  t.teardown(() => db.$client.close())
  migrate(db, { migrationsFolder: before })
  const c = db.$client
  c.prepare("INSERT INTO authors (slug, name, created_at, updated_at) VALUES ('a', 'A', 0, 0)").run()
  c.prepare("INSERT INTO posts (slug, title, excerpt, author_id, status, published_at, created_at, updated_at, content_html, canonical_url) VALUES ('p', 'Old post', 'Ex', 1, 'published', 5000, 1000, 2000, '<p>Body</p>', 'https://x.example/p')").run()
  c.prepare("INSERT INTO post_seo (post_id, meta_title, noindex) VALUES (1, 'Meta', 1)").run()
  c.prepare("INSERT INTO posts (slug, title, author_id, created_at, updated_at) VALUES ('q', 'No SEO', 1, 0, 3000)").run()
  c.prepare("INSERT INTO pages (slug, title, status, created_at, updated_at, og_title, content_html) VALUES ('about', 'About', 'draft', 0, 4000, 'OG', '<p>Us</p>')").run()

  runMigrations(db)
  const rows = c.prepare('SELECT post_id, page_id, number, created_at, key_name, changed, restored_from, fields FROM revisions ORDER BY id').all() as Array<Record<string, unknown>>
  t.equal(rows.length, 3)
  t.match(rows[0], { post_id: 1, page_id: null, number: 1, created_at: 2000, key_name: null, restored_from: null })
  t.equal(JSON.parse(rows[0].changed as string).length, 15)
  t.same(JSON.parse(rows[0].fields as string), {
    title: 'Old post',
    excerpt: 'Ex',
    content_html: '<p>Body</p>',
    status: 'published',
    published_at: 5000,
    meta_title: 'Meta',
    meta_description: null,
    og_title: null,
    og_description: null,
    og_image: null,
    twitter_title: null,
    twitter_description: null,
    twitter_image: null,
    canonical_url: 'https://x.example/p',
    noindex: true
  })
  t.match(JSON.parse(rows[1].fields as string), { title: 'No SEO', meta_title: null, noindex: false }, 'a post without SEO row')
  t.match(rows[2], { post_id: null, page_id: 1, number: 1, created_at: 4000 })
  t.match(JSON.parse(rows[2].fields as string), { title: 'About', og_title: 'OG', content_html: '<p>Us</p>', status: 'draft', noindex: false })
  t.throws(() => c.prepare("INSERT INTO revisions (number, created_at, changed, fields) VALUES (1, 0, '[]', '{}')").run(), /CHECK/, 'a revision belongs to a post or a page')
})
