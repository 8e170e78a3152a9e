import t from 'tap'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { createBroadsheetClient } from '@broadsheet/client'
import { buildSite } from '../../examples/site/src/app.js'
import { ADMIN_TOKEN, freePort, startApi } from '../client/api-server.js'

// The example site in a real browser (Debian's chromium, driven by playwright-core) over the
// real API on the demo newsroom: the article page shows what the API holds, the comment form
// posts to the API and comes back with the moderation notice, the home page pages by cursor,
// search shows snippets, an unknown post is a 404 page, and a preview link shows a draft until
// it is revoked. Screenshots go to artifacts/.

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const ARTIFACTS = join(ROOT, 'artifacts')
const CHROMIUM = '/usr/bin/chromium'
const NO_CHROMIUM = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (.ci/run installs it with apt-get install chromium)`

t.test('the example site in a browser', { skip: NO_CHROMIUM, timeout: 90_000 }, async (t) => {
  const sitePort = await freePort()
  const siteUrl = `http://127.0.0.1:${sitePort}`
  const api = await startApi(t, { siteUrl, env: { PREVIEW_URL_TEMPLATE: `${siteUrl}/preview?token={token}` } })
  const site = await buildSite({ apiUrl: api.url, publicApiUrl: api.url })
  t.teardown(() => site.close())
  await site.listen({ port: sitePort, host: '127.0.0.1' })
  const bs = createBroadsheetClient({ baseUrl: api.url })
  const admin = createBroadsheetClient({ baseUrl: api.url, key: ADMIN_TOKEN })

  const profile = mkdtempSync(join(tmpdir(), 'broadsheet-site-chromium-'))
  t.teardown(() => rmSync(profile, { recursive: true, force: true }))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 1400 }
  })
  t.teardown(() => context.close())
  // Only this machine: the demo's images live on example hosts, which are not fetched.
  await context.route('**/*', async (route) => {
    const host = new URL(route.request().url()).hostname
    await (host === '127.0.0.1' ? route.continue() : route.abort())
  })
  const page = context.pages()[0] ?? await context.newPage()
  const problems: string[] = []
  page.on('console', (msg) => { if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) problems.push(msg.text()) })
  page.on('pageerror', (err) => problems.push(err.message))
  mkdirSync(ARTIFACTS, { recursive: true })
  const shot = async (name: string, fullPage = false) => {
    const path = join(ARTIFACTS, `site-${name}.png`)
    await page.screenshot({ path, fullPage })
    t.comment(`screenshot saved to ${path}`)
  }
  const texts = async (selector: string) => (await page.locator(selector).allInnerTexts()).map((s) => s.trim())

  await t.test('the article page shows what the API holds for a demo post', async (t) => {
    const [{ data: siteInfo }, { data: post }, { data: related }, { data: thread }] = await Promise.all([
      bs.GET('/v1/site'),
      bs.GET('/v1/posts/{ref}', { params: { path: { ref: 'blinken-warns-russia' } } }),
      bs.GET('/v1/posts/{ref}/related', { params: { path: { ref: 'blinken-warns-russia' }, query: { limit: 3 } } }),
      bs.GET('/v1/posts/{ref}/comments', { params: { path: { ref: 'blinken-warns-russia' }, query: { per_page: 100 } } })
    ])
    t.equal(new URL(post.data.url).origin, siteUrl, "the post's url is on the site (SITE_URL)")
    const response = await page.goto(post.data.url)
    t.equal(response?.status(), 200)
    t.equal(await page.locator('.site-title').innerText(), siteInfo.data.title)
    t.equal(siteInfo.data.title, 'My Blog')
    t.equal(await page.locator('h1.post-title').innerText(), post.data.title)
    t.same(await texts('article.post .breadcrumb li'), ['My Blog', 'Politics'].map((s) => s.toUpperCase()), 'breadcrumb: home and the primary category (styled in capitals)')
    t.equal(await page.locator('.byline .author').innerText(), post.data.author.name)
    t.same(await texts('.post-body h2'), [...post.data.content_html.matchAll(/<h2>([^<]+)<\/h2>/g)].map((m) => m[1]), 'the sub-headings')
    t.equal(await page.locator('.source a').getAttribute('href'), post.data.source?.url, 'the source link')
    t.same(await texts('.related-post .related-title'), related.data.map((r) => r.title), 'the three related posts, in order')
    t.same(await texts('.related-post .author'), related.data.map((r) => r.author.name), 'with their authors')
    t.equal(related.data.length, 3)
    t.same(await page.locator('.thread .comment').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-depth')))), thread.data.map((c) => c.depth), 'every approved comment, in thread order')
    t.same(await texts('.thread .comment-author'), thread.data.map((c) => c.author_name))
    const indents = await page.locator('.thread .comment').evaluateAll((els) => els.map((el) => parseFloat((globalThis as unknown as { getComputedStyle: (e: unknown) => { marginLeft: string } }).getComputedStyle(el).marginLeft)))
    const byDepth = new Map(thread.data.map((c, i) => [c.depth, indents[i]]))
    t.ok([...byDepth.keys()].sort().every((d, i, all) => i === 0 || (byDepth.get(d) as number) > (byDepth.get(all[i - 1]) as number)), 'replies are indented more the deeper they are')
    t.equal(await page.locator('#respond h2').innerText(), 'Leave a Comment')
    await shot('article', true)
  })

  await t.test('a comment posted through the form waits in the moderation queue', async (t) => {
    await page.goto(`${siteUrl}/politics/blinken-warns-russia`)
    await page.fill('#author_name', 'Browser Reader')
    await page.fill('#author_email', 'browser@example.com')
    await page.fill('#content', 'Posted from the example site in a real browser.')
    await Promise.all([page.waitForURL(/\?comment=pending#comment-\d+$/), page.click('.comment-form button[type=submit]')])
    const url = new URL(page.url())
    t.equal(url.origin + url.pathname, `${siteUrl}/politics/blinken-warns-russia`, 'the API sent the browser back to the article (303)')
    t.match(await page.locator('.notice-pending').innerText(), /awaits moderation/)
    const id = Number(url.hash.replace('#comment-', ''))
    const { data: queue } = await admin.GET('/v1/comments', { params: { query: { status: 'pending', post: 'blinken-warns-russia' } } })
    const queued = queue.data.find((c) => c.id === id)
    t.equal(queued?.author_name, 'Browser Reader', 'the comment is in the moderation queue')
    t.equal(queued?.author_email, 'browser@example.com')
    t.notOk(await page.locator(`#comment-${id}`).count(), 'and not shown on the page while pending')
    await page.locator('.notice-pending').scrollIntoViewIfNeeded()
    await shot('comment-pending')
  })

  await t.test('a refused comment comes back to the form with the reason and the text kept', async (t) => {
    // The same words again from the same reader: the API refuses a duplicate (409) and sends
    // the browser back to the article with the reason, not to a page of raw JSON.
    await page.goto(`${siteUrl}/politics/blinken-warns-russia`)
    await page.fill('#author_name', 'Browser Reader')
    await page.fill('#author_email', 'browser@example.com')
    await page.fill('#content', 'Posted from the example site in a real browser.')
    await Promise.all([page.waitForURL(/#comment-error$/), page.click('.comment-form button[type=submit]')])
    const url = new URL(page.url())
    t.equal(url.origin + url.pathname, `${siteUrl}/politics/blinken-warns-russia`, 'back on the article (303)')
    t.match(await page.locator('#comment-error').innerText(), /already posted/)
    t.equal(await page.inputValue('#author_name'), 'Browser Reader', 'the name is filled in again')
    t.equal(await page.inputValue('#content'), 'Posted from the example site in a real browser.', 'so is the text')
    t.equal(await page.inputValue('#author_email'), '', 'the e-mail is typed again: it never travels in a URL')
    await shot('comment-error')
  })

  await t.test('the home page paginates by cursor', async (t) => {
    await page.goto(`${siteUrl}/`)
    const first = await texts('.card-title')
    const { data } = await bs.GET('/v1/posts', { params: { query: { per_page: 10, fields: 'title' } } })
    t.same(first, data.data.map((p) => p.title), 'the latest posts, newest first')
    await Promise.all([page.waitForURL(/\?cursor=/), page.click('.pagination a.next')])
    const second = await texts('.card-title')
    const { data: next } = await bs.GET('/v1/posts', { params: { query: { per_page: 10, fields: 'title', cursor: data.meta.next_cursor! } } })
    t.same(second, next.data.map((p) => p.title), 'the next page is the API page after next_cursor')
    await shot('home-page-2')
  })

  await t.test('search shows snippets', async (t) => {
    await page.goto(`${siteUrl}/`)
    await page.fill('.search-box input[name=q]', 'lavrov geneva')
    await Promise.all([page.waitForURL(/\/search\?q=lavrov/), page.press('.search-box input[name=q]', 'Enter')])
    t.ok(await page.locator('.card').count() > 0, 'results')
    const marks = (await texts('.snippet mark')).map((s) => s.toLowerCase())
    t.ok(marks.length > 0 && marks.every((m) => /lavrov|geneva/.test(m)), `matches highlighted: ${marks.slice(0, 4).join(', ')}`)
    await shot('search')
  })

  await t.test('an unknown post is a 404 page', async (t) => {
    const response = await page.goto(`${siteUrl}/no-such-post/`)
    t.equal(response?.status(), 404)
    t.equal(await page.locator('h1').innerText(), 'Page not found')
    t.equal(await page.locator('.site-title').innerText(), 'My Blog')
    await shot('404')
  })

  await t.test('a preview link shows a draft until it is revoked', async (t) => {
    const { data: author } = await bs.GET('/v1/authors/{ref}', { params: { path: { ref: 'maria-lopez' } } })
    const { data: draft } = await admin.POST('/v1/posts', { body: { title: 'Draft: the summit nobody expected', content_html: '<p>Embargoed until Monday.</p>', status: 'draft', author_id: author.data.id, category_ids: [1] } })
    const slug = (draft.data as { slug: string }).slug
    t.equal((await fetch(`${siteUrl}/politics/${slug}`)).status, 404, 'the draft is not on the site')

    const created = await admin.POST('/v1/posts/{ref}/previews', { params: { path: { ref: slug } }, body: { expires_in: 600 } })
    t.equal(created.response.status, 201)
    const preview = created.data.data
    t.equal(preview.preview_url, `${siteUrl}/preview?token=${preview.token}`, 'preview_url opens the site (PREVIEW_URL_TEMPLATE)')

    const response = await page.goto(preview.preview_url)
    t.equal(response?.status(), 200)
    t.equal(response?.headers()['cache-control'], 'private, no-store')
    t.equal(response?.headers()['x-robots-tag'], 'noindex')
    t.equal(await page.locator('meta[name=robots]').getAttribute('content'), 'noindex')
    t.match(await page.locator('.preview-banner').innerText(), /Preview/)
    t.equal(await page.locator('h1.post-title').innerText(), 'Draft: the summit nobody expected')
    await shot('preview')

    await admin.PATCH('/v1/posts/{ref}', { params: { path: { ref: slug } }, body: { title: 'Draft: the summit everybody expected' } })
    await page.reload()
    t.equal(await page.locator('h1.post-title').innerText(), 'Draft: the summit everybody expected', 'an edit shows on reload')

    t.equal((await admin.DELETE('/v1/posts/{ref}/previews', { params: { path: { ref: slug } } })).response.status, 204, 'revoked')
    const revoked = await page.reload()
    t.equal(revoked?.status(), 404, 'a revoked link is a 404 page')
    t.equal(await page.locator('h1').innerText(), 'Page not found')
  })

  t.same(problems, [], 'no script errors or CSP violations in any page')
})
