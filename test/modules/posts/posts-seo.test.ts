import t from 'tap'
import { adminAuth, buildTestApp, keyAuth, TEST_SITE_URL } from '../../helper.js'
import { makeAuthor } from '../../helpers/factories.js'
import { computeSeo, SEO_LIMITS } from '../../../src/lib/seo.js'

t.test('posts: SEO fields are written, limited, and read with the computed seo object', async (t) => {
  const app = await buildTestApp(t)
  const author = makeAuthor(app.core.db)
  const create = await app.inject({
    method: 'POST',
    url: '/v1/posts',
    headers: adminAuth,
    payload: { title: 'Geneva talks end', author_id: author.id, status: 'published', content_html: '<p>No deal.</p>', featured_image: { url: 'https://img.example.com/a.jpg' }, meta_title: 'Geneva: no deal', og_description: 'Talks ended without a deal' }
  })
  t.equal(create.statusCode, 201, create.body)
  const post = create.json().data
  t.equal(post.meta_title, 'Geneva: no deal')
  t.equal(post.meta_description, null)
  const read = (await app.inject(`/v1/posts/${post.id}`)).json().data
  t.same(read.seo, {
    title: 'Geneva: no deal',
    description: 'No deal.',
    canonical_url: `${TEST_SITE_URL}/geneva-talks-end`,
    robots: 'index, follow',
    og: { type: 'article', url: `${TEST_SITE_URL}/geneva-talks-end`, title: 'Geneva: no deal', description: 'Talks ended without a deal', image: 'https://img.example.com/a.jpg' },
    twitter: { card: 'summary_large_image', title: 'Geneva: no deal', description: 'Talks ended without a deal', image: 'https://img.example.com/a.jpg' }
  }, 'fallbacks: description ← excerpt, og:image ← featured image, twitter ← og')
  t.notOk('seo' in (await app.inject('/v1/posts')).json().data[0], 'lists leave seo out')

  const patched = await app.inject({ method: 'PATCH', url: `/v1/posts/${post.id}`, headers: adminAuth, payload: { noindex: true, meta_title: null, twitter_image: 'https://img.example.com/t.jpg' } })
  t.equal(patched.statusCode, 200)
  const after = (await app.inject(`/v1/posts/${post.id}`)).json().data
  t.equal(after.noindex, true)
  t.equal(after.seo.robots, 'noindex, follow')
  t.equal(after.seo.title, 'Geneva talks end', 'a cleared field falls back again')
  t.equal(after.og_description, 'Talks ended without a deal', 'fields not sent are kept')
  t.equal(after.seo.twitter.image, 'https://img.example.com/t.jpg')
  t.equal((await app.inject(`/v1/posts/${post.id}`)).statusCode, 200, 'a noindex post stays readable')

  const long = await app.inject({ method: 'PATCH', url: `/v1/posts/${post.id}`, headers: adminAuth, payload: { meta_description: 'x'.repeat(SEO_LIMITS.meta_description + 1), og_title: 'ok' } })
  t.equal(long.statusCode, 422)
  t.match(long.json().errors, [{ path: 'meta_description', message: /at most 320/ }])
  t.equal((await app.inject(`/v1/posts/${post.id}`)).json().data.og_title, null, 'nothing of a refused write is stored')
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/posts/${post.id}`, headers: adminAuth, payload: { og_image: 'javascript:x' } })).statusCode, 400)
  const receipt = await app.inject({ method: 'PATCH', url: `/v1/posts/${post.id}`, headers: keyAuth(app, 'write:content'), payload: { meta_title: 'x' } })
  t.notOk('seo' in receipt.json().data, 'a receipt stays a receipt')
})

t.test('pages carry the same SEO fields', async (t) => {
  const app = await buildTestApp(t)
  const page = (await app.inject({ method: 'POST', url: '/v1/pages', headers: adminAuth, payload: { title: 'About', status: 'published', excerpt: 'Who we are', canonical_url: 'https://other.example.com/about', og_title: 'About the paper', noindex: true } })).json().data
  t.match(page.seo, { title: 'About', description: 'Who we are', canonical_url: 'https://other.example.com/about', robots: 'noindex, follow', og: { type: 'website', title: 'About the paper' }, twitter: { card: 'summary', title: 'About the paper' } })
  const tooLong = await app.inject({ method: 'POST', url: '/v1/pages', headers: adminAuth, payload: { title: 'x', meta_title: 'é'.repeat(121) } })
  t.equal(tooLong.statusCode, 422)
  t.equal(tooLong.json().errors[0].path, 'meta_title')
})

t.test('computeSeo: blank values fall back too', async (t) => {
  const seo = computeSeo({ meta_title: '  ', meta_description: null, og_title: null, og_description: null, og_image: null, twitter_title: null, twitter_description: null, twitter_image: null, noindex: false },
    { title: 'T', excerpt: 'E', url: 'https://x/t', canonicalUrl: null, featuredImage: null, type: 'article' })
  t.equal(seo.title, 'T')
  t.equal(seo.canonical_url, 'https://x/t')
  t.equal(seo.twitter.card, 'summary')
})
