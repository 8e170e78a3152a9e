import t from 'tap'
import { asc, eq } from 'drizzle-orm'
import type { ContentChange } from '../../../src/db/change-bus.js'
import { createChangeBus } from '../../../src/db/change-bus.js'
import { openDatabase } from '../../../src/db/client.js'
import { createEngineWriter } from '../../../src/db/engine-write.js'
import { createInvalidations } from '../../../src/db/invalidations.js'
import { runMigrations } from '../../../src/db/migrate.js'
import { changes, postCategories } from '../../../src/db/schema.js'
import { createTermVisibility } from '../../../src/db/term-visibility.js'
import { createChangesRepository } from '../../../src/modules/changes/changes-repository.js'
import { goLiveKeys, keysForChanges } from '../../../src/modules/cache-keys.js'
import { adminAuth, buildTestApp } from '../../helper.js'
import { makePost } from '../../helpers/factories.js'
import { termsCases } from '../../helpers/terms-cases.js'

// The taxonomy's engine-neutral repository and service on SQLite; the same cases run on
// PostgreSQL in test/db/pg-terms.test.ts.

t.test('terms repository and service on SQLite', async (t) => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.$client.close())
  runMigrations(db)
  const bus = createChangeBus()
  const committed: ContentChange[][] = []
  bus.onCommitted((changes) => { committed.push([...changes]) })
  const invalidations = createInvalidations(db, { goLiveKeys })
  const log = createChangesRepository({ engine: 'sqlite', db }, createTermVisibility(db))
  bus.on((change, now) => { log.listener(change, now) })
  const { write } = createEngineWriter({ engine: 'sqlite', db, bus, invalidations, keysOf: keysForChanges })
  await termsCases(t, {
    edb: { engine: 'sqlite', db },
    write,
    committed,
    post: async ({ authorId, status = 'published', categoryIds, tagIds }) => makePost(db, { authorId, status, categoryIds, tagIds, ...(status === 'published' ? {} : { publishedAt: null }) }).id,
    changeLog: async () => db.select().from(changes).orderBy(asc(changes.id)).all().map((r) => `${r.resource}:${r.resourceId}:${r.action}`),
    categoriesOf: async (postId) => db.select({ id: postCategories.categoryId }).from(postCategories).where(eq(postCategories.postId, postId)).orderBy(asc(postCategories.position)).all().map((r) => r.id)
  })
})

t.test('over HTTP: NUL in a slug is a 400 on writes and a 404 on reads, never a 500', async (t) => {
  const app = await buildTestApp(t)
  const headers = { ...adminAuth, 'content-type': 'application/json' }
  for (const base of ['/v1/categories', '/v1/tags', '/v1/authors']) {
    const read = await app.inject(`${base}/a%00b`)
    t.equal(read.statusCode, 404, `${base}: read`)
    t.match(read.headers['content-type'], /^application\/problem\+json/)
    t.equal((await app.inject({ method: 'POST', url: base, headers, payload: JSON.stringify({ name: 'X', slug: 'a\u0000b' }) })).statusCode, 400, `${base}: create`)
  }
  t.equal((await app.inject({ method: 'POST', url: '/v1/categories', headers, payload: JSON.stringify({ name: 'X', parent_id: 'a\u0000b' }) })).statusCode, 400, 'a parent named with NUL')
  t.equal((await app.inject({ method: 'POST', url: '/v1/tags', headers, payload: JSON.stringify({ name: 'a\u0000b' }) })).statusCode, 400, 'a name with NUL (PostgreSQL text cannot hold it)')
  t.equal((await app.inject('/v1/categories?parent=a%00b')).statusCode, 404, 'a list under a parent named with NUL')
})
