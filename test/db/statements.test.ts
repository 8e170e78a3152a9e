import t from 'tap'
import { buildTestApp } from '../helper.js'
import { makeCategory, makePost, makeTag } from '../helpers/factories.js'
import { createShapeCache } from '../../src/db/statements.js'

t.test('the statement cache keeps at most its bound, least recently used out first', async (t) => {
  let built = 0
  const prepared = createShapeCache<{ shape: string }>(3)
  const build = (shape: string) => () => { built++; return { shape } }
  const a = prepared('one', build('one'))
  prepared('two', build('two'))
  prepared('three', build('three'))
  t.equal(prepared('one', build('one')), a, 'a hit returns the same statement (and refreshes it)')
  t.equal(built, 3, 'prepared once per shape')
  prepared('four', build('four'))
  t.equal(prepared.size, 3)
  t.equal(prepared('one', build('one')), a, 'the recently used one survived')
  t.equal(prepared('two', build('two')).shape, 'two', 'the least recently used was dropped and is prepared again')
  t.equal(built, 5)
  for (let i = 0; i < 100; i++) prepared(`shape ${i}`, build(`shape ${i}`))
  t.equal(prepared.size, 3, 'never more than the bound')
})

t.test('id lists of any length share one statement and give the same answer', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'false' })
  const tags = Array.from({ length: 40 }, (_, i) => makeTag(app.db, { slug: `t${i}`, name: `T${i}` }))
  const root = makeCategory(app.db, { slug: 'root', name: 'Root' })
  let parent = root.id
  for (let i = 0; i < 30; i++) parent = makeCategory(app.db, { slug: `c${i}`, name: `C${i}`, parentId: parent }).id
  for (let i = 0; i < 60; i++) makePost(app.db, { tagIds: [tags[i % 40].id], categoryIds: [i % 2 === 0 ? root.id : parent], publishedAt: Date.now() - (i + 1) * 60_000 })

  const get = async (url: string) => {
    const res = await app.inject(url)
    t.equal(res.statusCode, 200, url)
    return res.json()
  }
  const one = await get(`/v1/posts?tag=${tags[0].id}`)
  await get('/v1/posts?category=root')
  const warm = app.core.repos.posts.statementCount

  // ?tag=1,1,1,… with every length the parameter allows, and lists of distinct tags.
  for (let n = 2; n <= 150; n++) {
    const same = await get(`/v1/posts?tag=${Array(n).fill(tags[0].id).join(',')}`)
    t.same(same, one, `tag repeated ${n} times is the tag once`)
  }
  for (let n = 2; n <= 40; n++) {
    const body = await get(`/v1/posts?per_page=100&tag=${tags.slice(0, n).map((x) => x.id).join(',')}`)
    t.equal(body.meta.total, [...Array(60).keys()].filter((i) => i % 40 < n).length, `${n} distinct tags`)
    await get(`/v1/posts?per_page=${n}&category=root`)
  }
  const after = app.core.repos.posts.statementCount
  t.ok(after <= warm + 4, `a handful of statements whatever the list lengths (${warm} → ${after})`)
  t.ok(after <= 200, 'and never more than the bound')
})
