import t from 'tap'
import { asc, eq, sql, and, type SQL } from 'drizzle-orm'
import { openDatabase, type Db } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { openPg, runPgMigrations, type PgDb } from '../../src/db/pg/client.js'
import * as pgRm from '../../src/db/pg/read-model.js'
import * as pgs from '../../src/db/pg/schema.js'
import { SQLITE_ONLY } from '../../src/db/pg/sqlite-only.js'
import * as rm from '../../src/db/read-model.js'
import * as rmr from '../../src/db/read-model-related.js'
import * as s from '../../src/db/schema.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// The read model's triggers on both engines (issue 20): one sequence of writes, made through
// Drizzle on a migrated SQLite database (src/db/schema.ts) and on a migrated PostgreSQL database
// (its twin, src/db/pg/schema.ts), leaves the same derived rows — search keys and facets,
// post_authors, the documents' and related lists' queues, the related-posts counters — compared
// row for row after every step. Then every SQLite trigger the plan marks as ported must exist,
// on the same table, in PostgreSQL's catalog.

// The tables of one engine under the same keys. Drizzle's builders have the same shape on both
// engines; the steps below are written once against this loose view of them.
interface Tables {
  authors: typeof s.authors
  categories: typeof s.categories
  tags: typeof s.tags
  media: typeof s.media
  posts: typeof s.posts
  postCategories: typeof s.postCategories
  postTags: typeof s.postTags
  postAuthors: typeof s.postAuthors
  postFeaturedMedia: typeof s.postFeaturedMedia
  postSeo: typeof s.postSeo
  comments: typeof s.comments
  postTerms: typeof rm.postTerms
  postVectors: typeof rm.postVectors
  postDocuments: typeof rm.postDocuments
  postQueue: typeof rm.postQueue
  commentQueue: typeof rm.commentQueue
  relatedQueue: typeof rmr.relatedQueue
}
type AnyDb = any // one step body for the builders of two dialects

const SQLITE: Tables = { ...s, ...rm, ...rmr }
const PG = { ...pgs, ...pgRm } as unknown as Tables

const T = Date.UTC(2026, 0, 15, 12, 0, 0)
const stamp = { createdAt: T, updatedAt: T }

function post (id: number, fields: Partial<typeof s.posts.$inferInsert>): typeof s.posts.$inferInsert {
  return { id, slug: `p${id}`, title: `Post ${id}`, excerpt: `Excerpt ${id}`, contentText: `Body ${id}`, contentHtml: `<p>Body ${id}</p>`, authorId: 1, ...stamp, ...fields }
}

function document (postId: number): typeof rm.postDocuments.$inferInsert {
  return { postId, fingerprint: 'f', publishedAt: null, updatedAt: T, bodyBytes: 1, terms: '[]', card: '{}', full: '{}', rssItem: '', atomEntry: '', jsonItem: '' }
}

// Each step runs on both engines, in order; the derived tables are compared after each.
const STEPS: Array<[string, (db: AnyDb, x: Tables) => Promise<void>]> = [
  ['authors, a category tree, tags and a medium', async (db, x) => {
    await db.insert(x.authors).values([1, 2, 3].map((id) => ({ id, slug: `a${id}`, name: `Author ${id}`, ...stamp })))
    await db.insert(x.categories).values({ id: 1, slug: 'c1', name: 'Root', ...stamp })
    await db.insert(x.categories).values({ id: 2, slug: 'c2', name: 'Child', parentId: 1, ...stamp })
    await db.insert(x.categories).values({ id: 3, slug: 'c3', name: 'Grandchild', parentId: 2, ...stamp })
    await db.insert(x.categories).values({ id: 4, slug: 'c4', name: 'Elsewhere', ...stamp })
    await db.insert(x.tags).values([1, 2, 3].map((id) => ({ id, slug: `t${id}`, name: `Tag ${id}`, ...stamp })))
    await db.insert(x.media).values({ id: 1, sha256: 'x', filename: 'a.png', mimeType: 'image/png', bytes: 1, width: 1, height: 1, ...stamp })
  }],
  ['posts: two in one millisecond whose preferred slots clash, a draft, a scheduled one', async (db, x) => {
    await db.insert(x.posts).values(post(1, { status: 'published', publishedAt: T }))
    await db.insert(x.posts).values(post(16385, { status: 'published', publishedAt: T, authorId: 2 }))
    await db.insert(x.posts).values(post(3, { status: 'draft' }))
    await db.insert(x.posts).values(post(4, { status: 'published', publishedAt: T + 86_400_000 }))
    await db.insert(x.posts).values(post(5, { status: 'published', publishedAt: -70_000_000_000_000 }))
  }],
  ['links: categories, tags, a co-author, a featured medium, SEO', async (db, x) => {
    await db.insert(x.postCategories).values([{ postId: 1, categoryId: 3 }, { postId: 16385, categoryId: 1 }, { postId: 3, categoryId: 4 }])
    await db.insert(x.postTags).values([{ postId: 1, tagId: 1 }, { postId: 1, tagId: 2 }, { postId: 16385, tagId: 1 }, { postId: 4, tagId: 3 }])
    await db.insert(x.postAuthors).values([{ postId: 1, authorId: 3, position: 1 }, { postId: 16385, authorId: 1, position: 1 }])
    await db.insert(x.postFeaturedMedia).values({ postId: 1, mediaId: 1 })
    await db.insert(x.postSeo).values({ postId: 4, metaTitle: 'SEO' })
  }],
  ['term vectors, before and after their posts count as published', async (db, x) => {
    await db.insert(x.postTerms).values([{ postId: 1, term: 'alpha', weight: 0.5 }, { postId: 1, term: 'beta', weight: 0.25 }])
    await db.insert(x.postVectors).values([{ postId: 1, hash: 'h1', status: 'published', publishedAt: T }, { postId: 3, hash: 'h3', status: 'draft', publishedAt: null }])
    await db.insert(x.postTerms).values([{ postId: 1, term: 'gamma', weight: 0.1 }, { postId: 3, term: 'alpha', weight: 0.9 }, { postId: 3, term: '', weight: 0 }])
    await db.insert(x.postVectors).values({ postId: 16385, hash: 'h2', status: 'published', publishedAt: T })
    await db.insert(x.postTerms).values({ postId: 16385, term: 'alpha', weight: 0.3 })
  }],
  ['the workers catch up: documents built, queues emptied', async (db, x) => {
    await db.insert(x.postDocuments).values([1, 16385, 3, 4, 5].map(document))
    await db.delete(x.postQueue)
    await db.delete(x.relatedQueue)
  }],
  ['a category in the middle of the tree moved, a tag and an author renamed, the medium edited', async (db, x) => {
    await db.update(x.categories).set({ parentId: 4 }).where(eq(x.categories.id, 2))
    await db.update(x.tags).set({ name: 'Renamed' }).where(eq(x.tags.id, 3))
    await db.update(x.tags).set({ description: 'not shown' }).where(eq(x.tags.id, 2))
    await db.update(x.authors).set({ name: 'Renamed' }).where(eq(x.authors.id, 2))
    await db.update(x.media).set({ alt: 'Alt' }).where(eq(x.media.id, 1))
  }],
  ['the workers catch up again', async (db, x) => {
    await db.delete(x.postDocuments)
    await db.insert(x.postDocuments).values([1, 16385, 3, 4, 5].map(document))
    await db.delete(x.postQueue)
    await db.delete(x.relatedQueue)
  }],
  ['posts edited: a co-author made primary, a title, a draft published, a count changed (no requeue)', async (db, x) => {
    await db.update(x.posts).set({ authorId: 3 }).where(eq(x.posts.id, 1))
    await db.update(x.posts).set({ title: 'New title' }).where(eq(x.posts.id, 16385))
    await db.update(x.posts).set({ status: 'published', publishedAt: T }).where(eq(x.posts.id, 3))
    await db.update(x.posts).set({ importKey: 'k' }).where(eq(x.posts.id, 4))
  }],
  ['vectors: one unpublished, one published, one rewritten', async (db, x) => {
    await db.update(x.postVectors).set({ status: 'draft' }).where(eq(x.postVectors.postId, 16385))
    await db.update(x.postVectors).set({ status: 'published', publishedAt: T }).where(eq(x.postVectors.postId, 3))
    await db.update(x.postVectors).set({ hash: 'h1b' }).where(eq(x.postVectors.postId, 1))
  }],
  ['links moved (a tag merged into another, a category reassigned) and removed', async (db, x) => {
    await db.update(x.postTags).set({ tagId: 2 }).where(and(eq(x.postTags.postId, 16385), eq(x.postTags.tagId, 1)))
    await db.update(x.postCategories).set({ postId: 4 }).where(eq(x.postCategories.postId, 3))
    await db.delete(x.postTags).where(and(eq(x.postTags.postId, 1), eq(x.postTags.tagId, 1)))
    await db.delete(x.postAuthors).where(and(eq(x.postAuthors.postId, 16385), eq(x.postAuthors.position, 1)))
    await db.update(x.postAuthors).set({ authorId: 2 }).where(and(eq(x.postAuthors.postId, 1), eq(x.postAuthors.position, 1)))
    await db.delete(x.postSeo)
    await db.update(x.postFeaturedMedia).set({ postId: 4 }).where(eq(x.postFeaturedMedia.postId, 1))
  }],
  ['comments written and moderated', async (db, x) => {
    const comment = { postId: 1, path: '0000000001', authorName: 'R', content: 'c', contentHtml: '<p>c</p>', contentHash: 'h', ...stamp }
    await db.insert(x.comments).values([{ id: 1, ...comment }, { id: 2, ...comment, path: '0000000002' }])
    await db.delete(x.commentQueue)
    await db.update(x.comments).set({ status: 'approved' }).where(eq(x.comments.id, 1))
    await db.update(x.comments).set({ authorEmail: 'x@example.com' }).where(eq(x.comments.id, 2))
  }],
  ['a post deleted (its links, terms and vector go by cascade), a vector deleted', async (db, x) => {
    await db.delete(x.posts).where(eq(x.posts.id, 16385))
    await db.delete(x.postVectors).where(eq(x.postVectors.postId, 3))
  }]
]

// The derived rows of one engine, each table in a fixed order, as plain JSON values.
async function derived (db: AnyDb, engine: 'sqlite' | 'pg'): Promise<Record<string, unknown[]>> {
  const r = engine === 'sqlite' ? { ...rm, ...rmr } : pgRm
  const x = engine === 'sqlite' ? SQLITE : PG
  const text = (column: unknown): SQL<string> => sql<string>`cast(${column} as text)`
  const bool = (v: unknown): number => (v === true || v === 1 ? 1 : 0)
  return {
    post_search: await db.select({ postId: r.postSearch.postId, key: text(r.postSearch.key), status: r.postSearch.status, publishedAt: r.postSearch.publishedAt, facets: r.postSearch.facets }).from(r.postSearch).orderBy(asc(r.postSearch.postId)),
    post_authors: await db.select().from(x.postAuthors).orderBy(asc(x.postAuthors.postId), asc(x.postAuthors.position), asc(x.postAuthors.authorId)),
    post_queue: await db.select().from(r.postQueue).orderBy(asc(r.postQueue.postId)),
    post_documents: (await db.select({ postId: r.postDocuments.postId }).from(r.postDocuments).orderBy(asc(r.postDocuments.postId))),
    comment_queue: await db.select().from(r.commentQueue).orderBy(asc(r.commentQueue.commentId)),
    related_queue: await db.select().from(r.relatedQueue).orderBy(asc(r.relatedQueue.postId)),
    related_seq: await db.select({ seq: r.relatedState.seq }).from(r.relatedState),
    related_counts: await db.select().from(r.relatedCounts).orderBy(asc(r.relatedCounts.kind), asc(r.relatedCounts.id)),
    // Byte order on both: SQLite's BINARY, the column's COLLATE "C" in PostgreSQL.
    term_df: await db.select().from(r.termDf).orderBy(asc(r.termDf.term)),
    comment_documents: (await db.select({ id: r.commentDocuments.commentId, deleted: r.commentDocuments.deleted }).from(r.commentDocuments)).map((c: { id: number, deleted: unknown }) => [c.id, bool(c.deleted)])
  }
}

t.test('the read model triggers on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('triggers')
  await runPgMigrations(url)
  const pgDb: PgDb = openPg(url, { max: 4 })
  t.teardown(() => pgDb.$client.end())
  const sqliteDb: Db = openDatabase(':memory:')
  t.teardown(() => sqliteDb.$client.close())
  runMigrations(sqliteDb)

  t.test('one sequence of writes leaves the same derived rows on both engines', async (t) => {
    t.same(await derived(pgDb, 'pg'), await derived(sqliteDb, 'sqlite'), 'the same before any write')
    for (const [name, step] of STEPS) {
      await step(sqliteDb, SQLITE)
      await step(pgDb, PG)
      const [lite, postgres] = [await derived(sqliteDb, 'sqlite'), await derived(pgDb, 'pg')]
      for (const table of Object.keys(lite)) t.same(postgres[table], lite[table], `${name}: ${table}`)
    }
    // The comparison is not vacuous: the steps made rows in each derived table along the way.
    const end = await derived(sqliteDb, 'sqlite')
    for (const table of ['post_search', 'post_authors', 'post_queue', 'post_documents', 'comment_queue', 'related_queue', 'related_counts', 'term_df']) {
      t.ok(end[table].length > 0, `${table} holds rows at the end`)
    }
    const keys = end.post_search as Array<{ postId: number, key: string }>
    t.not(keys.find((k) => k.postId === 1)?.key, undefined)
    t.equal(BigInt(keys.find((k) => k.postId === 1)!.key) >> 14n, BigInt(keys.find((k) => k.postId === 3)!.key) >> 14n, 'two posts of one millisecond share its bucket…')
    t.not(keys.find((k) => k.postId === 1)!.key, keys.find((k) => k.postId === 3)!.key, '…with different slots')
  })

  t.test('every SQLite trigger the plan ports exists in PostgreSQL, on the same table', async (t) => {
    const lite = sqliteDb.$client.prepare("SELECT name, tbl_name AS tbl FROM sqlite_master WHERE type = 'trigger' ORDER BY name").all() as Array<{ name: string, tbl: string }>
    const found = await pgDb.execute<{ name: string, tbl: string }>(sql`select t.tgname as name, c.relname as tbl from pg_trigger t join pg_class c on c.oid = t.tgrelid where not t.tgisinternal`)
    const pgTriggers = new Map(found.rows.map((r) => [r.name, r.tbl]))
    let ported = 0
    for (const trigger of lite) {
      const rule = SQLITE_ONLY.find((r) => r.match.test(trigger.name))
      t.ok(rule, `${trigger.name} is planned`)
      if (rule?.ported === undefined) continue
      ported++
      t.equal(pgTriggers.get(trigger.name), trigger.tbl, `${trigger.name} (${rule.ported}) is on ${trigger.tbl}`)
    }
    t.equal(ported, lite.length, 'every SQLite trigger is ported')
    const tables = await pgDb.execute<{ name: string }>(sql`select table_name as name from information_schema.tables where table_schema = 'public'`)
    const names = new Set(tables.rows.map((r) => r.name))
    for (const rule of SQLITE_ONLY.filter((r) => r.ported !== undefined && r.tables !== undefined)) {
      for (const table of rule.tables!) t.ok(names.has(table), `table ${table} (${rule.ported})`)
    }
  })

  t.test('two writers publishing in one millisecond at once get different search keys', async (t) => {
    // Posts 40000 and 56384 prefer the same slot (id % 16384) of the same millisecond. The first
    // writer holds its transaction open; the second must wait for it (the advisory lock on the
    // millisecond), then see its key and take another slot, instead of failing on the unique key.
    const at = T + 7
    const first = await pgDb.$client.connect()
    const second = await pgDb.$client.connect()
    try {
      const insert = 'insert into posts (id, slug, title, status, published_at, author_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7)'
      await first.query('begin')
      await first.query(insert, [40000, 'k1', 'K1', 'published', at, 1, T])
      await second.query('begin')
      const waiting = second.query(insert, [56384, 'k2', 'K2', 'published', at, 1, T])
      let queued = 0
      for (let i = 0; i < 200 && queued === 0; i++) {
        const rows = await pgDb.execute<{ n: number }>(sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`)
        queued = rows.rows[0].n
        if (queued === 0) await new Promise((resolve) => setTimeout(resolve, 25))
      }
      t.equal(queued, 1, 'the second writer waits on the millisecond\'s lock')
      await first.query('commit')
      await waiting
      await second.query('commit')
    } finally {
      first.release()
      second.release()
    }
    const keys = await pgDb.select({ postId: pgRm.postSearch.postId, key: pgRm.postSearch.key }).from(pgRm.postSearch).where(sql`${pgRm.postSearch.postId} in (40000, 56384)`)
    t.equal(keys.length, 2)
    t.not(keys[0].key, keys[1].key, 'two keys')
    t.equal(keys[0].key >> 14n, keys[1].key >> 14n, 'in the same millisecond')
  })

  t.test('migrate-to stands the post_authors trigger aside: copying a post and its authors keeps the source rows', async (t) => {
    const copy = await cluster.createDatabase('copying')
    await runPgMigrations(copy)
    const db = openPg(copy, { max: 1 })
    t.teardown(() => db.$client.end())
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local broadsheet.copying = 'on'`)
      await tx.insert(pgs.authors).values([1, 2].map((id) => ({ id, slug: `a${id}`, name: `A${id}`, ...stamp })))
      await tx.insert(pgs.posts).values(post(1, { authorId: 1 }))
      await tx.insert(pgs.postAuthors).values([{ postId: 1, authorId: 1, position: 0 }, { postId: 1, authorId: 2, position: 1 }])
    })
    t.same(await db.select().from(pgs.postAuthors).orderBy(asc(pgs.postAuthors.position)), [{ postId: 1, authorId: 1, position: 0 }, { postId: 1, authorId: 2, position: 1 }])
    const [search] = await db.select({ facets: pgRm.postSearch.facets }).from(pgRm.postSearch)
    t.equal(search.facets, 'a1 a2', 'the other triggers ran: the search row has the copied co-author')
    await db.insert(pgs.posts).values(post(2, { authorId: 2, slug: 'after' }))
    t.same(await db.select().from(pgs.postAuthors).where(eq(pgs.postAuthors.postId, 2)), [{ postId: 2, authorId: 2, position: 0 }], 'outside the copy the trigger runs')
  })
})
