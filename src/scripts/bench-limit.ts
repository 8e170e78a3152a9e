import Fastify from 'fastify'
import { readFileSync } from 'node:fs'

// The "limit" of the benchmark: a bare Fastify server answering, from memory, the very bytes
// of a list page of the real server (its body and its headers, as `npm run bench` captured
// them). Nothing can serve that response faster on this stack, so every endpoint is
// reported as a ratio to it.
const [bodyFile, headersFile, port] = [process.argv[2], process.argv[3], Number(process.argv[4] ?? 0)]
const body = readFileSync(bodyFile)
const headers = JSON.parse(readFileSync(headersFile, 'utf8')) as Record<string, string>
const app = Fastify({ logger: false })
app.get('/*', (_request, reply) => {
  reply.headers(headers).send(body)
})
const address = await app.listen({ port, host: '127.0.0.1' })
process.stdout.write(`LISTENING ${address}\n`)
process.on('SIGTERM', () => { app.close().then(() => process.exit(0)) })
