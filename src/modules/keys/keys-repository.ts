import { randomBytes } from 'node:crypto'
import { and, asc, count, eq, gte, isNull, lt, or, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { apiKeys, keyUsage, type ApiScope } from '../../db/schema.js'
import { placeholderOf } from '../../db/placeholders.js'
import { hashKey } from '../../lib/key-hash.js'

export type KeyRow = typeof apiKeys.$inferSelect
export interface KeyLimits { perMinute: number | null, perDay: number | null }
/** One quota as counted: its size, window (seconds), what is left and when the window ends (seconds from now). */
export interface QuotaState { name: 'minute' | 'day', quota: number, window: number, remaining: number, reset: number }
export interface QuotaCheck { allowed: boolean, policies: QuotaState[] }

const MINUTE = 60_000
const DAY = 86_400_000

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
    .values({ name: ph('name'), prefix: ph('prefix'), keyHash: ph('hash'), scopes: ph('scopes'), createdAt: ph('now'), rateLimitPerMinute: ph('perMinute'), rateLimitPerDay: ph('perDay') })
    .returning().prepare()
  const list = db.select().from(apiKeys).orderBy(apiKeys.id).limit(ph('limit')).offset(ph('offset')).prepare()
  const total = db.select({ n: count() }).from(apiKeys).prepare()
  const byId = db.select().from(apiKeys).where(eq(apiKeys.id, ph('id'))).prepare()
  // The shown prefix starts with `bs_`: compared by substr, not LIKE, where `_` is a wildcard.
  const byPrefix = db.select().from(apiKeys)
    .where(sql`substr(${apiKeys.prefix}, 1, length(${ph('prefix')})) = ${ph('prefix')}`).orderBy(apiKeys.id).limit(10).prepare()
  const setLimits = db.update(apiKeys).set({
    name: placeholderOf(apiKeys.name, 'name'),
    rateLimitPerMinute: placeholderOf(apiKeys.rateLimitPerMinute, 'perMinute'),
    rateLimitPerDay: placeholderOf(apiKeys.rateLimitPerDay, 'perDay')
  }).where(eq(apiKeys.id, ph('id'))).returning().prepare()
  const u = keyUsage
  const usageRow = db.select({ requests: u.requests, limited: u.limited }).from(u)
    .where(and(eq(u.keyId, ph('keyId')), eq(u.window, ph('window')), eq(u.start, ph('start')))).prepare()
  const count1 = db.insert(u).values({ keyId: ph('keyId'), window: ph('window'), start: ph('start'), requests: ph('requests'), limited: ph('limited') })
    .onConflictDoUpdate({ target: [u.keyId, u.window, u.start], set: { requests: sql`${u.requests} + excluded.requests`, limited: sql`${u.limited} + excluded.limited` } }).prepare()
  const pruneMinutes = db.delete(u).where(and(eq(u.keyId, ph('keyId')), eq(u.window, 'm'), lt(u.start, ph('before')))).prepare()
  const days = db.select({ start: u.start, requests: u.requests, limited: u.limited }).from(u)
    .where(and(eq(u.keyId, ph('keyId')), eq(u.window, 'd'), gte(u.start, ph('since')))).orderBy(asc(u.start)).prepare()
  const revoke = db.update(apiKeys).set({ revokedAt: placeholderOf(apiKeys.revokedAt, 'now') }).where(and(eq(apiKeys.id, ph('id')), isNull(apiKeys.revokedAt))).prepare()
  return {
    findByHash (hash: string): KeyRow | undefined {
      return byHash.get({ hash })
    },
    /** Records use, at most once a minute per key so reads do not turn into writes. */
    touch (id: number, now: number): void {
      touch.run({ id, now, since: now - 60_000 })
    },
    create (name: string, scopes: ApiScope[], now = Date.now(), limits: KeyLimits = { perMinute: null, perDay: null }): { row: KeyRow, key: string } {
      const key = generateKey()
      const row = insert.get({ name, prefix: key.slice(0, KEY_PREFIX_LENGTH), hash: hashKey(key), scopes, now, ...limits })!
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
    },
    /** Sets the name and quotas (null: none). */
    update (id: number, fields: { name: string, perMinute: number | null, perDay: number | null }): KeyRow | undefined {
      return setLimits.get({ id, ...fields })
    },
    /**
     * Counts one request made with a key against its quotas, in one IMMEDIATE transaction so
     * that processes sharing the database share the count: allowed (and counted) when every
     * quota has room, else refused and counted as a 429. Every request is counted per UTC day
     * (for GET /v1/keys/{id}/usage) whether or not the key has quotas.
     */
    consume (keyId: number, limits: KeyLimits, now: number): QuotaCheck {
      const minute = Math.floor(now / MINUTE) * MINUTE
      const day = Math.floor(now / DAY) * DAY
      return db.transaction(() => {
        const usedMinute = limits.perMinute === null ? 0 : usageRow.get({ keyId, window: 'm', start: minute })?.requests ?? 0
        const usedDay = limits.perDay === null ? 0 : usageRow.get({ keyId, window: 'd', start: day })?.requests ?? 0
        const allowed = (limits.perMinute === null || usedMinute < limits.perMinute) && (limits.perDay === null || usedDay < limits.perDay)
        count1.run({ keyId, window: 'd', start: day, requests: allowed ? 1 : 0, limited: allowed ? 0 : 1 })
        if (limits.perMinute !== null && allowed) {
          if (usedMinute === 0) pruneMinutes.run({ keyId, before: minute })
          count1.run({ keyId, window: 'm', start: minute, requests: 1, limited: 0 })
        }
        const policies: QuotaState[] = []
        const taken = allowed ? 1 : 0
        if (limits.perMinute !== null) {
          policies.push({ name: 'minute', quota: limits.perMinute, window: 60, remaining: Math.max(0, limits.perMinute - usedMinute - taken), reset: Math.ceil((minute + MINUTE - now) / 1000) })
        }
        if (limits.perDay !== null) {
          policies.push({ name: 'day', quota: limits.perDay, window: 86400, remaining: Math.max(0, limits.perDay - usedDay - taken), reset: Math.ceil((day + DAY - now) / 1000) })
        }
        return { allowed, policies }
      }, { behavior: 'immediate' })
    },
    /** Requests and 429s per UTC day from `since` (a day start) on, the days with any. */
    usage (keyId: number, since: number): Array<{ start: number, requests: number, limited: number }> {
      return days.all({ keyId, since })
    }
  }
}
export type KeysRepository = ReturnType<typeof createKeysRepository>
