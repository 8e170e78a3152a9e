import t from 'tap'
import { adminAuth, buildTestApp } from '../../helper.js'

t.test('GET /v1/site answers the site settings', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject('/v1/site')
  t.equal(res.statusCode, 200)
  t.match(res.json().data, {
    title: String,
    url: 'https://news.example.com',
    language: 'en',
    comments: { enabled: true, moderation: 'all', max_depth: 5, max_links: 2 },
    feeds: { rss: /\/feeds\/rss\.xml$/ }
  })
  t.match(res.headers['cache-control'], /^public/)
})

t.test('site settings: admin PATCH, validated', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'PATCH', url: '/v1/site', payload: { title: 'My Blog', timezone: 'Europe/London', comments: { moderation: 'first_time', max_depth: 3 } }, headers: adminAuth })
  t.equal(res.statusCode, 200)
  t.match(res.json().data, { title: 'My Blog', timezone: 'Europe/London', comments: { moderation: 'first_time', max_depth: 3, enabled: true } })
  t.equal((await app.inject('/v1/site')).json().data.title, 'My Blog')
  const bad = await app.inject({ method: 'PATCH', url: '/v1/site', payload: { timezone: 'Mars/Olympus' }, headers: adminAuth })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().errors[0].path, 'timezone')
})

t.test('PATCH /v1/site names a read-only field as read-only (400), and the spec marks them', async (t) => {
  const app = await buildTestApp(t)
  const before = (await app.inject('/v1/site')).json().data
  const res = await app.inject({ method: 'PATCH', url: '/v1/site', payload: { ...before, title: 'Changed' }, headers: adminAuth })
  t.equal(res.statusCode, 400, 'sending back what GET answered is refused, not half-applied')
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.same(res.json().errors.map((e: { path: string }) => e.path), ['url', 'feeds', 'updated_at'])
  t.match(res.json().errors[0], { in: 'body', path: 'url', message: /is read-only: it is SITE_URL/ })
  t.match(res.json().detail, /url: is read-only/)
  t.equal((await app.inject('/v1/site')).json().data.title, before.title, 'nothing was changed')
  const one = await app.inject({ method: 'PATCH', url: '/v1/site', payload: { url: 'https://elsewhere.example' }, headers: adminAuth })
  t.equal(one.statusCode, 400)
  t.same(one.json().errors, [{ in: 'body', path: 'url', message: 'is read-only: it is SITE_URL, set in the server\'s environment' }])
  const unknown = await app.inject({ method: 'PATCH', url: '/v1/site', payload: { colour: 'red' }, headers: adminAuth })
  t.match(unknown.json().errors[0], { path: 'colour', message: 'is not a known field' }, 'other unknown fields as before')
  const anonymous = await app.inject({ method: 'PATCH', url: '/v1/site', payload: { url: 'x' } })
  t.equal(anonymous.statusCode, 401, 'the key is checked first')
  const site = (await app.inject('/openapi.json')).json().components.schemas.Site
  for (const field of ['url', 'feeds', 'updated_at']) t.equal(site.properties[field].readOnly, true, `${field} is readOnly in the spec`)
  t.notOk(site.properties.title.readOnly)
})
