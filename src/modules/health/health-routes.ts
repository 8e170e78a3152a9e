import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ServiceUnavailable } from '../../errors.js'
import { problemResponses } from '../../schemas/common.js'
import type { HealthRepository } from './health-repository.js'

const StatusSchema = Type.Object({ status: Type.String({ examples: ['ok'] }) })

/** GET /health (the process answers) and GET /ready (the database answers too). */
const healthRoutes: FastifyPluginAsyncTypebox<{ repo: HealthRepository }> = async (app, { repo }) => {
  app.get('/health', {
    schema: { operationId: 'getHealth', tags: ['Health'], summary: 'Check liveness: the process is up', response: { 200: StatusSchema } }
  }, async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return { status: 'ok' }
  })
  app.get('/ready', {
    schema: {
      operationId: 'getReady',
      tags: ['Health'],
      summary: 'Check readiness: the database answers',
      response: { 200: StatusSchema, ...problemResponses(503) }
    }
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    try {
      await repo.ping()
    } catch (err) {
      request.log.error({ err }, 'readiness check failed')
      throw new ServiceUnavailable('The database does not answer')
    }
    return { status: 'ok' }
  })
}
export default healthRoutes
