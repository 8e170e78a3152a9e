import t from 'tap'
import http from 'node:http'
import { spawn } from 'node:child_process'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../../src/app.js'
import { loadConfig } from '../../../src/config.js'
import { freePort } from '../../../src/scripts/free-port.js'
import { buildTestApp, adminAuth, TEST_ADMIN_TOKEN, TEST_SITE_URL } from '../../helper.js'
import { makeAuthor } from '../../helpers/factories.js'
import { ROOT } from '../../helpers/server-process.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
type Test = Parameters<typeof buildTestApp>[0]

interface Hit { headers: http.IncomingHttpHeaders, body: string }

async function receiver (t: Test, status = 200) {
  const hits: Hit[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.statusCode = status
      res.end(status >= 400 ? 'unauthorized: the signature did not verify' : 'ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hits }
}

async function waitFor (what: string, check: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The secrets whose v1= signature in the header verifies (t and body as sent). */
function verifiedBy (secrets: string[], hit: Hit): string[] {
  const fields = String(hit.headers['x-broadsheet-signature']).split(',').map((f) => f.split('='))
  const ts = fields.find(([k]) => k === 't')?.[1]
  const given = fields.filter(([k]) => k === 'v1').map(([, v]) => Buffer.from(v, 'hex'))
  return secrets.filter((secret) => {
    const expected = createHmac('sha256', secret).update(`${ts}.${hit.body}`).digest()
    return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected))
  })
}

async function publish (app: App, title: string) {
  const author = makeAuthor(app.db)
  const res = await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title, author_id: author.id, status: 'published', content_html: '<p>Body</p>' } })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().data
}

t.test('a delivery is signed t=<unix seconds>,v1=<HMAC of "<t>.<body>"> and carries one id everywhere', async (t) => {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true' })
  const rx = await receiver(t)
  const hook = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: adminAuth, payload: { url: rx.url, events: ['post.published'], secret: 'first-secret-0123456789' } })).json().data
  const before = Math.floor(Date.now() / 1000)
  await publish(app, 'Signed')
  await waitFor('the delivery', () => rx.hits.length === 1)
  const hit = rx.hits[0]
  const header = String(hit.headers['x-broadsheet-signature'])
  t.match(header, /^t=\d+,v1=[0-9a-f]{64}$/)
  const ts = Number(/^t=(\d+)/.exec(header)![1])
  t.ok(ts >= before && ts <= before + 5, 'the time of sending, in seconds')
  t.same(verifiedBy(['first-secret-0123456789', 'another-secret-0123456'], hit), ['first-secret-0123456789'])
  const payload = JSON.parse(hit.body)
  await waitFor('the log', () => (app.db.$client.prepare('SELECT status FROM webhook_deliveries').get() as { status: string }).status === 'succeeded')
  const log = (await app.inject({ url: `/v1/webhooks/${hook.id}/deliveries`, headers: adminAuth })).json().data
  t.equal(log[0].id, payload.id, 'the payload id is the delivery log id')
  t.equal(hit.headers['x-broadsheet-delivery'], String(log[0].id), 'and the header')
  t.notOk('uuid' in log[0], 'no second id')
})

t.test('rotate-secret: both secrets sign during the grace time, then only the new one', async (t) => {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true' })
  await app.core.workers.webhooks.stop()
  const rx = await receiver(t)
  const hook = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: adminAuth, payload: { url: rx.url, events: ['post.published'], secret: 'old-secret-0123456789' } })).json().data
  t.equal(hook.previous_secret_expires_at, null)

  // A bare POST: a generated secret, the default grace (a day).
  const rotated = await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/rotate-secret`, headers: adminAuth })
  t.equal(rotated.statusCode, 200, rotated.body)
  const { secret, previous_secret_expires_at: until } = rotated.json().data
  t.match(secret, /^whsec_/)
  const grace = Date.parse(until) - Date.now()
  t.ok(grace > 86_390_000 && grace <= 86_400_000, 'WEBHOOK_SECRET_GRACE_SECONDS: a day')
  t.equal((await app.inject({ url: `/v1/webhooks/${hook.id}`, headers: adminAuth })).json().data.previous_secret_expires_at, until, 'shown on the webhook')
  t.notOk('secret' in (await app.inject({ url: `/v1/webhooks/${hook.id}`, headers: adminAuth })).json().data, 'the secret is shown once')

  await publish(app, 'During the grace time')
  await app.core.workers.webhooks.tick()
  t.match(rx.hits[0].headers['x-broadsheet-signature'], /^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/, 'two v1= entries')
  t.same(verifiedBy([secret, 'old-secret-0123456789'], rx.hits[0]), [secret, 'old-secret-0123456789'], 'either secret verifies')
  const [first] = String(rx.hits[0].headers['x-broadsheet-signature']).split(',v1=').slice(1)
  t.same(verifiedBy([secret], { ...rx.hits[0], headers: { 'x-broadsheet-signature': `t=${/t=(\d+)/.exec(String(rx.hits[0].headers['x-broadsheet-signature']))![1]},v1=${first}` } }), [secret], 'the new one first')

  // Rotating again with no grace: the one before stops at once, the older one long since.
  const again = await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/rotate-secret`, headers: adminAuth, payload: { secret: 'third-secret-0123456789', grace_seconds: 0 } })
  t.equal(again.statusCode, 200)
  t.equal(again.json().data.secret, 'third-secret-0123456789')
  t.equal(again.json().data.previous_secret_expires_at, null)
  await publish(app, 'After the grace time')
  await app.core.workers.webhooks.tick()
  t.match(rx.hits[1].headers['x-broadsheet-signature'], /^t=\d+,v1=[0-9a-f]{64}$/)
  t.same(verifiedBy(['third-secret-0123456789', secret, 'old-secret-0123456789'], rx.hits[1]), ['third-secret-0123456789'])

  // A grace that has run out: the stored previous secret no longer signs.
  await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/rotate-secret`, headers: adminAuth, payload: { secret: 'fourth-secret-0123456789', grace_seconds: 60 } })
  app.db.$client.prepare('UPDATE webhooks SET previous_secret_expires_at = ? WHERE id = ?').run(Date.now() - 1, hook.id)
  t.equal((await app.inject({ url: `/v1/webhooks/${hook.id}`, headers: adminAuth })).json().data.previous_secret_expires_at, null)
  await publish(app, 'Later still')
  await app.core.workers.webhooks.tick()
  t.same(verifiedBy(['fourth-secret-0123456789', 'third-secret-0123456789'], rx.hits[2]), ['fourth-secret-0123456789'])

  // PATCH secret replaces at once: the rotated-out secret stops too.
  await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/rotate-secret`, headers: adminAuth, payload: { secret: 'fifth-secret-0123456789' } })
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${hook.id}`, headers: adminAuth, payload: { secret: 'leaked-replacement-0123456789' } })
  await publish(app, 'After a leak')
  await app.core.workers.webhooks.tick()
  t.same(verifiedBy(['leaked-replacement-0123456789', 'fifth-secret-0123456789', 'fourth-secret-0123456789'], rx.hits[3]), ['leaked-replacement-0123456789'])
})

t.test('rotate-secret: admin only, 404 for an unknown webhook, a bad body is a 400', async (t) => {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true' })
  const hook = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: adminAuth, payload: { url: 'http://127.0.0.1:9/x', events: ['post.published'] } })).json().data
  const writer = { authorization: `Bearer ${app.core.repos.keys.createSync('w', ['write:content']).key}` }
  t.equal((await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/rotate-secret` })).statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/rotate-secret`, headers: writer })).statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: '/v1/webhooks/999/rotate-secret', headers: adminAuth })).statusCode, 404)
  t.equal((await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/rotate-secret`, headers: adminAuth, payload: { secret: 'short' } })).statusCode, 400)
  t.equal((await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/rotate-secret`, headers: adminAuth, payload: { grace_seconds: -1 } })).statusCode, 400)
  t.equal((await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/rotate-secret`, headers: { ...adminAuth, 'content-type': 'text/plain' }, payload: 'x' })).statusCode, 415)
})

t.test('a failed delivery is logged at warn with the webhook, delivery and status; never the secret or payload', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const app = await buildApp(loadConfig({ DATABASE_PATH: ':memory:', SITE_URL: TEST_SITE_URL, ADMIN_TOKEN: TEST_ADMIN_TOKEN, ALLOW_PRIVATE_TARGETS: 'true', MAX_EVENT_LOOP_DELAY_MS: '0', WEBHOOK_MAX_ATTEMPTS: '2' }), { logger: { level: 'warn', stream } })
  await app.ready()
  t.teardown(() => app.close())
  await app.core.workers.webhooks.stop()
  const rx = await receiver(t, 401)
  const hook = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: adminAuth, payload: { url: rx.url, events: ['post.published'], secret: 'never-logged-secret-0123' } })).json().data
  await publish(app, 'Confidential headline')
  await app.core.workers.webhooks.tick()
  const delivery = (await app.inject({ url: `/v1/webhooks/${hook.id}/deliveries`, headers: adminAuth })).json().data[0]
  const warns = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40)
  t.equal(warns.length, 1)
  t.match(warns[0], { webhook_id: hook.id, delivery_id: delivery.id, event: 'post.published', attempt: 1, status_code: 401, reason: 'HTTP 401', msg: 'webhook delivery failed: will retry' })
  t.type(warns[0].next_attempt_at, 'string')
  // The last attempt says it gave up.
  app.db.$client.prepare('UPDATE webhook_deliveries SET next_attempt_at = 0').run()
  await app.core.workers.webhooks.tick()
  const last = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40)[1]
  t.match(last, { delivery_id: delivery.id, attempt: 2, status_code: 401, next_attempt_at: null, msg: 'webhook delivery failed: given up' })
  const all = lines.join('\n')
  t.notMatch(all, /never-logged-secret/, 'no secret')
  t.notMatch(all, /Confidential headline/, 'no payload')
  t.notMatch(all, /the signature did not verify/, 'nor the receiver\'s answer')
})

t.test('the README\'s Node verification example verifies a real delivery and refuses forgeries and replays', async (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Webhooks'), readme.indexOf('\n## ', readme.indexOf('## Webhooks') + 5))
  const snippet = /Verifying a delivery in Node[^\n]*\n+```js\n([\s\S]*?)```/.exec(section)?.[1]
  t.ok(snippet, 'the README has the example')
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-readme-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'receiver.mjs')
  writeFileSync(file, snippet!)
  const port = await freePort()
  const secret = 'readme-secret-0123456789'
  const child = spawn(process.execPath, [file], { env: { ...process.env, SECRET: secret, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (c: Buffer) => { output += c.toString() })
  child.stderr.on('data', (c: Buffer) => { output += c.toString() })
  t.teardown(() => { child.kill() })
  const url = `http://127.0.0.1:${port}/hooks`
  for (const deadline = Date.now() + 30_000; ;) {
    try {
      await fetch(url, { method: 'POST', body: '{}' })
      break
    } catch {
      if (Date.now() > deadline) throw new Error(`the README example did not start within 30 s: ${output}`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true' })
  const hook = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: adminAuth, payload: { url, events: ['post.published'], secret } })).json().data
  await publish(app, 'Read by the example')
  await waitFor('the example to accept the delivery', () => {
    const row = app.db.$client.prepare('SELECT status, last_status_code FROM webhook_deliveries').get() as { status: string, last_status_code: number | null }
    return row.status === 'succeeded'
  })
  const delivery = (await app.inject({ url: `/v1/webhooks/${hook.id}/deliveries`, headers: adminAuth })).json().data[0]
  t.equal(delivery.last_status_code, 204, 'the example verified it and answered 204')
  await waitFor('its output', () => output.includes('post.published'))
  t.match(output, new RegExp(`${delivery.id} post\\.published`), 'and read the id and event')

  // During a rotation the example (given the new secret) verifies the second v1= as well.
  await app.core.workers.webhooks.stop()
  const body = JSON.stringify({ id: 99, event: 'post.updated', created_at: new Date().toISOString(), data: {} })
  const sign = (key: string, ts: number, text = body) => createHmac('sha256', key).update(`${ts}.${text}`).digest('hex')
  const post = async (signature: string, text = body) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-broadsheet-signature': signature }, body: text })).status
  const now = Math.floor(Date.now() / 1000)
  t.equal(await post(`t=${now},v1=${sign('the-old-secret-01234', now)},v1=${sign(secret, now)}`), 204, 'any v1= may match')
  t.equal(await post(`t=${now},v1=${sign('a-guessed-secret-0123', now)}`), 401, 'a forged signature')
  t.equal(await post(`t=${now},v1=${sign(secret, now)}`, body.replace('99', '98')), 401, 'a changed body')
  t.equal(await post(`t=${now - 3600},v1=${sign(secret, now - 3600)}`), 401, 'a replay an hour later, though its signature is genuine')
  t.equal(await post(`t=${now + 1},v1=${sign(secret, now)}`), 401, 'a timestamp changed to look fresh')
  t.equal(await post('sha256=abc'), 401, 'the old scheme')
  t.equal(await post(`t=${now},v1=zz`), 401, 'garbage')
  t.equal(await post(''), 401, 'no signature')
  t.equal(child.exitCode, null, 'still running after all that')
})
