import t from 'tap'
import { eq } from 'drizzle-orm'
import * as pgs from '../../src/db/pg/schema.js'
import { mediaCases } from '../helpers/media-cases.js'
import { pgHarness } from '../helpers/engine-harness.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// The media library on PostgreSQL: the cases test/modules/media/media-engine.test.ts runs on
// SQLite, through the engine-neutral writer, with the PostgreSQL change log wired (a metadata
// change re-announces the posts showing the image).

t.test('media repository and service on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('media')
  const h = await pgHarness(t, url, 'media-test')
  const { db } = h
  const now = Date.now()
  const [author] = await db.insert(pgs.authors).values({ slug: 'ann', name: 'Ann', createdAt: now, updatedAt: now }).returning({ id: pgs.authors.id })
  let n = 0
  await mediaCases(t, {
    ...h,
    async post () {
      const at = Date.now()
      n++
      const [row] = await db.insert(pgs.posts).values({ slug: `post-${n}`, title: `Post ${n}`, status: 'published', publishedAt: at - 86_400_000, authorId: author.id, createdAt: at, updatedAt: at }).returning({ id: pgs.posts.id })
      return row.id
    },
    feature: async (postId, mediaId) => { await db.insert(pgs.postFeaturedMedia).values({ postId, mediaId }) },
    featuring: async (mediaId) => (await db.select({ id: pgs.postFeaturedMedia.postId }).from(pgs.postFeaturedMedia).where(eq(pgs.postFeaturedMedia.mediaId, mediaId))).map((r) => r.id)
  })
})
