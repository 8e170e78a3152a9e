import t from 'tap'
import { clientNetwork, hashClientAddress } from '../../src/lib/client-address.js'

t.test('addresses are kept as their network: /24 for IPv4, /48 for IPv6', async (t) => {
  t.equal(clientNetwork('203.0.113.57'), '203.0.113.0/24')
  t.equal(clientNetwork(' 203.0.113.57 '), '203.0.113.0/24')
  t.equal(clientNetwork('::ffff:203.0.113.57'), '203.0.113.0/24', 'IPv4-mapped counts as IPv4')
  t.equal(clientNetwork('::ffff:cb00:7139'), '203.0.113.0/24')
  t.equal(clientNetwork('2001:db8:abcd:12:34::5'), '2001:db8:abcd::/48')
  t.equal(clientNetwork('2001:0db8:abcd:0012:0000:0000:0000:0005'), '2001:db8:abcd::/48', 'any spelling of the same address')
  t.equal(clientNetwork('::1'), '0:0:0::/48')
  t.equal(clientNetwork('fe80::1%eth0'), 'fe80:0:0::/48')
  t.equal(clientNetwork('unknown'), 'unknown', 'text that is not an address is kept whole')
})

t.test('the hash is keyed and the same for every host of a network', async (t) => {
  const key = 'k'.repeat(64)
  const hash = hashClientAddress(key, '198.51.100.7')
  t.match(hash, /^[0-9a-f]{64}$/)
  t.equal(hashClientAddress(key, '198.51.100.200'), hash, 'same /24')
  t.not(hashClientAddress(key, '198.51.101.7'), hash, 'another /24')
  t.not(hashClientAddress('j'.repeat(64), '198.51.100.7'), hash, 'another key')
  t.equal(hashClientAddress(key, '2001:db8:1:2::1'), hashClientAddress(key, '2001:db8:1:ffff::9'), 'same /48')
  t.not(hashClientAddress(key, '2001:db8:1::1'), hashClientAddress(key, '2001:db8:2::1'))
})
