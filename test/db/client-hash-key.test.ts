import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/client.js'
import { clientHashKey, clientHashKeyPath } from '../../src/db/client-hash-key.js'
import { runMigrations } from '../../src/db/migrate.js'
import { hashClientAddress } from '../../src/lib/client-address.js'
import { TEST_ADMIN_TOKEN } from '../helper.js'

const ROOT = new URL('../..', import.meta.url).pathname
const run = promisify(execFile)

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-key-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Every file SQLite keeps for the database (main file, WAL, shared memory), as one buffer. */
function databaseBytes (path: string): Buffer {
  return Buffer.concat([path, `${path}-wal`, `${path}-shm`].filter(existsSync).map((p) => readFileSync(p)))
}

t.test('a new database gets its key in a 0600 file beside it, never in the database', async (t) => {
  const dir = tempDir(t)
  const path = join(dir, 'site.db')
  const db = openDatabase(path)
  runMigrations(db)
  const key = clientHashKey(db)
  t.equal(clientHashKeyPath(db), `${path}.key`)
  t.match(key, /^[0-9a-f]{64}$/)
  t.equal(readFileSync(`${path}.key`, 'utf8').trim(), key)
  if (process.platform !== 'win32') t.equal(statSync(`${path}.key`).mode & 0o777, 0o600, 'readable by the owner only')
  t.equal(db.$client.prepare("SELECT count(*) FROM meta WHERE key = 'client_hash_key'").pluck().get(), 0)
  db.$client.close()
  t.notOk(databaseBytes(path).includes(key), 'the database files do not hold the key')
  t.same(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file is left')
  // Reopened: the same key.
  const again = openDatabase(path)
  runMigrations(again)
  t.equal(clientHashKey(again), key)
  again.$client.close()
})

t.test('an in-memory database gets a key for the life of the process', async (t) => {
  const a = openDatabase(':memory:')
  const b = openDatabase(':memory:')
  runMigrations(a)
  runMigrations(b)
  t.equal(clientHashKeyPath(a), null)
  t.match(clientHashKey(a), /^[0-9a-f]{64}$/)
  t.equal(clientHashKey(a), clientHashKey(b))
  a.$client.close()
  b.$client.close()
})

t.test('a database from an earlier version loses its key from meta and starts a new one', async (t) => {
  const dir = tempDir(t)
  const path = join(dir, 'old.db')
  // As the earlier version left it: the key in meta, hashes of whole addresses made with it.
  const old = openDatabase(path)
  runMigrations(old)
  const legacy = 'ab'.repeat(32)
  const client = old.$client
  client.prepare("INSERT INTO meta (key, value) VALUES ('client_hash_key', ?)").run(legacy)
  client.prepare("INSERT INTO authors (slug, name, created_at, updated_at) VALUES ('a', 'A', 0, 0)").run()
  client.prepare("INSERT INTO posts (slug, title, author_id, status, published_at, created_at, updated_at) VALUES ('p', 'P', 1, 'published', 0, 0, 0)").run()
  const oldHash = hashClientAddress(legacy, '203.0.113.50')
  client.prepare(`INSERT INTO comments (post_id, path, depth, author_name, author_email, content, content_html, content_hash, status, client_hash, created_at, updated_at)
    VALUES (1, '000000000001', 0, 'Sam', 'sam@example.com', 'hi', '<p>hi</p>', 'h', 'approved', ?, 0, 0)`).run(oldHash)
  for (let i = 0; i < 50; i++) client.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version'").run()
  client.close()
  rmSync(`${path}.key`)
  t.ok(databaseBytes(path).includes(legacy), 'the earlier version had the key in the database file')

  const upgraded = openDatabase(path)
  runMigrations(upgraded)
  const key = clientHashKey(upgraded)
  t.not(key, legacy, 'a new key: the old one may be in old backups')
  t.equal(readFileSync(`${path}.key`, 'utf8').trim(), key)
  t.equal(upgraded.$client.prepare("SELECT count(*) FROM meta WHERE key = 'client_hash_key'").pluck().get(), 0)
  t.equal(upgraded.$client.prepare('SELECT client_hash FROM comments').pluck().get(), null, 'hashes made with the old key are dropped')
  t.equal(upgraded.$client.prepare('SELECT author_name FROM comments').pluck().get(), 'Sam', 'the comment stays')
  upgraded.$client.close()
  const bytes = databaseBytes(path)
  t.notOk(bytes.includes(legacy), 'the old key is not left in the files')
  t.notOk(bytes.includes(oldHash), 'nor the old hashes')
})

t.test('a damaged key file stops the start with a message naming it', async (t) => {
  const dir = tempDir(t)
  const path = join(dir, 'broken.db')
  writeFileSync(`${path}.key`, 'not a key\n', { mode: 0o600 })
  const db = openDatabase(path)
  t.teardown(() => db.$client.close())
  t.throws(() => runMigrations(db), { message: new RegExp(`${path}\\.key should hold the commenter-address key`) })
})

t.test('processes starting together on a new database agree on one key', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t)
  const path = join(dir, 'shared.db')
  // Create the database first so the processes race for the key file, not for migrations.
  const db = openDatabase(path)
  runMigrations(db)
  db.$client.close()
  rmSync(`${path}.key`)
  const script = `const { openDatabase } = await import(${JSON.stringify(join(ROOT, 'src/db/client.ts'))})
    const { clientHashKey } = await import(${JSON.stringify(join(ROOT, 'src/db/client-hash-key.ts'))})
    console.log(clientHashKey(openDatabase(${JSON.stringify(path)})))`
  const outputs = await Promise.all(Array.from({ length: 4 }, () =>
    run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT })))
  const keys = new Set(outputs.map((o) => o.stdout.trim()))
  t.equal(keys.size, 1, 'one key for all')
  t.equal([...keys][0], readFileSync(`${path}.key`, 'utf8').trim(), 'the one in the file')
})

t.test('restarts keep the key: a duplicate from the same client is caught across a restart', async (t) => {
  const dir = tempDir(t)
  const env = { DATABASE_PATH: join(dir, 'app.db'), ADMIN_TOKEN: TEST_ADMIN_TOKEN, LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0' }
  const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }
  const comment = (email: string) => ({ author_name: 'Sam', author_email: email, content: 'The very same words' })
  const first = await buildApp(loadConfig(env))
  const author = (await first.inject({ method: 'POST', url: '/v1/authors', headers: auth, payload: { name: 'Ed' } })).json().data
  const post = await first.inject({ method: 'POST', url: '/v1/posts', headers: auth, payload: { title: 'Story', author_id: author.id, status: 'published' } })
  t.equal(post.statusCode, 201)
  const slug = post.json().data.slug
  t.equal((await first.inject({ method: 'POST', url: `/v1/posts/${slug}/comments`, payload: comment('one@example.com'), remoteAddress: '198.51.100.7' })).statusCode, 201)
  await first.close()
  const second = await buildApp(loadConfig(env))
  t.teardown(() => second.close())
  // Another e-mail, so only the client's hash can tell it is the same sender.
  const again = await second.inject({ method: 'POST', url: `/v1/posts/${slug}/comments`, payload: comment('two@example.com'), remoteAddress: '198.51.100.7' })
  t.equal(again.statusCode, 409, 'the same client address hashes the same after the restart')
  const elsewhere = await second.inject({ method: 'POST', url: `/v1/posts/${slug}/comments`, payload: comment('three@example.com'), remoteAddress: '203.0.113.7' })
  t.equal(elsewhere.statusCode, 201, 'another network is another client')
})
