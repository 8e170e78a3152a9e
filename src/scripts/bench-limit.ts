import Fastify from 'fastify'
import { readFileSync } from 'node:fs'

// The "limit" of the benchmark: a bare Fastify server answering, from memory, the very bytes
// of responses of the real server (body and headers, as `npm run bench` captured them, one
// per endpoint). A request for /<k>/<the endpoint's own path> gets response k. Nothing can
// serve those responses faster on this stack, so every endpoint is reported as a ratio to it.
const [file, port] = [process.argv[2], Number(process.argv[3] ?? 0)]
const responses = (JSON.parse(readFileSync(file, 'utf8')) as Array<{ headers: Record<string, string>, body: string }>)
  .map((r) => ({ headers: r.headers, body: Buffer.from(r.body, 'base64') }))
const app = Fastify({ logger: false })
app.get('/*', (request, reply) => {
  const url = request.url
  const end = url.indexOf('/', 1)
  const r = responses[Number(url.slice(1, end === -1 ? undefined : end))] ?? responses[0]
  reply.headers(r.headers).send(r.body)
})
const address = await app.listen({ port, host: '127.0.0.1' })
process.stdout.write(`LISTENING ${address}\n`)
process.on('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
