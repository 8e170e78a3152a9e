import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { problemResponses, refuseReadOnly } from '../../schemas/common.js'
import type { SiteRepository } from './site-repository.js'
import type { SiteService } from './site-service.js'
import { toSite } from './site-mapper.js'
import { SITE_READ_ONLY, UpdateSiteBody } from './site-schemas.js'
import { SITE_KEY } from '../cache-keys.js'

export interface SiteRoutesOptions {
  repo: SiteRepository
  service: SiteService
  siteUrl: string
  apiUrl: string
}

/** GET /v1/site (public) and PATCH /v1/site (admin). */
const siteRoutes: FastifyPluginAsyncTypebox<SiteRoutesOptions> = async (app, opts) => {
  const { repo, service } = opts
  app.get('/', {
    config: { publicCache: true, cacheKeys: [SITE_KEY] },
    schema: {
      operationId: 'getSite',
      tags: ['Site'],
      summary: 'Get the site settings',
      description: 'Site name, language and the comment settings a frontend needs to render its comment form.',
      response: { 200: Type.Object({ data: Type.Ref('Site') }), ...problemResponses(400) }
    }
  }, async () => {
    // Configured URLs only: the answer is cached by path, so nothing in it may come from the
    // request's Host or X-Forwarded-Host.
    return { data: toSite(repo.get(), opts.siteUrl, opts.apiUrl) }
  })

  app.patch('/', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'updateSite',
      tags: ['Site'],
      summary: 'Change the site settings',
      description: 'Needs `admin`. Send only what changes. The fields marked read-only in `Site` (`url`, `feeds`, `updated_at`) come ' +
        'from the server\'s configuration or its clock: sending one is a 400 whose `errors[]` names it as read-only.',
      body: UpdateSiteBody,
      response: { 200: Type.Object({ data: Type.Ref('Site') }), ...problemResponses(400, 401, 403, 415) }
    },
    preValidation: refuseReadOnly(SITE_READ_ONLY)
  }, async (request) => {
    service.update(request.body)
    return { data: toSite(repo.get(), opts.siteUrl, opts.apiUrl) }
  })
}
export default siteRoutes
