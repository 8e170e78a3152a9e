import t, { type Test } from 'tap'
import { connect } from 'node:net'
import { Writable } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { buildTestApp } from '../helper.js'

// Every error is application/problem+json, including those answered before any route runs:
// readiness, shutting down, and what Node's HTTP parser refuses (tested over a raw socket, since
// no HTTP client sends a malformed request).

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

interface RawResponse { status: number, headers: Record<string, string>, body: string }

/** Writes bytes to the server and reads until it closes the connection (or 5 s pass). */
function raw (port: number, chunks: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.setEncoding('utf8')
    socket.on('data', (data: string) => { received += data })
    // The server may close while the client is still writing: what it answered is what counts.
    socket.on('error', () => resolve(received))
    socket.on('close', () => resolve(received))
    socket.setTimeout(5000, () => { socket.destroy(); reject(new Error(`no answer; got ${JSON.stringify(received.slice(0, 200))}`)) })
    socket.on('connect', () => { for (const chunk of chunks) socket.write(chunk) })
  })
}

function parse (text: string): RawResponse[] {
  const out: RawResponse[] = []
  let rest = text
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n')
    if (end < 0) break
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n')
    const headers: Record<string, string> = {}
    for (const line of lines) {
      const i = line.indexOf(':')
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
    }
    const length = Number(headers['content-length'] ?? 0)
    const bodyStart = end + 4
    out.push({ status: Number(statusLine.split(' ')[1]), headers, body: Buffer.from(rest.slice(bodyStart), 'utf8').subarray(0, length).toString('utf8') })
    rest = Buffer.from(rest.slice(bodyStart), 'utf8').subarray(length).toString('utf8')
  }
  return out
}

async function listening (t: Test) {
  const app = await buildTestApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, port: (app.server.address() as AddressInfo).port }
}

function assertProblem (t: Test, res: RawResponse | undefined, status: number, code: string) {
  t.ok(res, `an answer with ${status}`)
  if (res === undefined) return
  t.equal(res.status, status)
  t.match(res.headers['content-type'], /^application\/problem\+json/, `${status} is a problem`)
  const body = JSON.parse(res.body) as Record<string, unknown>
  t.match(body, { status, code, type: String, title: String, detail: String, request_id: String })
  t.notOk('statusCode' in body || 'error' in body, 'not Fastify\'s own error shape')
  t.equal(res.headers['x-request-id'], body.request_id, 'the request id in the header and the body')
  t.equal(res.headers['x-content-type-options'], 'nosniff', 'with the API security headers')
}

t.test('readiness without a database is a 503 problem', async (t) => {
  const app = await buildTestApp(t)
  t.equal((await app.inject('/ready')).statusCode, 200)
  app.db.$client.close()
  const down = await app.inject('/ready')
  t.equal(down.statusCode, 503)
  t.match(down.headers['content-type'], /^application\/problem\+json/)
  t.match(down.json(), { status: 503, code: 'SERVICE_UNAVAILABLE', detail: 'The database does not answer', instance: '/ready' })
  t.equal(down.headers['cache-control'], 'no-store')
})

t.test('requests that arrive while the server drains get a 503 problem with Retry-After', async (t) => {
  const config = loadConfig({ DATABASE_PATH: ':memory:', LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0' })
  const app = await buildApp(config)
  let reached!: () => void
  const inFlight = new Promise<void>((resolve) => { reached = resolve })
  app.get('/slow', { schema: { hide: true } }, async () => {
    reached()
    await new Promise((resolve) => setTimeout(resolve, 300))
    return { done: true }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const socket = connect(port, '127.0.0.1')
  let received = ''
  socket.setEncoding('utf8')
  socket.on('data', (data: string) => { received += data })
  const closed = new Promise((resolve) => socket.on('close', resolve))
  socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
  await inFlight
  const closing = app.close()
  // A second request on the same connection, after the close began.
  socket.write('GET /v1/posts HTTP/1.1\r\nHost: x\r\n\r\n')
  await closing
  await closed
  const [first, second] = parse(received)
  t.equal(first?.status, 200, 'the request in flight finishes')
  t.equal(second?.status, 503, 'the later one is refused')
  t.match(second?.headers['content-type'], /^application\/problem\+json/)
  t.equal(second?.headers['retry-after'], '10')
  t.match(JSON.parse(second?.body ?? '{}'), { status: 503, code: 'SERVICE_UNAVAILABLE', instance: '/v1/posts' })
})

t.test('what Node refuses before routing is a problem too', async (t) => {
  const { port } = await listening(t)
  const longUrl = parse(await raw(port, [`GET /v1/posts?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`]))[0]
  assertProblem(t, longUrl, 431, 'HEADERS_TOO_LARGE')
  const bigHeader = parse(await raw(port, [`GET /v1/posts HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`]))[0]
  assertProblem(t, bigHeader, 431, 'HEADERS_TOO_LARGE')
  for (const bad of [
    'NOT A REQUEST\r\n\r\n',
    'GET /v1/posts HTTP/9.9\r\nHost: x\r\n\r\n',
    'GET /v1/posts HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n',
    'POST /v1/posts HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'GET /v1/posts\u0000 HTTP/1.1\r\nHost: x\r\n\r\n'
  ]) {
    const res = parse(await raw(port, [bad]))[0]
    t.comment(JSON.stringify(bad.slice(0, 40)))
    assertProblem(t, res, 400, 'BAD_REQUEST')
  }
  const ok = parse(await raw(port, ['GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']))[0]
  t.equal(ok?.status, 200, 'the server still answers')
})

t.test('a safe X-Request-Id is kept; anything else is replaced, never reflected', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(...chunk.toString().split('\n').filter(Boolean)); done() } })
  const config = loadConfig({ DATABASE_PATH: ':memory:', LOG_LEVEL: 'info', LOG_REQUESTS: 'true', MAX_EVENT_LOOP_DELAY_MS: '0' })
  const app = await buildApp(config, { logger: { level: 'info', stream } })
  await app.ready()
  t.teardown(() => app.close())

  for (const id of ['abc-123', 'trace:7f.9_A', 'a'.repeat(64), '0f8fad5b-d9cb-469f-a165-70867728950e']) {
    const res = await app.inject({ url: '/v1/posts/missing', headers: { 'x-request-id': id } })
    t.equal(res.headers['x-request-id'], id, `${id.slice(0, 20)} is kept in the header`)
    t.equal(res.json().request_id, id, 'and the problem')
  }
  const hostile = ['a'.repeat(65), 'has space', '<script>alert(1)</script>', '"quoted"', 'a,b', 'é', '', 'x\ty', '%0d%0aSet-Cookie:x']
  for (const id of hostile) {
    const res = await app.inject({ url: '/v1/posts/missing', headers: { 'x-request-id': id } })
    const got = String(res.headers['x-request-id'])
    t.match(got, UUID, `${JSON.stringify(id.slice(0, 20))} is replaced by our own id`)
    t.equal(res.json().request_id, got)
  }
  const twice = await app.inject({ url: '/v1/posts/missing', headers: { 'x-request-id': ['one', 'two'] } })
  t.match(String(twice.headers['x-request-id']), UUID, 'two ids are none')
  t.notOk(lines.some((l) => hostile.filter((h) => h.length > 2).some((h) => l.includes(JSON.stringify(h).slice(1, -1)))), 'no log line holds a refused id')
  t.ok(lines.some((l) => l.includes('"reqId":"abc-123"')), 'a kept id is in the log')
})

t.test('a refused request is logged at debug without its bytes, so no token reaches the log', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(...chunk.toString().split('\n').filter(Boolean)); done() } })
  const app = await buildApp(loadConfig({ DATABASE_PATH: ':memory:', LOG_LEVEL: 'debug', MAX_EVENT_LOOP_DELAY_MS: '0' }), { logger: { level: 'debug', stream } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const port = (app.server.address() as AddressInfo).port
  const res = parse(await raw(port, ['GET /v1/keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer bs_secret-token-value\r\nBad Header Line\r\n\r\n']))[0]
  assertProblem(t, res, 400, 'BAD_REQUEST')
  const logged = lines.filter((l) => l.includes('client error'))
  t.equal(logged.length, 1, 'the refusal is logged')
  t.match(logged[0], JSON.parse(res?.body ?? '{}').request_id, 'with its request id')
  t.notOk(lines.some((l) => l.includes('bs_secret-token-value')), 'and never the token')
  // Node hands the handler the request's bytes (err.rawPacket); pino would write them as numbers.
  const tokenBytes = [...Buffer.from('bs_secret')].join(',')
  t.notOk(lines.some((l) => l.includes('rawPacket') || l.includes(tokenBytes)), 'nor the raw bytes that hold it')
})

t.test('an unknown query parameter is named, with the one the route calls it when a peer API uses it', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ url: '/v1/posts?limit=5&orderby=date' })
  t.equal(res.statusCode, 400)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  const body = res.json() as { errors: Array<{ in: string, path: string, message: string }> }
  t.same(body.errors.map((e) => [e.path, e.message]), [
    ['limit', 'is not a known parameter; did you mean per_page?'],
    ['orderby', 'is not a known parameter; did you mean sort?']
  ])
  const related = await app.inject({ url: '/v1/posts/1/related?per_page=3' })
  t.equal(related.statusCode, 400)
  t.match(related.json().errors[0].message, /did you mean limit\?$/, 'related takes limit where lists take per_page')
  const typo = await app.inject({ url: '/v1/posts?categroy=politics' })
  t.match(typo.json().errors[0].message, /did you mean category\?$/, 'a typo')
})

t.test('a value outside a union of literals is named with every allowed value, once per field', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ url: '/v1/posts?sort=bogus' })
  t.equal(res.statusCode, 400)
  t.same(res.json().errors, [{ in: 'query', path: 'sort', message: 'must be one of: -published_at, published_at, -updated_at, title, relevance' }])
  t.match(res.json().detail, 'sort must be one of: -published_at')
})
