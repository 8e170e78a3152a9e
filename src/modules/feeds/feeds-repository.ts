import { and, eq, like, sql } from 'drizzle-orm'
import { settled, type EngineDb } from '../../db/engine-port.js'
import type { Db } from '../../db/client.js'
import type { PgDb } from '../../db/pg/client.js'
import * as pgs from '../../db/pg/schema.js'
import { meta, posts } from '../../db/schema.js'
import { idList, inIdList } from '../../db/statements.js'

/** The meta row holding the feed id base minted for this database. */
const ID_BASE_KEY = 'feed_id_base'

/**
 * The feed's own reads: body sizes, answered from the record headers, and the bodies chosen;
 * the import keys that become item ids, and the database's id base. On both engines
 * (src/db/engine-port.ts), answered as Promises — settled at once on SQLite. The feed's common
 * case reads none of these: its items come whole from the read model (feeds-service.ts).
 */
export interface FeedsRepository {
  /** Body sizes in bytes (UTF-8) of the given posts. */
  bodySizes: (ids: number[]) => Promise<Map<number, number>>
  /** Bodies of the given posts. */
  bodies: (ids: number[]) => Promise<Map<number, string>>
  /** The WordPress import keys (`wxr:…`) of those of the given posts that have one. */
  wxrImportKeys: (ids: readonly number[]) => Promise<Map<number, string>>
  /**
   * The id base of every feed and item id: the one stored in this database, or `minted` stored
   * now when there is none yet (the first start; every process sharing the database reads the
   * same one).
   */
  idBase: (minted: string) => Promise<string>
}

export function createFeedsRepository (edb: EngineDb): FeedsRepository {
  if (edb.engine === 'postgres') return onPostgres(edb.db)
  const sync = createFeedItemSources(edb.db)
  return {
    bodySizes: async (ids) => await settled(() => sync.bodySizes(ids)),
    bodies: async (ids) => await settled(() => sync.bodies(ids)),
    wxrImportKeys: async (ids) => await settled(() => sync.wxrImportKeys(ids)),
    idBase: async (minted) => await settled(() => sync.idBase(minted))
  }
}

/**
 * The same reads answered synchronously, on SQLite: for the read model's builder, which makes
 * feed items inside a write's settle step (synchronous there until the read model's port moves
 * it onto the writer's `tx`), and for the id base asked for by a synchronous `start()`.
 */
export function createFeedItemSources (db: Db) {
  // octet_length reads a text's size from its record header, without its overflow pages
  // (100 bodies of 1 MB: 1.6 ms, where reading them takes 70 ms).
  const sizes = db.select({ id: posts.id, size: sql<number>`octet_length(${posts.contentHtml})` }).from(posts).where(inIdList(posts.id, 'ids')).prepare()
  const bodies = db.select({ id: posts.id, contentHtml: posts.contentHtml }).from(posts).where(inIdList(posts.id, 'ids')).prepare()
  const importKeys = db.select({ id: posts.id, importKey: posts.importKey }).from(posts)
    .where(and(inIdList(posts.id, 'ids'), like(posts.importKey, 'wxr:%'))).prepare()
  const mint = db.insert(meta).values({ key: ID_BASE_KEY, value: sql.placeholder('value') }).onConflictDoNothing().prepare()
  const idBase = db.select({ value: meta.value }).from(meta).where(eq(meta.key, ID_BASE_KEY)).prepare()
  return {
    bodySizes (ids: number[]): Map<number, number> {
      if (ids.length === 0) return new Map()
      return new Map(sizes.all({ ids: idList(ids) }).map((r) => [r.id, r.size]))
    },
    bodies (ids: number[]): Map<number, string> {
      if (ids.length === 0) return new Map()
      return new Map(bodies.all({ ids: idList(ids) }).map((r) => [r.id, r.contentHtml]))
    },
    wxrImportKeys (ids: readonly number[]): Map<number, string> {
      if (ids.length === 0) return new Map()
      return new Map(importKeys.all({ ids: idList(ids) }).map((r) => [r.id, r.importKey as string]))
    },
    idBase (minted: string): string {
      // Read first: once minted, asking is never a write (no lock taken, nothing to wait for).
      const stored = idBase.get()?.value
      if (stored !== undefined) return stored
      mint.run({ value: minted })
      return idBase.get()!.value
    }
  }
}

function onPostgres (db: PgDb): FeedsRepository {
  const { meta, posts } = pgs
  const p = sql.placeholder
  // An id list is one array parameter: the statement is the same whatever its length.
  const inIds = sql`${posts.id} = any(${p('ids')}::int[])`
  // octet_length of a stored (TOASTed) text is read from its TOAST pointer, without fetching
  // or decompressing the value, as SQLite reads it from the record header.
  const sizes = db.select({ id: posts.id, size: sql<number>`octet_length(${posts.contentHtml})` }).from(posts).where(inIds).prepare('feeds_body_sizes')
  const bodies = db.select({ id: posts.id, contentHtml: posts.contentHtml }).from(posts).where(inIds).prepare('feeds_bodies')
  const importKeys = db.select({ id: posts.id, importKey: posts.importKey }).from(posts)
    .where(and(inIds, like(posts.importKey, 'wxr:%'))).prepare('feeds_wxr_import_keys')
  const mint = db.insert(meta).values({ key: ID_BASE_KEY, value: p('value') }).onConflictDoNothing().prepare('feeds_mint_id_base')
  const idBase = db.select({ value: meta.value }).from(meta).where(eq(meta.key, ID_BASE_KEY)).prepare('feeds_id_base')
  const unique = (ids: readonly number[]) => [...new Set(ids)]
  return {
    async bodySizes (ids) {
      if (ids.length === 0) return new Map()
      return new Map((await sizes.execute({ ids: unique(ids) })).map((r) => [r.id, r.size]))
    },
    async bodies (ids) {
      if (ids.length === 0) return new Map()
      return new Map((await bodies.execute({ ids: unique(ids) })).map((r) => [r.id, r.contentHtml]))
    },
    async wxrImportKeys (ids) {
      if (ids.length === 0) return new Map()
      return new Map((await importKeys.execute({ ids: unique(ids) })).map((r) => [r.id, r.importKey as string]))
    },
    async idBase (minted) {
      const stored = (await idBase.execute())[0]?.value
      if (stored !== undefined) return stored
      // Two servers minting at once: the first insert wins, both read it back.
      await mint.execute({ value: minted })
      return (await idBase.execute())[0].value
    }
  }
}
