import t from 'tap'
import { eq } from 'drizzle-orm'
import * as pgs from '../../src/db/pg/schema.js'
import { commentsCases } from '../helpers/comments-cases.js'
import { pgHarness } from '../helpers/engine-harness.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// Comments on PostgreSQL: the cases test/modules/comments/comments-engine.test.ts runs on
// SQLite, through the engine-neutral writer, with the PostgreSQL change log wired (comment
// entries, and the posts whose comment_count changed re-announced).

t.test('comments repository and service on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('comments')
  const h = await pgHarness(t, url, 'comments-test')
  const { db } = h
  const now = Date.now()
  const [author] = await db.insert(pgs.authors).values({ slug: 'ann', name: 'Ann', createdAt: now, updatedAt: now }).returning({ id: pgs.authors.id })
  let n = 0
  await commentsCases(t, {
    ...h,
    async post (live) {
      const at = Date.now()
      n++
      const [row] = await db.insert(pgs.posts).values({ slug: `post-${n}`, title: `Post ${n}`, status: live ? 'published' : 'draft', publishedAt: live ? at - 86_400_000 : null, authorId: author.id, createdAt: at, updatedAt: at }).returning({ id: pgs.posts.id })
      return row.id
    },
    commentCount: async (postId) => (await db.select({ n: pgs.posts.commentCount }).from(pgs.posts).where(eq(pgs.posts.id, postId)))[0].n
  })
})
