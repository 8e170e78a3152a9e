import t, { type Test } from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { adminAuth, buildTestApp } from '../helper.js'

// The 422 a webhook or feed-import URL gets must say why in words that carry nothing the
// server learnt on the network: no resolved address, no port, no errno. The URL as sent is
// echoed (the client wrote it); everything after it is checked here.

/** The problem's detail with the URL the client sent cut out. */
function reason (detail: string, url: string): string {
  return detail.split(url).join('<url>')
}

function assertGeneric (t: Test, detail: string, url: string): void {
  const rest = reason(detail, url)
  t.notMatch(rest, /\d/, `no address or port in "${rest}"`)
  t.notMatch(rest, /\bE[A-Z]{3,}\b|ENOTFOUND|EAI_/, `no errno in "${rest}"`)
  t.notMatch(rest, /::|\[/, `no IPv6 address in "${rest}"`)
}

// Addresses and their other spellings that reach loopback, private networks or cloud metadata.
const NON_PUBLIC_URLS = [
  'http://localhost/hook', 'http://127.0.0.1/hook', 'http://0/', 'http://2130706433/', 'http://0x7f000001/', 'http://017700000001/',
  'http://127.1/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[::127.0.0.1]/', 'http://[64:ff9b::127.0.0.1]/',
  'http://[64:ff9b:1::a00:1]/', 'http://[2002:7f00:1::]/', 'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', 'http://[fec0::1]/',
  'http://[fd00:ec2::254]/latest/meta-data/', 'http://169.254.169.254/latest/meta-data/', 'http://[::ffff:a9fe:a9fe]/',
  'http://100.100.100.200/latest/meta-data/', 'http://192.0.0.192/', 'http://10.0.0.7/hook', 'http://[2001:db8::1]/'
]

async function createHook (app: Awaited<ReturnType<typeof buildTestApp>>, url: string) {
  return await app.inject({ method: 'POST', url: '/v1/webhooks', headers: adminAuth, payload: { url, events: ['post.published'] } })
}

t.test('webhook URLs that are not public are refused with a generic reason', async (t) => {
  const app = await buildTestApp(t)
  for (const url of NON_PUBLIC_URLS) {
    const res = await createHook(app, url)
    t.equal(res.statusCode, 422, url)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    const body = res.json()
    t.equal(body.code, 'TARGET_REFUSED')
    t.equal(reason(body.detail, url), 'The webhook URL <url> is refused: its host is not a public internet address', url)
    assertGeneric(t, body.detail, url)
  }
  t.equal(app.core.repos.webhooks.sync.count(), 0)
})

t.test('webhook URLs on ports other than 80 and 443 are refused, unless private targets are allowed', async (t) => {
  const app = await buildTestApp(t)
  for (const url of ['https://hooks.example.com:8443/x', 'http://hooks.example.com:8080/x', 'http://8.8.8.8:25/', 'http://[2606:4700::1111]:6379/', 'https://1.1.1.1:22/']) {
    const res = await createHook(app, url)
    t.equal(res.statusCode, 422, url)
    t.equal(reason(res.json().detail, url), 'The webhook URL <url> is refused: only ports 80 and 443 are allowed', url)
  }
  const open = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true' })
  t.equal((await createHook(open, 'http://127.0.0.1:6379/')).statusCode, 201)
  t.equal((await createHook(open, 'https://hooks.example.com:8443/x')).statusCode, 201)
})

t.test('a feed URL that cannot be reached says so without the address, port or errno', async (t) => {
  const app = await buildTestApp(t, { ALLOW_PRIVATE_TARGETS: 'true' })
  // A port that was free a moment ago: the connection is refused.
  const probe = http.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  for (const url of [`http://127.0.0.1:${port}/feed.xml`, `http://localhost:${port}/feed.xml`]) {
    const res = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: adminAuth, payload: { url } })
    t.equal(res.statusCode, 422, url)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(reason(res.json().detail, url), /the connection was refused/)
    assertGeneric(t, res.json().detail, url)
  }
})

t.test('a feed URL that is not public is refused with the same generic reason', async (t) => {
  const app = await buildTestApp(t)
  for (const url of ['http://localhost/feed.xml', 'http://[64:ff9b::a9fe:a9fe]/latest', 'http://[2002:a00:1::1]/feed']) {
    const res = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: adminAuth, payload: { url } })
    t.equal(res.statusCode, 422, url)
    t.match(reason(res.json().detail, url), /its host is not a public internet address/)
    assertGeneric(t, res.json().detail, url)
  }
  const port = await app.inject({ method: 'POST', url: '/v1/imports/feed', headers: adminAuth, payload: { url: 'http://feeds.example.com:8080/rss' } })
  t.equal(port.statusCode, 422)
  t.match(port.json().detail, /only ports 80 and 443 are allowed/)
})
