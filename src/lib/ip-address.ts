import { isIP } from 'node:net'

/** The eight 16-bit groups of a valid IPv6 address (a zone id is dropped), or null. */
export function ipv6Groups (text: string): number[] | null {
  let address = text.replace(/%.*$/, '')
  if (isIP(address) !== 6) return null
  // A dotted IPv4 tail (::ffff:1.2.3.4) is two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address)
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number)
    address = address.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = address.split('::') as [string, string | undefined]
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)))
  const left = parse(head)
  if (tail === undefined) return left
  const right = parse(tail)
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right]
}

/** The dotted IPv4 address held in two 16-bit groups. */
export function ipv4FromGroups (hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
}
