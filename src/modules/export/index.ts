import fp from 'fastify-plugin'
import type { ExportRepository } from './export-repository.js'
import exportRoutes from './export-routes.js'

export interface ExportModuleOptions {
  repo: ExportRepository
  /** SITE_URL: the export's channel link. */
  siteUrl: string
  /** Where the route lives; /v1/export unless told. */
  prefix?: string
}

/** The site export: GET /v1/export (WXR 1.2, admin). */
export default fp<ExportModuleOptions>(async (app, opts) => {
  await app.register(exportRoutes, { prefix: opts.prefix ?? '/v1/export', repo: opts.repo, siteUrl: opts.siteUrl })
}, { name: 'export-module' })
