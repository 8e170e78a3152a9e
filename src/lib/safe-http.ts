import { BlockList, isIP } from 'node:net'
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import http from 'node:http'
import https from 'node:https'

// Outgoing HTTP for webhooks and feed imports, safe against SSRF: every address a host
// name resolves to is checked at connect time (so DNS rebinding cannot slip a private
// address in after a check), redirects are followed by hand and re-checked, and time and
// size are bounded.

const blocked = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4]
] as const) blocked.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]
] as const) blocked.addSubnet(net, prefix, 'ipv6')

/** Whether an IP address is loopback, private, link-local (cloud metadata), reserved or multicast. */
export function isPrivateAddress (address: string): boolean {
  const family = isIP(address)
  if (family === 4) return blocked.check(address, 'ipv4')
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
    if (mapped) return blocked.check(mapped[1], 'ipv4')
    return blocked.check(address, 'ipv6')
  }
  return true
}

export class TargetError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'TargetError'
  }
}

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

/** Resolves a host and refuses it when any of its addresses is private (unless allowed). */
export async function assertPublicHost (hostname: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return
  const host = hostname.replace(/^\[|\]$/g, '')
  const addresses = isIP(host) ? [host] : await new Promise<string[]>((resolve, reject) => {
    dnsLookup(host, { all: true }, (err, list) => (err ? reject(new TargetError(`cannot resolve ${host}`)) : resolve(list.map((a) => a.address))))
  })
  const bad = addresses.find(isPrivateAddress)
  if (bad !== undefined) throw new TargetError(`${host} resolves to ${bad}, a loopback, private or link-local address`)
}

function guardedLookup (allowPrivate: boolean) {
  return (hostname: string, options: object, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, list) => {
      if (err) return callback(err, [])
      const addresses = list as LookupAddress[]
      const bad = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address))
      if (bad !== undefined) return callback(new TargetError(`${hostname} resolves to ${bad.address}, a loopback, private or link-local address`), [])
      if ((options as { all?: boolean }).all) return callback(null, addresses)
      callback(null, addresses[0].address, addresses[0].family)
    })
  }
}

export interface SafeRequest {
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string | Buffer
  timeoutMs: number
  maxBytes: number
  maxRedirects?: number
  allowPrivate: boolean
}

export interface SafeResponse { status: number, headers: http.IncomingHttpHeaders, body: Buffer, url: string }

/** One HTTP request with SSRF, time, size and redirect limits; throws TargetError or Error. */
export async function safeRequest (target: string, opts: SafeRequest): Promise<SafeResponse> {
  let url = checkTargetUrl(target)
  const deadline = Date.now() + opts.timeoutMs
  for (let hop = 0; ; hop++) {
    if (!opts.allowPrivate && isIP(url.hostname.replace(/^\[|\]$/g, '')) && isPrivateAddress(url.hostname.replace(/^\[|\]$/g, ''))) {
      throw new TargetError(`${url.hostname} is a loopback, private or link-local address`)
    }
    const res = await once(url, opts, Math.max(1, deadline - Date.now()))
    const location = res.headers.location
    if (res.status >= 300 && res.status < 400 && location && opts.method !== 'POST') {
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
        reject(err)
      } else {
        resolve(value as SafeResponse)
      }
    }
    const req = client.request(url, {
      method: opts.method ?? 'GET',
      headers: opts.headers,
      lookup: guardedLookup(opts.allowPrivate) as never
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
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)
    req.on('error', (err) => finish(err))
    if (opts.body !== undefined) req.write(opts.body)
    req.end()
  })
}
