import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { createContentVersion } from '../../src/db/content-version.js'

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

t.test('the content version: read once per event-loop turn, a local bump seen at once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-version-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'v.db')
  const mine = openDatabase(path)
  runMigrations(mine)
  // Another process's connection to the same file.
  const theirs = openDatabase(path)
  t.teardown(() => { mine.$client.close(); theirs.$client.close() })
  const version = createContentVersion(mine)
  const bumpElsewhere = () => theirs.$client.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version'").run()

  const first = version.stamp()
  t.equal(version.stamp(), first, 'stable while nothing changes')
  bumpElsewhere()
  t.equal(version.stamp(), first, 'another connection\'s commit in the same turn is not read again')
  await nextTurn()
  const second = version.stamp()
  t.not(second, first, 'the next turn reads it')

  mine.$client.transaction(() => version.bump())()
  const third = version.stamp()
  t.not(third, second, 'a bump through this object is seen in the same turn')
  t.equal(version.stamp(), third)
})
