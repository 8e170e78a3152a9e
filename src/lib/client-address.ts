import { createHmac } from 'node:crypto'
import { isIP } from 'node:net'
import { ipv4FromGroups, ipv6Groups } from './ip-address.js'

/**
 * The network a commenter's address is kept as: its /24 for IPv4, its /48 for IPv6 (an
 * IPv4-mapped address counts as IPv4). Duplicate detection needs no more, and even someone
 * holding both the database and the key learns only the network, not the host. Text that
 * is not an address (an odd value in an import) is kept whole.
 */
export function clientNetwork (address: string): string {
  const text = address.trim()
  if (isIP(text) === 4) return `${text.slice(0, text.lastIndexOf('.'))}.0/24`
  const g = ipv6Groups(text)
  if (g === null) return text
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return clientNetwork(ipv4FromGroups(g[6], g[7]))
  return `${g.slice(0, 3).map((x) => x.toString(16)).join(':')}::/48`
}

/** The keyed hash a commenter's address is stored as (never the address itself). */
export function hashClientAddress (key: string, address: string): string {
  return createHmac('sha256', key).update(clientNetwork(address)).digest('hex')
}
