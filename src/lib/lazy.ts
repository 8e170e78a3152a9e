import { createRequire } from 'node:module'
import type sanitizeHtmlType from 'sanitize-html'
import type { transliterate as transliterateType } from 'transliteration'

// Two CommonJS packages only the write path needs, loaded on first use: together they cost
// about 200 ms of start-up, and reads never touch them.
const require = createRequire(import.meta.url)
let sanitizer: typeof sanitizeHtmlType | undefined
let transliterator: typeof transliterateType | undefined

/** sanitize-html, loaded on first use. */
export function sanitizeHtml (...args: Parameters<typeof sanitizeHtmlType>): string {
  sanitizer ??= require('sanitize-html') as typeof sanitizeHtmlType
  return sanitizer(...args)
}

/** transliteration's transliterate, loaded on first use. */
export function transliterate (...args: Parameters<typeof transliterateType>): string {
  transliterator ??= (require('transliteration') as { transliterate: typeof transliterateType }).transliterate
  return transliterator(...args)
}
