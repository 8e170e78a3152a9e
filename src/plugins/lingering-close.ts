import fp from 'fastify-plugin'
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'

/** How long a connection answered before its body was read goes on discarding what the client sends. */
export const LINGER_MS = 5000
/** How much it discards before it gives up on the client and closes at once. */
export const LINGER_MAX_BYTES = 8 * 1024 * 1024

/** How often the bytes discarded are counted. */
const METER_MS = 100

export interface LingeringCloseOptions {
  /** LINGER_MS unless told (tests). */
  lingerMs?: number
  /** LINGER_MAX_BYTES unless told (tests). */
  maxBytes?: number
}

function hasBody (headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true
  const length = headers['content-length']
  return length !== undefined && length !== '0'
}

/**
 * Lingering close, as nginx and Apache do it, for answers given before the request's body was
 * read to the end (a 413 past a body limit, a 401/403/415 refused before the body is looked at).
 *
 * Node answers such a request and, on `Connection: close`, calls `socket.destroySoon()` once the
 * answer is written: the socket is closed with the rest of the body unread in its receive buffer,
 * so the kernel sends a reset instead of a FIN, and a reset may drop the answer from the client's
 * receive buffer before the client has read it (`EPIPE` / `ECONNRESET` instead of the 413).
 *
 * Here the answer says `Connection: close` (so Node ends the connection after it, and a keep-alive
 * client is not drained of an unbounded body), and that socket's `destroySoon` half-closes
 * instead: a FIN after the answer, then the rest of the body is read and thrown away (nothing
 * kept) until it ends, the client closes its side, `maxBytes` have been discarded or `lingerMs`
 * have passed; then the socket is destroyed, with nothing unread left to turn the close into a
 * reset.
 * Requests whose body was read (every ordinary one) are not touched. Sockets still lingering when
 * the app closes are destroyed then.
 */
export default fp<LingeringCloseOptions>(async (app, opts) => {
  const lingerMs = opts.lingerMs ?? LINGER_MS
  const maxBytes = opts.maxBytes ?? LINGER_MAX_BYTES
  const lingering = new Set<Socket>()

  const linger = (socket: Socket, req: IncomingMessage) => {
    if (socket.destroyed) return
    lingering.add(socket)
    const readBefore = socket.bytesRead
    const stop = () => {
      clearTimeout(timer)
      clearInterval(meter)
      lingering.delete(socket)
      socket.destroy()
    }
    const timer = setTimeout(stop, lingerMs)
    timer.unref()
    // Node's parser reads the socket itself and may drop the body before the request sees it
    // (a request never read is "dumped"): the socket's byte count is the one measure.
    const meter = setInterval(() => { if (socket.bytesRead - readBefore > maxBytes) stop() }, METER_MS)
    meter.unref()
    // The rest of the body goes through the parser into the request, read here and dropped: a
    // flowing stream with no reader keeps nothing.
    req.removeAllListeners('data')
    // The whole body is in: nothing is left unread, and a close now is a clean one. So is one
    // once the client has closed its side.
    req.once('end', stop)
    socket.once('end', stop)
    socket.once('close', () => { clearTimeout(timer); clearInterval(meter); lingering.delete(socket) })
    socket.end()
    // The request may have been paused (a body refused mid-stream), which stops the socket.
    req.resume()
  }

  app.addHook('onSend', (request, reply, payload, done) => {
    const raw = request.raw
    // `=== false`: an injected request (tests) has no `complete` and no socket to linger on.
    if (raw.complete === false && hasBody(raw.headers)) {
      reply.header('connection', 'close')
      const socket = raw.socket as Socket & { destroySoon?: () => void }
      const destroySoon = socket.destroySoon
      if (typeof destroySoon === 'function') {
        // Called by Node once the answer is written (resOnFinish, on Connection: close). The body
        // may have arrived in full meanwhile: then Node's own close is right.
        socket.destroySoon = function () {
          if (raw.complete) destroySoon.call(socket)
          else linger(socket, raw)
        }
      }
    }
    done(null, payload)
  })

  app.addHook('onClose', (_app, done) => {
    for (const socket of lingering) socket.destroy()
    lingering.clear()
    done()
  })
}, { name: 'lingering-close' })
