import t, { type Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BACKSTOP_PAGES, createCheckpointer } from '../../src/db/checkpointer.js'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { buildTestApp } from '../helper.js'
import { makeAuthor } from '../helpers/factories.js'

function fileDb (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-checkpoint-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return join(dir, 'test.db')
}

t.test('a running server checkpoints the WAL in its worker thread, not in the writes', async (t) => {
  const app = await buildTestApp(t, { DATABASE_PATH: fileDb(t) })
  const c = app.db.$client
  t.equal(c.pragma('wal_autocheckpoint', { simple: true }), BACKSTOP_PAGES, 'the writing connection checkpoints only past the backstop')
  const author = makeAuthor(app.db, { slug: 'desk', name: 'Desk' })
  for (let i = 0; i < 20; i++) {
    app.core.writes.posts.create({ title: `Post ${i}`, content_html: `<p>${'word '.repeat(2000)}${i}</p>`, status: 'published', author_id: author.id })
  }
  // The worker copies every frame of the WAL into the database file.
  let last = app.core.workers.checkpointer.status().last
  for (let i = 0; i < 100 && !(last !== null && last.log > 0 && last.checkpointed === last.log); i++) {
    await sleep(50)
    last = app.core.workers.checkpointer.status().last
  }
  t.ok(last !== null && last.log > 0 && last.checkpointed === last.log, `a round checkpointed the whole WAL: ${JSON.stringify(last)}`)
  t.equal(last?.error, undefined)
})

t.test('stop closes the worker and gives the connection its automatic checkpoint back; :memory: has none', async (t) => {
  const db = openDatabase(fileDb(t))
  t.teardown(() => { db.$client.close() })
  runMigrations(db)
  const before = db.$client.pragma('wal_autocheckpoint', { simple: true })
  const cp = createCheckpointer(db, { intervalMs: 10 })
  cp.start()
  t.equal(db.$client.pragma('wal_autocheckpoint', { simple: true }), BACKSTOP_PAGES)
  while (cp.status().rounds === 0) await sleep(10)
  await cp.stop()
  t.equal(db.$client.pragma('wal_autocheckpoint', { simple: true }), before, 'restored')
  const rounds = cp.status().rounds
  await sleep(50)
  t.equal(cp.status().rounds, rounds, 'no round after stop')

  const memory = openDatabase(':memory:')
  t.teardown(() => { memory.$client.close() })
  const none = createCheckpointer(memory)
  none.start()
  t.equal(memory.$client.pragma('wal_autocheckpoint', { simple: true }), 1000, ':memory: keeps its setting, no worker')
  await none.stop()
})
