import t, { type Test } from 'tap'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'

// better-sqlite3 bundles a recent SQLite, but operators open the file with their system's
// sqlite3 command line (to look, or to .backup it): Debian 12 ships 3.40. A schema object
// written with newer syntax makes that tool refuse the whole file ("malformed database schema").

const cli = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' })
const noCli = cli.status === 0 ? false : 'the sqlite3 command line is not installed (Debian: apt-get install sqlite3)'

function migrated (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-older-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'site.db')
  const db = openDatabase(path)
  runMigrations(db)
  db.$client.close()
  return path
}

t.test('no schema object uses an aggregate with ORDER BY (SQLite 3.44+ syntax)', async (t) => {
  const path = migrated(t)
  const db = openDatabase(path)
  t.teardown(() => db.$client.close())
  const objects = db.$client.prepare('SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL').all() as Array<{ type: string, name: string, sql: string }>
  t.ok(objects.length > 100)
  const newer = objects.filter((o) => /\b(group_concat|string_agg|json_group_array|json_group_object)\s*\([^()]*\bORDER\s+BY\b/i.test(o.sql))
  t.same(newer.map((o) => `${o.type} ${o.name}`), [])
})

t.test('the system\'s sqlite3 command line opens a migrated database and reads it', { skip: noCli }, async (t) => {
  const path = migrated(t)
  const out = execFileSync('sqlite3', [path, 'PRAGMA quick_check(1); SELECT count(*) FROM sqlite_master WHERE type = \'trigger\'; SELECT count(*) FROM posts;'], { encoding: 'utf8' })
  const [check, triggers, posts] = out.trim().split('\n')
  t.equal(check, 'ok', `sqlite3 ${cli.stdout.split(' ')[0]} reads the schema`)
  t.ok(Number(triggers) > 50, 'every trigger parsed')
  t.equal(posts, '0')
})
