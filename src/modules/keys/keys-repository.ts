import { randomBytes } from 'node:crypto'
import { and, asc, count, eq, gte, isNull, lt, or, sql } from 'drizzle-orm'
import { createSqliteTransactor } from '../../db/async-transaction.js'
import type { Db } from '../../db/client.js'
import { settled, type EngineDb } from '../../db/engine-port.js'
import type { PgDb } from '../../db/pg/client.js'
import * as pgs from '../../db/pg/schema.js'
import { withPgTransaction, type PgTx } from '../../db/pg/transaction.js'
import { apiKeys, keyUsage, type ApiScope } from '../../db/schema.js'
import { placeholderOf } from '../../db/placeholders.js'
import { hashKey } from '../../lib/key-hash.js'

export type KeyRow = typeof apiKeys.$inferSelect
export interface KeyLimits { perMinute: number | null, perDay: number | null }
/** One quota as counted: its size, window (seconds), what is left and when the window ends (seconds from now). */
export interface QuotaState { name: 'minute' | 'day', quota: number, window: number, remaining: number, reset: number }
export interface QuotaCheck { allowed: boolean, policies: QuotaState[] }
export interface KeyUsageDay { start: number, requests: number, limited: number }

const MINUTE = 60_000
const DAY = 86_400_000
const NO_LIMITS: KeyLimits = { perMinute: null, perDay: null }

/** How much of a key is kept in clear (`bs_` and 5 characters) to tell keys apart in lists. */
export const KEY_PREFIX_LENGTH = 8

/** How long a key's last use stands before the next request records it again. */
export const TOUCH_INTERVAL_MS = 60_000

/** A new random key: `bs_` + 43 base64url characters (256 bits). */
export function generateKey (): string {
  return `bs_${randomBytes(32).toString('base64url')}`
}

/**
 * All database access for API keys, on either engine (src/db/engine-port.ts): every method
 * answers a Promise, settled at once on SQLite (its prepared statements run synchronously).
 */
export interface KeysRepository {
  /** The key whose hash (lib/key-hash.ts) this is, revoked or not. */
  findByHash: (hash: string) => Promise<KeyRow | undefined>
  /**
   * Records a key's use at `now`, at most once a minute: nothing is asked when `lastUsedAt`
   * (as the caller read it) is within the last minute, and the write itself skips a row
   * another process touched meanwhile. Answers whether it wrote.
   */
  touch: (id: number, now: number, lastUsedAt?: number | null) => Promise<boolean>
  /** A new key (shown once: only its hash is kept). */
  create: (name: string, scopes: ApiScope[], now?: number, limits?: KeyLimits) => Promise<{ row: KeyRow, key: string }>
  list: (limit: number, offset: number) => Promise<KeyRow[]>
  count: () => Promise<number>
  findById: (id: number) => Promise<KeyRow | undefined>
  /** Keys whose shown prefix (`bs_` and 5 characters) starts with the text (at most 10). */
  findByPrefix: (prefix: string) => Promise<KeyRow[]>
  /** Revokes a key that works; false when there is none or it was revoked already. */
  revoke: (id: number, now?: number) => Promise<boolean>
  /** Sets the name and quotas (null: none). */
  update: (id: number, fields: { name: string, perMinute: number | null, perDay: number | null }) => Promise<KeyRow | undefined>
  /**
   * Counts one request made with a key against its quotas, so that processes sharing the
   * database share the count: allowed (and counted) when every quota has room, else refused
   * and counted as a 429. Every request is counted per UTC day (for GET /v1/keys/{id}/usage)
   * whether or not the key has quotas.
   */
  consume: (keyId: number, limits: KeyLimits, now: number) => Promise<QuotaCheck>
  /** Requests and 429s per UTC day from `since` (a day start) on, the days with any. */
  usage: (keyId: number, since: number) => Promise<KeyUsageDay[]>
}

/**
 * The SQLite repository adds a synchronous `createSync`, for tests that seed keys and scripts
 * with no request around them (a plain INSERT, outside any write).
 */
export type SqliteKeysRepository = KeysRepository & {
  createSync: (name: string, scopes: ApiScope[], now?: number, limits?: KeyLimits) => { row: KeyRow, key: string }
}

export function createKeysRepository (edb: { engine: 'sqlite', db: Db }): SqliteKeysRepository
export function createKeysRepository (edb: EngineDb): KeysRepository
export function createKeysRepository (edb: EngineDb): KeysRepository {
  return edb.engine === 'sqlite' ? onSqlite(edb.db) : onPostgres(edb.db)
}

/** The window starts a request at `now` counts in. */
function windowsOf (now: number) {
  return { minute: Math.floor(now / MINUTE) * MINUTE, day: Math.floor(now / DAY) * DAY }
}

/** What a count answers, from what was used before this request and whether it was allowed. */
function checkOf (limits: KeyLimits, now: number, usedMinute: number, usedDay: number, allowed: boolean): QuotaCheck {
  const { minute, day } = windowsOf(now)
  const taken = allowed ? 1 : 0
  const policies: QuotaState[] = []
  if (limits.perMinute !== null) {
    policies.push({ name: 'minute', quota: limits.perMinute, window: 60, remaining: Math.max(0, limits.perMinute - usedMinute - taken), reset: Math.ceil((minute + MINUTE - now) / 1000) })
  }
  if (limits.perDay !== null) {
    policies.push({ name: 'day', quota: limits.perDay, window: 86400, remaining: Math.max(0, limits.perDay - usedDay - taken), reset: Math.ceil((day + DAY - now) / 1000) })
  }
  return { allowed, policies }
}

function withinLimits (limits: KeyLimits, usedMinute: number, usedDay: number): boolean {
  return (limits.perMinute === null || usedMinute < limits.perMinute) && (limits.perDay === null || usedDay < limits.perDay)
}

/** Whether a key's last use is recent enough that another is not recorded. */
const recentlyUsed = (lastUsedAt: number | null | undefined, now: number) => lastUsedAt !== null && lastUsedAt !== undefined && lastUsedAt >= now - TOUCH_INTERVAL_MS

function onSqlite (db: Db): SqliteKeysRepository {
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

  // The connection's async transactor (src/db/async-transaction.ts), shared with the
  // engine-neutral writer. A write of this repository is its own: the quota count of a request
  // must not join another request's open async write (resumed among its microtasks), to be
  // rolled back with it or to keep it from committing. Run at once when no async transaction is
  // open (the common case: one settled Promise, no extra turn), else after the open ones ended.
  const transactor = createSqliteTransactor(db)
  async function alone<T> (step: () => T): Promise<T> {
    while (transactor.busy() && !transactor.inside()) await transactor.idle()
    return step()
  }

  const createSync = (name: string, scopes: ApiScope[], now = Date.now(), limits: KeyLimits = NO_LIMITS) => {
    const key = generateKey()
    const row = insert.get({ name, prefix: key.slice(0, KEY_PREFIX_LENGTH), hash: hashKey(key), scopes, now, ...limits })!
    return { row, key }
  }

  function consumeSync (keyId: number, limits: KeyLimits, now: number): QuotaCheck {
    const { minute, day } = windowsOf(now)
    // One IMMEDIATE transaction: processes sharing the file take turns on the count.
    return db.transaction(() => {
      const usedMinute = limits.perMinute === null ? 0 : usageRow.get({ keyId, window: 'm', start: minute })?.requests ?? 0
      const usedDay = limits.perDay === null ? 0 : usageRow.get({ keyId, window: 'd', start: day })?.requests ?? 0
      const allowed = withinLimits(limits, usedMinute, usedDay)
      count1.run({ keyId, window: 'd', start: day, requests: allowed ? 1 : 0, limited: allowed ? 0 : 1 })
      if (limits.perMinute !== null && allowed) {
        if (usedMinute === 0) pruneMinutes.run({ keyId, before: minute })
        count1.run({ keyId, window: 'm', start: minute, requests: 1, limited: 0 })
      }
      return checkOf(limits, now, usedMinute, usedDay, allowed)
    }, { behavior: 'immediate' })
  }

  return {
    findByHash: async (hash) => await settled(() => byHash.get({ hash })),
    async touch (id, now, lastUsedAt) {
      if (recentlyUsed(lastUsedAt, now)) return false
      return await alone(() => touch.run({ id, now, since: now - TOUCH_INTERVAL_MS }).changes > 0)
    },
    createSync,
    create: async (name, scopes, now, limits) => await alone(() => createSync(name, scopes, now, limits)),
    list: async (limit, offset) => await settled(() => list.all({ limit, offset })),
    count: async () => await settled(() => total.get()!.n),
    findById: async (id) => await settled(() => byId.get({ id })),
    findByPrefix: async (prefix) => await settled(() => byPrefix.all({ prefix })),
    revoke: async (id, now = Date.now()) => await alone(() => revoke.run({ id, now }).changes > 0),
    update: async (id, fields) => await alone(() => setLimits.get({ id, ...fields })),
    consume: async (keyId, limits, now) => await alone(() => consumeSync(keyId, limits, now)),
    usage: async (keyId, since) => await settled(() => days.all({ keyId, since }))
  }
}

function onPostgres (db: PgDb): KeysRepository {
  const { apiKeys, keyUsage: u } = pgs
  const ph = sql.placeholder
  // Named statements: each pooled connection parses them once. The lookup of every request
  // with a key, and its last use.
  const byHash = db.select().from(apiKeys).where(eq(apiKeys.keyHash, ph('hash'))).prepare('keys_by_hash')
  const touch = db.update(apiKeys).set({ lastUsedAt: sql`${ph('now')}` })
    .where(and(eq(apiKeys.id, ph('id')), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, ph('since'))))).prepare('keys_touch')
  const byId = db.select().from(apiKeys).where(eq(apiKeys.id, ph('id'))).prepare('keys_by_id')
  // Every keyed request is counted per day: one upsert, atomic on its own, when the key has no quota.
  const countDay = db.insert(u).values({ keyId: ph('keyId'), window: 'd', start: ph('start'), requests: 1, limited: 0 })
    .onConflictDoUpdate({ target: [u.keyId, u.window, u.start], set: { requests: sql`${u.requests} + 1` } }).prepare('keys_count_day')

  /** Adds one request to a window's row (made if need be) and answers its count before it; the row stays locked until COMMIT. */
  async function take (tx: PgTx, keyId: number, window: 'm' | 'd', start: number): Promise<number> {
    const [row] = await tx.insert(u).values({ keyId, window, start, requests: 1, limited: 0 })
      .onConflictDoUpdate({ target: [u.keyId, u.window, u.start], set: { requests: sql`${u.requests} + 1` } })
      .returning({ requests: u.requests })
    return row.requests - 1
  }

  return {
    async findByHash (hash) {
      // No stored hash holds NUL (PostgreSQL text cannot): nothing to ask.
      if (hash.includes('\u0000')) return undefined
      const [row] = await byHash.execute({ hash })
      return row
    },
    async touch (id, now, lastUsedAt) {
      if (recentlyUsed(lastUsedAt, now)) return false
      return ((await touch.execute({ id, now, since: now - TOUCH_INTERVAL_MS })).rowCount ?? 0) > 0
    },
    async create (name, scopes, now = Date.now(), limits = NO_LIMITS) {
      const key = generateKey()
      const [row] = await db.insert(apiKeys).values({
        name, prefix: key.slice(0, KEY_PREFIX_LENGTH), keyHash: hashKey(key), scopes, createdAt: now, rateLimitPerMinute: limits.perMinute, rateLimitPerDay: limits.perDay
      }).returning()
      return { row, key }
    },
    list: async (limit, offset) => await db.select().from(apiKeys).orderBy(apiKeys.id).limit(limit).offset(offset),
    count: async () => (await db.select({ n: count() }).from(apiKeys))[0].n,
    async findById (id) {
      const [row] = await byId.execute({ id })
      return row
    },
    async findByPrefix (prefix) {
      if (prefix.includes('\u0000')) return []
      // starts_with: `_` in the prefix is no wildcard (LIKE's).
      return await db.select().from(apiKeys).where(sql`starts_with(${apiKeys.prefix}, ${prefix}::text)`).orderBy(apiKeys.id).limit(10)
    },
    async revoke (id, now = Date.now()) {
      const done = await db.update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      return (done.rowCount ?? 0) > 0
    },
    async update (id, fields) {
      const [row] = await db.update(apiKeys).set({ name: fields.name, rateLimitPerMinute: fields.perMinute, rateLimitPerDay: fields.perDay })
        .where(eq(apiKeys.id, id)).returning()
      return row
    },
    async consume (keyId, limits, now) {
      const { minute, day } = windowsOf(now)
      if (limits.perMinute === null && limits.perDay === null) {
        await countDay.execute({ keyId, start: day })
        return { allowed: true, policies: [] }
      }
      // Servers count at once: each request adds itself first (an upsert, which locks the row
      // until COMMIT), so the count it reads back includes every request committed or counting
      // before it; over a quota, it takes itself back out and counts as a 429. Minute before
      // day, always: two requests of one key lock their rows in the same order.
      return await withPgTransaction(db, async (tx) => {
        const usedMinute = limits.perMinute === null ? 0 : await take(tx, keyId, 'm', minute)
        const usedDay = await take(tx, keyId, 'd', day)
        const allowed = withinLimits(limits, usedMinute, usedDay)
        if (!allowed) {
          await tx.update(u).set({ requests: sql`${u.requests} - 1`, limited: sql`${u.limited} + 1` })
            .where(and(eq(u.keyId, keyId), eq(u.window, 'd'), eq(u.start, day)))
          if (limits.perMinute !== null) {
            await tx.update(u).set({ requests: sql`${u.requests} - 1` }).where(and(eq(u.keyId, keyId), eq(u.window, 'm'), eq(u.start, minute)))
          }
        } else if (limits.perMinute !== null && usedMinute === 0) {
          // The first request of a new minute: the key's older minutes are done with.
          await tx.delete(u).where(and(eq(u.keyId, keyId), eq(u.window, 'm'), lt(u.start, minute)))
        }
        return checkOf(limits, now, usedMinute, usedDay, allowed)
      })
    },
    usage: async (keyId, since) => await db.select({ start: u.start, requests: u.requests, limited: u.limited }).from(u)
      .where(and(eq(u.keyId, keyId), eq(u.window, 'd'), gte(u.start, since))).orderBy(asc(u.start))
  }
}
