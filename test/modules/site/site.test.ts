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
