import t from 'tap'
import { sql } from 'drizzle-orm'
import { openDatabase, type Db } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { openPg, runPgMigrations, type PgDb } from '../../src/db/pg/client.js'
import * as pgs from '../../src/db/pg/schema.js'
import { bestPassage, searchPosts, searchSnippets } from '../../src/db/pg/search.js'
import * as s from '../../src/db/schema.js'
import { createSearchRepository, type MatchRow } from '../../src/modules/search/search-repository.js'
import { matchExpression } from '../../src/modules/search/search-service.js'
import { PG_SKIP, startPgCluster } from '../helpers/pg-cluster.js'

// Full-text search on PostgreSQL (src/db/pg/search.ts, migrations/pg/0005) against SQLite's FTS5
// search over the same corpus, written through Drizzle on both engines.

const DAY = 86_400_000
const NOW = Date.UTC(2026, 5, 1)
const stamp = { createdAt: NOW, updatedAt: NOW }

// The corpus of test/modules/search/search.test.ts, plus a post whose text needs escaping.
const CORPUS: Array<Partial<typeof s.posts.$inferInsert> & { slug: string, category?: number }> = [
  { slug: 'geneva-talks', title: 'Lavrov and Blinken meet in Geneva', excerpt: 'Talks end without a breakthrough', contentText: 'The diplomats met for ninety minutes in Geneva to discuss Ukraine.', category: 1, publishedAt: NOW - 3 * DAY },
  { slug: 'geneva-motor-show', title: 'Geneva motor show returns', excerpt: 'Cars', contentText: 'Electric cars dominate the halls in Geneva this spring.', publishedAt: NOW - 2 * DAY },
  { slug: 'lavrov-profile', title: 'Who is Sergei Lavrov?', excerpt: 'A profile', contentText: 'Russia’s foreign minister has served since 2004 <and> still travels.', publishedAt: NOW - DAY },
  { slug: 'cafe-culture', title: 'Café culture in Zürich', excerpt: 'Coffee', contentText: 'The crème de la crème of cafés.', publishedAt: NOW - 4 * DAY },
  { slug: 'secret-geneva', title: 'Geneva draft', contentText: 'Geneva Lavrov secret', status: 'draft', publishedAt: null },
  { slug: 'future-geneva', title: 'Geneva future', contentText: 'Geneva Lavrov scheduled', publishedAt: NOW + DAY },
  { slug: 'escapes', title: 'Markup in text', contentText: 'Readers wrote <script>alert("x")</script> & \'quotes\' and escapes everywhere. Mail user@example.com, see https://example.org/some/path.html', publishedAt: NOW - 5 * DAY }
]

async function load (db: Db | PgDb, engine: 'sqlite' | 'pg'): Promise<void> {
  const x = (engine === 'sqlite' ? s : pgs) as typeof s
  const d = db as any // one body for the builders of both dialects
  await d.insert(x.authors).values({ id: 1, slug: 'a', name: 'A', ...stamp })
  await d.insert(x.categories).values({ id: 1, slug: 'world', name: 'World', ...stamp })
  for (const [i, { category, ...p }] of CORPUS.entries()) {
    await d.insert(x.posts).values({ id: i + 1, title: p.slug, excerpt: '', contentText: '', contentHtml: '', status: 'published', authorId: 1, ...stamp, ...p })
    if (category !== undefined) await d.insert(x.postCategories).values({ postId: i + 1, categoryId: category })
  }
}

const slugOf = (id: number): string => CORPUS[id - 1].slug

/** SQLite's answer: live matches, relevance as the search engine sorts them, or key order. */
function sqliteSearch (db: Db, q: string, sort: 'relevance' | '-published_at', filter: { categoryIds?: number[] } = {}): string[] {
  const match = matchExpression(q, filter)
  if (match === null) return []
  const rows: MatchRow[] = [...createSearchRepository(db).window(match, { kind: 'published', lo: -62135596800000, hi: NOW }, sort === 'relevance')]
  if (sort === 'relevance') rows.sort((a, b) => (a[2] as number) - (b[2] as number) || (b[1] as number) - (a[1] as number) || b[0] - a[0])
  return rows.map((r) => slugOf(r[0]))
}

async function pgSearch (db: PgDb, q: string, sort: 'relevance' | '-published_at', filter: { categoryIds?: number[], tagIds?: number[], authorId?: number } = {}): Promise<string[]> {
  return (await searchPosts(db, q, { now: NOW, sort, limit: 100, ...filter })).map((h) => slugOf(h.postId))
}

// Hostile inputs of test/modules/search/search.test.ts, and more of the same.
const HOSTILE = ['"', '""', '"geneva', 'geneva"', 'AND', 'OR', 'NOT', 'geneva AND', 'NEAR(geneva lavrov)', 'title:geneva', '*', 'gen*',
  '^geneva', '(', ')', '-', '+', ':', '{geneva}', '[x]', "'; DROP TABLE posts; --", '🎉🎉', '😀 geneva', '\u0000', 'a'.repeat(5000),
  'geneva '.repeat(700), 'ünïcödé', '中文 搜索', 'مرحبا', 'x OR 1=1', 'lavrov NOT geneva', 'NEAR', 'col:', '.', '...', '\\', 'geneva\u200b',
  'geneva & lavrov', 'geneva | lavrov', '!geneva', 'geneva:*', "geneva:* & 'x'", 'a <-> b', 'a <2> b', '\'\'', "o'brien", 'geneva\u0002x\u0003',
  '-geneva', 'geneva or lavrov', '"geneva lavrov"', 'x'.repeat(64) + 'y', 'ß', 'İstanbul', '\ud800', 'a:A', 'a:*B']

t.test('full-text search on PostgreSQL', { skip: PG_SKIP }, async (t) => {
  const cluster = await startPgCluster()
  t.teardown(cluster.stop)
  const url = await cluster.createDatabase('search')
  await runPgMigrations(url)
  const pg: PgDb = openPg(url, { max: 2 })
  t.teardown(() => pg.$client.end())
  const lite: Db = openDatabase(':memory:')
  t.teardown(() => lite.$client.close())
  runMigrations(lite)
  await load(lite, 'sqlite')
  await load(pg, 'pg')

  t.test('the same matches in the same order as SQLite for simple queries', async (t) => {
    for (const q of ['geneva', 'lavrov', 'lavrov geneva', 'ninety', 'cars', 'cafe zurich', 'Zürich', 'CAFÉ', 'lavro', 'geneva mot', 'gen', 'crème', 'escapes', 'example', 'path', 'html', 'user', 'nothing here']) {
      for (const sort of ['relevance', '-published_at'] as const) {
        t.same(await pgSearch(pg, q, sort), sqliteSearch(lite, q, sort), `${q} (${sort})`)
      }
    }
    t.same(await pgSearch(pg, 'lavrov', 'relevance'), ['lavrov-profile', 'geneva-talks'], 'a title match outranks a body match, as on SQLite')
    t.same(await pgSearch(pg, 'geneva', 'relevance', { categoryIds: [1] }), sqliteSearch(lite, 'geneva', 'relevance', { categoryIds: [1] }), 'a category filter (facets)')
    t.same(await pgSearch(pg, 'geneva', 'relevance', { categoryIds: [1] }), ['geneva-talks'])
    t.same(await pgSearch(pg, 'geneva', 'relevance', { tagIds: [1] }), [], 'a tag no post carries')
    t.same(await pgSearch(pg, 'geneva', '-published_at', { authorId: 1 }), ['geneva-motor-show', 'geneva-talks'], 'the author facet')
  })

  t.test('drafts and scheduled posts never match; every word is required; the last one is a prefix', async (t) => {
    t.same(await pgSearch(pg, 'secret', 'relevance'), [])
    t.same(await pgSearch(pg, 'scheduled', 'relevance'), [])
    t.same(await pgSearch(pg, 'lavrov ukraine', 'relevance'), ['geneva-talks'])
    t.same(await pgSearch(pg, 'ukraine lavrov cars', 'relevance'), [])
    t.same(await pgSearch(pg, 'lavr', 'relevance'), ['lavrov-profile', 'geneva-talks'])
    t.same(await pgSearch(pg, 'lavr geneva', 'relevance'), [], 'only the last word is a prefix')
    t.same(await pgSearch(pg, 'l', 'relevance'), [], 'a one-letter last word is not a prefix (as on SQLite)')
    t.same(sqliteSearch(lite, 'l', 'relevance'), [])
  })

  t.test('any user text is a safe query: a result or an empty list, never an error', async (t) => {
    for (const q of HOSTILE) {
      const found = await pgSearch(pg, q, 'relevance')
      t.ok(Array.isArray(found), `${JSON.stringify(q.slice(0, 30))} → ${found.length}`)
      t.same(found, sqliteSearch(lite, q, 'relevance'), `${JSON.stringify(q.slice(0, 30))}: as SQLite`)
      const snippets = await searchSnippets(pg, q, [1, 2, 3])
      t.ok(snippets instanceof Map)
    }
    t.same(await pgSearch(pg, '"geneva', '-published_at'), ['geneva-motor-show', 'geneva-talks'], 'quotes are just text')
    t.same(await pgSearch(pg, 'geneva or lavrov', 'relevance'), [], '"or" is a word, not an operator (no post has it)')
    t.same(await pgSearch(pg, '-geneva', '-published_at'), ['geneva-motor-show', 'geneva-talks'], 'a minus is not a negation')
    t.same(await pgSearch(pg, '🎉', 'relevance'), [], 'only emoji: nothing')
  })

  t.test('snippets: escaped HTML, matches in <mark>, the best of title, excerpt and body', async (t) => {
    const travels = (await searchSnippets(pg, 'travels', [3])).get(3)!
    t.match(travels, /<mark>travels<\/mark>/)
    t.match(travels, /&lt;and&gt;/, 'the text is escaped')
    t.notMatch(travels, /<and>/)
    const escapes = (await searchSnippets(pg, 'alert', [7])).get(7)!
    t.match(escapes, /<mark>alert<\/mark>\(&quot;x&quot;\)&lt;\/script&gt; &amp; &#39;quotes&#39;/, 'quotes, ampersands and tags escaped as snippetHtml does')
    const address = (await searchSnippets(pg, 'example', [7])).get(7)!
    t.match(address, /user@<mark>example<\/mark>\.com, see https:\/\/<mark>example<\/mark>\.org\/some\/path/, 'addresses shown as written, their words marked')
    t.notMatch(escapes.replace(/<\/?mark>/g, ''), /[<>"']/, 'nothing but <mark> is markup')
    const title = (await searchSnippets(pg, 'lavrov', [3])).get(3)!
    t.match(title, /^Who is Sergei <mark>Lavrov<\/mark>\?$/, 'the title holds the match')
    const accent = (await searchSnippets(pg, 'cafe', [4])).get(4)!
    t.match(accent, /<mark>Café<\/mark>/, 'the original text is shown, accents and case kept')
    const none = await searchSnippets(pg, 'geneva', [3])
    t.equal(none.get(3), 'Who is Sergei Lavrov?', 'a post without the words: its title, unmarked')
    t.equal(bestPassage(['\u0002a\u0003', '\u0002a\u0003 \u0002b\u0003', '\u0002a\u0003 \u0002a\u0003']), '\u0002a\u0003 \u0002b\u0003', 'more distinct words win')
  })

  t.test('the vector follows writes and a huge body still saves', async (t) => {
    await pg.update(pgs.posts).set({ title: 'Renamed to zeppelin' }).where(sql`${pgs.posts.id} = 2`)
    t.same(await pgSearch(pg, 'zeppelin', 'relevance'), ['geneva-motor-show'])
    t.same(await pgSearch(pg, 'motor', 'relevance'), [], 'the old title is gone')
    const words = Array.from({ length: 200_000 }, (_, i) => `w${i.toString(36)}`).join(' ')
    await pg.insert(pgs.posts).values({ id: 100, slug: 'huge', title: 'Huge', contentText: words, contentHtml: '', status: 'published', publishedAt: NOW - DAY, authorId: 1, ...stamp })
    t.same((await searchPosts(pg, 'huge', { now: NOW, sort: 'relevance', limit: 5 })).map((h) => h.postId), [100], `a ${Math.round(words.length / 1e6 * 10) / 10} MB body`)
    const passage = (await searchSnippets(pg, 'w5k', [100])).get(100)!
    t.match(passage, /<mark>w5k[0-9a-z]?<\/mark>/, 'its snippet is a passage of the matches (the word is also a prefix)')
    t.ok(passage.split(' ').length <= 24, `of at most 24 words (${passage.split(' ').length})`)
  })
})
