import t from 'tap'
import { readFileSync } from 'node:fs'
import { buildTestApp, adminAuth } from '../../helper.js'

// What WordPress markup becomes on import (issue 21, items 19–20): the teaser and page markers,
// auto-embeds, comment HTML under the posts' allowlist, every dropped construct counted in
// the summary, and the old permalinks of the redirect map.

type App = Awaited<ReturnType<typeof buildTestApp>>

const MARKUP = readFileSync(new URL('../../fixtures/wxr/markup-1.2.xml', import.meta.url))

async function importWxr (app: App, body: string | Buffer) {
  const res = await app.inject({ method: 'POST', url: '/v1/imports/wxr', headers: { ...adminAuth, 'content-type': 'application/xml', prefer: 'wait=60' }, payload: body })
  return res
}

t.test('<!--more--> sets the teaser and is kept; <!--nextpage--> is kept; videos become embeds from allowed hosts', async (t) => {
  const app = await buildTestApp(t, { IFRAME_HOSTS: 'www.youtube-nocookie.com' })
  const res = await importWxr(app, MARKUP)
  t.equal(res.statusCode, 200, res.body)
  const post = (await app.inject({ url: '/v1/posts/geneva-talks' })).json().data
  t.equal(post.excerpt, 'Talks resume in Geneva.', 'without an excerpt of its own, the text before <!--more--> is the teaser')
  t.match(post.content_html, /<p>Talks resume in Geneva\.<\/p>\s*<!--more Read the full report-->\s*<p>/, 'the marker stays, with its link text, between paragraphs')
  t.match(post.content_html, /<!--nextpage-->/, 'the page break stays')
  t.match(post.content_html, /<iframe src="https:\/\/www\.youtube-nocookie\.com\/embed\/dQw4w9WgXcQ"/, 'a YouTube URL alone on its line is a player')
  t.match(post.content_html, /<a href="https:\/\/vimeo\.com\/76979871"/, 'a Vimeo player from a host IFRAME_HOSTS does not name is a link')
  t.notMatch(post.content_html, /\[gallery|\[contact-form|script|alert/)

  const warnings = res.json().data.warnings as string[]
  const own = warnings.find((w) => w.startsWith('wp:201: not kept:')) ?? ''
  t.match(own, /Vimeo player \(kept as a link: player\.vimeo\.com is not in IFRAME_HOSTS\)/)
  t.match(own, /1 × \[gallery\] shortcode/)
  t.match(own, /1 × \[contact-form-7\] shortcode/)
  t.match(own, /1 × <script>/)
  t.match(own, /1 × class attribute \(on <span>\)/)
  t.match(own, /1 × style attribute \(on <span>\)/)
  t.notOk(warnings.some((w) => w.startsWith('wp:202')), 'a body that lost nothing is not mentioned')
  t.match(warnings.at(-1), /^in all, not kept: .*<script>/, 'the summary ends with the totals')
})

t.test('without IFRAME_HOSTS every video is a link, and the summary says so', async (t) => {
  const app = await buildTestApp(t)
  const res = await importWxr(app, MARKUP)
  t.equal(res.statusCode, 200, res.body)
  const post = (await app.inject({ url: '/v1/posts/geneva-talks' })).json().data
  t.notMatch(post.content_html, /<iframe/)
  t.match(post.content_html, /<a href="https:\/\/www\.youtube\.com\/watch\?v=dQw4w9WgXcQ"/)
  t.match(res.json().data.warnings.join('\n'), /YouTube player \(kept as a link: www\.youtube-nocookie\.com is not in IFRAME_HOSTS\)/)
})

t.test('comment HTML follows the posts\' allowlist, and what it drops is counted', async (t) => {
  const app = await buildTestApp(t)
  const res = await importWxr(app, MARKUP)
  const thread = (await app.inject({ url: '/v1/posts/geneva-talks/comments' })).json().data as Array<{ content_html: string }>
  t.equal(thread.length, 1)
  const html = thread[0].content_html
  t.match(html, /<h3>Two points<\/h3>/, 'headings are kept, as in posts')
  t.match(html, /<img src="https:\/\/example\.net\/chart\.png" alt="Chart"/, 'images are kept, as in posts')
  t.match(html, /<a href="https:\/\/example\.net\/notes" rel="nofollow ugc">my notes<\/a>/, 'links stay nofollow ugc')
  t.notMatch(html, /onclick|iframe|tracker/)
  const warnings = res.json().data.warnings as string[]
  t.match(warnings.find((w) => w.startsWith('wp:201 comment 31')), /<iframe> from tracker\.example.*onclick attribute \(on <a>\)/)
})

t.test('imported posts keep their old permalink; GET /v1/redirects answers old addresses', async (t) => {
  const app = await buildTestApp(t)
  t.equal((await importWxr(app, MARKUP)).statusCode, 200)
  const id = (slug: string) => app.db.$client.prepare('SELECT id FROM posts WHERE slug = ?').pluck().get(slug) as number

  const all = await app.inject({ url: '/v1/redirects' })
  t.equal(all.statusCode, 200, all.body)
  t.same(all.json().data, [
    { from: 'https://old.example.com/2019/05/geneva-talks/', path: '/2019/05/geneva-talks', post_id: id('geneva-talks'), post_slug: 'geneva-talks' },
    { from: 'https://old.example.com/?p=202', path: '/?p=202', post_id: id('plain-permalink'), post_slug: 'plain-permalink' }
  ], 'live posts only: the draft is not listed')
  t.equal(all.json().meta.total, 2)
  t.match(all.headers['surrogate-key'], /posts/)

  for (const asked of ['/2019/05/geneva-talks/', '/2019/05/geneva-talks', 'https://new.example.org/2019/05/geneva-talks/', '/2019/05/%67eneva-talks/']) {
    const one = (await app.inject({ url: `/v1/redirects?path=${encodeURIComponent(asked)}` })).json()
    t.same(one.data.map((r: { post_slug: string }) => r.post_slug), ['geneva-talks'], asked)
  }
  t.same((await app.inject({ url: `/v1/redirects?path=${encodeURIComponent('/?p=202')}` })).json().data.map((r: { post_id: number }) => r.post_id), [id('plain-permalink')])
  t.same((await app.inject({ url: '/v1/redirects?path=/nothing-here/' })).json().data, [])
  t.same((await app.inject({ url: `/v1/redirects?path=${encodeURIComponent('/?p=203')}` })).json().data, [], 'a draft is never a redirect target')

  const bad = await app.inject({ url: `/v1/redirects?path=${encodeURIComponent('javascript:alert(1)')}` })
  t.equal(bad.statusCode, 400)
  t.equal(bad.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(bad.json().detail, /path/)

  const again = await importWxr(app, MARKUP)
  t.same(again.json().data.created.posts, 0)
  t.equal(app.db.$client.prepare('SELECT count(*) FROM legacy_urls').pluck().get(), 3, 'a re-import keeps one old address per post')

  await app.inject({ method: 'DELETE', url: `/v1/posts/${id('plain-permalink')}`, headers: adminAuth })
  t.equal((await app.inject({ url: '/v1/redirects' })).json().meta.total, 1, 'a deleted post takes its redirect along')
})
