import t from 'tap'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { chromium } from 'playwright-core'
import { buildTestApp } from '../helper.js'
import { seedDemo } from '../../src/demo/seed-demo.js'
import { ROOT } from '../helpers/server-process.js'

// Swagger UI is the way developers learn the API, so it is checked in a real browser under
// the real security headers: a CSP mistake shows up here as a blank page or a dead button.

const CHROMIUM = '/usr/bin/chromium'
const SCREENSHOT = join(ROOT, 'artifacts', 'docs.png')

t.test('Swagger UI at /docs lists every tag, runs Try it out and authorizes with a key', {
  timeout: 120_000,
  skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (.ci/run installs it with apt-get install chromium)`
}, async (t) => {
  const app = await buildTestApp(t)
  // The operation examples Try it out pre-fills (category=politics, tag=ukraine,nato) name
  // demo content, as `npm run demo` serves it.
  await seedDemo(app.core)
  const { key } = app.core.repos.keys.createSync('browser test', ['admin'])
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

  const spec = (await app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, { tags?: string[] }>> }
  const usedTags = new Set<string>()
  for (const item of Object.values(spec.paths)) {
    for (const op of Object.values(item)) for (const tag of op.tags ?? []) usedTags.add(tag)
  }

  const profile = mkdtempSync(join(tmpdir(), 'broadsheet-chromium-'))
  t.teardown(() => rmSync(profile, { recursive: true, force: true }))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 2000 }
  })
  t.teardown(() => context.close())
  const page = context.pages()[0] ?? await context.newPage()
  const problems: string[] = []
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()) })
  page.on('pageerror', (err) => problems.push(err.message))

  await page.goto(`${base}/docs`)
  await page.locator('.opblock-tag-section').first().waitFor({ timeout: 30_000 })
  const listed = new Set(await page.locator('.opblock-tag').evaluateAll((els) => els.map((el) => el.getAttribute('data-tag') ?? '')))
  for (const tag of usedTags) t.ok(listed.has(tag), `tag group "${tag}" is listed`)
  t.ok(usedTags.size >= 5, `${usedTags.size} tag groups in the spec`)

  // Try it out → Execute on GET /v1/posts.
  const listPosts = page.locator('#operations-Posts-listPosts')
  await listPosts.locator('.opblock-summary').click()
  await listPosts.locator('button.try-out__btn').click()
  await listPosts.locator('button.execute').click()
  const status = listPosts.locator('.live-responses-table .response .response-col_status').first()
  await status.waitFor({ timeout: 15_000 })
  t.equal((await status.innerText()).trim(), '200', 'GET /v1/posts answers 200 in Try it out')
  t.match(await listPosts.locator('.live-responses-table .highlight-code').first().innerText(), /"data":\s*\[[\s\S]*"meta":/, 'and shows the list envelope')

  // Without a key an admin operation is refused; after Authorize it succeeds.
  const listKeys = page.locator('#operations-Keys-listKeys')
  await listKeys.locator('.opblock-summary').click()
  await listKeys.locator('button.try-out__btn').click()
  await listKeys.locator('button.execute').click()
  const keyStatus = listKeys.locator('.live-responses-table .response .response-col_status').first()
  await keyStatus.waitFor({ timeout: 15_000 })
  t.equal((await keyStatus.innerText()).trim(), '401', 'GET /v1/keys without a key is a 401')

  await page.locator('.auth-wrapper button.authorize').click()
  await page.locator('.modal-ux input[type=text], .modal-ux input[type=password]').first().fill(key)
  await page.locator('.modal-ux button.authorize').click()
  await page.locator('.modal-ux button', { hasText: 'Logout' }).waitFor({ timeout: 5_000 })
  await page.locator('.modal-ux button.btn-done').click()
  t.ok(await page.locator('.auth-wrapper button.authorize.locked').count() > 0, 'the Authorize button shows a locked padlock')

  await listKeys.locator('button.execute').click()
  await listKeys.locator('.live-responses-table .response .response-col_status', { hasText: /^\s*200\s*$/ }).first().waitFor({ timeout: 15_000 })
  t.pass('GET /v1/keys answers 200 once authorized with the key')
  const curl = await listKeys.locator('.curl-command').innerText()
  t.match(curl, `Authorization: Bearer ${key}`, 'Try it out sends the key as a bearer token')

  t.same(problems.filter((p) => /Content Security Policy|Refused to/i.test(p)), [], 'no CSP violations in the console')
  t.same(problems.filter((p) => !/Failed to load resource/i.test(p)), [], 'no script errors in the page')

  mkdirSync(join(ROOT, 'artifacts'), { recursive: true })
  await page.screenshot({ path: SCREENSHOT, fullPage: false })
  t.comment(`screenshot saved to ${SCREENSHOT}`)
  t.ok(existsSync(SCREENSHOT), 'the screenshot was written')
})
