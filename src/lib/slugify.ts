import { transliterate } from './lazy.js'

/** A JSON-schema pattern for slugs: lowercase ASCII words joined by hyphens, never all digits. */
export const SLUG_PATTERN = '^(?!\\d+$)[a-z0-9]+(?:-[a-z0-9]+)*$'
const SLUG_RE = new RegExp(SLUG_PATTERN)
const MAX = 80

/** Whether a text is a valid slug (pattern and 1–120 characters). */
export function isValidSlug (s: string): boolean {
  return s.length >= 1 && s.length <= 120 && SLUG_RE.test(s)
}

/**
 * A URL slug from any text: Unicode transliterated to ASCII ('Zürich' → 'zurich',
 * 'Привет' → 'privet'), lowercase, hyphen-separated, at most 80 characters cut at a word
 * boundary. Empty results give `fallback`; all-digit results are prefixed with it, since
 * an all-digit ref means an id.
 */
export function slugify (input: string, fallback = 'item'): string {
  const ascii = transliterate(input.normalize('NFKC'), { unknown: ' ' })
  let slug = ascii.toLowerCase().replace(/['’]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
  if (slug.length > MAX) {
    const cut = slug.slice(0, MAX + 1)
    const at = cut.lastIndexOf('-')
    slug = (at > MAX / 2 ? cut.slice(0, at) : slug.slice(0, MAX)).replace(/-+$/, '')
  }
  if (slug === '') return fallback
  if (/^\d+$/.test(slug)) return `${fallback}-${slug}`
  return slug
}

/** The first of base, base-2, base-3, … that `taken` says is free. */
export function uniqueSlug (base: string, taken: (slug: string) => boolean): string {
  if (!taken(base)) return base
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`
    if (!taken(candidate)) return candidate
  }
}
