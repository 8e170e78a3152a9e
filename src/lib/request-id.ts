import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** What a client's X-Request-Id may be to be kept: short, and nothing a header, log or body could misread. */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/

/**
 * Fastify's `genReqId`: the client's (or proxy's) `X-Request-Id` when it is a safe token, so a
 * request can be followed across services; anything else (too long, spaces, quotes, control
 * characters, several values) is replaced by a random UUID rather than reflected into the
 * response header, problem bodies and log lines.
 */
export function requestIdOf (req: IncomingMessage): string {
  const given = req.headers['x-request-id']
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID()
}
