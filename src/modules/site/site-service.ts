import type { Db } from '../../db/client.js'
import type { Writer } from '../../db/write.js'

export interface SiteInput {
  title?: string
  description?: string
  language?: string
  timezone?: string
  comments?: { enabled?: boolean, moderation?: 'all' | 'first_time' | 'none', max_depth?: number, max_links?: number }
}

/** Changes to the site settings row. */
export function createSiteService (db: Db, write: Writer) {
  const get = db.$client.prepare('SELECT * FROM site_settings WHERE id = 1')
  const update = db.$client.prepare(`UPDATE site_settings SET title = @title, description = @description, language = @language,
    timezone = @timezone, comments_enabled = @comments_enabled, comment_moderation = @comment_moderation,
    comment_max_depth = @comment_max_depth, comment_max_links = @comment_max_links, updated_at = @updated_at WHERE id = 1`)
  return {
    update (input: SiteInput): void {
      write((emit, now) => {
        const old = get.get() as Record<string, unknown>
        const c = input.comments ?? {}
        update.run({
          title: input.title ?? old.title,
          description: input.description ?? old.description,
          language: input.language ?? old.language,
          timezone: input.timezone ?? old.timezone,
          comments_enabled: c.enabled === undefined ? old.comments_enabled : (c.enabled ? 1 : 0),
          comment_moderation: c.moderation ?? old.comment_moderation,
          comment_max_depth: c.max_depth ?? old.comment_max_depth,
          comment_max_links: c.max_links ?? old.comment_max_links,
          updated_at: now
        })
        emit({ kind: 'site' })
      })
    }
  }
}
