import { createRequire } from 'node:module'
import type { Parser as HtmlParserType } from 'htmlparser2'
import type iconvType from 'iconv-lite'
import type { SaxesOptions, SaxesParser as SaxesParserType } from 'saxes'
import type sanitizeHtmlType from 'sanitize-html'
import type sharpType from 'sharp'
import type stopwordType from 'stopword'
import type { transliterate as transliterateType } from 'transliteration'
import type { create as createXmlType } from 'xmlbuilder2'
import type { fileTypeFromBuffer as fileTypeFromBufferType } from 'file-type'
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js'

// CommonJS packages loaded on first use rather than at start-up: sanitize-html and
// transliteration serve only writes (together about 200 ms of start-up), xmlbuilder2 only the
// first render of an XML feed per content version (about 80 ms and 10 MB), stopword (whose
// entry loads all of its 60 languages, about 60 ms) and the Porter2 stemmer the first
// related-posts vector; sharp (with its libvips binding, about 50 ms) only media uploads and
// renders, htmlparser2 (about 35 ms) only the importers' report of dropped markup; saxes and
// iconv-lite only the parsing of an imported or polled feed or WXR file.
const require = createRequire(import.meta.url)
let sanitizer: typeof sanitizeHtmlType | undefined
let transliterator: typeof transliterateType | undefined
let xmlCreate: typeof createXmlType | undefined
let englishStopwordList: readonly string[] | undefined
let porter2: ((word: string) => string) | undefined

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

/** The English list of the stopword package, loaded on first use. */
export function englishStopwords (): readonly string[] {
  englishStopwordList ??= (require('stopword') as typeof stopwordType).eng
  return englishStopwordList
}

/** The English (Porter2) stemmer of wink-porter2-stemmer, loaded on first use; it has no types of its own. */
export function stemEnglish (word: string): string {
  porter2 ??= require('wink-porter2-stemmer') as (word: string) => string
  return porter2(word)
}

let sharpModule: typeof sharpType | undefined
/** sharp, loaded on first use (the same function: `sharp(input, options)`). */
export const sharp = ((...args: Parameters<typeof sharpType>) => {
  sharpModule ??= require('sharp') as typeof sharpType
  return sharpModule(...args)
}) as typeof sharpType

let HtmlParserClass: typeof HtmlParserType | undefined
/** A new htmlparser2 Parser, the package loaded on first use. */
export function htmlParser (...args: ConstructorParameters<typeof HtmlParserType>): HtmlParserType {
  HtmlParserClass ??= (require('htmlparser2') as { Parser: typeof HtmlParserType }).Parser
  return new HtmlParserClass(...args)
}

let iconvModule: typeof iconvType | undefined
/** iconv-lite, loaded on first use. */
export function iconvLite (): typeof iconvType {
  iconvModule ??= require('iconv-lite') as typeof iconvType
  return iconvModule
}

let SaxesParserClass: typeof SaxesParserType | undefined
/** A new saxes SaxesParser, the package loaded on first use. */
export function saxesParser<O extends SaxesOptions = object> (opt?: O): SaxesParserType<O> {
  SaxesParserClass ??= (require('saxes') as { SaxesParser: typeof SaxesParserType }).SaxesParser
  return new SaxesParserClass<O>(opt)
}

// An ES module (no require): imported on first use, by the first media upload.
let fileTypeModule: Promise<{ fileTypeFromBuffer: typeof fileTypeFromBufferType }> | undefined
/** file-type's fileTypeFromBuffer, the package imported on first use. */
export async function fileTypeFromBuffer (...args: Parameters<typeof fileTypeFromBufferType>): ReturnType<typeof fileTypeFromBufferType> {
  fileTypeModule ??= import('file-type')
  return await (await fileTypeModule).fileTypeFromBuffer(...args)
}
