import t from 'tap'
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { runCli } from '../src/cli.js'

function capture () {
  const out: string[] = []
  const err: string[] = []
  const log = console.log
  const error = console.error
  console.log = (...a: unknown[]) => { out.push(a.join(' ')) }
  console.error = (...a: unknown[]) => { err.push(a.join(' ')) }
  return { out, err, restore: () => { console.log = log; console.error = error } }
}

t.test('every command names the database it opened; --demo follows the server\'s rule', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const io = capture()
  try {
    const path = join(dir, 'named.db')
    t.equal(await runCli(['migrate'], { DATABASE_PATH: path }), 0)
    t.match(io.err.join('\n'), `database: ${path}`, 'on stderr: stdout stays the answer')
    t.notMatch(io.out.join('\n'), 'database: ')
    t.equal(await runCli(['--demo', 'migrate'], { DATABASE_PATH: path }), 0, '--demo anywhere before the command')
    t.equal(await runCli(['keys', 'list', '--demo'], { DATABASE_PATH: path }), 0, 'or after it')
    t.equal(io.err.filter((l) => l === `database: ${path}`).length, 3, 'an explicit DATABASE_PATH wins over --demo, as for the server')
  } finally {
    io.restore()
  }
})

t.test('keys revoke takes the id, the prefix keys list shows, or the whole key', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_PATH: join(dir, 'keys.db') }
  const io = capture()
  try {
    const keys: string[] = []
    for (const name of ['a', 'b', 'c', 'd']) {
      t.equal(await runCli(['keys', 'create', '--name', name, '--scopes', 'admin'], env), 0)
      keys.push(io.out.findLast((l) => l.startsWith('bs_'))!)
    }
    io.out.length = 0
    t.equal(await runCli(['keys', 'list'], env), 0)
    const shown = io.out.map((l) => l.split('\t')[1])
    t.match(shown[0], /^bs_.{5}…$/)
    t.equal(await runCli(['keys', 'revoke', shown[0]!], env), 0, 'the prefix as listed, with its …')
    t.match(io.out.at(-1), `revoked key 1 (${shown[0]}, "a")`)
    t.equal(await runCli(['keys', 'revoke', shown[1]!.replace('…', '')], env), 0, 'the prefix without …')
    t.match(io.out.at(-1), /revoked key 2 /)
    t.equal(await runCli(['keys', 'revoke', keys[2]!], env), 0, 'the whole key')
    t.match(io.out.at(-1), /revoked key 3 /)
    t.equal(await runCli(['keys', 'revoke', 'bs_'], env), 2, 'a prefix of several keys is refused')
    t.match(io.err.at(-1), /the prefix bs_ is ambiguous: keys 1 \(bs_.{5}…\), 2 .*, 4 .*; give the id or more of the prefix/)
    t.equal(await runCli(['keys', 'revoke', `${keys[3]!.slice(0, 8)}x`], env), 2, 'a key that only starts like one')
    t.match(io.err.at(-1), /no key starts with bs_.{5}… and matches the key given/)
    t.equal(await runCli(['keys', 'revoke', 'bs_%%%%%'], env), 2)
    t.match(io.err.at(-1), 'no key has the prefix bs_%%%%%')
    t.equal(await runCli(['keys', 'revoke', 'newsroom'], env), 2)
    t.match(io.err.at(-1), /neither a key id nor a key prefix/)
    t.equal(await runCli(['keys', 'revoke'], env), 2)
    t.match(io.err.at(-1), /needs a key ID or the prefix/)
    io.out.length = 0
    t.equal(await runCli(['keys', 'list'], env), 0)
    t.same(io.out.map((l) => /revoked/.test(l.split('\t')[4] ?? '')), [true, true, true, false], 'exactly the three named keys are revoked')
  } finally {
    io.restore()
  }
})

t.test('keys create, list and revoke; backup; errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_PATH: join(dir, 'db', 'cli.db') }
  const io = capture()
  try {
    t.equal(await runCli(['migrate'], env), 0)
    t.equal(await runCli(['keys', 'create', '--name', 'ci', '--scopes', 'write:content,read:drafts'], env), 0)
    const key = io.out.find((l) => l.startsWith('bs_'))
    t.match(key, /^bs_[A-Za-z0-9_-]{43}$/, 'the key is printed once')
    t.equal(await runCli(['keys', 'list'], env), 0)
    t.match(io.out.join('\n'), /1\tbs_.{5}…\tci\twrite:content,read:drafts\tlast used never/)
    t.notMatch(io.out.slice(io.out.indexOf(key!) + 1).join('\n'), key!, 'list never shows the key')
    t.equal(await runCli(['keys', 'revoke', '1'], env), 0)
    t.equal(await runCli(['keys', 'revoke', '7'], env), 2)
    t.equal(await runCli(['keys', 'create', '--name', 'x', '--scopes', 'root'], env), 2)
    t.match(io.err.join('\n'), /unknown: root/)
    t.equal(await runCli(['keys', 'create', '--scopes', 'admin'], env), 2)
    t.equal(await runCli(['nope'], env), 2)
    t.equal(await runCli(['backup'], env), 2)
    const copy = join(dir, 'copy.db')
    t.equal(await runCli(['backup', copy], env), 0)
    t.ok(existsSync(copy))
    const keyFile = `${env.DATABASE_PATH}.key`
    t.match(io.out.join('\n'), `not in the backup: the commenter-address key ${keyFile}`, 'says the key file is separate')
    t.notOk(existsSync(`${copy}.key`), 'the key is not copied')
    t.notOk(readFileSync(copy).includes(readFileSync(keyFile, 'utf8').trim()), 'nor in the copy')
    const restored = new Database(copy, { readonly: true })
    t.equal(restored.prepare('SELECT count(*) FROM api_keys').pluck().get(), 1)
    t.equal(restored.pragma('integrity_check', { simple: true }), 'ok')
    restored.close()
    t.equal(await runCli(['migrate'], { DATABASE_PATH: join(dir, 'x.db'), PORT: 'bad' }), 2)
    t.match(io.err.join('\n'), /PORT="bad" is invalid/)
  } finally {
    io.restore()
  }
})

t.test('rebuild builds the read model afresh', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_PATH: join(dir, 'cli.db') }
  const io = capture()
  try {
    t.equal(await runCli(['seed-demo'], env), 0)
    const db = new Database(env.DATABASE_PATH)
    const posts = (db.prepare('SELECT count(*) AS n FROM posts').get() as { n: number }).n
    db.exec('DELETE FROM post_documents; DELETE FROM comment_threads')
    db.close()
    t.equal(await runCli(['rebuild'], env), 0)
    t.match(io.out.join('\n'), /rebuilt the read model: \d+ documents in \d+ ms/)
    const after = new Database(env.DATABASE_PATH, { readonly: true })
    t.equal((after.prepare('SELECT count(*) AS n FROM post_documents').get() as { n: number }).n, posts, 'every post has its documents')
    t.equal((after.prepare('SELECT count(*) AS n FROM comment_threads').get() as { n: number }).n, posts, 'every post has its stored thread')
    t.equal((after.prepare('SELECT count(*) AS n FROM post_queue').get() as { n: number }).n, 0, 'nothing left queued')
    after.close()
  } finally {
    io.restore()
  }
})
