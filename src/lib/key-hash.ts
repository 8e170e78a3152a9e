import { createHash } from 'node:crypto'

// Here rather than in the keys module: the auth plugin hashes the bearer token it is sent with
// the same function, and plugins never import modules.

/** SHA-256 of an API key: what is stored and looked up. Keys are 256-bit random, so no salt is needed. */
export function hashKey (key: string): string {
  return createHash('sha256').update(key).digest('hex')
}
