import t from 'tap'
import { buildTestApp, TEST_SITE_URL } from '../helper.js'
import { seedDemo } from '../../src/demo/seed-demo.js'

t.test('the demo seeds pages, a primary menu, SEO fields, a featured post and a co-authored one', async (t) => {
  const app = await buildTestApp(t)
  t.equal((await seedDemo(app.core)).seeded, true)
  t.same((await app.inject('/v1/pages')).json().data.map((p: { path: string }) => p.path), ['about', 'about/team', 'contact'])
  const nav = (await app.inject('/v1/site')).json().data.navigation.primary
  const about = nav.find((i: { label: string }) => i.label === 'About')
  t.same(about.children.map((i: { url: string }) => i.url), [`${TEST_SITE_URL}/about/team`])
  t.ok(nav.filter((i: { type: string }) => i.type === 'category').length >= 2, 'categories in the menu')
  const newest = (await app.inject('/v1/posts?per_page=1')).json().data[0]
  const full = (await app.inject(`/v1/posts/${newest.id}`)).json().data
  t.ok(full.meta_description, 'the newest post has SEO fields')
  t.not(full.meta_description, full.title, 'a description that describes, not the title again')
  const featured = (await app.inject('/v1/posts?featured=true')).json().data
  t.same(featured.map((p: { id: number }) => p.id), [newest.id], 'the newest post is the one featured post')
  const second = (await app.inject('/v1/posts?per_page=2')).json().data[1]
  t.equal(second.authors.length, 2, 'the one before it has two authors')
  t.equal(second.authors[0].id, second.author.id)
  t.equal((await app.inject(`/v1/posts?author=${second.authors[1].slug}&per_page=100`)).json().data.some((p: { id: number }) => p.id === second.id), true, 'and is listed under its co-author')
})
