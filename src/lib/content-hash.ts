import { createHash } from 'node:crypto'

/**
 * The SHA-1 (base64url, 27 characters) of JSON texts or of other such hashes, taken in order:
 * what the read model stores beside a document when it builds it, so a public read names its
 * strong validator (reply.cacheEtag) from stored hashes instead of hashing the body it sends.
 * The parts are joined with NUL, which JSON text (control characters are escaped) and base64url
 * never contain, so two different lists of parts never hash the same text.
 */
export function contentHash (...parts: readonly string[]): string {
  const hash = createHash('sha1')
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) hash.update('\u0000')
    hash.update(parts[i])
  }
  return hash.digest('base64url')
}
