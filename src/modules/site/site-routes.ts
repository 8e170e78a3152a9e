import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { problemResponses, refuseReadOnly } from '../../schemas/common.js'
import type { SiteSettingsRepository } from './site-repository.js'
import type { SiteService } from './site-service.js'
import { toSite } from './site-mapper.js'
import { SITE_READ_ONLY, UpdateSiteBody } from './site-schemas.js'
import { PAGES_KEY, POST_EDITS_KEY, POSTS_KEY, SITE_KEY, termKey } from '../cache-keys.js'
import { grantsScope } from '../../lib/scopes.js'
import { resolveNavigation, type NavigationTargets, type TargetKind } from './site-navigation.js'

export interface SiteRoutesOptions {
  repo: SiteSettingsRepository
  service: SiteService
  /** Looks up menu targets (pages, categories, tags, posts) as the public sees them now. */
  targets: Pick<NavigationTargets, 'resolve'>
  siteUrl: string
  apiUrl: string
}

// The surrogate keys of what a menu links to: its URLs change with them. A post's slug changes
// with an edit of a live post (post-edits), its visibility with the post lists (posts).
const KEYS_OF: Record<TargetKind, string[]> = { page: [PAGES_KEY], post: [POSTS_KEY, POST_EDITS_KEY], category: [termKey('category')], tag: [termKey('tag')] }

/** GET /v1/site (public) and PATCH /v1/site (admin). */
const siteRoutes: FastifyPluginAsyncTypebox<SiteRoutesOptions> = async (app, opts) => {
  const { repo, service, targets } = opts
  // One settled Promise on SQLite (the read runs at once): no extra event-loop turn.
  const read = async (withIssues: boolean) => {
    const row = await repo.read()
    const navigation = resolveNavigation(row.navigation, targets, Date.now())
    return { site: toSite(row, opts.siteUrl, opts.apiUrl, navigation, withIssues), kinds: navigation.kinds }
  }
  app.get('/', {
    config: { publicCache: true, cacheKeys: [SITE_KEY] },
    schema: {
      operationId: 'getSite',
      tags: ['Site'],
      summary: 'Get the site settings',
      description: 'Site name, language, the comment settings a frontend needs to render its comment form, and the navigation menus with ' +
        'every item resolved to its current URL (items whose target is gone or not public are left out). An `admin` key also gets `navigation_issues`: what was left out and why.',
      response: { 200: Type.Object({ data: Type.Ref('Site') }), ...problemResponses(400, 401) }
    }
  }, async (request, reply) => {
    // Configured URLs only: the answer is cached by path, so nothing in it may come from the
    // request's Host or X-Forwarded-Host.
    const { site, kinds } = await read(grantsScope(request.auth?.scopes, 'admin'))
    reply.cacheKeys([SITE_KEY, ...[...kinds].flatMap((k) => KEYS_OF[k])])
    return { data: site }
  })

  app.patch('/', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'updateSite',
      tags: ['Site'],
      summary: 'Change the site settings',
      description: 'Needs `admin`. Send only what changes. `navigation.primary` and `navigation.secondary` each replace their menu: items ' +
        '`{ label, url }` or `{ label, page_id | category_id | tag_id | post_id }`, with `children` up to 3 levels. An item without exactly one target, or naming an ' +
        'id that does not exist, is a 422 whose `errors[]` names the item (`navigation.primary.1.page_id`). A draft page may be in a menu: it shows once published. ' +
        'The fields marked read-only in `Site` (`url`, `feeds`, `updated_at`) come from the server\'s configuration or its clock: sending one is a 400 whose `errors[]` names it as read-only.',
      body: UpdateSiteBody,
      response: { 200: Type.Object({ data: Type.Ref('Site') }), ...problemResponses(400, 401, 403, 415, 422) }
    },
    preValidation: refuseReadOnly(SITE_READ_ONLY)
  }, async (request) => {
    await service.update(request.body)
    return { data: (await read(true)).site }
  })
}
export default siteRoutes
