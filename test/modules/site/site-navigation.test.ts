import t from 'tap'
import { adminAuth, buildTestApp, keyAuth, TEST_SITE_URL } from '../../helper.js'
import { makeAuthor, makeCategory, makePost, makeTag } from '../../helpers/factories.js'

type App = Awaited<ReturnType<typeof buildTestApp>>

const setNav = (app: App, navigation: object) => app.inject({ method: 'PATCH', url: '/v1/site', payload: { navigation }, headers: adminAuth })
const page = async (app: App, body: object) => (await app.inject({ method: 'POST', url: '/v1/pages', payload: body, headers: adminAuth })).json().data

t.test('navigation: items by URL or by id, resolved to current URLs, hidden targets left out and reported to admins', async (t) => {
  const app = await buildTestApp(t)
  const db = app.core.db
  const author = makeAuthor(db)
  const politics = makeCategory(db, { slug: 'politics', name: 'Politics' })
  const empty = makeCategory(db, { slug: 'empty', name: 'Empty' })
  const tag = makeTag(db, { slug: 'ukraine', name: 'Ukraine' })
  const post = makePost(db, { authorId: author.id, slug: 'geneva-talks', categoryIds: [politics.id], tagIds: [tag.id] })
  const about = await page(app, { title: 'About', status: 'published' })
  const team = await page(app, { title: 'Team', parent_id: about.id, status: 'published' })
  const draft = await page(app, { title: 'Coming soon' })

  const res = await setNav(app, {
    primary: [
      { label: 'Politics', category_id: politics.id },
      { label: 'About', page_id: about.id, children: [{ label: 'Team', page_id: team.id, children: [{ label: 'Jobs', url: '/jobs' }] }, { label: 'Soon', page_id: draft.id }] },
      { label: 'Empty', category_id: empty.id },
      { label: 'Ukraine', tag_id: tag.id },
      { label: 'Talks', post_id: post.id }
    ],
    secondary: [{ label: 'Elsewhere', url: 'https://example.org/x' }]
  })
  t.equal(res.statusCode, 200, res.body)
  const read = await app.inject('/v1/site')
  const nav = read.json().data.navigation
  t.same(nav.primary.map((i: { label: string }) => i.label), ['Politics', 'About', 'Ukraine', 'Talks'], 'a category without live posts is left out')
  t.same(nav.primary[0], { label: 'Politics', url: `${TEST_SITE_URL}/politics`, type: 'category', id: politics.id, children: [] })
  t.same(nav.primary[1].children.map((i: { label: string }) => i.label), ['Team'], 'a draft page is left out')
  t.equal(nav.primary[1].children[0].url, `${TEST_SITE_URL}/about/team`)
  t.same(nav.primary[1].children[0].children, [{ label: 'Jobs', url: '/jobs', type: 'url', id: null, children: [] }])
  t.equal(nav.primary[2].url, `${TEST_SITE_URL}/tag/ukraine`)
  t.equal(nav.primary[3].url, `${TEST_SITE_URL}/politics/geneva-talks`)
  t.same(nav.secondary, [{ label: 'Elsewhere', url: 'https://example.org/x', type: 'url', id: null, children: [] }])
  t.notOk('navigation_issues' in read.json().data, 'the public is not told what was left out')
  t.match(read.headers['surrogate-key'], /pages/)

  const asAdmin = (await app.inject({ url: '/v1/site', headers: adminAuth })).json().data
  t.same(asAdmin.navigation_issues.map((i: { path: string }) => i.path).sort(), ['primary.1.children.1', 'primary.2'])
  t.match(asAdmin.navigation_issues.find((i: { path: string }) => i.path === 'primary.2'), { menu: 'primary', label: 'Empty', reason: /category .* not public/ })

  // Renaming a page changes the URL the menu reads; publishing the draft shows it.
  await app.inject({ method: 'PATCH', url: `/v1/pages/${about.id}`, payload: { slug: 'about-us' }, headers: adminAuth })
  await app.inject({ method: 'PATCH', url: `/v1/pages/${draft.id}`, payload: { status: 'published' }, headers: adminAuth })
  const after = (await app.inject('/v1/site')).json().data.navigation.primary[1]
  t.equal(after.url, `${TEST_SITE_URL}/about-us`)
  t.same(after.children.map((i: { url: string }) => i.url), [`${TEST_SITE_URL}/about-us/team`, `${TEST_SITE_URL}/coming-soon`], "the menu's nesting is its own, not the page tree's")

  // A deleted page is reported as gone.
  await app.inject({ method: 'DELETE', url: `/v1/pages/${team.id}`, headers: adminAuth })
  const gone = (await app.inject({ url: '/v1/site', headers: adminAuth })).json().data
  t.match(gone.navigation_issues, [{ path: 'primary.1.children.0', reason: /no longer exists/ }])
  t.same(gone.navigation.secondary.length, 1, 'a menu not sent is kept')
})

t.test('navigation: unknown ids and bad items are refused, naming the item', async (t) => {
  const app = await buildTestApp(t)
  const before = (await app.inject('/v1/site')).json().data.navigation
  const unknown = await setNav(app, { primary: [{ label: 'Ok', url: '/ok' }, { label: 'Ghost', page_id: 999 }] })
  t.equal(unknown.statusCode, 422)
  t.match(unknown.json().errors, [{ path: 'navigation.primary.1.page_id', message: /"Ghost": page 999 does not exist/ }])
  const two = await setNav(app, { primary: [{ label: 'Both', url: '/x', post_id: 1 }] })
  t.equal(two.statusCode, 422)
  t.match(two.json().errors[0], { path: 'navigation.primary.0', message: /exactly one/ })
  t.equal((await setNav(app, { primary: [{ label: 'None' }] })).statusCode, 422)
  const deep = { label: 'd', url: '/d', children: [{ label: 'e', url: '/e', children: [{ label: 'f', url: '/f', children: [{ label: 'g', url: '/g' }] }] }] }
  t.equal((await setNav(app, { primary: [deep] })).statusCode, 400, 'a fourth level is refused')
  t.equal((await setNav(app, { primary: [{ label: 'x', url: 'javascript:alert(1)' }] })).statusCode, 400)
  t.equal((await setNav(app, { primary: [{ label: 'x', url: '//evil.example' }] })).statusCode, 400)
  t.equal((await setNav(app, { primary: [{ label: 'x', tag_id: 3, extra: 1 }] })).statusCode, 400)
  t.same((await app.inject('/v1/site')).json().data.navigation, before, 'nothing stored')
  const writer = await app.inject({ method: 'PATCH', url: '/v1/site', payload: { navigation: { primary: [] } }, headers: keyAuth(app, 'write:content') })
  t.equal(writer.statusCode, 403)
})
