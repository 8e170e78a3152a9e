// Opaque keyset cursors: base64url of [sort, value, id]. They are not signed: a forged
// cursor can only point somewhere else in the same public list, never reveal hidden rows.

export type CursorValue = string | number | null

export interface Cursor { sort: string, value: CursorValue, id: number }

/** Encodes the position after an item for the given sort. */
export function encodeCursor (c: Cursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.value, c.id])).toString('base64url')
}

/** Decodes a cursor, or returns null when it is not one of ours. */
export function decodeCursor (text: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    return null
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return null
  const [sort, value, id] = parsed as unknown[]
  if (typeof sort !== 'string') return null
  if (!(value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) return null
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return null
  return { sort, value, id }
}
