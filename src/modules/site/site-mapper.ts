import type { SiteRow } from './site-repository.js'
import type { Site } from './site-schemas.js'

/** Row → API site object; the URLs are configured ones, never the request's. */
export function toSite (row: SiteRow, siteUrl: string, apiUrl: string): Site {
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
    feeds: { rss: `${apiUrl}/feeds/rss.xml`, atom: `${apiUrl}/feeds/atom.xml`, json: `${apiUrl}/feeds/feed.json` },
    updated_at: new Date(row.updatedAt).toISOString()
  }
}
