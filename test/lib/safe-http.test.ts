import t from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { assertPublicHost, assertPublicTarget, checkTargetUrl, isPrivateAddress, isPublicAddress, RequestFailed, safeRequest, TargetError } from '../../src/lib/safe-http.js'

// Every IPv4 range that is not public unicast, by its first and last address, with the public
// neighbours that must stay reachable.
const V4_REFUSED: Array<[string, string, string]> = [
  ['0.0.0.0/8', '0.0.0.0', '0.255.255.255'],
  ['10.0.0.0/8', '10.0.0.0', '10.255.255.255'],
  ['100.64.0.0/10', '100.64.0.0', '100.127.255.255'],
  ['127.0.0.0/8', '127.0.0.0', '127.255.255.255'],
  ['169.254.0.0/16', '169.254.0.0', '169.254.255.255'],
  ['172.16.0.0/12', '172.16.0.0', '172.31.255.255'],
  ['192.0.0.0/24', '192.0.0.0', '192.0.0.255'],
  ['192.0.2.0/24', '192.0.2.0', '192.0.2.255'],
  ['192.88.99.0/24', '192.88.99.0', '192.88.99.255'],
  ['192.168.0.0/16', '192.168.0.0', '192.168.255.255'],
  ['198.18.0.0/15', '198.18.0.0', '198.19.255.255'],
  ['198.51.100.0/24', '198.51.100.0', '198.51.100.255'],
  ['203.0.113.0/24', '203.0.113.0', '203.0.113.255'],
  ['224.0.0.0/4', '224.0.0.0', '239.255.255.255'],
  ['240.0.0.0/4', '240.0.0.0', '255.255.255.254'],
  ['255.255.255.255/32', '255.255.255.255', '255.255.255.255']
]
const V4_PUBLIC = ['1.0.0.0', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '126.255.255.255', '128.0.0.0',
  '169.253.255.255', '169.255.0.0', '172.15.255.255', '172.32.0.0', '192.0.1.0', '192.0.3.0', '192.88.98.255', '192.88.100.0',
  '192.167.255.255', '192.169.0.0', '198.17.255.255', '198.20.0.0', '198.51.99.255', '198.51.101.0', '203.0.112.255',
  '203.0.114.0', '223.255.255.255', '93.184.216.34', '1.1.1.1', '8.8.8.8']

t.test('IPv4: only public unicast is allowed', async (t) => {
  for (const [range, first, last] of V4_REFUSED) {
    t.notOk(isPublicAddress(first), `${first} (${range})`)
    t.notOk(isPublicAddress(last), `${last} (${range})`)
  }
  for (const a of V4_PUBLIC) t.ok(isPublicAddress(a), a)
})

t.test('IPv6: only global unicast, and embedded IPv4 addresses are judged as IPv4', async (t) => {
  const refused: Array<[string, string]> = [
    ['::', 'unspecified'], ['::1', 'loopback'],
    ['fc00::1', 'unique local'], ['fdff:ffff::1', 'unique local'],
    ['fe80::1', 'link-local'], ['fe80::1%eth0', 'link-local with a zone'], ['febf:ffff::1', 'link-local'],
    ['fec0::1', 'site-local'], ['feff::1', 'site-local'],
    ['ff02::1', 'multicast'], ['ff0e::1', 'multicast'],
    ['100::1', 'discard-only'], ['1fff:ffff::1', 'below 2000::/3'], ['4000::1', 'above 2000::/3'], ['5f00::1', 'SRv6 SIDs'],
    ['::ffff:0:7f00:1', 'SIIT IPv4-translated'],
    // IPv4-mapped
    ['::ffff:127.0.0.1', 'mapped loopback'], ['::ffff:7f00:1', 'mapped loopback, hex'], ['::ffff:10.0.0.1', 'mapped private'],
    ['::ffff:169.254.169.254', 'mapped metadata'], ['::ffff:0.0.0.0', 'mapped 0/8'],
    // IPv4-compatible
    ['::127.0.0.1', 'compatible loopback'], ['::a00:1', 'compatible private'], ['::0.0.0.2', 'compatible 0/8'],
    // NAT64
    ['64:ff9b::127.0.0.1', 'NAT64 loopback'], ['64:ff9b::a00:1', 'NAT64 private'], ['64:ff9b::a9fe:a9fe', 'NAT64 metadata'],
    ['64:ff9b:1::a00:1', 'local NAT64 private'], ['64:ff9b:1::7f00:1', 'local NAT64 loopback'],
    ['64:ff9b:1:ab::808:808', 'local NAT64 outside its /96 form'], ['64:ff9b:1:0:0:1:808:808', 'local NAT64 outside its /96 form'],
    // 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD
    ['2002:7f00:1::1', '6to4 loopback'], ['2002:a00:1::1', '6to4 private'], ['2002:a9fe:a9fe::', '6to4 metadata'], ['2002::1', '6to4 0.0.0.0'],
    // Teredo: 2001:0:SERVER:FLAGS:PORT:~CLIENT
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo client 127.0.0.1'], ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'Teredo client 10.0.0.1'],
    ['2001:0:a00:1:8000:63bf:f7f7:f7f7', 'Teredo server 10.0.0.1'], ['2001::1', 'Teredo 0.0.0.0'],
    // the rest of 2001::/23, documentation
    ['2001:2::1', 'benchmarking'], ['2001:10::1', 'ORCHID'], ['2001:20::1', 'ORCHIDv2'], ['2001:1ff:ffff::1', 'IETF protocol assignments'],
    ['2001:db8::1', 'documentation'], ['2001:db8:ffff::1', 'documentation'], ['3fff::1', 'documentation (RFC 9637)'], ['3fff:fff::1', 'documentation (RFC 9637)']
  ]
  for (const [a, why] of refused) t.notOk(isPublicAddress(a), `${a}: ${why}`)
  const allowed: Array<[string, string]> = [
    ['2606:4700::1111', 'global unicast'], ['2a00:1450:4001:81c::200e', 'global unicast'], ['2000::1', 'first of 2000::/3'],
    ['3ffe:ffff::1', 'last below the documentation /20'], ['3fff:1000::1', 'after the documentation /20'],
    ['2001:200::1', 'just past 2001::/23'], ['2001:db7:ffff::1', 'just before documentation'], ['2001:db9::1', 'just after documentation'],
    ['::ffff:8.8.8.8', 'mapped public'], ['::ffff:808:808', 'mapped public, hex'], ['::8.8.8.8', 'compatible public'],
    ['64:ff9b::8.8.8.8', 'NAT64 public'], ['64:ff9b:1::808:808', 'local NAT64 public, /96 form'],
    ['2002:808:808::1', '6to4 public'], ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'Teredo public server and client']
  ]
  for (const [a, why] of allowed) t.ok(isPublicAddress(a), `${a}: ${why}`)
})

t.test('anything that is not an address is not public', async (t) => {
  for (const a of ['', 'not-an-ip', 'localhost', '127.1', '1.2.3', '::g', '[::1]']) t.ok(isPrivateAddress(a), JSON.stringify(a))
})

t.test('URL form checks', async (t) => {
  t.throws(() => checkTargetUrl('ftp://example.com/x'), TargetError)
  t.throws(() => checkTargetUrl('http://user:pw@example.com/'), TargetError)
  t.throws(() => checkTargetUrl('/relative'), TargetError)
  t.equal(checkTargetUrl('https://example.com/a').hostname, 'example.com')
  await t.rejects(assertPublicHost('127.0.0.1', false), TargetError)
  await t.rejects(assertPublicHost('localhost', false), TargetError)
  await t.resolves(assertPublicHost('127.0.0.1', true))
  await t.resolves(assertPublicHost('8.8.8.8', false))
})

t.test('only ports 80 and 443 unless private targets are allowed', async (t) => {
  for (const url of ['https://8.8.8.8/', 'http://8.8.8.8/', 'http://8.8.8.8:443/', 'https://8.8.8.8:80/', 'http://[2606:4700::1111]/']) {
    await t.resolves(assertPublicTarget(url, false), url)
  }
  for (const url of ['http://8.8.8.8:8080/', 'https://8.8.8.8:8443/', 'http://8.8.8.8:25/', 'http://8.8.8.8:6379/', 'https://[2606:4700::1111]:22/', 'http://8.8.8.8:0/']) {
    await t.rejects(assertPublicTarget(url, false), { name: 'TargetError', message: 'only ports 80 and 443 are allowed' }, url)
  }
  await t.resolves(assertPublicTarget('http://127.0.0.1:6379/', true), 'ALLOW_PRIVATE_TARGETS lifts the port rule too')
})

t.test('refusals name no address, port or error code, and log the detail at debug', async (t) => {
  const logged: Array<{ obj: object, msg: string }> = []
  const log = { debug: (obj: object, msg: string) => { logged.push({ obj, msg }) } }
  for (const url of ['http://localhost/x', 'http://127.0.0.1/x', 'http://[::ffff:7f00:1]/', 'http://[64:ff9b::a9fe:a9fe]/latest', 'http://2130706433/']) {
    const err = await assertPublicTarget(url, false, log).then(() => null, (e: Error) => e)
    t.type(err, TargetError, url)
    t.equal(err?.message, 'its host is not a public internet address', url)
    t.notMatch(err?.message ?? '', /\d|::|E[A-Z]{3,}/, 'no address, port or errno')
  }
  t.ok(logged.some((l) => JSON.stringify(l.obj).includes('127.0.0.1')), 'the resolved address is in the debug log')
  // Through the connect-time check of a real request too.
  const viaRequest = await safeRequest('http://localhost:65535/x', { timeoutMs: 1000, maxBytes: 1000, allowPrivate: false, log }).then(() => null, (e: Error) => e)
  t.type(viaRequest, TargetError)
  t.equal(viaRequest?.message, 'only ports 80 and 443 are allowed')
})

t.test('socket failures are told without the address, port or errno', async (t) => {
  // A port that was just free: connecting to it is refused.
  const probe = http.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  const logged: object[] = []
  const err = await safeRequest(`http://127.0.0.1:${port}/feed`, { timeoutMs: 2000, maxBytes: 1000, allowPrivate: true, log: { debug: (obj) => { logged.push(obj) } } })
    .then(() => null, (e: Error) => e)
  t.type(err, RequestFailed)
  t.equal(err?.message, 'the connection was refused')
  t.notOk(err?.message.includes(String(port)))
  t.equal((err?.cause as { code?: string } | undefined)?.code, 'ECONNREFUSED', 'the original error is kept as the cause')
  t.match(JSON.stringify(logged), /ECONNREFUSED/, 'and logged at debug')
})

t.test('requests to a real local server: refused unless allowed, redirects re-checked, limits hold', async (t) => {
  const server = http.createServer((req, res) => {
    if (req.url === '/redirect') { res.writeHead(302, { location: '/ok' }); return res.end() }
    if (req.url === '/loop') { res.writeHead(302, { location: '/loop' }); return res.end() }
    if (req.url === '/big') { res.end('x'.repeat(50_000)); return }
    if (req.url === '/slow') { setTimeout(() => res.end('late'), 2000); return }
    if (req.url === '/garbage') { req.socket.end('NOT HTTP AT ALL\r\n\r\n'); return }
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
  await t.rejects(safeRequest(`${base}/garbage`, { timeoutMs: 1000, maxBytes: 1000, allowPrivate: true }), { name: 'RequestFailed', message: 'the answer was not valid HTTP' })
  const posted = await safeRequest(`${base}/ok`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, timeoutMs: 1000, maxBytes: 1000, allowPrivate: true })
  t.equal(posted.body.toString(), 'hello POST')
})
