import { asc } from 'drizzle-orm'
import type { Test } from 'tap'
import { createChangeBus, type ContentChange } from '../../src/db/change-bus.js'
import { openDatabase, type Db } from '../../src/db/client.js'
import { createEngineWriter } from '../../src/db/engine-write.js'
import { createInvalidations } from '../../src/db/invalidations.js'
import { runMigrations } from '../../src/db/migrate.js'
import { pgChangeLogListener } from '../../src/db/pg/change-log.js'
import { openPg, runPgMigrations, type PgDb } from '../../src/db/pg/client.js'
import * as pgs from '../../src/db/pg/schema.js'
import { createPgChangeBus } from '../../src/db/pg/write.js'
import { changes } from '../../src/db/schema.js'
import { createEngineTermVisibility, createTermVisibility } from '../../src/db/term-visibility.js'
import { goLiveKeys, keysForChanges } from '../../src/modules/cache-keys.js'
import { createChangesRepository } from '../../src/modules/changes/changes-repository.js'

// What the shared cases of a ported module (test/helpers/*-cases.ts) run on: a migrated database
// of one engine, the engine-neutral writer with that engine's change log wired, the changes of
// each committed write, and the change log read back as `resource:id:action`.

type ChangeRow = { resource: string, resourceId: number | null, action: string }
const entry = (r: ChangeRow) => `${r.resource}:${r.resourceId}:${r.action}`

/** An in-memory SQLite database, closed at the end of `t`. */
export function sqliteHarness (t: Test) {
  const db: Db = openDatabase(':memory:')
  t.teardown(() => db.$client.close())
  runMigrations(db)
  const bus = createChangeBus()
  const committed: ContentChange[][] = []
  bus.onCommitted((changes) => { committed.push([...changes]) })
  const log = createChangesRepository({ engine: 'sqlite', db }, createTermVisibility(db))
  bus.on((change, now) => { log.listener(change, now) })
  const invalidations = createInvalidations(db, { goLiveKeys })
  const { write } = createEngineWriter({ engine: 'sqlite', db, bus, invalidations, keysOf: keysForChanges })
  return {
    db,
    edb: { engine: 'sqlite', db } as const,
    write,
    committed,
    changeLog: async () => db.select().from(changes).orderBy(asc(changes.id)).all().map(entry)
  }
}

/** The PostgreSQL database at `url`, migrated, with its site row; its pool ends with `t`. */
export async function pgHarness (t: Test, url: string, origin: string) {
  await runPgMigrations(url)
  const db: PgDb = openPg(url, { max: 4 })
  t.teardown(async () => { await db.$client.end() })
  await db.insert(pgs.siteSettings).values({ id: 1, title: 'Broadsheet', updatedAt: Date.now() })
  const bus = createPgChangeBus()
  bus.onSettle(pgChangeLogListener({ terms: createEngineTermVisibility({ engine: 'postgres', db }) }))
  const committed: ContentChange[][] = []
  bus.onCommitted((changes) => { committed.push([...changes]) })
  const { write } = createEngineWriter({ engine: 'postgres', db, bus, keysOf: keysForChanges, origin })
  return {
    db,
    edb: { engine: 'postgres', db } as const,
    write,
    committed,
    changeLog: async () => (await db.select().from(pgs.changes).orderBy(asc(pgs.changes.id))).map(entry)
  }
}
