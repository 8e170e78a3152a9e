import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { projectPath } from '../lib/project-root.js'
import type { Db } from './client.js'
import { clientHashKey } from './client-hash-key.js'

/** Folder of the drizzle-kit migrations. */
export const MIGRATIONS_FOLDER = projectPath('migrations')

/**
 * Applies pending migrations and creates the rows that must always exist (site settings,
 * content version), and the comment-address hash key file beside the database (moving the key
 * out of `meta` where an earlier version kept it).
 */
export function runMigrations (db: Db, siteDefaults: { title?: string } = {}): void {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER })
  const now = Date.now()
  const client = db.$client
  client.prepare(`INSERT OR IGNORE INTO site_settings (id, title, description, language, timezone, updated_at)
    VALUES (1, ?, '', 'en', 'UTC', ?)`).run(siteDefaults.title ?? 'Broadsheet', now)
  client.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('content_version', '1')").run()
  clientHashKey(db)
}
