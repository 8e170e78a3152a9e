import { transliterate } from './lazy.js'

/** A JSON-schema pattern for slugs: lowercase ASCII words joined by hyphens, never all digits. */
export const SLUG_PATTERN = '^(?!\\d+$)[a-z0-9]+(?:-[a-z0-9]+)*$'
const SLUG_RE = new RegExp(SLUG_PATTERN)
const MAX = 80

/** Whether a text is a valid slug (pattern and 1–120 characters). */
export function isValidSlug (s: string): boolean {
  return s.length >= 1 && s.length <= 120 && SLUG_RE.test(s)
}

// Cut at the last hyphen when that keeps at least half the length, so a slug does not end
// in a broken word; a single very long word is cut hard.
function truncate (slug: string): string {
  if (slug.length <= MAX) return slug
  const head = slug.slice(0, MAX + 1)
  const at = head.lastIndexOf('-')
  return (at > MAX / 2 ? head.slice(0, at) : slug.slice(0, MAX)).replace(/-+$/, '')
}

/**
 * A URL slug from any text: Unicode transliterated to ASCII ('Zürich' → 'zurich',
 * 'Привет' → 'privet'), lowercase, hyphen-separated, at most 80 characters cut at a word
 * boundary. Empty results give `fallback`; all-digit results are prefixed with it, since
 * an all-digit ref means an id.
 */
export function slugify (input: string, fallback = 'item'): string {
  // Invisible format characters (soft hyphens, zero-width joiners, bidi marks) would
  // otherwise split one visible word in two.
  const visible = input.normalize('NFKC').replace(/\p{Cf}/gu, '')
  const ascii = transliterate(visible, { unknown: ' ' })
  const slug = truncate(ascii.toLowerCase().replace(/['’]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, ''))
  if (slug === '') return fallback
  if (/^\d+$/.test(slug)) return truncate(`${fallback}-${slug}`)
  return slug
}

/** The first of base, base-2, base-3, … that `taken` says is free. */
export function uniqueSlug (base: string, taken: (slug: string) => boolean): string {
  let candidate = base
  for (let n = 2; taken(candidate); n++) candidate = `${base}-${n}`
  return candidate
}
