import { createHash, randomBytes } from 'node:crypto'
import type { Db } from '../../db/client.js'
import type { ApiScope } from '../../db/schema.js'

export interface KeyRow {
  id: number
  name: string
  prefix: string
  key_hash: string
  scopes: ApiScope[]
  created_at: number
  last_used_at: number | null
  revoked_at: number | null
}

/** SHA-256 of a key: what is stored and looked up. Keys are 256-bit random, so no salt is needed. */
export function hashKey (key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** A new random key: `bs_` + 43 base64url characters (256 bits). */
export function generateKey (): string {
  return `bs_${randomBytes(32).toString('base64url')}`
}

function rowOf (raw: Record<string, unknown> | undefined): KeyRow | undefined {
  if (raw === undefined) return undefined
  return { ...raw, scopes: JSON.parse(raw.scopes as string) } as KeyRow
}

/** All database access for API keys. */
export function createKeysRepository (db: Db) {
  const client = db.$client
  const byHash = client.prepare('SELECT * FROM api_keys WHERE key_hash = ?')
  const touch = client.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)')
  const insert = client.prepare('INSERT INTO api_keys (name, prefix, key_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *')
  const listStmt = client.prepare('SELECT * FROM api_keys ORDER BY id LIMIT ? OFFSET ?')
  const countStmt = client.prepare('SELECT count(*) FROM api_keys').pluck()
  const byId = client.prepare('SELECT * FROM api_keys WHERE id = ?')
  const revoke = client.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
  return {
    findByHash (hash: string): KeyRow | undefined {
      return rowOf(byHash.get(hash) as Record<string, unknown> | undefined)
    },
    /** Records use, at most once a minute per key so reads do not turn into writes. */
    touch (id: number, now: number): void {
      touch.run(now, id, now - 60_000)
    },
    create (name: string, scopes: ApiScope[], now = Date.now()): { row: KeyRow, key: string } {
      const key = generateKey()
      const row = rowOf(insert.get(name, key.slice(0, 8), hashKey(key), JSON.stringify(scopes), now) as Record<string, unknown>) as KeyRow
      return { row, key }
    },
    list (limit: number, offset: number): KeyRow[] {
      return (listStmt.all(limit, offset) as Array<Record<string, unknown>>).map((r) => rowOf(r) as KeyRow)
    },
    count (): number {
      return countStmt.get() as number
    },
    findById (id: number): KeyRow | undefined {
      return rowOf(byId.get(id) as Record<string, unknown> | undefined)
    },
    revoke (id: number, now = Date.now()): boolean {
      return revoke.run(now, id).changes > 0
    }
  }
}
export type KeysRepository = ReturnType<typeof createKeysRepository>
