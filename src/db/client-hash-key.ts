import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { eq, isNotNull } from 'drizzle-orm'
import type { Db } from './client.js'
import { comments, meta } from './schema.js'

// The key commenters' addresses are hashed with lives outside the database, in a file beside
// it (`<database>.key`, mode 0600): with the key in the database, a copy of the database was
// enough to recover every IPv4 address by trying all 2^32 of them (about an hour). Every
// process that opens the database (server workers, the CLI, import jobs) finds the same file
// from the database path alone, so they all agree without configuration.

const KEY = /^[0-9a-f]{64}$/
const known = new WeakMap<object, string>()
let processKey: string | undefined

/** Where a database's client-hash key is kept; null for an in-memory database (its key lives as long as the process). */
export function clientHashKeyPath (db: Db): string | null {
  const client = db.$client
  return client.memory || client.name === '' ? null : `${client.name}.key`
}

function readKey (path: string): string | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8').trim()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  if (!KEY.test(text)) {
    throw new Error(`${path} should hold the commenter-address key (64 hex characters): restore it, or delete it to start a new key (earlier address hashes then stop matching)`)
  }
  return text
}

/**
 * Creates the key file with mode 0600, atomically: it is written whole under a temporary name
 * and hard-linked into place, which fails if the file exists. So processes starting together
 * never see half a key, and the first one's key is the one every process uses.
 */
function createKey (path: string, key: string): string {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const fd = openSync(tmp, 'wx', 0o600)
  try {
    writeSync(fd, `${key}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    linkSync(tmp, path)
    return key
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return readKey(path) as string
  } finally {
    unlinkSync(tmp)
  }
}

/**
 * Upgrading from a version that kept the key in `meta`: the key is deleted, and so are the
 * hashes made with it — they covered whole addresses, where hashes are now of the network,
 * so they could never match again, and with them gone a key leaked in an old backup opens
 * nothing in this database. secure_delete overwrites the freed bytes, and a truncating
 * checkpoint empties the WAL, so neither is left behind in the files.
 */
function dropLegacyKey (db: Db): void {
  const legacy = db.select({ key: meta.key }).from(meta).where(eq(meta.key, 'client_hash_key')).get()
  if (legacy === undefined) return
  // Pragmas and the file's name are the driver's: Drizzle has no word for them.
  const client = db.$client
  const before = Number(client.pragma('secure_delete', { simple: true }))
  client.pragma('secure_delete = ON')
  try {
    db.transaction((tx) => {
      tx.delete(meta).where(eq(meta.key, 'client_hash_key')).run()
      tx.update(comments).set({ clientHash: null }).where(isNotNull(comments.clientHash)).run()
    })
  } finally {
    client.pragma(`secure_delete = ${before}`)
  }
  if (!client.memory) client.pragma('wal_checkpoint(TRUNCATE)')
}

/**
 * The per-installation key for hashing commenters' addresses: read from `<database>.key`, or
 * created there at first start (a database from an earlier version gets a new key and loses
 * the old one, see dropLegacyKey).
 */
export function clientHashKey (db: Db): string {
  const cached = known.get(db.$client)
  if (cached !== undefined) return cached
  const path = clientHashKeyPath(db)
  let key: string
  if (path === null) {
    processKey ??= randomBytes(32).toString('hex')
    key = processKey
  } else {
    key = readKey(path) ?? createKey(path, randomBytes(32).toString('hex'))
  }
  dropLegacyKey(db)
  known.set(db.$client, key)
  return key
}
