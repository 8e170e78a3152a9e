/**
 * Compares two strings by code point: the order SQLite's BINARY collation gives their UTF-8
 * text (plain `<` compares UTF-16 units, which puts some characters above U+FFFF too early).
 */
export function compareCodePoints (a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n;) {
    const x = a.codePointAt(i) as number
    const y = b.codePointAt(i) as number
    if (x !== y) return x - y
    i += x > 0xffff ? 2 : 1
  }
  return a.length - b.length
}
