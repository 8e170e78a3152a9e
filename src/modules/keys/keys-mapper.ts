import type { KeyRow } from './keys-repository.js'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** Row → API key; the hash never leaves through here. */
export function toApiKey (row: KeyRow) {
  return { id: row.id, name: row.name, prefix: row.prefix, scopes: row.scopes, created_at: new Date(row.createdAt).toISOString(), last_used_at: iso(row.lastUsedAt), revoked_at: iso(row.revokedAt), rate_limit_per_minute: row.rateLimitPerMinute, rate_limit_per_day: row.rateLimitPerDay }
}
