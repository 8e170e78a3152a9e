import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { count, eq, sql } from 'drizzle-orm'
import { runCli } from '../../src/cli.js'
import { openDatabase } from '../../src/db/client.js'
import { openPg, runPgMigrations } from '../../src/db/pg/client.js'
import { copySqliteToPg, verifyCopy } from '../../src/db/pg/copy.js'
import * as pgRm from '../../src/db/pg/read-model.js'
import * as pgs from '../../src/db/pg/schema.js'
import * as rm from '../../src/db/read-model.js'
import { twinTables } from '../../src/db/pg/twin.js'
import * as s from '../../src/db/schema.js'
import { seedDemo } from '../../src/demo/seed-demo.js'
import { adminAuth, buildTestApp, keyAuth } from '../helper.js'
import { makeCategory, makeComment } from '../helpers/factories.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// `npm run cli -- migrate-to DATABASE_URL` (issue 20): a SQLite site made through the app, copied
// into a throwaway PostgreSQL cluster, every table verified by count and content hash.

function capture () {
  const out: string[] = []
  const err: string[] = []
  const log = console.log
  const error = console.error
  console.log = (...a: unknown[]) => { out.push(a.join(' ')) }
  console.error = (...a: unknown[]) => { err.push(a.join(' ')) }
  return { out, err, restore: () => { console.log = log; console.error = error } }
}

t.test('migrate-to', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-migrate-to-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'site.db')

  // The site: the demo content, then what the demo does not make, through the API where it can.
  const app = await buildTestApp(t, { DATABASE_PATH: path, MEDIA_PATH: join(dir, 'media'), ALLOW_PRIVATE_TARGETS: 'true' })
  await seedDemo(app.core)
  const writer = keyAuth(app, 'write:content', 'moderate:comments')
  const hook = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: adminAuth, payload: { url: 'http://127.0.0.1:9/in', events: ['post.published', 'post.updated'] } })
  t.equal(hook.statusCode, 201, hook.body)
  const db = openDatabase(path)
  t.teardown(() => db.$client.close())
  const [post] = db.select().from(s.posts).orderBy(s.posts.id).limit(1).all()
  const updated = await app.inject({ method: 'PATCH', url: `/v1/posts/${post.id}`, headers: writer, payload: { title: 'Édition: “quotes”, emoji 🗞️ and \\ back\\slash' } })
  t.equal(updated.statusCode, 200, updated.body)
  // A category whose parent has a higher id, and a reply whose parent does: copied parents first
  // within a table is not enough, the copy links them once the table is in.
  const child = makeCategory(db, { slug: 'child-first' })
  const parent = makeCategory(db, { slug: 'parent-later' })
  db.update(s.categories).set({ parentId: parent.id }).where(eq(s.categories.id, child.id)).run()
  const reply = makeComment(db, { postId: post.id })
  const earlier = makeComment(db, { postId: post.id })
  db.update(s.comments).set({ parentId: earlier.id }).where(eq(s.comments.id, reply.id)).run()
  const now = Date.now()
  db.insert(s.media).values({ sha256: 'a'.repeat(64), filename: 'aaaaaaaa-photo.jpg', mimeType: 'image/jpeg', bytes: 3_000_000_000, width: 800, height: 600, createdAt: now, updatedAt: now }).run()
  // A tag made and deleted: SQLite never gives its id again, nor must PostgreSQL.
  const gone = db.insert(s.tags).values({ slug: 'gone', name: 'Gone', createdAt: now, updatedAt: now }).returning().get()
  db.delete(s.tags).where(eq(s.tags.id, gone.id)).run()

  // Rows of the tables the demo and the calls above leave empty.
  db.insert(s.meta).values({ key: 'note', value: 'kept' }).run()
  db.insert(s.legacyUrls).values({ postId: post.id, url: 'https://old.example.com/?p=1', path: '/?p=1' }).run()
  db.insert(s.postFeaturedMedia).values({ postId: post.id, mediaId: db.select().from(s.media).get()!.id }).run()
  db.insert(s.postPreviews).values({ postId: post.id, tokenHash: 'b'.repeat(64), createdAt: now, expiresAt: now + 86_400_000 }).run()
  const source = db.insert(s.sources).values({ feedUrl: 'https://feeds.example.com/rss', name: 'Wire', categoryIds: [parent.id], tagIds: [], nextPollAt: now, createdAt: now, updatedAt: now }).returning().get()
  db.insert(s.sourceRuns).values({ sourceId: source.id, startedAt: now, url: source.feedUrl, httpStatus: 304, durationMs: 12 }).run()
  db.insert(s.scheduledPageEvents).values({ pageId: db.select().from(s.pages).get()!.id, event: 'page.published', dueAt: now + 3_600_000 }).run()
  db.insert(s.importJobs).values({ kind: 'wxr', status: 'succeeded', source: 'upload', options: '{"status":"draft"}', bytesTotal: 5_000_000_000, owner: 'host:1:x', leaseUntil: now, createdAt: now, updatedAt: now, summary: '{"posts":3}' }).run()

  const sourceCounts = Object.fromEntries(twinTables().map((x) => [x.name, db.select({ n: count() }).from(x.sqlite).get()!.n]))
  t.same(Object.entries(sourceCounts).filter(([, n]) => n === 0).map(([name]) => name), [], 'the seeded site has rows in every table')

  // Stopped, as a site being moved is: its workers (webhook sends, the read model) write no more.
  await app.close()
  const url = await cluster.createDatabase('site')
  const io = capture()
  let code: number
  try {
    code = await runCli(['migrate-to', url], { DATABASE_PATH: path })
  } finally {
    io.restore()
  }
  t.equal(code, 0, io.err.join('\n'))
  const report = io.out.join('\n')
  for (const [name, n] of Object.entries(sourceCounts)) {
    t.match(report, new RegExp(`^${name} +${n} → +${n}  [0-9a-f]{16} = [0-9a-f]{16}  ok$`, 'm'), `${name}: ${n} rows, same hash`)
  }
  t.notMatch(report, /MISMATCH/)
  t.match(report, /copied and verified \d+ rows in \d+ tables/)

  const pg = openPg(url, { max: 2 })
  t.teardown(() => pg.$client.end())
  // Values read back through each engine's query builder are the same, types included.
  const [pgPost] = await pg.select().from(pgs.posts).where(eq(pgs.posts.id, post.id))
  t.same(pgPost, db.select().from(s.posts).where(eq(s.posts.id, post.id)).get(), 'a post, value for value')
  t.match(pgPost.title, /emoji 🗞️/)
  // The read model's triggers fired during the copy (all but post_authors position 0, which the
  // copy brings): every post has its search row, facets as SQLite's, and is queued for its documents.
  const pgSearch = await pg.select({ postId: pgRm.postSearch.postId, facets: pgRm.postSearch.facets, status: pgRm.postSearch.status }).from(pgRm.postSearch).orderBy(pgRm.postSearch.postId)
  const liteSearch = db.select({ postId: rm.postSearch.postId, facets: rm.postSearch.facets, status: rm.postSearch.status }).from(rm.postSearch).orderBy(rm.postSearch.postId).all()
  t.equal(pgSearch.length, sourceCounts.posts, 'a search row per post')
  t.same(pgSearch, liteSearch, 'the same facets and statuses as on SQLite')
  t.equal((await pg.select({ n: count() }).from(pgRm.postQueue))[0].n, sourceCounts.posts, 'every post queued for its documents')
  const [settings] = await pg.select().from(pgs.siteSettings)
  t.same(settings, db.select().from(s.siteSettings).get(), 'settings: JSON navigation, booleans')
  t.same((await pg.select().from(pgs.media))[0].bytes, 3_000_000_000, 'a size past 2^31')
  t.same((await pg.select().from(pgs.apiKeys)).map((k) => k.scopes), db.select().from(s.apiKeys).all().map((k) => k.scopes))
  t.equal((await pg.select().from(pgs.categories).where(eq(pgs.categories.id, child.id)))[0].parentId, parent.id, 'the forward parent link is restored')
  t.equal((await pg.select().from(pgs.comments).where(eq(pgs.comments.id, reply.id)))[0].parentId, earlier.id)

  // New rows continue the ids, past the deleted tag's.
  const [tag] = await pg.insert(pgs.tags).values({ slug: 'new', name: 'New', createdAt: now, updatedAt: now }).returning()
  t.equal(tag.id, gone.id + 1, 'the identity starts past the highest id SQLite gave')
  const maxComment = db.select({ id: sql<number>`max(${s.comments.id})` }).from(s.comments).get()!.id
  const [comment] = await pg.insert(pgs.comments).values({ postId: post.id, path: 'x', authorName: 'A', content: 'c', contentHtml: '<p>c</p>', contentHash: 'h', createdAt: now, updatedAt: now }).returning()
  t.equal(comment.id, maxComment + 1)

  // A second run refuses: the target has rows.
  const again = capture()
  try {
    t.equal(await runCli(['migrate-to', url], { DATABASE_PATH: path }), 2)
  } finally {
    again.restore()
  }
  t.match(again.err.join('\n'), /the target database is not empty \(rows in .*posts.*\): migrate-to copies into an empty, migrated database only/)
  t.notMatch(again.out.join('\n'), /copied and verified/)
  t.equal((await pg.select({ n: count() }).from(pgs.tags))[0].n, sourceCounts.tags + 1, 'and changes nothing')

  // A second copy of the same file by the function, in batches of 7 rows: keyset reads over
  // single and composite keys (post_categories, post_tags) cross batch boundaries.
  const url2 = await cluster.createDatabase('batched')
  await runPgMigrations(url2)
  const pg2 = openPg(url2, { max: 1 })
  t.teardown(() => pg2.$client.end())
  const batched = await copySqliteToPg(db, pg2, { batch: 7 })
  t.ok(batched.ok, 'equal after the copy')
  t.equal(batched.rows, Object.values(sourceCounts).reduce((a, b) => a + b, 0), 'every row')
  t.ok((await verifyCopy(db, pg2)).ok, 'and read in batches of the default size')
  // The hashes see a one-character change: one trailing space in a comment, one flipped boolean.
  await pg2.update(pgs.comments).set({ content: sql`${pgs.comments.content} || ' '` }).where(eq(pgs.comments.id, earlier.id))
  await pg2.update(pgs.posts).set({ featured: sql`not ${pgs.posts.featured}` }).where(eq(pgs.posts.id, post.id))
  const tampered = await verifyCopy(db, pg2)
  t.notOk(tampered.ok)
  t.same(tampered.tables.filter((r) => !r.ok).map((r) => r.table).sort(), ['comments', 'posts'], 'both tables differ')
  t.ok(tampered.tables.every((r) => r.sqliteRows === r.pgRows), 'with the same counts')
})
