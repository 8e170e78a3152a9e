import { and, eq, like, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { meta, posts } from '../../db/schema.js'
import { idList, inIdList } from '../../db/statements.js'

/** The meta row holding the feed id base minted for this database. */
const ID_BASE_KEY = 'feed_id_base'

/** The feed's own reads: body sizes, answered from the record headers, and the bodies chosen. */
export function createFeedsRepository (db: Db) {
  // octet_length reads a text's size from its record header, without its overflow pages
  // (100 bodies of 1 MB: 1.6 ms, where reading them takes 70 ms).
  const sizes = db.select({ id: posts.id, size: sql<number>`octet_length(${posts.contentHtml})` }).from(posts).where(inIdList(posts.id, 'ids')).prepare()
  const bodies = db.select({ id: posts.id, contentHtml: posts.contentHtml }).from(posts).where(inIdList(posts.id, 'ids')).prepare()
  const importKeys = db.select({ id: posts.id, importKey: posts.importKey }).from(posts)
    .where(and(inIdList(posts.id, 'ids'), like(posts.importKey, 'wxr:%'))).prepare()
  const mint = db.insert(meta).values({ key: ID_BASE_KEY, value: sql.placeholder('value') }).onConflictDoNothing().prepare()
  const idBase = db.select({ value: meta.value }).from(meta).where(eq(meta.key, ID_BASE_KEY)).prepare()
  return {
    /** Body sizes in bytes (UTF-8) of the given posts. */
    bodySizes (ids: number[]): Map<number, number> {
      if (ids.length === 0) return new Map()
      return new Map(sizes.all({ ids: idList(ids) }).map((r) => [r.id, r.size]))
    },
    /** Bodies of the given posts. */
    bodies (ids: number[]): Map<number, string> {
      if (ids.length === 0) return new Map()
      return new Map(bodies.all({ ids: idList(ids) }).map((r) => [r.id, r.contentHtml]))
    },
    /** The WordPress import keys (`wxr:…`) of those of the given posts that have one. */
    wxrImportKeys (ids: readonly number[]): Map<number, string> {
      if (ids.length === 0) return new Map()
      return new Map(importKeys.all({ ids: idList(ids) }).map((r) => [r.id, r.importKey as string]))
    },
    /**
     * The id base of every feed and item id: the one stored in this database, or `minted` stored
     * now when there is none yet (the first start; every process sharing the file reads the
     * same one).
     */
    idBase (minted: string): string {
      // Read first: once minted, asking is never a write (no lock taken, nothing to wait for).
      const stored = idBase.get()?.value
      if (stored !== undefined) return stored
      mint.run({ value: minted })
      return idBase.get()!.value
    }
  }
}
export type FeedsRepository = ReturnType<typeof createFeedsRepository>
