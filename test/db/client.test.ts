import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inBackground, openDatabase } from '../../src/db/client.js'

// The background steps of the read model commit without an fsync and never wait for a lock;
// with DATABASE_SYNCHRONOUS=full everything else keeps synchronous=FULL and the busy timeout,
// whatever the step did (with the default, NORMAL, only the busy timeout changes).
t.test('inBackground runs with synchronous=NORMAL and busy_timeout 0, and restores both', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-client-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const db = openDatabase(join(dir, 'x.db'), 'full')
  t.teardown(() => db.$client.close())
  const pragmas = () => ({ synchronous: db.$client.pragma('synchronous', { simple: true }), busy: db.$client.pragma('busy_timeout', { simple: true }) })
  t.same(pragmas(), { synchronous: 2, busy: 5000 }, 'FULL and 5 s outside')
  t.same(inBackground(db, pragmas), { synchronous: 1, busy: 0 }, 'NORMAL and no wait inside')
  t.same(pragmas(), { synchronous: 2, busy: 5000 }, 'restored after')
  t.throws(() => inBackground(db, () => { throw new Error('step failed') }), /step failed/)
  t.same(pragmas(), { synchronous: 2, busy: 5000 }, 'restored after a failure')
  const normal = openDatabase(join(dir, 'y.db'))
  t.teardown(() => normal.$client.close())
  t.same(inBackground(normal, () => normal.$client.pragma('busy_timeout', { simple: true })), 0)
  t.equal(normal.$client.pragma('synchronous', { simple: true }), 1, 'the default stays NORMAL')
  t.end()
})
