import { createRequire } from 'node:module'
import type sanitizeHtmlType from 'sanitize-html'
import type { transliterate as transliterateType } from 'transliteration'
import type { create as createXmlType } from 'xmlbuilder2'
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js'

// CommonJS packages loaded on first use rather than at start-up: sanitize-html and
// transliteration serve only writes (together about 200 ms of start-up), xmlbuilder2 only the
// first render of an XML feed per content version (about 80 ms and 10 MB).
const require = createRequire(import.meta.url)
let sanitizer: typeof sanitizeHtmlType | undefined
let transliterator: typeof transliterateType | undefined
let xmlCreate: typeof createXmlType | undefined

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

/** xmlbuilder2's create() for a new document, loaded on first use. */
export function createXml (declaration: { version: '1.0', encoding: string }): XMLBuilder {
  xmlCreate ??= (require('xmlbuilder2') as { create: typeof createXmlType }).create
  return xmlCreate(declaration)
}
