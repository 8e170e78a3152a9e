/** A path or query reference: an id (all digits) or a slug. */
export type Ref = { id: number, slug?: undefined } | { slug: string, id?: undefined }

/** Reads "42" as an id and anything else as a slug; null when it can be neither. */
export function parseRef (text: string): Ref | null {
  const t = text.trim()
  if (/^\d+$/.test(t)) {
    const id = Number(t)
    return Number.isSafeInteger(id) && id >= 1 ? { id } : null
  }
  if (t.length === 0 || t.length > 200) return null
  return { slug: t.toLowerCase() }
}
