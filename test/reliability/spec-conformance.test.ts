import t from 'tap'
import sharp from 'sharp'
import { adminAuth, buildTestApp } from '../helper.js'
import { createSpecValidator, loadSpec, operationsOf, type Operation } from '../helpers/openapi-spec.js'

// A full editorial scenario through app.inject, with every response checked against the
// schema openapi/openapi.json gives for its operation, status and content type, by an Ajv
// of our own. The serializer drops unknown fields and coerces types silently; this does not.

const WXR = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Old blog</title><link>https://old.example.org</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[sam]]></wp:author_login><wp:author_email><![CDATA[sam@old.example.org]]></wp:author_email><wp:author_display_name><![CDATA[Sam Old]]></wp:author_display_name></wp:author>
<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename><![CDATA[harbour]]></wp:category_nicename><wp:category_parent><![CDATA[]]></wp:category_parent><wp:cat_name><![CDATA[Harbour]]></wp:cat_name></wp:category>
<item><title>Ferry timetable changes</title><link>https://old.example.org/ferry</link><pubDate>Mon, 03 Jan 2022 10:00:00 +0000</pubDate><dc:creator><![CDATA[sam]]></dc:creator><guid isPermaLink="false">https://old.example.org/?p=10</guid>
<content:encoded><![CDATA[The ferry runs later in winter.

A second paragraph.]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>10</wp:post_id><wp:post_date_gmt><![CDATA[2022-01-03 10:00:00]]></wp:post_date_gmt><wp:post_name><![CDATA[ferry-timetable]]></wp:post_name><wp:status><![CDATA[publish]]></wp:status><wp:post_type><![CDATA[post]]></wp:post_type>
<category domain="category" nicename="harbour"><![CDATA[Harbour]]></category></item>
</channel></rss>`

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Partner wire</title><link>https://partner.example.org</link><description>Wire</description>
<item><title>Port reopens after storm</title><link>https://partner.example.org/port</link><guid>partner-1</guid><pubDate>Tue, 04 Jan 2022 09:00:00 GMT</pubDate><description>&lt;p&gt;The port reopened.&lt;/p&gt;</description></item>
</channel></rss>`

t.test('every response of a full scenario matches the schema openapi.json documents for it', { timeout: 120_000 }, async (t) => {
  const app = await buildTestApp(t, { COMMENT_RATE_LIMIT: '1000' })
  const spec = loadSpec()
  const ops = operationsOf(spec)
  const validator = createSpecValidator(spec)
  const matchers = ops.map((op) => ({ op, re: new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}$`), params: (op.path.match(/\{/g) ?? []).length }))
  const covered = new Map<string, Set<number>>()
  let checked = 0

  function operationFor (method: string, url: string): Operation | undefined {
    const path = url.split('?')[0]
    return matchers.filter((m) => m.op.method === method && m.re.test(path)).sort((a, b) => a.params - b.params)[0]?.op
  }

  interface CallOptions { headers?: Record<string, string>, payload?: unknown, expect?: number }
  async function call (method: string, url: string, opts: CallOptions = {}) {
    const payload = typeof opts.payload === 'string' || opts.payload === undefined ? opts.payload : JSON.stringify(opts.payload)
    const headers = { ...(typeof opts.payload === 'object' ? { 'content-type': 'application/json' } : {}), ...opts.headers }
    const res = await app.inject({ method: method as 'GET', url, headers, payload })
    const op = operationFor(method, url)
    if (op === undefined) {
      t.fail(`${method} ${url} is no operation of the spec`)
      return res
    }
    if (opts.expect !== undefined) t.equal(res.statusCode, opts.expect, `${method} ${url} answers ${opts.expect}`)
    const problems = validator.check(op, { statusCode: res.statusCode, headers: res.headers, body: res.body })
    t.same(problems, [], `${op.id} ${res.statusCode} ${String(res.headers['content-type'] ?? '').split(';')[0] || '(no content)'} matches the spec`)
    checked++
    const statuses = covered.get(op.id) ?? new Set<number>()
    statuses.add(res.statusCode)
    covered.set(op.id, statuses)
    return res
  }
  const admin = (more: CallOptions = {}): CallOptions => ({ ...more, headers: { ...adminAuth, ...more.headers } })
  const data = <T = Record<string, unknown>>(res: { json: () => unknown }) => (res.json() as { data: T }).data

  // The validator itself must catch a wrong body, or every check below would prove nothing.
  const getSite = ops.find((op) => op.id === 'getSite')!
  const site = await app.inject('/v1/site')
  const broken = JSON.parse(site.body) as { data: Record<string, unknown> }
  broken.data.title = 42
  t.not(validator.check(getSite, { statusCode: 200, headers: site.headers, body: JSON.stringify(broken) }).length, 0, 'a body with a wrong type is refused')
  t.not(validator.check(getSite, { statusCode: 200, headers: { 'content-type': 'text/html' }, body: site.body }).length, 0, 'an undocumented content type is refused')
  t.not(validator.check(getSite, { statusCode: 418, headers: site.headers, body: site.body }).length, 0, 'an undocumented status is refused')

  // Health, site.
  await call('GET', '/health', { expect: 200 })
  await call('GET', '/ready', { expect: 200 })
  await call('GET', '/v1/site', { expect: 200 })
  await call('PATCH', '/v1/site', admin({ payload: { title: 'Harbour Times', description: 'News from the harbour', comments: { moderation: 'all', max_depth: 3 } }, expect: 200 }))
  await call('PATCH', '/v1/site', { payload: { title: 'No key' }, expect: 401 })

  // Taxonomy and authors.
  const author = data<{ id: number, slug: string }>(await call('POST', '/v1/authors', admin({ payload: { name: 'Maria López', email: 'maria@example.com', bio: 'Covers the port.' }, expect: 201 })))
  const other = data<{ id: number }>(await call('POST', '/v1/authors', admin({ payload: { name: 'Sam Reporter' }, expect: 201 })))
  await call('POST', '/v1/authors', admin({ payload: { name: 'Dup', slug: author.slug }, expect: 409 }))
  const world = data<{ id: number }>(await call('POST', '/v1/categories', admin({ payload: { name: 'World' }, expect: 201 })))
  const europe = data<{ id: number, slug: string }>(await call('POST', '/v1/categories', admin({ payload: { name: 'Europe', parent_id: world.id }, expect: 201 })))
  await call('PATCH', `/v1/categories/${world.id}`, admin({ payload: { parent_id: europe.id }, expect: 422 }))
  const tag = data<{ id: number, slug: string }>(await call('POST', '/v1/tags', admin({ payload: { name: 'Ferries' }, expect: 201 })))
  const spare = data<{ id: number, slug: string }>(await call('POST', '/v1/tags', admin({ payload: { name: 'Weather' }, expect: 201 })))
  await call('POST', '/v1/tags', admin({ payload: { name: 'x', bogus: true }, expect: 400 }))
  await call('POST', '/v1/tags', admin({ headers: { 'content-type': 'application/xml' }, payload: '<name>x</name>', expect: 415 }))

  // Posts: a draft, a published one with everything, a scheduled one.
  const draft = data<{ id: number, slug: string }>(await call('POST', '/v1/posts', admin({ payload: { title: 'Ferry strike called off', author_id: author.id, content_html: '<p>Draft.</p>' }, expect: 201 })))
  const live = data<{ id: number, slug: string }>(await call('POST', '/v1/posts', admin({
    expect: 201,
    payload: {
      title: 'Port reopens after the storm',
      content_html: '<h2>Damage</h2><p>The harbour wall held.</p><script>alert(1)</script>',
      author_id: author.id,
      category_ids: [europe.id, world.id],
      tag_ids: [tag.id, spare.id],
      status: 'published',
      featured_image: { url: 'https://img.example.com/port.jpg', alt: 'The port' },
      source: { url: 'https://wire.example.org/port', name: 'Wire' },
      canonical_url: 'https://wire.example.org/port'
    }
  })))
  await call('POST', '/v1/posts', admin({ payload: { title: 'Ferries back to the timetable', author_id: other.id, tag_ids: [tag.id], status: 'published', content_html: '<p>Ferries run again after the storm.</p>' }, expect: 201 }))
  await call('POST', '/v1/posts', admin({ payload: { title: 'Tomorrow', author_id: author.id, status: 'published', published_at: new Date(Date.now() + 86_400_000).toISOString() }, expect: 201 }))
  await call('POST', '/v1/posts', admin({ payload: { title: 'Orphan', author_id: 999 }, expect: 422 }))
  await call('POST', '/v1/posts', admin({ payload: { title: 'Taken', author_id: author.id, slug: live.slug }, expect: 409 }))
  await call('PATCH', `/v1/posts/${draft.id}`, admin({ payload: { status: 'published', excerpt: 'Called off.' }, expect: 200 }))
  await call('PATCH', '/v1/posts/no-such-post', admin({ payload: { title: 'x' }, expect: 404 }))
  // A key with write:content only is answered a PostReceipt.
  const writer = { authorization: `Bearer ${app.core.repos.keys.createSync('writer', ['write:content']).key}` }
  const receipt = data<Record<string, unknown>>(await call('POST', '/v1/posts', { headers: writer, payload: { title: 'Writer draft', author_id: author.id }, expect: 201 }))
  t.notOk('title' in receipt, 'a receipt, not the post')
  await call('PATCH', `/v1/posts/${String(receipt.id)}`, { headers: writer, payload: { comment_status: 'closed' }, expect: 200 })

  // Reading posts every way the API offers.
  const list = await call('GET', '/v1/posts?per_page=2', { expect: 200 })
  const cursor = (list.json() as { meta: { next_cursor: string | null } }).meta.next_cursor
  t.ok(cursor, 'a first page has a next cursor')
  await call('GET', `/v1/posts?per_page=2&cursor=${encodeURIComponent(cursor!)}`, { expect: 200 })
  await call('GET', `/v1/posts?category=${europe.slug}&tag=${tag.slug},${spare.slug}&author=${author.id}&fields=id,slug,title,author,categories`, { expect: 200 })
  await call('GET', '/v1/posts?q=harbour&sort=relevance', { expect: 200 })
  await call('GET', '/v1/posts?q=%22unterminated%20NEAR(', { expect: 200 })
  await call('GET', '/v1/posts?status=draft', admin({ expect: 200 }))
  await call('GET', '/v1/posts?status=draft', { expect: 401 })
  await call('GET', '/v1/posts?status=draft', { headers: { authorization: `Bearer ${app.core.repos.keys.createSync('reader', ['moderate:comments']).key}` }, expect: 403 })
  await call('GET', '/v1/posts?per_page=1000', { expect: 400 })
  await call('GET', '/v1/posts?category=nowhere', { expect: 404 })
  await call('GET', `/v1/posts/${live.id}`, { expect: 200 })
  await call('GET', `/v1/posts/${live.slug}`, { expect: 200 })
  await call('GET', '/v1/posts/no-such-post', { expect: 404 })
  await call('GET', '/v1/posts/x', { headers: { authorization: 'Bearer wrong' }, expect: 401 })
  // Pages, menus, SEO and sitemaps.
  const about = data<{ id: number }>(await call('POST', '/v1/pages', admin({ payload: { title: 'About', status: 'published', meta_title: 'About the paper', content_html: '<p>Us.</p>' }, expect: 201 })))
  const teamPage = data<{ id: number }>(await call('POST', '/v1/pages', admin({ payload: { title: 'Team', parent_id: about.id, status: 'published' }, expect: 201 })))
  await call('POST', '/v1/pages', { headers: writer, payload: { title: 'Writer page' }, expect: 201 })
  await call('POST', '/v1/pages', admin({ payload: { title: 'Orphan', parent_id: 999 }, expect: 422 }))
  await call('POST', '/v1/pages', { payload: { title: 'No key' }, expect: 401 })
  await call('PATCH', `/v1/pages/${about.id}`, admin({ payload: { parent_id: teamPage.id }, expect: 422 }))
  await call('PATCH', `/v1/pages/${teamPage.id}`, admin({ payload: { menu_order: 2, og_title: 'Our team' }, expect: 200 }))
  await call('PATCH', '/v1/pages/no-such-page', admin({ payload: { title: 'x' }, expect: 404 }))
  await call('GET', '/v1/pages', { expect: 200 })
  await call('GET', '/v1/pages?path=about/team', { expect: 200 })
  await call('GET', '/v1/pages?path=nowhere', { expect: 404 })
  await call('GET', '/v1/pages?status=draft', { expect: 401 })
  await call('GET', `/v1/pages/${teamPage.id}`, { expect: 200 })
  await call('GET', '/v1/pages/no-such-page', { expect: 404 })
  // Revisions (issue 17): the team page has two (created, then patched); so has the writer's draft below.
  await call('GET', `/v1/pages/${teamPage.id}/revisions`, admin({ expect: 200 }))
  await call('GET', `/v1/pages/${teamPage.id}/revisions`, { expect: 401 })
  await call('GET', `/v1/pages/${teamPage.id}/revisions/1`, admin({ expect: 200 }))
  await call('GET', `/v1/pages/${teamPage.id}/revisions/99`, admin({ expect: 404 }))
  await call('POST', `/v1/pages/${teamPage.id}/revisions/1/restore`, admin({ headers: { 'if-match': '"stale"' }, expect: 409 }))
  await call('POST', `/v1/pages/${teamPage.id}/revisions/1/restore`, admin({ expect: 201 }))
  await call('PATCH', '/v1/site', admin({ payload: { navigation: { primary: [{ label: 'About', page_id: about.id, children: [{ label: 'Team', page_id: teamPage.id }] }, { label: 'Ferries', tag_id: tag.id }, { label: 'Home', url: '/' }] } }, expect: 200 }))
  await call('PATCH', '/v1/site', admin({ payload: { navigation: { primary: [{ label: 'Ghost', page_id: 999 }] } }, expect: 422 }))
  await call('GET', '/v1/site', admin({ expect: 200 }))
  await call('GET', '/sitemap.xml', { expect: 200 })
  await call('GET', '/sitemaps/posts-1.xml', { expect: 200 })
  await call('GET', '/sitemaps/pages.xml', { expect: 200 })
  await call('GET', '/sitemaps/posts-9.xml', { expect: 404 })
  await call('GET', '/sitemaps/nope.xml', { expect: 400 })
  await call('GET', '/robots.txt', { expect: 200 })
  await call('DELETE', `/v1/pages/${about.id}`, admin({ expect: 204 }))
  if (operationFor('GET', `/v1/posts/${live.id}/related`)) {
    await call('GET', `/v1/posts/${live.id}/related?limit=3`, { expect: 200 })
    await call('GET', `/v1/posts/${live.id}/related?limit=99`, { expect: 400 })
  }

  // Comments: submit (JSON and form), moderate, read the thread, delete.
  const first = data<{ id: number }>(await call('POST', `/v1/posts/${live.id}/comments`, { payload: { author_name: 'Reader', author_email: 'reader@example.com', content: 'Glad the wall held. See https://example.com/wall' }, expect: 201 }))
  await call('POST', `/v1/posts/${live.id}/comments`, { payload: { author_name: 'Reader', author_email: 'reader@example.com', content: 'Glad the wall held. See https://example.com/wall' }, expect: 409 })
  await call('POST', `/v1/posts/${live.id}/comments`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ author_name: 'Form', author_email: 'form@example.com', content: 'Sent from a form' }).toString(), expect: 201 })
  await call('POST', `/v1/posts/${live.id}/comments`, { headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: new URLSearchParams({ author_name: 'Browser', author_email: 'b@example.com', content: 'A browser form post' }).toString(), expect: 303 })
  await call('POST', `/v1/posts/${live.id}/comments`, { payload: { author_name: 'x' }, expect: 400 })
  await call('POST', '/v1/posts/no-such-post/comments', { payload: { author_name: 'x', author_email: 'x@example.com', content: 'x' }, expect: 404 })
  await call('GET', '/v1/comments?status=pending', admin({ expect: 200 }))
  await call('GET', '/v1/comments?status=pending', { expect: 401 })
  await call('PATCH', `/v1/comments/${first.id}`, admin({ payload: { status: 'approved' }, expect: 200 }))
  const reply = data<{ id: number }>(await call('POST', `/v1/posts/${live.id}/comments`, { payload: { author_name: 'Harbour master', author_email: 'hm@example.com', content: 'It did.', parent_id: first.id }, expect: 201 }))
  await call('PATCH', `/v1/comments/${reply.id}`, admin({ payload: { status: 'approved', content: 'It did, thanks to the new stones.' }, expect: 200 }))
  await call('GET', `/v1/comments/${reply.id}`, admin({ expect: 200 }))
  await call('GET', '/v1/comments/999999', admin({ expect: 404 }))
  await call('GET', `/v1/posts/${live.slug}/comments`, { expect: 200 })
  await call('DELETE', `/v1/comments/${reply.id}`, admin({ expect: 204 }))

  // Preview links: made for a draft, read with its related posts and comments, revoked.
  await call('PATCH', `/v1/posts/${String(receipt.id)}`, admin({ payload: { title: 'Writer draft, edited' }, expect: 200 }))
  await call('GET', `/v1/posts/${String(receipt.id)}/revisions`, admin({ expect: 200 }))
  await call('GET', `/v1/posts/${String(receipt.id)}/revisions`, { headers: writer, expect: 403 })
  await call('GET', `/v1/posts/${String(receipt.id)}/revisions/2`, admin({ expect: 200 }))
  await call('GET', `/v1/posts/${String(receipt.id)}/revisions/0`, admin({ expect: 400 }))
  await call('POST', `/v1/posts/${String(receipt.id)}/revisions/1/restore`, admin({ expect: 201 }))
  await call('POST', '/v1/posts/no-such-post/revisions/1/restore', admin({ expect: 404 }))
  const link = data<{ token: string }>(await call('POST', `/v1/posts/${String(receipt.id)}/previews`, { headers: writer, payload: { expires_in: 600 }, expect: 201 }))
  await call('POST', `/v1/posts/${String(receipt.id)}/previews`, admin({ payload: { expires_in: 10 }, expect: 400 }))
  await call('POST', '/v1/posts/no-such-post/previews', admin({ payload: {}, expect: 404 }))
  await call('GET', `/v1/previews/${link.token}`, { expect: 200 })
  await call('GET', `/v1/previews/${link.token}/related?limit=3`, { expect: 200 })
  await call('GET', `/v1/previews/${link.token}/comments`, { expect: 200 })
  await call('GET', `/v1/previews/${link.token}/comments?per_page=0`, { expect: 400 })
  await call('DELETE', `/v1/posts/${String(receipt.id)}/previews`, { headers: writer, expect: 204 })
  await call('DELETE', '/v1/posts/no-such-post/previews', admin({ expect: 404 }))
  await call('GET', `/v1/previews/${link.token}`, { expect: 404 })
  await call('GET', `/v1/previews/${link.token}/related`, { expect: 404 })
  await call('GET', `/v1/previews/${link.token}/comments`, { expect: 404 })

  // Taxonomy reads, updates and deletes with reassignment.
  for (const base of ['/v1/categories', '/v1/tags', '/v1/authors']) await call('GET', `${base}?per_page=5`, { expect: 200 })
  await call('GET', `/v1/categories/${europe.slug}`, { expect: 200 })
  await call('GET', `/v1/tags/${tag.slug}`, { expect: 200 })
  await call('GET', `/v1/authors/${author.slug}`, { expect: 200 })
  await call('GET', '/v1/authors/nobody', { expect: 404 })
  await call('PATCH', `/v1/categories/${europe.id}`, admin({ payload: { description: 'The continent' }, expect: 200 }))
  await call('PATCH', `/v1/tags/${tag.id}`, admin({ payload: { description: 'Boats' }, expect: 200 }))
  await call('PATCH', `/v1/authors/${other.id}`, admin({ payload: { bio: 'Night desk.' }, expect: 200 }))
  await call('DELETE', `/v1/tags/${spare.id}`, admin({ expect: 409 }))
  await call('DELETE', `/v1/tags/${spare.id}?reassign=${tag.slug}`, admin({ expect: 204 }))
  await call('DELETE', `/v1/categories/${world.id}`, admin({ expect: 409 }))
  const empty = data<{ id: number }>(await call('POST', '/v1/categories', admin({ payload: { name: 'Empty' }, expect: 201 })))
  await call('DELETE', `/v1/categories/${empty.id}`, admin({ expect: 204 }))
  await call('DELETE', `/v1/authors/${author.id}`, admin({ expect: 409 }))
  const idle = data<{ id: number }>(await call('POST', '/v1/authors', admin({ payload: { name: 'Idle' }, expect: 201 })))
  await call('DELETE', `/v1/authors/${idle.id}`, admin({ expect: 204 }))

  // Keys.
  const created = data<{ id: number, key: string }>(await call('POST', '/v1/keys', admin({ payload: { name: 'moderator', scopes: ['moderate:comments'] }, expect: 201 })))
  await call('GET', '/v1/keys', admin({ expect: 200 }))
  await call('POST', '/v1/tags', { headers: { authorization: `Bearer ${created.key}` }, payload: { name: 'Nope' }, expect: 403 })
  await call('PATCH', `/v1/keys/${created.id}`, admin({ payload: { rate_limit_per_minute: 1 }, expect: 200 }))
  await call('GET', '/v1/site', { headers: { authorization: `Bearer ${created.key}` }, expect: 200 })
  await call('GET', '/v1/site', { headers: { authorization: `Bearer ${created.key}` }, expect: 429 })
  await call('GET', `/v1/keys/${created.id}/usage`, admin({ expect: 200 }))
  await call('DELETE', `/v1/keys/${created.id}`, admin({ expect: 204 }))
  await call('GET', '/v1/keys', { headers: { authorization: `Bearer ${created.key}` }, expect: 401 })

  // Webhooks (inactive, so nothing is sent anywhere; IP literals need no DNS).
  const hook = data<{ id: number }>(await call('POST', '/v1/webhooks', admin({ payload: { url: 'https://93.184.215.14/hooks/broadsheet', events: ['post.published'], secret: 'a-secret-of-at-least-sixteen', active: false }, expect: 201 })))
  await call('POST', '/v1/webhooks', admin({ payload: { url: 'http://127.0.0.1/hook', events: ['post.published'] }, expect: 422 }))
  await call('GET', '/v1/webhooks', admin({ expect: 200 }))
  await call('GET', `/v1/webhooks/${hook.id}`, admin({ expect: 200 }))
  await call('PATCH', `/v1/webhooks/${hook.id}`, admin({ payload: { description: 'Partner mirror' }, expect: 200 }))
  await call('GET', `/v1/webhooks/${hook.id}/deliveries`, admin({ expect: 200 }))
  await call('POST', `/v1/webhooks/${hook.id}/deliveries/999/retry`, admin({ expect: 404 }))
  await call('POST', `/v1/webhooks/${hook.id}/rotate-secret`, admin({ payload: { grace_seconds: 3600 }, expect: 200 }))
  await call('DELETE', `/v1/webhooks/${hook.id}`, admin({ expect: 204 }))

  // Feed subscriptions: a private feed URL is refused; a source stored as an earlier check would
  // have (no feed server here) is read, changed, polled and deleted through the API.
  if (operationFor('POST', '/v1/sources')) {
    await call('POST', '/v1/sources', admin({ payload: { feed_url: 'http://10.0.0.1/feed.xml', name: 'Private' }, expect: 422 }))
    const stored = await app.core.writeAsync(async (tx) => await app.core.repos.sources.create(tx, { feedUrl: 'https://93.184.215.14/feed.xml', name: 'Wire', categoryIds: [], tagIds: [], authorId: null, status: 'draft', intervalMinutes: 30, enabled: true, attributionName: null, attributionUrl: null }, Date.now() + 3_600_000))
    await call('GET', '/v1/sources', admin({ expect: 200 }))
    await call('GET', `/v1/sources/${stored.id}`, admin({ expect: 200 }))
    await call('PATCH', `/v1/sources/${stored.id}`, admin({ payload: { interval_minutes: 60 }, expect: 200 }))
    await call('POST', `/v1/sources/${stored.id}/poll`, admin({ expect: 202 }))
    await call('GET', `/v1/sources/${stored.id}/runs`, admin({ expect: 200 }))
    await call('DELETE', `/v1/sources/${stored.id}`, admin({ expect: 204 }))
  }

  // Imports, when the spec has them.
  if (operationFor('POST', '/v1/imports/wxr')) {
    const wait = { 'content-type': 'application/xml', prefer: 'wait=30' }
    await call('POST', '/v1/imports/wxr', admin({ headers: wait, payload: WXR, expect: 200 }))
    await call('POST', '/v1/imports/wxr', admin({ headers: wait, payload: 'not xml', expect: 422 }))
    const queued = data<{ id: number }>(await call('POST', '/v1/imports/wxr', admin({ headers: { 'content-type': 'application/xml' }, payload: WXR, expect: 202 })))
    await call('GET', '/v1/imports?per_page=5', admin({ expect: 200 }))
    await call('GET', `/v1/imports/${queued.id}`, admin({ expect: 200 }))
    await call('GET', '/v1/imports/9999', admin({ expect: 404 }))
    for (let i = 0; i < 200 && data<{ status: string }>(await app.inject({ url: `/v1/imports/${queued.id}`, headers: adminAuth })).status !== 'succeeded'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await call('DELETE', `/v1/imports/${queued.id}`, admin({ expect: 409 }))
  }
  if (operationFor('POST', '/v1/imports/feed')) {
    await call('POST', '/v1/imports/feed?status=published&source_url=https%3A%2F%2Fpartner.example.org%2Ffeed', admin({ headers: { 'content-type': 'application/rss+xml', prefer: 'wait=30' }, payload: RSS, expect: 200 }))
    const accepted = data<{ id: number }>(await call('POST', '/v1/imports/feed', admin({ headers: { 'content-type': 'application/rss+xml' }, payload: RSS, expect: 202 })))
    await call('DELETE', `/v1/imports/${accepted.id}`, admin({}))
    await call('POST', '/v1/imports/feed', admin({ payload: { url: 'http://10.0.0.1/feed.xml' }, expect: 422 }))
  }

  // The media library, when the spec has it: a real PNG, uploaded as a browser would.
  if (operationFor('POST', '/v1/media')) {
    const png = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#336699' } }).png().toBuffer()
    const boundary = 'SpecBoundary'
    const form = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\nA blue rectangle\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="blue.png"\r\nContent-Type: image/png\r\n\r\n`),
      png,
      Buffer.from(`\r\n--${boundary}--\r\n`)
    ])
    const uploaded = await app.inject({ method: 'POST', url: '/v1/media', headers: { ...adminAuth, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: form })
    const op = operationFor('POST', '/v1/media')!
    t.equal(uploaded.statusCode, 201, 'POST /v1/media answers 201')
    t.same(validator.check(op, { statusCode: uploaded.statusCode, headers: uploaded.headers, body: uploaded.body }), [], 'uploadMedia 201 matches the spec')
    covered.set(op.id, new Set([201]))
    const media = data<{ id: number, url: string }>(uploaded)
    await call('POST', '/v1/media', admin({ headers: { 'content-type': 'text/plain' }, payload: 'no', expect: 415 }))
    await call('GET', '/v1/media?per_page=5', admin({ expect: 200 }))
    await call('GET', `/v1/media/${media.id}`, admin({ expect: 200 }))
    await call('GET', '/v1/media/999999', admin({ expect: 404 }))
    await call('PATCH', `/v1/media/${media.id}`, admin({ payload: { caption: 'Blue' }, expect: 200 }))
    await call('GET', `${new URL(media.url).pathname}?w=160&format=webp`, { expect: 200 })
    await call('GET', `/media/${media.id}/not-its-name.png`, { expect: 404 })
    await call('DELETE', `/v1/media/${media.id}`, admin({ expect: 204 }))
  }

  // Old WordPress addresses and the export, when the spec has them.
  if (operationFor('GET', '/v1/redirects')) {
    await call('GET', '/v1/redirects', { expect: 200 })
    await call('GET', '/v1/redirects?path=%2F2020%2F01%2Fno-such-post%2F', { expect: 200 })
  }
  if (operationFor('GET', '/v1/export')) {
    await call('GET', '/v1/export', admin({ expect: 200 }))
    await call('GET', '/v1/export', { expect: 401 })
  }

  // Feeds, change log, and finally a delete.
  for (const feed of ['/feeds/rss.xml', '/feeds/atom.xml', '/feeds/feed.json']) {
    if (operationFor('GET', feed)) {
      await call('GET', `${feed}?tag=${tag.slug}`, { expect: 200 })
      await call('GET', `${feed}?category=nowhere`, { expect: 404 })
    }
  }
  const changes = await call('GET', '/v1/changes?limit=5', { expect: 200 })
  const since = (changes.json() as { meta: { next_cursor: string | null } }).meta.next_cursor
  if (since) await call('GET', `/v1/changes?since=${encodeURIComponent(since)}&limit=5`, { expect: 200 })
  await call('GET', '/v1/changes?since=garbage', { expect: 400 })
  await call('DELETE', `/v1/posts/${draft.id}`, admin({ expect: 204 }))
  await call('DELETE', `/v1/posts/${draft.id}`, admin({ expect: 404 }))

  const missing = ops.filter((op) => !covered.has(op.id)).map((op) => `${op.method} ${op.path} (${op.id})`)
  t.same(missing, [], 'the scenario exercises every operation in openapi.json (add new ones to it)')
  t.comment(`${checked} responses checked over ${covered.size} of ${ops.length} operations, ${[...covered.values()].reduce((n, s) => n + s.size, 0)} operation/status pairs`)
})
