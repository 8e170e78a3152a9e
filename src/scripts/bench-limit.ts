import Fastify from 'fastify'
import { readFileSync } from 'node:fs'

// The "limit" of the benchmark: a bare Fastify server answering the same bytes as the list
// page from memory, with the same headers a real response has. Nothing can serve a request
// of that size faster on this stack, so every endpoint is reported as a ratio to it.
const [file, port] = [process.argv[2], Number(process.argv[3] ?? 0)]
const body = readFileSync(file, 'utf8')
const app = Fastify({ logger: false })
app.get('/*', async (_request, reply) => {
  reply.header('content-type', 'application/json; charset=utf-8')
  reply.header('cache-control', 'public, max-age=60')
  reply.header('etag', '"limit"')
  return body
})
const address = await app.listen({ port, host: '127.0.0.1' })
process.stdout.write(`LISTENING ${address}\n`)
process.on('SIGTERM', () => { app.close().then(() => process.exit(0)) })
