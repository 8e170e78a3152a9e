import t from 'tap'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { buildTestApp, adminAuth } from '../helper.js'
import { LINGER_MS } from '../../src/plugins/lingering-close.js'

// Over a real socket: the reset this plugin avoids only happens in the kernel.

interface Exchange {
  /** Everything the server sent, as text. */
  received: string
  /** Bytes this side wrote after the request head (body bytes, with chunk framing when chunked). */
  sent: number
  /** The socket error this side saw, if any (after the answer it is harmless). */
  error?: string
  /** Milliseconds from the first byte of the answer to the socket's close. */
  closedAfter: number
}

interface Upload {
  chunked: boolean
  /** The Content-Length declared (not chunked). */
  declared?: number
  /** Body bytes written at most. */
  total: number
  chunk: number
  /** Between writes once an answer has come; 0 writes as fast as the socket takes them. */
  delayMs: number
  auth?: boolean
}

/**
 * Writes `head`, then `piece` on and on, reading whatever comes back, until the socket closes
 * or `total` bytes of pieces are sent (`delayMs` between writes once an answer has come; 0:
 * as fast as the socket takes them).
 */
async function exchange (port: number, head: string, piece: Buffer, total: number, delayMs = 0): Promise<Exchange> {
  return await new Promise((resolve) => {
    // Half-open allowed: this side goes on sending after the server's FIN, as a client in the
    // middle of an upload does.
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
    let received = ''
    let sent = 0
    let answeredAt = 0
    let error: string | undefined
    let closed = false
    socket.write(head)
    const pump = () => {
      if (closed || socket.destroyed || !socket.writable) return
      // All sent: this side is done, as curl is once it has sent the body and read the answer.
      if (sent >= total) return socket.end()
      sent += piece.length
      const more = socket.write(piece)
      if (!more) socket.once('drain', pump)
      else if (delayMs > 0 && answeredAt > 0) setTimeout(pump, delayMs)
      else setImmediate(pump)
    }
    socket.on('data', (chunk: Buffer) => {
      if (answeredAt === 0) answeredAt = Date.now()
      received += chunk.toString()
    })
    socket.on('error', (err: NodeJS.ErrnoException) => { error = err.code ?? err.message })
    socket.on('close', () => {
      closed = true
      resolve({ received, sent, error, closedAfter: answeredAt === 0 ? -1 : Date.now() - answeredAt })
    })
    pump()
  })
}

/** Writes a POST /v1/posts body on and on (see exchange). */
async function upload (port: number, u: Upload): Promise<Exchange> {
  const framing = u.chunked ? 'transfer-encoding: chunked' : `content-length: ${u.declared ?? u.total}`
  const auth = u.auth === false ? '' : `authorization: ${adminAuth.authorization}\r\n`
  const head = `POST /v1/posts HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n${auth}${framing}\r\n\r\n${u.chunked ? 'a\r\n{"title":"\r\n' : '{"title":"'}`
  const data = Buffer.alloc(u.chunk, 'x')
  const piece = u.chunked ? Buffer.concat([Buffer.from(`${u.chunk.toString(16)}\r\n`), data, Buffer.from('\r\n')]) : data
  return await exchange(port, head, piece, u.total, u.delayMs)
}

/** The status, headers and parsed body of the one answer in `text`; throws when it is cut short. */
function parse (text: string): { status: number, headers: Record<string, string>, body: any } {
  const end = text.indexOf('\r\n\r\n')
  if (end < 0) throw new Error(`no complete answer in ${JSON.stringify(text.slice(0, 200))}`)
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  const body = text.slice(end + 4, end + 4 + Number(headers['content-length']))
  if (Buffer.byteLength(body) !== Number(headers['content-length'])) throw new Error(`answer cut short: ${JSON.stringify(text)}`)
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) }
}

async function listening (t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, port: (app.server.address() as AddressInfo).port }
}

const ATTEMPTS = 20

t.test('a Content-Length over the body limit gets the whole 413 problem every time while the client goes on sending', async (t) => {
  const { port } = await listening(t)
  for (let i = 0; i < ATTEMPTS; i++) {
    const x = await upload(port, { chunked: false, declared: 3 * 1024 * 1024, total: 3 * 1024 * 1024, chunk: 64 * 1024, delayMs: 0 })
    const answer = parse(x.received)
    t.equal(answer.status, 413, `attempt ${i + 1}`)
    t.equal(answer.headers.connection, 'close')
    t.match(answer.headers['content-type'], /application\/problem\+json/)
    t.match(answer.body, { status: 413, code: 'BODY_TOO_LARGE' })
  }
})

t.test('a chunked body that grows past the limit gets the whole 413 problem every time', async (t) => {
  const { port } = await listening(t)
  for (let i = 0; i < ATTEMPTS; i++) {
    const x = await upload(port, { chunked: true, total: 4 * 1024 * 1024, chunk: 16 * 1024, delayMs: 0 })
    const answer = parse(x.received)
    t.equal(answer.status, 413, `attempt ${i + 1}`)
    t.equal(answer.headers.connection, 'close')
    t.match(answer.body, { status: 413, code: 'BODY_TOO_LARGE' })
  }
})

t.test('an early 401 before the body is read closes the connection after the answer, which arrives whole', async (t) => {
  const { port } = await listening(t)
  for (let i = 0; i < 5; i++) {
    const x = await upload(port, { chunked: false, total: 2 * 1024 * 1024, chunk: 64 * 1024, delayMs: 0, auth: false })
    const answer = parse(x.received)
    t.equal(answer.status, 401, `attempt ${i + 1}`)
    t.equal(answer.headers.connection, 'close')
  }
})

t.test('a client that keeps sending is cut off within the lingering time', async (t) => {
  const { port } = await listening(t)
  const started = Date.now()
  // Past the limit at once, then 4 KiB every 20 ms: about 200 KiB/s, far under the byte bound, forever.
  const x = await upload(port, { chunked: true, total: Infinity, chunk: 4096, delayMs: 20 })
  t.equal(parse(x.received).status, 413)
  t.ok(x.closedAfter >= LINGER_MS - 200 && x.closedAfter < LINGER_MS + 1500, `closed ${x.closedAfter} ms after the answer (bound ${LINGER_MS} ms)`)
  t.ok(Date.now() - started < LINGER_MS + 3000)
})

t.test('keep-alive requests whose body is read stay on one open connection', async (t) => {
  const { port } = await listening(t)
  const socket = net.connect({ port, host: '127.0.0.1' })
  t.teardown(() => socket.destroy())
  let received = ''
  socket.on('data', (c: Buffer) => { received += c.toString() })
  const body = JSON.stringify({ nonsense: 'x'.repeat(10_000) })
  const ask = async () => {
    received = ''
    socket.write(`POST /v1/posts HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\nauthorization: ${adminAuth.authorization}\r\ncontent-length: ${body.length}\r\n\r\n${body}`)
    while (!/\r\n\r\n/.test(received) || Buffer.byteLength(received.slice(received.indexOf('\r\n\r\n') + 4)) < Number(/content-length: (\d+)/i.exec(received)?.[1] ?? Infinity)) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    return parse(received)
  }
  for (let i = 0; i < 3; i++) {
    const answer = await ask()
    t.equal(answer.status, 400, `request ${i + 1} on the same connection`)
    t.not(answer.headers.connection, 'close')
  }
  t.notOk(socket.destroyed, 'the connection is still open')
})

/** A request whose header block never ends: 1 KiB header lines, on and on (see exchange). */
async function endlessHeaders (port: number, total: number): Promise<Exchange> {
  return await exchange(port, 'GET /v1/posts HTTP/1.1\r\nhost: localhost\r\n', Buffer.from(`x-filler: ${'y'.repeat(1012)}\r\n`), total)
}

t.test('a header block past the limit gets the whole 431 problem every time while the client goes on sending', async (t) => {
  const { port } = await listening(t)
  const seen: string[] = []
  for (let i = 0; i < ATTEMPTS; i++) {
    const x = await endlessHeaders(port, 2 * 1024 * 1024)
    try {
      const answer = parse(x.received)
      seen.push(`${answer.status} ${answer.headers['content-type']} ${answer.body.code}`)
    } catch (err) {
      seen.push(`cut: ${(err as Error).message.slice(0, 80)} (${x.error ?? 'no error'})`)
    }
  }
  t.same(seen, Array.from({ length: ATTEMPTS }, () => '431 application/problem+json; charset=utf-8 HEADERS_TOO_LARGE'), 'every answer whole')
})
