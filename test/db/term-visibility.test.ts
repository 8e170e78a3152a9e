import t, { type Test } from 'tap'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { createTermVisibility } from '../../src/db/term-visibility.js'
import { makeCategory, makePost, makeTag } from '../helpers/factories.js'

// The write side of term visibility runs inside every post write: its questions must read the
// links of the terms they ask about, never every link of every post.

function setup (t: Test) {
  // Compiled where they are built, so the questions' statements can be listed below.
  const db = openDatabase(':memory:', 'normal', { lazyStatements: false })
  runMigrations(db)
  t.teardown(() => db.$client.close())
  // Every statement the term questions prepare, as SQLite sees them.
  const prepared: string[] = []
  const prepare = db.$client.prepare.bind(db.$client)
  db.$client.prepare = ((source: string) => {
    prepared.push(source)
    return prepare(source)
  }) as typeof db.$client.prepare
  const terms = createTermVisibility(db)
  db.$client.prepare = prepare
  return { db, terms, prepared }
}

t.test('a category is public through a live post in it or below it; a draft does not count', async (t) => {
  const { db, terms } = setup(t)
  const news = makeCategory(db, { name: 'News' })
  const world = makeCategory(db, { name: 'World', parentId: news.id })
  const europe = makeCategory(db, { name: 'Europe', parentId: world.id })
  const sport = makeCategory(db, { name: 'Sport' })
  const now = Date.now()
  const post = makePost(db, { categoryIds: [europe.id] })
  makePost(db, { categoryIds: [sport.id], status: 'draft' })
  t.ok(terms.hasLivePost('category', news.id, now), 'a live post two levels below')
  t.ok(terms.hasLivePost('category', europe.id, now))
  t.notOk(terms.hasLivePost('category', news.id, now, post.id), 'not counting the post being written')
  t.notOk(terms.hasLivePost('category', sport.id, now), 'a draft does not make it public')
  const tag = makeTag(db)
  makePost(db, { tagIds: [tag.id], publishedAt: now + 60_000 })
  t.notOk(terms.hasLivePost('tag', tag.id, now), 'nor a scheduled post before its time')
  t.ok(terms.hasLivePost('tag', tag.id, now + 60_000))
})

t.test('every question reads the links through the term index, with or without ANALYZE statistics', async (t) => {
  const { db, prepared } = setup(t)
  // A corpus shaped like a newsroom's: many posts, few categories and tags, so that statistics
  // make a scan of all links look cheap to the planner (it chose one: 7 ms a post write).
  const cats = Array.from({ length: 10 }, (_, i) => makeCategory(db, { parentId: i > 2 ? 1 + (i % 3) : null }).id)
  const tags = Array.from({ length: 20 }, () => makeTag(db).id)
  db.$client.transaction(() => {
    for (let i = 0; i < 400; i++) makePost(db, { categoryIds: [cats[i % 10]], tagIds: [tags[i % 20], tags[(i + 1) % 20]] })
  })()
  const plans = () => prepared.filter((s) => /post_categories|post_tags/.test(s)).map((s) => {
    const rows = db.$client.prepare(`EXPLAIN QUERY PLAN ${s}`).all(...Array.from(s.matchAll(/\?/g), () => 1)) as Array<{ detail: string }>
    return rows.map((r) => r.detail).join('; ')
  })
  t.ok(plans().length >= 2, 'the link questions were found')
  for (const stats of ['without statistics', 'after ANALYZE']) {
    if (stats === 'after ANALYZE') db.$client.exec('ANALYZE')
    for (const plan of plans()) {
      t.match(plan, /^SEARCH (post_categories|post_tags) USING (COVERING )?INDEX \w+ \((category_id|tag_id)=\?/, `${stats}, starts from the term's links: ${plan}`)
      t.match(plan, /; SEARCH posts USING INTEGER PRIMARY KEY \(rowid=\?\)$/, 'then each linked post by its key')
    }
  }
})
