import type { Db } from '../../db/client.js'

export interface SiteRow {
  title: string
  description: string
  language: string
  timezone: string
  comments_enabled: number
  comment_moderation: 'all' | 'first_time' | 'none'
  comment_max_depth: number
  comment_max_links: number
  updated_at: number
}

/** The single row of site settings. */
export function createSiteRepository (db: Db) {
  const getStmt = db.$client.prepare(`SELECT title, description, language, timezone, comments_enabled, comment_moderation,
    comment_max_depth, comment_max_links, updated_at FROM site_settings WHERE id = 1`)
  return {
    get (): SiteRow {
      return getStmt.get() as SiteRow
    }
  }
}
export type SiteRepository = ReturnType<typeof createSiteRepository>
