import t from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { assertPublicHost, checkTargetUrl, isPrivateAddress, safeRequest, TargetError } from '../../src/lib/safe-http.js'

t.test('private, loopback, link-local and reserved addresses are recognised', async (t) => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::', 'not-an-ip']) {
    t.ok(isPrivateAddress(a), a)
  }
  for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8']) t.notOk(isPrivateAddress(a), a)
})

t.test('URL form checks', async (t) => {
  t.throws(() => checkTargetUrl('ftp://example.com/x'), TargetError)
  t.throws(() => checkTargetUrl('http://user:pw@example.com/'), TargetError)
  t.throws(() => checkTargetUrl('/relative'), TargetError)
  t.equal(checkTargetUrl('https://example.com/a').hostname, 'example.com')
  await t.rejects(assertPublicHost('127.0.0.1', false), TargetError)
  await t.rejects(assertPublicHost('localhost', false), TargetError)
  await t.resolves(assertPublicHost('127.0.0.1', true))
})

t.test('requests to a real local server: refused unless allowed, redirects re-checked, limits hold', async (t) => {
  const server = http.createServer((req, res) => {
    if (req.url === '/redirect') { res.writeHead(302, { location: '/ok' }); return res.end() }
    if (req.url === '/loop') { res.writeHead(302, { location: '/loop' }); return res.end() }
    if (req.url === '/big') { res.end('x'.repeat(50_000)); return }
    if (req.url === '/slow') { setTimeout(() => res.end('late'), 2000); return }
    res.end(`hello ${req.method}`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  await t.rejects(safeRequest(`${base}/ok`, { timeoutMs: 1000, maxBytes: 1000, allowPrivate: false }), TargetError)
  await t.rejects(safeRequest(`http://localhost:${(server.address() as AddressInfo).port}/ok`, { timeoutMs: 1000, maxBytes: 1000, allowPrivate: false }), TargetError)
  const ok = await safeRequest(`${base}/redirect`, { timeoutMs: 1000, maxBytes: 1000, allowPrivate: true })
  t.equal(ok.status, 200)
  t.equal(ok.body.toString(), 'hello GET')
  t.match(ok.url, /\/ok$/)
  await t.rejects(safeRequest(`${base}/loop`, { timeoutMs: 1000, maxBytes: 1000, allowPrivate: true, maxRedirects: 2 }), /too many redirects/)
  await t.rejects(safeRequest(`${base}/big`, { timeoutMs: 1000, maxBytes: 1000, allowPrivate: true }), /larger than 1000 bytes/)
  await t.rejects(safeRequest(`${base}/slow`, { timeoutMs: 200, maxBytes: 1000, allowPrivate: true }), /timed out/)
  const posted = await safeRequest(`${base}/ok`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, timeoutMs: 1000, maxBytes: 1000, allowPrivate: true })
  t.equal(posted.body.toString(), 'hello POST')
})
