import t from 'tap'
import Fastify from 'fastify'
import dbPlugin from '../../src/plugins/db.js'
import { openDatabase } from '../../src/db/client.js'

t.test('opens the database, migrates it, and closes it with the app', async (t) => {
  const app = Fastify()
  await app.register(dbPlugin, { path: ':memory:' })
  await app.ready()
  const table = app.db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'invalidations'").pluck().get()
  t.equal(table, 'invalidations', 'migrated: the newest tables exist')
  const client = app.db.$client
  await app.close()
  t.equal(client.open, false, 'closed with the app')
})

t.test('a database it is given is migrated and closed the same way', async (t) => {
  const db = openDatabase(':memory:')
  const app = Fastify()
  await app.register(dbPlugin, { path: 'unused', db })
  t.equal(app.db, db)
  t.ok(db.$client.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'posts'").pluck().get() === 1, 'migrated')
  await app.close()
  t.equal(db.$client.open, false)
})

t.test('plugins registered after it stop before the database closes', async (t) => {
  const app = Fastify()
  await app.register(dbPlugin, { path: ':memory:' })
  const seen: boolean[] = []
  app.addHook('onClose', async () => { seen.push(app.db.$client.open) })
  await app.close()
  t.same(seen, [true], 'a later onClose hook still had the database open')
})
