import t from 'tap'
import { createBroadsheetClient } from '@broadsheet/client'
import { buildSite } from '../../examples/site/src/app.js'
import { loadSiteConfig } from '../../examples/site/src/config.js'
import { breadcrumb, postPath, safeUrl, snippetHtml } from '../../examples/site/src/format.js'
import { ADMIN_TOKEN, startApi } from '../client/api-server.js'

// The example site over the real API (demo newsroom on a temporary database), its own
// requests through inject: routes, HTTP caching, escaping and the 404 page. The browser test
// (site-browser.test.ts) covers what a reader sees and the comment form.

t.test('the example site renders from the API', async (t) => {
  const api = await startApi(t, { siteUrl: 'http://site.test' })
  const site = await buildSite({ apiUrl: api.url, publicApiUrl: api.url })
  t.teardown(() => site.close())
  const admin = createBroadsheetClient({ baseUrl: api.url, key: ADMIN_TOKEN })
  const get = async (url: string, headers: Record<string, string> = {}) => await site.inject({ url, headers })

  await t.test('the article page at the post url, and at /{slug}/', async (t) => {
    const { data } = await admin.GET('/v1/posts/{ref}', { params: { path: { ref: 'blinken-warns-russia' } } })
    const path = new URL(data.data.url).pathname
    t.equal(path, '/politics/blinken-warns-russia', "the API's url is SITE_URL/{primary category}/{slug}")
    t.equal(postPath(data.data), path, 'and the site links to the same path')
    const res = await get(path)
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^text\/html/)
    t.match(res.body, '<a class="site-title" href="/">My Blog</a>')
    t.match(res.body, /<nav class="breadcrumb"[^>]*><ol><li><a href="\/">My Blog<\/a><\/li><li><a href="\/politics">Politics<\/a><\/li><\/ol><\/nav>/)
    t.match(res.body, '<h1 class="post-title">Blinken warns any Russian invasion')
    t.match(res.body, '<span class="author">Maria López</span>')
    t.match(res.body, '<h2>A narrow path</h2>', 'the body with its sub-headings, as HTML')
    t.match(res.body, /Source: <a href="https:\/\/www\.example-wire\.com\/[^"]+" rel="nofollow noopener">Example Wire<\/a>/)
    t.equal(res.body.match(/class="related-post"/g)?.length, 3, 'three related posts')
    t.equal(res.body.match(/class="comment depth-/g)?.length, data.data.comment_count, 'every approved comment')
    t.match(res.body, 'class="comment depth-2"', 'replies indented by depth')
    t.match(res.body, `<form class="comment-form" method="post" action="${api.url}/v1/posts/blinken-warns-russia/comments">`)
    t.match(res.body, `<link rel="canonical" href="${data.data.canonical_url}">`, 'the canonical link (the original, for a syndicated post)')

    const bySlug = await get('/blinken-warns-russia/')
    t.equal(bySlug.statusCode, 200, '/{post-slug}/ renders the article too')
    t.match(bySlug.body, '<h1 class="post-title">Blinken warns')
    const wrongCategory = await get('/sport/blinken-warns-russia?comment=pending')
    t.equal(wrongCategory.statusCode, 301, 'another category in the path redirects to the post url')
    t.equal(wrongCategory.headers.location, '/politics/blinken-warns-russia?comment=pending')

    const pending = await get(`${path}?comment=pending`)
    t.match(pending.body, 'your comment awaits moderation')
    const nested = (await admin.GET('/v1/posts/{ref}', { params: { path: { ref: 'nato-allies-reinforce-eastern-flank' } } })).data.data
    const nestedPage = await get(postPath(nested))
    t.match(nestedPage.body, /<li><a href="\/world">World<\/a><\/li><li><a href="\/europe">Europe<\/a><\/li>/, 'a sub-category breadcrumb names its parents')
  })

  await t.test('pages, the menu from site settings, and head tags from the API\'s seo object', async (t) => {
    const about = await get('/about')
    t.equal(about.statusCode, 200)
    t.match(about.body, '<h1 class="page-title">About us</h1>')
    t.match(about.body, '<nav class="subpages" aria-label="In this section">')
    t.match(about.body, '<a href="/about/team">Our team</a>', 'its live sub-pages')
    t.match(about.body, '<meta name="description" content="Who we are and how we report">', 'the page\'s meta_description')
    t.match(about.body, '<link rel="canonical" href="http://site.test/about">')
    const team = await get('/about/team/')
    t.equal(team.statusCode, 200, 'a nested page at its full path')
    t.match(team.body, '<h1 class="page-title">Our team</h1>')
    t.equal((await get('/team')).statusCode, 404, 'a nested page only at its full path')

    const home = await get('/')
    const nav = /<nav class="sections"[^>]*>([\s\S]*?)<\/nav>/.exec(home.body)?.[1] ?? ''
    t.match(nav, '<li><a href="/politics">Politics</a></li>', 'a category item links to its page here')
    t.match(nav, /<li><a href="\/about">About<\/a>\s*<ul class="submenu"><li><a href="\/about\/team">Our team<\/a><\/li><\/ul><\/li>/, 'nested items')
    t.match(nav, '<li><a href="/contact">Contact</a></li>', 'a URL item as given')

    const { data } = await admin.GET('/v1/posts', { params: { query: { per_page: 1 } } })
    const newest = (await admin.GET('/v1/posts/{ref}', { params: { path: { ref: data.data[0].slug } } })).data!.data
    const article = await get(new URL(newest.url).pathname)
    t.equal(article.statusCode, 200)
    const seo = newest.seo
    if (seo === undefined) throw new Error('a single post read carries its seo object')
    const attr = (s: string) => s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll("'", '&#39;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
    t.match(article.body, `<title>${attr(seo.title)} – My Blog</title>`)
    t.match(article.body, `<meta name="description" content="${attr(seo.description)}">`)
    t.match(article.body, '<meta property="og:type" content="article">')
    t.match(article.body, `<meta property="og:title" content="${attr(seo.og.title)}">`)
    if (seo.og.image !== null) t.match(article.body, `<meta property="og:image" content="${attr(seo.og.image)}">`)
    t.match(article.body, `<meta name="twitter:card" content="${seo.twitter.card}">`)

    const old = await get('/category/politics/?cursor=abc')
    t.equal(old.statusCode, 301, 'the old category address redirects')
    t.equal(old.headers.location, '/politics?cursor=abc')
  })

  await t.test('passes ETag and 304 through, and changes the ETag when the content does', async (t) => {
    const first = await get('/politics/blinken-warns-russia')
    const etag = first.headers.etag as string
    t.match(etag, /^W\/"[\w-]+"$/)
    t.match(first.headers['cache-control'], /^public, max-age=\d+$/)
    const again = await get('/politics/blinken-warns-russia', { 'if-none-match': etag })
    t.equal(again.statusCode, 304)
    t.equal(again.body, '')
    t.equal(again.headers.etag, etag)

    const { data: comment } = await admin.POST('/v1/posts/{ref}/comments', {
      params: { path: { ref: 'blinken-warns-russia' } },
      body: { author_name: 'ETag Tester', author_email: 'etag@example.com', content: 'A new approved comment changes the page.' }
    })
    await admin.PATCH('/v1/comments/{id}', { params: { path: { id: comment.data.id } }, body: { status: 'approved' } })
    const changed = await get('/politics/blinken-warns-russia', { 'if-none-match': etag })
    t.equal(changed.statusCode, 200, 'a new approved comment: the page is sent again')
    t.not(changed.headers.etag, etag)
    t.match(changed.body, 'ETag Tester')

    for (const url of ['/', '/politics', '/about', '/about/team', '/tag/ukraine/', '/search?q=lavrov']) {
      const page = await get(url)
      t.equal(page.statusCode, 200, `${url} answers 200`)
      t.equal((await get(url, { 'if-none-match': page.headers.etag as string })).statusCode, 304, `${url} answers 304 to its ETag`)
    }
  })

  await t.test('escapes every title, name and comment', async (t) => {
    const evil = '<img src=x onerror=alert(1)>"\'&'
    const { data: author } = await admin.POST('/v1/authors', { body: { name: `Author ${evil}`, slug: 'evil-author' } })
    const { data: category } = await admin.POST('/v1/categories', { body: { name: `Cat ${evil}`, slug: 'evil-cat' } })
    const { data: tag } = await admin.POST('/v1/tags', { body: { name: `Tag ${evil}`, slug: 'evil-tag' } })
    await admin.POST('/v1/posts', {
      body: { title: `Title ${evil}`, slug: 'evil-post', excerpt: `Excerpt ${evil}`, content_html: '<p>Body<script>alert(1)</script></p>', status: 'published', author_id: author.data.id, category_ids: [category.data.id], tag_ids: [tag.data.id], source: { url: 'https://wire.example.com/a?b=1&c="2"', name: `Source ${evil}` } }
    })
    const { data: comment } = await admin.POST('/v1/posts/{ref}/comments', {
      params: { path: { ref: 'evil-post' } },
      body: { author_name: `Reader ${evil}`, author_email: 'evil@example.com', content: `Comment ${evil}` }
    })
    await admin.PATCH('/v1/comments/{id}', { params: { path: { id: comment.data.id } }, body: { status: 'approved' } })

    const pages = [await get('/evil-cat/evil-post'), await get('/'), await get('/evil-cat/'), await get('/tag/evil-tag/'), await get('/search?q=' + encodeURIComponent(evil))]
    for (const page of pages) {
      t.equal(page.statusCode, 200)
      t.notMatch(page.body, /<img src=x/i, 'no injected tag')
      t.notMatch(page.body, /<script/i, 'no script')
      t.notMatch(page.body, /href="javascript:/i, 'no javascript: link')
    }
    t.match(pages[0].body, 'Title &lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;')
    t.match(pages[0].body, 'Reader &lt;img')
    t.match(pages[0].body, 'Author &lt;img')
    t.match(pages[0].body, 'Source &lt;img')
    t.match(pages[0].body, 'href="https://wire.example.com/a?b=1&amp;c=&quot;2&quot;"', 'attribute values escaped too')
    t.match(pages[2].body, '<h1 class="listing-title">Cat &lt;img')
    t.match(pages[4].body, 'Search results for “&lt;img src=x')
  })

  await t.test('lists: latest with cursor pagination, category, tag and search with snippets', async (t) => {
    const home = await get('/')
    t.equal(home.body.match(/<article class="card">/g)?.length, 10)
    const next = /<a class="next" rel="next" href="([^"]+)">/.exec(home.body)?.[1]?.replaceAll('&amp;', '&')
    t.match(next, /^\/\?cursor=/, 'older posts by cursor')
    const older = await get(next!)
    t.equal(older.statusCode, 200)
    const titles = (body: string) => [...body.matchAll(/<h2 class="card-title"><a href="[^"]+">([^<]+)</g)].map((m) => m[1])
    t.equal(titles(older.body).filter((title) => titles(home.body).includes(title)).length, 0, 'the next page continues after the first')
    t.match(older.body, '<a class="first" href="/">')

    const category = await get('/world/')
    t.match(category.body, '<h1 class="listing-title">World</h1>')
    t.match(category.body, 'href="/europe/', 'sub-category posts included')
    const tag = await get('/tag/ukraine/')
    t.match(tag.body, 'Tagged “Ukraine”')
    const search = await get('/search?q=lavrov%20geneva')
    t.match(search.body, /<p class="snippet">[^<]*(<mark>|…)/)
    t.match(search.body, /<mark>(Lavrov|Geneva)<\/mark>/i)
    t.match(search.body, '<meta name="robots" content="noindex">')
    const empty = await get('/search')
    t.match(empty.body, 'Type a few words')
  })

  await t.test('an unknown post, category, tag or route is the 404 page', async (t) => {
    for (const url of ['/no-such-post/', '/politics/no-such-post', '/no-such/', '/about/no-such', '/tag/no-such/', '/a/b/c', '/Bad%20Slug!']) {
      const res = await get(url)
      t.equal(res.statusCode, 404, `${url} is 404`)
      t.match(res.headers['content-type'], /^text\/html/)
      t.match(res.body, '<h1>Page not found</h1>')
      t.match(res.body, 'My Blog', 'with the site around it')
    }
  })

  await t.test('/preview without a valid token is a private, noindex 404', async (t) => {
    for (const url of ['/preview', '/preview?token=short', '/preview?token=' + 'x'.repeat(43)]) {
      const res = await get(url)
      t.equal(res.statusCode, 404, url)
      t.equal(res.headers['cache-control'], 'private, no-store')
      t.equal(res.headers['x-robots-tag'], 'noindex')
      t.match(res.body, '<meta name="robots" content="noindex">')
    }
  })

  await t.test('/preview renders a draft through GET /v1/previews/{token} and its related posts and comments', async (t) => {
    const { data: author } = await admin.GET('/v1/authors/{ref}', { params: { path: { ref: 'maria-lopez' } } })
    const { data: created } = await admin.POST('/v1/posts', { body: { title: 'Draft <b>not</b> published', content_html: '<p>Embargoed.</p>', status: 'draft', author_id: author.data.id, category_ids: [1] } })
    const ref = String(created.data.id)
    const { data: link } = await admin.POST('/v1/posts/{ref}/previews', { params: { path: { ref } }, body: {} })
    const { token } = link.data
    // The real API, with the preview reads the site makes written down.
    const seen: string[] = []
    const recording = createBroadsheetClient({
      baseUrl: api.url,
      fetch: async (request) => {
        const path = new URL(request.url).pathname
        if (path.startsWith('/v1/previews/')) seen.push(path)
        return await fetch(request)
      }
    })
    const previewSite = await buildSite({ apiUrl: api.url, publicApiUrl: api.url, api: recording })
    t.teardown(() => previewSite.close())
    const res = await previewSite.inject(`/preview?token=${token}`)
    t.equal(res.statusCode, 200)
    t.same(seen.sort(), [`/v1/previews/${token}`, `/v1/previews/${token}/comments`, `/v1/previews/${token}/related`])
    t.equal(res.headers['cache-control'], 'private, no-store')
    t.equal(res.headers['x-robots-tag'], 'noindex')
    t.notOk(res.headers.etag, 'no ETag for a private page')
    t.match(res.body, '<meta name="robots" content="noindex">')
    t.match(res.body, /<div class="preview-banner" role="status"><strong>Preview<\/strong>/)
    t.match(res.body, '<h1 class="post-title">Draft &lt;b&gt;not&lt;/b&gt; published</h1>')
    t.match(res.body, 'Not published yet')
    t.notMatch(res.body, 'comment-form', 'no comment form on a draft')
    t.notMatch(res.body, 'rel="canonical"')
    const unknown = await previewSite.inject(`/preview?token=pv_${'B'.repeat(43)}`)
    t.equal(unknown.statusCode, 404, 'an unknown token is the 404 page')
    t.equal(unknown.headers['cache-control'], 'private, no-store')
    await admin.DELETE('/v1/posts/{ref}/previews', { params: { path: { ref } } })
    const revoked = await previewSite.inject(`/preview?token=${token}`)
    t.equal(revoked.statusCode, 404, 'a revoked link is the 404 page')
    t.equal(revoked.headers['x-robots-tag'], 'noindex')
  })

  await t.test('sends a strict CSP that lets the comment form post to the API only', async (t) => {
    const res = await get('/')
    t.match(res.headers['content-security-policy'], `form-action 'self' ${api.url}`)
    t.match(res.headers['content-security-policy'], "default-src 'none'")
    const css = await get('/assets/site.css')
    t.equal(css.statusCode, 200)
    t.equal((await get('/assets/site.css', { 'if-none-match': css.headers.etag as string })).statusCode, 304)
  })
})

t.test('a page says so when the API is down', async (t) => {
  const site = await buildSite({ apiUrl: 'http://127.0.0.1:9', publicApiUrl: 'http://127.0.0.1:9' })
  t.teardown(() => site.close())
  const res = await site.inject('/')
  t.equal(res.statusCode, 502)
  t.match(res.body, 'Something went wrong')
  t.equal(res.headers['cache-control'], 'no-store')
})

t.test('site helpers and configuration', async (t) => {
  t.equal(postPath({ slug: 'a', categories: [{ slug: 'world' }] }), '/world/a')
  t.equal(postPath({ slug: 'a', categories: [] }), '/a')
  t.equal(safeUrl('javascript:alert(1)'), '#')
  t.equal(safeUrl('https://example.com/x'), 'https://example.com/x')
  t.equal(safeUrl('not a url'), '#')
  t.equal(snippetHtml('a <mark>b</mark> <script>'), 'a <mark>b</mark> &lt;script>')
  t.same(breadcrumb({ slug: 'france', name: 'France', path: [{ slug: 'world', name: 'World' }, { slug: 'europe', name: 'Europe' }] }).map((c) => c.slug), ['world', 'europe', 'france'], 'the path from the API, then the category')
  t.same(breadcrumb(undefined), [])
  t.same(loadSiteConfig({}), { apiUrl: 'http://127.0.0.1:3000', publicApiUrl: 'http://127.0.0.1:3000', host: '127.0.0.1', port: 3001 })
  t.same(loadSiteConfig({ API_URL: 'http://api:3000/', SITE_PORT: '8080' }).apiUrl, 'http://api:3000')
  t.throws(() => loadSiteConfig({ SITE_PORT: 'eighty', API_URL: 'ftp://x' }), /API_URL="ftp:\/\/x" is invalid[\s\S]*SITE_PORT="eighty" is invalid/)
})
