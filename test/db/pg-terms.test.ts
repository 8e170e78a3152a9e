import t from 'tap'
import pg from 'pg'
import { asc, eq } from 'drizzle-orm'
import * as pgs from '../../src/db/pg/schema.js'
import { termsCases } from '../helpers/terms-cases.js'
import { pgHarness } from '../helpers/engine-harness.js'
import { PG_SKIP, startPgCluster, type PgCluster } from '../helpers/pg-cluster.js'

// The taxonomy on PostgreSQL: the cases test/modules/terms/terms-engine.test.ts runs on SQLite,
// through the engine-neutral writer, in a database whose collation is not byte order (ICU), so
// the list order SQLite gives (BINARY) comes from the repository's COLLATE "C".

async function icuDatabase (cluster: PgCluster, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: cluster.url() })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`)
  } finally {
    await client.end()
  }
  return cluster.url(name)
}

t.test('terms repository and service on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  // An ICU collation that orders 'alpha' before 'Alpha' before 'beta' (the cluster's own is C).
  const url = await icuDatabase(cluster, 'terms').catch(async (err: Error) => {
    t.comment(`no ICU collation (${err.message}): the database collates C, so name order is not put to the test`)
    return await cluster.createDatabase('terms')
  })
  const h = await pgHarness(t, url, 'terms-test')
  const { db } = h
  let n = 0
  await termsCases(t, {
    ...h,
    async post ({ authorId, status = 'published', categoryIds = [], tagIds = [] }) {
      const now = Date.now()
      n++
      const [row] = await db.insert(pgs.posts).values({ slug: `post-${n}`, title: `Post ${n}`, status, publishedAt: status === 'published' ? now - 86_400_000 : null, authorId, createdAt: now, updatedAt: now }).returning({ id: pgs.posts.id })
      for (const [position, categoryId] of categoryIds.entries()) await db.insert(pgs.postCategories).values({ postId: row.id, categoryId, position })
      for (const [position, tagId] of tagIds.entries()) await db.insert(pgs.postTags).values({ postId: row.id, tagId, position })
      return row.id
    },
    categoriesOf: async (postId) => (await db.select({ id: pgs.postCategories.categoryId }).from(pgs.postCategories).where(eq(pgs.postCategories.postId, postId)).orderBy(asc(pgs.postCategories.position))).map((r) => r.id)
  })
})
