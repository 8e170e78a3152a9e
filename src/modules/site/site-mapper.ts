import { feedUrlsOf } from '../../lib/feeds.js'
import type { SiteRow } from './site-repository.js'
import type { Site } from './site-schemas.js'
import type { ResolvedNavigation } from './site-navigation.js'

/**
 * Row → API site object; the URLs are configured ones, never the request's. The menus come
 * resolved; their issues are shown only when `withIssues` (an admin reads).
 */
export function toSite (row: SiteRow, siteUrl: string, apiUrl: string, navigation: ResolvedNavigation, withIssues = false): Site {
  return {
    title: row.title,
    description: row.description,
    url: siteUrl,
    language: row.language,
    timezone: row.timezone,
    comments: {
      enabled: row.commentsEnabled,
      moderation: row.commentModeration,
      max_depth: row.commentMaxDepth,
      max_links: row.commentMaxLinks
    },
    // The same URLs as each feed's self link.
    feeds: feedUrlsOf(apiUrl),
    navigation: { primary: navigation.primary, secondary: navigation.secondary },
    ...(withIssues ? { navigation_issues: navigation.issues } : {}),
    updated_at: new Date(row.updatedAt).toISOString()
  }
}
