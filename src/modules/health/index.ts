import fp from 'fastify-plugin'
import type { HealthRepository } from './health-repository.js'
import healthRoutes from './health-routes.js'

/** Liveness and readiness, at the root (/health, /ready) where probes expect them. */
export default fp<{ repo: HealthRepository }>(async (app, opts) => {
  await app.register(healthRoutes, { repo: opts.repo })
}, { name: 'health-module' })
