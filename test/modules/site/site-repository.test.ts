import t from 'tap'
import { asc } from 'drizzle-orm'
import { createChangeBus } from '../../../src/db/change-bus.js'
import { openDatabase } from '../../../src/db/client.js'
import { createEngineWriter } from '../../../src/db/engine-write.js'
import { createInvalidations } from '../../../src/db/invalidations.js'
import { runMigrations } from '../../../src/db/migrate.js'
import { changes, invalidations as invalidationsTable } from '../../../src/db/schema.js'
import { createTermVisibility } from '../../../src/db/term-visibility.js'
import { goLiveKeys, keysForChanges } from '../../../src/modules/cache-keys.js'
import { createChangesRepository } from '../../../src/modules/changes/changes-repository.js'
import { createSiteRepository } from '../../../src/modules/site/site-repository.js'
import { siteCases } from '../../helpers/site-cases.js'

// The site module on SQLite through the engine-neutral writer, with the change log listener and
// invalidations core.ts wires; the same cases run on PostgreSQL in test/db/pg-site.test.ts.

t.test('site repository and service on SQLite', async (t) => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.$client.close())
  runMigrations(db)
  const bus = createChangeBus()
  const invalidations = createInvalidations(db, { goLiveKeys })
  const log = createChangesRepository({ engine: 'sqlite', db }, createTermVisibility(db))
  bus.on((change, now) => { log.listener(change, now) })
  const told: string[][] = []
  invalidations.onAnnounced((keys) => { told.push([...keys]) })
  const { write } = createEngineWriter({ engine: 'sqlite', db, bus, invalidations, keysOf: keysForChanges })
  await siteCases(t, {
    repo: createSiteRepository({ engine: 'sqlite', db }),
    write,
    told,
    changeLog: async () => db.select({ resource: changes.resource, resourceId: changes.resourceId, action: changes.action, changedAt: changes.changedAt }).from(changes).orderBy(asc(changes.id)).all(),
    invalidationRows: async () => db.select({ keys: invalidationsTable.keys }).from(invalidationsTable).orderBy(asc(invalidationsTable.id)).all().map((r) => r.keys)
  })
})
