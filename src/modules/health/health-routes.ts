import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'

const StatusSchema = Type.Object({ status: Type.String({ examples: ['ok'] }) })

/** GET /health (the process answers) and GET /ready (the database answers too). */
const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ping = app.db.$client.prepare('SELECT 1').pluck()
  app.get('/health', {
    schema: { operationId: 'getHealth', tags: ['Health'], summary: 'Liveness: the process is up', response: { 200: StatusSchema } }
  }, async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return { status: 'ok' }
  })
  app.get('/ready', {
    schema: {
      operationId: 'getReady',
      tags: ['Health'],
      summary: 'Readiness: the database answers',
      response: { 200: StatusSchema, 503: StatusSchema }
    }
  }, async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    try {
      ping.get()
      return { status: 'ok' }
    } catch {
      return reply.code(503).send({ status: 'database unavailable' })
    }
  })
}
export default healthRoutes
