import { randomBytes } from 'node:crypto'
import { and, count, eq, isNull, lt, or, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { apiKeys, type ApiScope } from '../../db/schema.js'
import { placeholderOf } from '../../db/placeholders.js'
import { hashKey } from '../../lib/key-hash.js'

export type KeyRow = typeof apiKeys.$inferSelect

/** How much of a key is kept in clear (`bs_` and 5 characters) to tell keys apart in lists. */
export const KEY_PREFIX_LENGTH = 8

/** A new random key: `bs_` + 43 base64url characters (256 bits). */
export function generateKey (): string {
  return `bs_${randomBytes(32).toString('base64url')}`
}

/** All database access for API keys. */
export function createKeysRepository (db: Db) {
  const ph = sql.placeholder
  // One lookup on the unique index of the hash, whatever the key: its cost tells nothing.
  const byHash = db.select().from(apiKeys).where(eq(apiKeys.keyHash, ph('hash'))).prepare()
  const touch = db.update(apiKeys).set({ lastUsedAt: placeholderOf(apiKeys.lastUsedAt, 'now') })
    .where(and(eq(apiKeys.id, ph('id')), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, ph('since'))))).prepare()
  const insert = db.insert(apiKeys)
    .values({ name: ph('name'), prefix: ph('prefix'), keyHash: ph('hash'), scopes: ph('scopes'), createdAt: ph('now') })
    .returning().prepare()
  const list = db.select().from(apiKeys).orderBy(apiKeys.id).limit(ph('limit')).offset(ph('offset')).prepare()
  const total = db.select({ n: count() }).from(apiKeys).prepare()
  const byId = db.select().from(apiKeys).where(eq(apiKeys.id, ph('id'))).prepare()
  // The shown prefix starts with `bs_`: compared by substr, not LIKE, where `_` is a wildcard.
  const byPrefix = db.select().from(apiKeys)
    .where(sql`substr(${apiKeys.prefix}, 1, length(${ph('prefix')})) = ${ph('prefix')}`).orderBy(apiKeys.id).limit(10).prepare()
  const revoke = db.update(apiKeys).set({ revokedAt: placeholderOf(apiKeys.revokedAt, 'now') }).where(and(eq(apiKeys.id, ph('id')), isNull(apiKeys.revokedAt))).prepare()
  return {
    findByHash (hash: string): KeyRow | undefined {
      return byHash.get({ hash })
    },
    /** Records use, at most once a minute per key so reads do not turn into writes. */
    touch (id: number, now: number): void {
      touch.run({ id, now, since: now - 60_000 })
    },
    create (name: string, scopes: ApiScope[], now = Date.now()): { row: KeyRow, key: string } {
      const key = generateKey()
      const row = insert.get({ name, prefix: key.slice(0, KEY_PREFIX_LENGTH), hash: hashKey(key), scopes, now })!
      return { row, key }
    },
    list (limit: number, offset: number): KeyRow[] {
      return list.all({ limit, offset })
    },
    count (): number {
      return total.get()!.n
    },
    findById (id: number): KeyRow | undefined {
      return byId.get({ id })
    },
    /** Keys whose shown prefix (`bs_` and 5 characters) starts with the text (at most 10). */
    findByPrefix (prefix: string): KeyRow[] {
      return byPrefix.all({ prefix })
    },
    revoke (id: number, now = Date.now()): boolean {
      return revoke.run({ id, now }).changes > 0
    }
  }
}
export type KeysRepository = ReturnType<typeof createKeysRepository>
