import { eq, getTableColumns } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { settled, type EngineDb, type EngineTx } from '../../db/engine-port.js'
import type { PgDb } from '../../db/pg/client.js'
import * as pgs from '../../db/pg/schema.js'
import { siteSettings } from '../../db/schema.js'
import { placeholderOf } from '../../db/placeholders.js'

/** The settings as stored, without the constant id. */
export type SiteRow = Omit<typeof siteSettings.$inferSelect, 'id'>

/**
 * The single row (id = 1) of site settings, on either engine (src/db/engine-port.ts): every
 * method answers a Promise, settled at once on SQLite. The row is made with the database
 * (SQLite: runMigrations; PostgreSQL: copied by migrate-to) and never deleted.
 */
export interface SiteSettingsRepository {
  /**
   * The settings; given the write's `tx`, as that write sees them, and held for it: on
   * PostgreSQL the row is locked until the write commits, so two writes that each change some
   * fields take turns (as SQLite's single writer does) instead of one losing the other's.
   */
  read: (tx?: EngineTx) => Promise<SiteRow>
  /** Replaces every setting, in the write's transaction. */
  update: (tx: EngineTx, row: SiteRow) => Promise<void>
}

/**
 * The SQLite repository while the port goes on: the engine-neutral methods, and the synchronous
 * read the modules not yet ported call (feeds, sitemaps, the comment form's settings, webhook
 * payloads inside a synchronous write) and the synchronous update of the WXR import's menus
 * (site-service.ts). Both go once those read and write through the engine-neutral methods.
 */
export type SiteRepository = SiteSettingsRepository & {
  /** The settings, synchronously (SQLite only). */
  get: () => SiteRow
  /** Replaces every setting, inside a synchronous write (SQLite only). */
  put: (row: SiteRow) => void
}

export function createSiteRepository (edb: { engine: 'sqlite', db: Db }): SiteRepository
export function createSiteRepository (edb: EngineDb): SiteSettingsRepository
export function createSiteRepository (edb: EngineDb): SiteSettingsRepository {
  return edb.engine === 'sqlite' ? onSqlite(edb.db) : onPostgres(edb.db)
}

function onSqlite (db: Db): SiteRepository {
  const { id: _id, ...columns } = getTableColumns(siteSettings)
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
  // One connection: a write's reads and statements are this connection's, `tx` or not.
  return {
    get: () => get.get()!,
    put: (row) => { update.run(row) },
    read: async () => await settled(() => get.get()!),
    update: async (_tx, row) => { await settled(() => update.run(row)) }
  }
}

function onPostgres (db: PgDb): SiteSettingsRepository {
  const { siteSettings } = pgs
  const { id: _id, ...columns } = getTableColumns(siteSettings)
  // Named: each pooled connection parses it once. A write's read goes through its own
  // connection (the pool's others are outside its transaction), built on it.
  const get = db.select(columns).from(siteSettings).where(eq(siteSettings.id, 1)).prepare('site_get')
  const onTx = (tx: EngineTx) => {
    if (tx.engine !== 'postgres') throw new Error('a SQLite write handle given to the PostgreSQL site repository')
    return tx.db
  }
  return {
    async read (tx) {
      const [row] = tx === undefined ? await get.execute() : await onTx(tx).select(columns).from(siteSettings).where(eq(siteSettings.id, 1)).for('update')
      return row
    },
    async update (tx, row) {
      await onTx(tx).update(siteSettings).set(row).where(eq(siteSettings.id, 1))
    }
  }
}
