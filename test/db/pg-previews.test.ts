import t from 'tap'
import { asc, eq, or, sql } from 'drizzle-orm'
import * as pgs from '../../src/db/pg/schema.js'
import { previewsCases } from '../helpers/previews-cases.js'
import { pgHarness } from '../helpers/engine-harness.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// Preview links on PostgreSQL: the cases test/modules/previews/previews-engine.test.ts runs on
// SQLite, through the engine-neutral writer, with the PostgreSQL change log wired (a link is
// private: it leaves no entry).

const isRowId = (id: number) => Number.isSafeInteger(id) && id >= 1 && id <= 2_147_483_647

t.test('previews repository and service on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('previews')
  const h = await pgHarness(t, url, 'previews-test')
  const { db } = h
  const now = Date.now()
  const [author] = await db.insert(pgs.authors).values({ slug: 'ann', name: 'Ann', createdAt: now, updatedAt: now }).returning({ id: pgs.authors.id })
  const p = pgs.posts
  const columns = { id: p.id, slug: p.slug, status: p.status }
  const pp = pgs.postPreviews
  let n = 0
  await previewsCases(t, {
    ...h,
    async post (published = false) {
      const at = Date.now()
      n++
      const [row] = await db.insert(p).values({ slug: `post-${n}`, title: `Post ${n}`, status: published ? 'published' : 'draft', publishedAt: published ? at - 86_400_000 : null, authorId: author.id, createdAt: at, updatedAt: at }).returning(columns)
      return row
    },
    // As the posts lookup will have to: no query for what no row can hold (NUL, ids past int).
    async findPost (ref) {
      const byId = ref.id !== undefined && isRowId(ref.id) ? eq(p.id, ref.id) : undefined
      const bySlug = ref.slug !== undefined && !ref.slug.includes('\u0000') ? eq(p.slug, ref.slug) : undefined
      if (byId === undefined && bySlug === undefined) return undefined
      return (await db.select(columns).from(p).where(or(byId, bySlug) ?? sql`false`))[0]
    },
    deletePost: async (id) => { await db.delete(p).where(eq(p.id, id)) },
    rows: async () => await db.select({ postId: pp.postId, tokenHash: pp.tokenHash, createdAt: pp.createdAt, expiresAt: pp.expiresAt }).from(pp).orderBy(asc(pp.id))
  })
})
