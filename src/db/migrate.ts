import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { projectPath } from '../lib/project-root.js'
import type { Db } from './client.js'
import { clientHashKey } from './client-hash-key.js'
import { siteSettings } from './schema.js'

/** Folder of the drizzle-kit migrations. */
export const MIGRATIONS_FOLDER = projectPath('migrations')

/**
 * Applies pending migrations and creates the rows that must always exist (site settings),
 * and the comment-address hash key file beside the database (moving the key
 * out of `meta` where an earlier version kept it).
 */
export function runMigrations (db: Db, siteDefaults: { title?: string } = {}): void {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER })
  // ON CONFLICT DO NOTHING: an existing row (settings already changed) is left as it is.
  db.insert(siteSettings).values({ id: 1, title: siteDefaults.title ?? 'Broadsheet', description: '', language: 'en', timezone: 'UTC', updatedAt: Date.now() })
    .onConflictDoNothing().run()
  clientHashKey(db)
}
