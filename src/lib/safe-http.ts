import { BlockList, isIP } from 'node:net'
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import { ipv4FromGroups, ipv6Groups } from './ip-address.js'

// Outgoing HTTP for webhooks and feed imports, safe against SSRF: every address a host
// name resolves to is checked at connect time (so DNS rebinding cannot slip a private
// address in after a check), redirects are followed by hand and re-checked, only the web's
// ports are used, and time and size are bounded. Refusals and failures are told in generic
// words: echoing a DNS answer or a socket error ("resolves to 10.0.0.7", "ECONNREFUSED
// 10.0.0.7:6379") would turn the server into a probe of the networks it can see. The detail
// goes to the caller's debug log and stays on the error as `cause`.

/** IPv4 networks that are not public unicast (IANA special-purpose registry and multicast/reserved). */
const NON_PUBLIC_V4 = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4], ['255.255.255.255', 32]
] as const) NON_PUBLIC_V4.addSubnet(net, prefix, 'ipv4')

/** Ports a target may use unless private targets are allowed: the web's own. */
export const ALLOWED_PORTS: readonly number[] = [80, 443]

function isPublicV4 (address: string): boolean {
  return !NON_PUBLIC_V4.check(address, 'ipv4')
}

const v4 = ipv4FromGroups

const zero = (g: number[], from: number, to: number) => g.slice(from, to).every((x) => x === 0)

/**
 * IPv6 by allowlist: global unicast (2000::/3) minus the special ranges in it; addresses that
 * carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are judged by that address.
 */
function isPublicV6 (g: number[]): boolean {
  // ::ffff:0:0/96 IPv4-mapped
  if (zero(g, 0, 5) && g[5] === 0xffff) return isPublicV4(v4(g[6], g[7]))
  // ::/96 IPv4-compatible (deprecated); :: and ::1 land in 0.0.0.0/8 and are refused there
  if (zero(g, 0, 6)) return isPublicV4(v4(g[6], g[7]))
  // 64:ff9b::/96 well-known NAT64 prefix
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(g, 2, 6)) return isPublicV4(v4(g[6], g[7]))
  // 64:ff9b:1::/48 local-use NAT64 (RFC 8215): where the IPv4 address sits depends on the local
  // prefix length, so only its /96 form (64:ff9b:1::a.b.c.d) is decoded; the rest is refused.
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return zero(g, 3, 6) && isPublicV4(v4(g[6], g[7]))
  // Outside 2000::/3 nothing is global unicast: loopback, ULA fc00::/7, link-local fe80::/10,
  // site-local fec0::/10, multicast ff00::/8, discard 100::/64, SIIT ::ffff:0:0:0/96, …
  if ((g[0] & 0xe000) !== 0x2000) return false
  // 2002::/16 6to4: the IPv4 address is bits 16–47
  if (g[0] === 0x2002) return isPublicV4(v4(g[1], g[2]))
  // 2001::/32 Teredo: the server is bits 32–63, the client the last 32 bits inverted
  if (g[0] === 0x2001 && g[1] === 0) return isPublicV4(v4(g[2], g[3])) && isPublicV4(v4(g[6] ^ 0xffff, g[7] ^ 0xffff))
  // 2001::/23 IETF protocol assignments (benchmarking, ORCHID, AMT, …): no web servers there
  if (g[0] === 0x2001 && g[1] < 0x200) return false
  // 2001:db8::/32 and 3fff::/20 documentation
  if (g[0] === 0x2001 && g[1] === 0xdb8) return false
  if (g[0] === 0x3fff && g[1] < 0x1000) return false
  return true
}

/** Whether an IP address is public unicast, the only kind a webhook or feed URL may reach. */
export function isPublicAddress (address: string): boolean {
  const family = isIP(address.replace(/%.*$/, ''))
  if (family === 4) return isPublicV4(address)
  if (family === 6) {
    const groups = ipv6Groups(address)
    return groups !== null && isPublicV6(groups)
  }
  return false
}

/** Whether an IP address is loopback, private, link-local (cloud metadata), reserved, multicast or not an address. */
export function isPrivateAddress (address: string): boolean {
  return !isPublicAddress(address)
}

/** A URL or address we will not send to; its message is safe to show to the client. */
export class TargetError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TargetError'
  }
}

/** A request that failed on the way (connection, TLS, HTTP); its message is generic and safe to show. */
export class RequestFailed extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RequestFailed'
  }
}

/** Where the detail of a refusal or failure goes (the server's log, at debug). */
export interface DebugLog { debug: (obj: object, msg: string) => void }

const NOT_PUBLIC = 'its host is not a public internet address'
const PORT_REFUSED = `only ports ${ALLOWED_PORTS.join(' and ')} are allowed`

/** Checks a URL's form: http(s), no credentials. Private targets are caught at connect time. */
export function checkTargetUrl (text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new TargetError(`"${text}" is not an absolute URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetError('only http and https URLs are allowed')
  if (url.username || url.password) throw new TargetError('URLs with credentials are not allowed')
  return url
}

function portOf (url: URL): number {
  return url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)
}

function bareHost (hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '')
}

/** What can be told before any lookup: the port, and a literal address. */
function checkLiteral (url: URL, allowPrivate: boolean, log?: DebugLog): void {
  if (allowPrivate) return
  if (!ALLOWED_PORTS.includes(portOf(url))) {
    log?.debug({ url: url.toString(), port: portOf(url) }, 'outbound request refused: port')
    throw new TargetError(PORT_REFUSED)
  }
  const host = bareHost(url.hostname)
  if (isIP(host) && !isPublicAddress(host)) {
    log?.debug({ url: url.toString(), address: host }, 'outbound request refused: address not public')
    throw new TargetError(NOT_PUBLIC)
  }
}

function resolveAll (host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(host, { all: true }, (err, list) => (err ? reject(err) : resolve(list)))
  })
}

/**
 * Resolves a host and refuses it when any of its addresses is not public (unless allowed).
 * A name that does not resolve gets the same answer as one that resolves privately, so the
 * answer does not tell which internal names exist.
 */
export async function assertPublicHost (hostname: string, allowPrivate: boolean, log?: DebugLog): Promise<void> {
  if (allowPrivate) return
  const host = bareHost(hostname)
  if (isIP(host)) {
    if (isPublicAddress(host)) return
    log?.debug({ host, address: host }, 'outbound request refused: address not public')
    throw new TargetError(NOT_PUBLIC)
  }
  let addresses: LookupAddress[]
  try {
    addresses = await resolveAll(host)
  } catch (err) {
    log?.debug({ host, err }, 'outbound request refused: host does not resolve')
    throw new TargetError(NOT_PUBLIC, { cause: err })
  }
  const bad = addresses.find((a) => !isPublicAddress(a.address))
  if (bad !== undefined) {
    log?.debug({ host, address: bad.address }, 'outbound request refused: address not public')
    throw new TargetError(NOT_PUBLIC)
  }
}

/** A URL a webhook may target now: its form, its port and the addresses its host resolves to. */
export async function assertPublicTarget (text: string, allowPrivate: boolean, log?: DebugLog): Promise<URL> {
  const url = checkTargetUrl(text)
  checkLiteral(url, allowPrivate, log)
  await assertPublicHost(url.hostname, allowPrivate, log)
  return url
}

function guardedLookup (allowPrivate: boolean, log?: DebugLog) {
  return (hostname: string, options: object, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, list) => {
      if (err) {
        log?.debug({ host: hostname, err }, 'outbound request failed: host does not resolve')
        return callback(allowPrivate ? new RequestFailed('the host name does not resolve', { cause: err }) : new TargetError(NOT_PUBLIC, { cause: err }), [])
      }
      const addresses = list as LookupAddress[]
      const bad = allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address))
      if (bad !== undefined) {
        log?.debug({ host: hostname, address: bad.address }, 'outbound request refused at connect time: address not public')
        return callback(new TargetError(NOT_PUBLIC), [])
      }
      if ((options as { all?: boolean }).all) return callback(null, addresses)
      callback(null, addresses[0].address, addresses[0].family)
    })
  }
}

/** A socket, TLS or HTTP error in words that name no address, port or errno. */
function describeFailure (err: unknown): string {
  const code = String((err as { code?: unknown }).code ?? '')
  if (code === 'ECONNREFUSED') return 'the connection was refused'
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'the connection was reset'
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return 'the host is unreachable'
  if (code === 'ETIMEDOUT') return 'the connection timed out'
  if (code.startsWith('HPE_')) return 'the answer was not valid HTTP'
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_OSSL)/.test(code) || /certificate|ssl|tls/i.test((err as Error)?.message ?? '')) {
    return 'the TLS handshake failed'
  }
  return 'the request failed'
}

export interface SafeRequest {
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string | Buffer
  timeoutMs: number
  maxBytes: number
  maxRedirects?: number
  /** false: a 3xx answer is returned as it is (the caller follows it, telling permanent from temporary moves). */
  followRedirects?: boolean
  /** Also lifts the port rule: loopback and private networks, any port. */
  allowPrivate: boolean
  /** Receives the detail of refusals and failures that the thrown message leaves out. */
  log?: DebugLog
}

export interface SafeResponse { status: number, headers: http.IncomingHttpHeaders, body: Buffer, url: string }

/**
 * One HTTP request with SSRF, port, time, size and redirect limits. Throws TargetError (the
 * URL or an address is refused, a limit was hit) or RequestFailed (the connection, TLS or the
 * answer broke); both messages are safe to show a client.
 */
export async function safeRequest (target: string, opts: SafeRequest): Promise<SafeResponse> {
  let url = checkTargetUrl(target)
  const deadline = Date.now() + opts.timeoutMs
  for (let hop = 0; ; hop++) {
    checkLiteral(url, opts.allowPrivate, opts.log)
    const res = await once(url, opts, Math.max(1, deadline - Date.now()))
    const location = res.headers.location
    if (res.status >= 300 && res.status < 400 && location && opts.method !== 'POST' && opts.followRedirects !== false) {
      if (hop >= (opts.maxRedirects ?? 3)) throw new TargetError(`too many redirects (more than ${opts.maxRedirects ?? 3})`)
      url = checkTargetUrl(new URL(location, url).toString())
      continue
    }
    return res
  }
}

function once (url: URL, opts: SafeRequest, timeoutMs: number): Promise<SafeResponse> {
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    let settled = false
    const finish = (err: Error | null, value?: SafeResponse) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (err) {
        req.destroy()
        if (err instanceof TargetError || err instanceof RequestFailed) return reject(err)
        opts.log?.debug({ url: url.toString(), err }, 'outbound request failed')
        reject(new RequestFailed(describeFailure(err), { cause: err }))
      } else {
        resolve(value as SafeResponse)
      }
    }
    const req = client.request(url, {
      method: opts.method ?? 'GET',
      headers: opts.headers,
      lookup: guardedLookup(opts.allowPrivate, opts.log) as never
    }, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > opts.maxBytes) return finish(new TargetError(`response larger than ${opts.maxBytes} bytes`))
        chunks.push(chunk)
      })
      res.on('end', () => finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url: url.toString() }))
      res.on('error', (err) => finish(err))
    })
    const timer = setTimeout(() => finish(new RequestFailed(`timed out after ${timeoutMs} ms`)), timeoutMs)
    req.on('error', (err) => finish(err))
    if (opts.body !== undefined) req.write(opts.body)
    req.end()
  })
}
