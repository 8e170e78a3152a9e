import t from 'tap'
import { openDatabase } from '../../../src/db/client.js'
import { runMigrations } from '../../../src/db/migrate.js'
import { createKeysRepository } from '../../../src/modules/keys/keys-repository.js'
import { adminAuth, buildTestApp } from '../../helper.js'
import { keysCases } from '../../helpers/keys-cases.js'

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
