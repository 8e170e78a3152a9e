import { createHash } from 'node:crypto'

// A list answer made of stored fragments (post cards, as UTF-8 bytes) is written straight into
// one Buffer: the fragments are never decoded into strings and encoded again, and the caching
// plugin sends the Buffer as it is. Its strong validator comes from what fully determines the
// bytes (each fragment's stored hash and the `meta` text), not from hashing the body.

const OPEN = Buffer.from('{"data":[')
const CLOSE = Buffer.from('],"meta":')
const COMMA = 0x2c
const BRACE = 0x7d

/** `{"data":[<items joined by commas>],"meta":<meta>}` as bytes; `meta` is JSON text. */
export function envelopeOf (items: readonly Buffer[], meta: string): Buffer {
  const metaBytes = Buffer.byteLength(meta)
  let length = OPEN.length + CLOSE.length + metaBytes + 1 + Math.max(0, items.length - 1)
  for (const item of items) length += item.length
  const out = Buffer.allocUnsafe(length)
  let at = OPEN.copy(out, 0)
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out[at++] = COMMA
    at += items[i].copy(out, at)
  }
  at += CLOSE.copy(out, at)
  at += out.write(meta, at)
  out[at] = BRACE
  return out
}

/**
 * The validator of `envelopeOf(items, meta)` from the items' own hashes (each the SHA-1 of one
 * item's bytes): the hashes, in order, and the meta text fully determine the body, so two
 * different bodies never share it (short of a SHA-1 collision, as with a hash of the body). It
 * hashes some hundreds of bytes instead of the whole body.
 */
export function envelopeEtag (hashes: readonly string[], meta: string): string {
  const h = createHash('sha1')
  // A hash is base64url (no comma, no newline): the separators cannot be confused with it.
  h.update(hashes.join(','))
  h.update('\n')
  h.update(meta)
  return h.digest('base64url')
}

/**
 * A stored JSON object with one more member at its end: `{…}` becomes `{…,"name":value}`
 * (`value` is JSON text), as a serializer listing that member last writes it.
 */
export function withLastMember (item: Buffer, name: string, value: string): Buffer {
  const tail = `,${JSON.stringify(name)}:${value}}`
  const out = Buffer.allocUnsafe(item.length - 1 + Buffer.byteLength(tail))
  item.copy(out, 0, 0, item.length - 1)
  out.write(tail, item.length - 1)
  return out
}

/** The validator of an item made by `withLastMember` from one whose hash is `hash`. */
export function memberHash (hash: string, name: string, value: string): string {
  return createHash('sha1').update(`${hash}\n${name}\n${value}`).digest('base64url')
}
