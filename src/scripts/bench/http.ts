import { ADMIN_TOKEN } from './processes.js'

export interface Answer<T = unknown> { status: number, body: T, ms: number, headers: Headers }

/**
 * One request through the HTTP API, timed from the call to the last byte of the answer.
 * `admin` sends the bench server's admin token (writes; reads that must bypass the response
 * cache, which never serves or stores an authenticated request).
 */
export async function call<T = any> (base: string, method: string, path: string, o: { body?: unknown, admin?: boolean, timeoutMs?: number } = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity' }
  if (o.admin === true) headers.authorization = `Bearer ${ADMIN_TOKEN}`
  if (o.body !== undefined) headers['content-type'] = 'application/json'
  const t0 = performance.now()
  const res = await fetch(base + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) })
  const text = await res.text()
  const ms = performance.now() - t0
  let body: any = text
  if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') {
    try { body = JSON.parse(text) } catch { body = text }
  }
  return { status: res.status, body, ms, headers: res.headers }
}

const WORDS = 'the of and to in said government officials people report week council election vote market rates climate rocket hospital festival treaty housing rent transport'.split(' ')

/** An article of about `words` words in paragraphs and a few subheadings, like the bench corpus. */
export function storyHtml (seed: number, words = 800): string {
  let s = seed >>> 0
  const next = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return WORDS[s % WORDS.length] }
  const parts: string[] = []
  for (let count = 0; count < words; count += 16) {
    const sentence = Array.from({ length: 16 }, next).join(' ')
    parts.push(count % 200 === 0 && count > 0 ? `<h2>${next()} ${next()}</h2><p>${sentence}.</p>` : `<p>${sentence}.</p>`)
  }
  return parts.join('')
}
