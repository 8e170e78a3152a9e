import { eq, getTableColumns } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { siteSettings } from '../../db/schema.js'
import { placeholderOf } from '../../db/placeholders.js'

/** The settings as stored, without the constant id. */
export type SiteRow = Omit<typeof siteSettings.$inferSelect, 'id'>

const { id: _id, ...columns } = getTableColumns(siteSettings)

/** The single row (id = 1) of site settings. */
export function createSiteRepository (db: Db) {
  const set = <K extends keyof SiteRow>(key: K) => placeholderOf(siteSettings[key], key)
  const get = db.select(columns).from(siteSettings).where(eq(siteSettings.id, 1)).prepare()
  const update = db.update(siteSettings).set({
    title: set('title'),
    description: set('description'),
    language: set('language'),
    timezone: set('timezone'),
    commentsEnabled: set('commentsEnabled'),
    commentModeration: set('commentModeration'),
    commentMaxDepth: set('commentMaxDepth'),
    commentMaxLinks: set('commentMaxLinks'),
    navigation: set('navigation'),
    updatedAt: set('updatedAt')
  }).where(eq(siteSettings.id, 1)).prepare()
  return {
    /** The settings; the row is created by runMigrations and never deleted. */
    get (): SiteRow {
      return get.get()!
    },
    /** Replaces every setting; call inside the write's transaction. */
    update (row: SiteRow): void {
      update.run(row)
    }
  }
}
export type SiteRepository = ReturnType<typeof createSiteRepository>
