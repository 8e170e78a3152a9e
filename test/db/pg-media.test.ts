import t from 'tap'
import { asc, eq } from 'drizzle-orm'
import type { ContentChange } from '../../src/db/change-bus.js'
import { createEngineWriter } from '../../src/db/engine-write.js'
import { pgChangeLogListener } from '../../src/db/pg/change-log.js'
import { createEngineTermVisibility } from '../../src/db/term-visibility.js'
import { openPg, runPgMigrations } from '../../src/db/pg/client.js'
import * as pgs from '../../src/db/pg/schema.js'
import { createPgChangeBus } from '../../src/db/pg/write.js'
import { keysForChanges } from '../../src/modules/cache-keys.js'
import { mediaCases } from '../helpers/media-cases.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// The media library on PostgreSQL: the cases test/modules/media/media-engine.test.ts runs on
// SQLite, through the engine-neutral writer, with the PostgreSQL change log wired (a metadata
// change re-announces the posts showing the image).

t.test('media repository and service on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('media')
  await runPgMigrations(url)
  const db = openPg(url, { max: 4 })
  t.teardown(async () => { await db.$client.end() })
  await db.insert(pgs.siteSettings).values({ id: 1, title: 'Broadsheet', updatedAt: Date.now() })
  const bus = createPgChangeBus()
  bus.onSettle(pgChangeLogListener({ terms: createEngineTermVisibility({ engine: 'postgres', db }) }))
  const committed: ContentChange[][] = []
  bus.onCommitted((changes) => { committed.push([...changes]) })
  const { write } = createEngineWriter({ engine: 'postgres', db, bus, keysOf: keysForChanges, origin: 'media-test' })
  const now = Date.now()
  const [author] = await db.insert(pgs.authors).values({ slug: 'ann', name: 'Ann', createdAt: now, updatedAt: now }).returning({ id: pgs.authors.id })
  let n = 0
  await mediaCases(t, {
    edb: { engine: 'postgres', db },
    write,
    committed,
    async post () {
      const at = Date.now()
      n++
      const [row] = await db.insert(pgs.posts).values({ slug: `post-${n}`, title: `Post ${n}`, status: 'published', publishedAt: at - 86_400_000, authorId: author.id, createdAt: at, updatedAt: at }).returning({ id: pgs.posts.id })
      return row.id
    },
    feature: async (postId, mediaId) => { await db.insert(pgs.postFeaturedMedia).values({ postId, mediaId }) },
    featuring: async (mediaId) => (await db.select({ id: pgs.postFeaturedMedia.postId }).from(pgs.postFeaturedMedia).where(eq(pgs.postFeaturedMedia.mediaId, mediaId))).map((r) => r.id),
    changeLog: async () => (await db.select().from(pgs.changes).orderBy(asc(pgs.changes.id))).map((r) => `${r.resource}:${r.resourceId}:${r.action}`)
  })
})
