import t from 'tap'
import { createSqliteTransactor } from '../../../src/db/async-transaction.js'
import { openDatabase } from '../../../src/db/client.js'
import { runMigrations } from '../../../src/db/migrate.js'
import { createKeysRepository } from '../../../src/modules/keys/keys-repository.js'
import { adminAuth, buildTestApp } from '../../helper.js'
import { keysCases } from '../../helpers/keys-cases.js'

const T0 = Date.UTC(2026, 10, 30, 12, 0, 10)

t.test('keys over HTTP: the key is shown once and stored only as a hash', async (t) => {
  const app = await buildTestApp(t)
  const created = await app.inject({ method: 'POST', url: '/v1/keys', payload: { name: 'tool', scopes: ['write:content'] }, headers: adminAuth })
  t.equal(created.statusCode, 201)
  const { key, id, prefix, scopes } = created.json().data
  t.match(key, /^bs_[A-Za-z0-9_-]{43}$/)
  t.equal(prefix, key.slice(0, 8))
  t.same(scopes, ['write:content'])
  const stored = app.db.$client.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as Record<string, unknown>
  t.notMatch(JSON.stringify(stored), key)
  const list = await app.inject({ url: '/v1/keys', headers: adminAuth })
  t.equal(list.headers['cache-control'], 'private, no-store')
  t.notMatch(list.body, key)
  t.equal(list.json().data[0].last_used_at, null)
  await app.inject({ url: '/v1/posts', headers: { authorization: `Bearer ${key}` } })
  t.type((await app.inject({ url: '/v1/keys', headers: adminAuth })).json().data[0].last_used_at, 'string', 'last_used_at is kept')
  const bad = await app.inject({ method: 'POST', url: '/v1/keys', payload: { name: 'x', scopes: ['root'] }, headers: adminAuth })
  t.equal(bad.statusCode, 400)
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/keys/999', headers: adminAuth })).statusCode, 404)
})

t.test('keys repository, quotas and routes on SQLite (the cases test/db/pg-keys.test.ts runs on PostgreSQL)', async (t) => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.$client.close())
  runMigrations(db)
  await keysCases(t, createKeysRepository({ engine: 'sqlite', db }))
})

t.test('SQLite: a quota count or last use made while another context\'s async write is open waits for it, never joins it', async (t) => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.$client.close())
  runMigrations(db)
  const repo = createKeysRepository({ engine: 'sqlite', db })
  const transaction = createSqliteTransactor(db)
  const { row } = repo.createSync('counted', ['read:drafts'], T0)
  const day = Math.floor(T0 / 86_400_000) * 86_400_000
  for (const outcome of ['rolled back', 'committed'] as const) {
    let go!: () => void
    const started = new Promise<void>((resolve) => { go = resolve })
    // Registered here, outside the write: resumed among its microtasks, in this context.
    const order: string[] = []
    const counted = started.then(async () => {
      const [check] = await Promise.all([repo.consume(row.id, { perMinute: null, perDay: 100 }, T0), repo.touch(row.id, T0, null)])
      order.push('counted')
      return check
    })
    const write = transaction(async () => {
      repo.createSync(`made by a write that ${outcome}`, ['admin'], T0)
      go()
      for (let i = 0; i < 20; i++) await Promise.resolve()
      order.push('write ends')
      if (outcome === 'rolled back') throw new Error('the write fails')
    })
    if (outcome === 'rolled back') await t.rejects(write, /the write fails/)
    else await write
    t.match(await counted, { allowed: true })
    t.strictSame(order, ['write ends', 'counted'], `${outcome}: the count waited for the write`)
    t.equal((await repo.list(10, 0)).some((k) => k.name === `made by a write that ${outcome}`), outcome === 'committed', 'the write kept its own outcome')
  }
  t.strictSame(await repo.usage(row.id, day), [{ start: day, requests: 2, limited: 0 }], 'both counts kept, the one beside a write that rolled back too')
  t.equal((await repo.findById(row.id))!.lastUsedAt, T0, 'the last use kept')
})
