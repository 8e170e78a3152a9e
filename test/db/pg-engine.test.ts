import t from 'tap'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../src/cli.js'
import { ROOT, TSX } from '../helpers/server-process.js'

// Until the repositories are ported, DATABASE_URL must not quietly leave a process on SQLite
// (issue 20): the server and the CLI refuse it, naming what exists; migrate-to takes it.

function capture () {
  const err: string[] = []
  const out: string[] = []
  const { log, error } = console
  console.log = (...a: unknown[]) => { out.push(a.join(' ')) }
  console.error = (...a: unknown[]) => { err.push(a.join(' ')) }
  return { out, err, restore: () => { console.log = log; console.error = error } }
}

t.test('the server refuses to start with DATABASE_URL, and creates no SQLite file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-engine-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'site.db')
  const run = (url: string) => spawnSync(process.execPath, ['--import', TSX, join(ROOT, 'src/server.ts')], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, DATABASE_URL: url, DATABASE_PATH: path, PORT: '0', LOG_LEVEL: 'silent' }
  })
  const pg = run('postgres://broadsheet:secret@127.0.0.1:1/site')
  t.equal(pg.status, 1)
  t.match(pg.stderr, /serving from PostgreSQL is not available yet/)
  t.match(pg.stderr, /migrate-to/, 'names what exists')
  t.notMatch(pg.stderr, /secret/, 'never echoes the URL')
  const other = run('mysql://root@127.0.0.1/site')
  t.equal(other.status, 1)
  t.match(other.stderr, /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/)
  t.notOk(existsSync(path), 'the SQLite file was never opened')
})

t.test('CLI commands refuse DATABASE_URL; migrate-to checks its URL', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-engine-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'site.db')
  const io = capture()
  try {
    t.equal(await runCli(['keys', 'list'], { DATABASE_PATH: path, DATABASE_URL: 'postgresql://x@127.0.0.1:1/site' }), 2)
    t.match(io.err.join('\n'), /serving from PostgreSQL is not available yet/)
    t.notOk(existsSync(path), 'no SQLite file made')
    io.err.length = 0
    t.equal(await runCli(['migrate-to'], { DATABASE_PATH: path }), 2)
    t.match(io.err.join('\n'), /migrate-to needs the PostgreSQL database/)
    t.equal(await runCli(['migrate-to', 'mysql://root:pw@db/site'], { DATABASE_PATH: path }), 2)
    t.match(io.err.join('\n'), /is not a postgres:\/\/ or postgresql:\/\/ URL/)
    t.notMatch(io.err.join('\n'), /pw@/, 'the password is not printed')
  } finally {
    io.restore()
  }
})

t.test('backup with a PostgreSQL DATABASE_URL answers with pg_dump and writes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-engine-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'site.db')
  const target = join(dir, "it's.dump")
  const io = capture()
  try {
    t.equal(await runCli(['backup', target], { DATABASE_PATH: path, DATABASE_URL: 'postgres://site:s3cret@db.internal:5432/site' }), 2, 'no backup was made: not a success')
    const out = io.out.join('\n')
    t.match(out, `pg_dump --format=custom --no-owner --file='${target.replace("'", "'\\''")}' "$DATABASE_URL"`, 'the dump command, the file quoted for the shell')
    t.match(out, /pg_restore --no-owner --dbname="\$DATABASE_URL"/, 'and how to restore')
    t.match(out, 'postgres://site:***@db.internal:5432/site', 'names the database')
    t.notMatch(out, /s3cret/, 'never the password')
    t.notOk(existsSync(target), 'no file written')
    t.notOk(existsSync(path), 'the SQLite file was never opened')
  } finally {
    io.restore()
  }
})
