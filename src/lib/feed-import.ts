import { createHash } from 'node:crypto'
import { stripInvalidXmlChars } from './text.js'
import { iconvLite, saxesParser } from './lazy.js'

// Reading other publishers' feeds for import: RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 1.0 (and 0.3)
// and JSON Feed 1.0/1.1. Feeds are small (the caller limits them), so an XML feed is read into
// a little tree with saxes (strict XML, no DTD, no external anything) and then mapped. Bytes
// are decoded first: a BOM wins, then the HTTP charset, then the XML declaration, then UTF-8;
// ISO-8859-1 is read as Windows-1252, as browsers do.

export interface ParsedFeedItem {
  /** guid / id, else the link, else a hash of title and date. */
  id: string
  /** Absolute. */
  url: string | null
  title: string
  /** Raw, unsanitized HTML with relative URLs resolved against the item's or feed's base. */
  contentHtml: string
  summary: string | null
  authorName: string | null
  publishedAt: Date | null
  updatedAt: Date | null
  categories: string[]
  imageUrl: string | null
}
export interface ParsedFeed {
  format: 'rss' | 'rdf' | 'atom' | 'json'
  title: string | null
  siteUrl: string | null
  /** The site link the document itself gives (siteUrl falls back to where the feed was fetched). */
  declaredSiteUrl: string | null
  /** Where the feed says it lives (RSS and Atom `rel="self"` links, JSON Feed `feed_url`), absolute. */
  selfUrl: string | null
  items: ParsedFeedItem[]
  warnings: string[]
}

/** Not a feed, not decodable, or empty. */
export class FeedParseError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'FeedParseError'
  }
}

function normaliseCharset (name: string): string {
  const n = name.trim().toLowerCase().replace(/^["']|["']$/g, '')
  if (['iso-8859-1', 'iso8859-1', 'latin1', 'latin-1', 'l1', 'us-ascii', 'ascii', 'cp819'].includes(n)) return 'windows-1252'
  return n === 'utf8' ? 'utf-8' : n
}

/** The text of feed bytes: BOM, then HTTP charset, then XML declaration, then UTF-8 (or Windows-1252 when that is not valid UTF-8). */
export function decodeFeedBytes (bytes: Buffer, contentTypeHeader?: string | null): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8')
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return iconvLite().decode(bytes.subarray(2), 'utf-16le')
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return iconvLite().decode(bytes.subarray(2), 'utf-16be')
  // UTF-16 without a BOM still starts with "<" or "{" next to a zero byte.
  if (bytes.length >= 2 && bytes[0] !== 0x00 && bytes[1] === 0x00) return iconvLite().decode(bytes, 'utf-16le')
  if (bytes.length >= 2 && bytes[0] === 0x00 && bytes[1] !== 0x00) return iconvLite().decode(bytes, 'utf-16be')
  const fromHeader = /charset\s*=\s*("?)([^;\s"]+)\1/i.exec(contentTypeHeader ?? '')?.[2]
  const head = bytes.subarray(0, 300).toString('latin1')
  const fromDecl = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1]
  const declared = fromHeader ?? fromDecl
  const charset = normaliseCharset(declared ?? 'utf-8')
  if (charset === 'utf-16' || charset === 'utf-32') return bytes.toString('utf8')
  if (charset === 'utf-8') {
    if (declared !== undefined) return bytes.toString('utf8')
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      // Undeclared and not UTF-8: almost always a Windows code page in the wild.
      return iconvLite().decode(bytes, 'windows-1252')
    }
  }
  if (!iconvLite().encodingExists(charset)) throw new FeedParseError(`unknown character encoding "${charset}"`)
  return iconvLite().decode(bytes, charset)
}

// ---- dates ----

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 }
// Minutes east of UTC for the zone names feeds actually use.
const ZONES: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  BST: 60,
  IST: 330,
  CET: 60,
  CEST: 120,
  MET: 60,
  MEST: 120,
  WEST: 60,
  EET: 120,
  EEST: 180,
  MSK: 180,
  JST: 540,
  KST: 540,
  HKT: 480,
  SGT: 480,
  AEST: 600,
  AEDT: 660,
  ACST: 570,
  AWST: 480,
  NZST: 720,
  NZDT: 780,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600
}

function utc (y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMinutes: number): Date | null {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return null
  const date = new Date(Date.UTC(y, mo, d, h, mi, s, ms) - offsetMinutes * 60_000)
  return Number.isNaN(date.getTime()) ? null : date
}

function zoneOffset (zone: string | undefined): number | null {
  if (zone === undefined || zone === '') return 0
  const z = zone.toUpperCase()
  const numeric = /^(?:(?:GMT|UTC|UT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(z)
  if (numeric !== null) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? 0)
    return minutes > 14 * 60 ? null : (numeric[1] === '-' ? -1 : 1) * minutes
  }
  if (z in ZONES) return ZONES[z]
  // RFC 822 military zones carry no reliable meaning (RFC 2822 §4.3): read as UTC.
  if (/^[A-IK-Z]$/.test(z)) return 0
  return null
}

// No real date is longer: the date patterns never see unbounded text.
const MAX_DATE_LENGTH = 200

/** RFC 822/2822 dates (odd zones, no seconds, wrong or missing day names, comments), ISO 8601 and W3C-DTF; null when unreadable. */
export function parseFeedDate (input: string | null | undefined): Date | null {
  if (typeof input !== 'string' || input.length > MAX_DATE_LENGTH) return null
  // RFC 822 comments, nested at most once in practice.
  const text = input.replace(/\([^()]*\)/g, ' ').replace(/\s+/g, ' ').replace(/\s,/g, ',').trim()
  if (text === '') return null
  const iso = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/i.exec(text)
  if (iso !== null) {
    const offset = zoneOffset(iso[8]?.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2'))
    if (offset === null) return null
    return utc(Number(iso[1]), Number(iso[2] ?? 1) - 1, Number(iso[3] ?? 1), Number(iso[4] ?? 0), Number(iso[5] ?? 0), Number(iso[6] ?? 0), Number((iso[7] ?? '0').slice(0, 3).padEnd(3, '0')), offset)
  }
  // [Day[,]] DD Mon[th] YY[YY] HH:MM[:SS] [zone]; the day name is ignored (feeds get it wrong).
  const rfc = /^(?:[A-Za-z]+\.?,?\s*)?(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]{3,})\.?[\s-]+(\d{2}|\d{4}),?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([A-Za-z]{1,5}(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{1,4}(?::\d{2})?))?)?$/.exec(text)
  // Mon DD YYYY HH:MM:SS zone, as some generators write.
  const us = rfc === null ? /^(?:[A-Za-z]+,?\s+)?([A-Za-z]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([A-Za-z]{1,5}|[+-]\d{4}))?)?$/.exec(text) : null
  const m = rfc ?? (us === null ? null : [us[0], us[2], us[1], us[3], us[4], us[5], us[6], us[7]])
  if (m !== null) {
    const month = MONTHS[m[2].slice(0, 3).toLowerCase()]
    if (month === undefined) return null
    let year = Number(m[3])
    if (m[3].length === 2) year += year < 50 ? 2000 : 1900
    const offset = zoneOffset(m[7]?.replace(/\s+/g, ''))
    if (offset === null) return null
    return utc(year, month, Number(m[1]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), 0, offset)
  }
  return null
}

// ---- a small XML tree ----

interface El { name: string, ns: string, attrs: Record<string, string>, children: Array<El | string>, base: string | null }

const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  atom03: 'http://purl.org/atom/ns#',
  rss1: 'http://purl.org/rss/1.0/',
  rss09: 'http://my.netscape.com/rdf/simple/0.9/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
  xhtml: 'http://www.w3.org/1999/xhtml',
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd'
}
// Prefixes used without a declaration (a common slip) are read as the namespace everyone means.
const CONVENTIONAL: Record<string, string> = { atom: NS.atom, content: NS.content, dc: NS.dc, media: NS.media, rdf: NS.rdf, itunes: NS.itunes, xhtml: NS.xhtml }
// Named HTML entities real feeds use in XML anyway; saxes knows only the five XML ones.
const HTML_ENTITIES: Record<string, string> = {
  nbsp: '\u00a0', copy: '©', reg: '®', trade: '™', mdash: '—', ndash: '–', hellip: '…', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', bull: '•', middot: '·', euro: '€', pound: '£', yen: '¥', cent: '¢', sect: '§', deg: '°', times: '×', eacute: 'é', egrave: 'è', agrave: 'à', aacute: 'á', ccedil: 'ç', uuml: 'ü', ouml: 'ö', auml: 'ä', szlig: 'ß', iacute: 'í', oacute: 'ó', uacute: 'ú', ntilde: 'ñ'
}
const MAX_DECLARED_ENTITIES = 32
// Declared entities are plain strings of at most 1,000 characters, but a 3-byte reference to
// one expands 300-fold: every expansion counts against this budget for the whole document.
export const MAX_ENTITY_EXPANSION = 1_000_000
const MAX_DEPTH = 512

function resolveUrl (url: string | null | undefined, base: string | null | undefined): string | null {
  const u = url?.trim()
  if (!u) return null
  try {
    return new URL(u, base ?? undefined).toString()
  } catch {
    return null
  }
}

// Plain string entities from an internal DTD subset; anything that could expand (references
// inside values, parameter or external entities) refuses the document. Declarations are
// found with indexOf, never a lazy pattern that rescans the rest of the subset for each one.
function declaredEntities (doctype: string): Record<string, string> {
  const out: Record<string, string> = {}
  const starts = /<!ENTITY/gi
  let count = 0
  for (let m = starts.exec(doctype); m !== null; m = starts.exec(doctype)) {
    const end = doctype.indexOf('>', m.index)
    if (end === -1) throw new FeedParseError('the feed declares an XML entity that is never closed')
    if (++count > MAX_DECLARED_ENTITIES) throw new FeedParseError(`the feed declares more than ${MAX_DECLARED_ENTITIES} XML entities, which is refused`)
    const decl = doctype.slice(m.index, end + 1)
    const d = /^<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"&%<]{0,1000})"|'([^'&%<]{0,1000})')\s*>$/.exec(decl)
    if (d === null) throw new FeedParseError('the feed declares XML entities that are parameter, external or nested, which are refused (entity expansion attacks)')
    out[d[1]] = d[2] ?? d[3]
    starts.lastIndex = end + 1
  }
  return out
}

function parseXml (text: string, baseUrl: string | null): El {
  const parser = saxesParser<{ position: true, xmlns: false }>({ position: true, xmlns: false })
  const root: El = { name: '#document', ns: '', attrs: {}, children: [], base: baseUrl }
  const stack: Array<{ el: El, scope: Record<string, string> }> = [{ el: root, scope: { xml: 'http://www.w3.org/XML/1998/namespace' } }]
  Object.assign(parser.ENTITIES, HTML_ENTITIES)
  let failure: Error | null = null
  parser.on('error', (err) => {
    failure ??= err
    throw err
  })
  let expansion = 0
  parser.on('doctype', (doctype) => {
    for (const [name, value] of Object.entries(declaredEntities(doctype))) {
      // saxes looks each reference up here: the getter counts what the document expands to.
      Object.defineProperty(parser.ENTITIES, name, {
        enumerable: true,
        get () {
          expansion += value.length
          if (expansion > MAX_ENTITY_EXPANSION) throw new FeedParseError(`the feed's XML entities expand to more than ${MAX_ENTITY_EXPANSION} characters, which is refused (entity expansion attack)`)
          return value
        }
      })
    }
  })
  parser.on('opentag', (tag) => {
    // Mapping walks the tree recursively; no real feed comes near this depth.
    if (stack.length > MAX_DEPTH) throw new FeedParseError(`elements nested more than ${MAX_DEPTH} deep`)
    const parent = stack[stack.length - 1]
    const scope = { ...parent.scope }
    for (const [k, v] of Object.entries(tag.attributes)) {
      if (k === 'xmlns') scope[''] = v
      else if (k.startsWith('xmlns:')) scope[k.slice(6)] = v
    }
    const colon = tag.name.indexOf(':')
    const prefix = colon === -1 ? '' : tag.name.slice(0, colon)
    const ns = scope[prefix] ?? CONVENTIONAL[prefix] ?? (prefix === '' ? '' : `unbound:${prefix}`)
    const xmlBase = tag.attributes['xml:base']
    const el: El = { name: tag.name.slice(colon + 1), ns, attrs: tag.attributes, children: [], base: xmlBase === undefined ? parent.el.base : (resolveUrl(xmlBase, parent.el.base) ?? parent.el.base) }
    parent.el.children.push(el)
    stack.push({ el, scope })
  })
  parser.on('closetag', () => { stack.pop() })
  const onText = (t: string) => { stack[stack.length - 1].el.children.push(t) }
  parser.on('text', onText)
  parser.on('cdata', onText)
  try {
    parser.write(text).close()
  } catch (err) {
    if (err instanceof FeedParseError) throw err
    const reason = ((failure ?? err) as Error).message.split('\n')[0]
    throw new FeedParseError(`not well-formed XML: ${reason}`)
  }
  return root
}

const kids = (el: El | undefined, ns: string | string[], name: string): El[] => {
  if (el === undefined) return []
  const nss = Array.isArray(ns) ? ns : [ns]
  return el.children.filter((c): c is El => typeof c !== 'string' && c.name === name && nss.includes(c.ns))
}
const kid = (el: El | undefined, ns: string | string[], name: string): El | undefined => kids(el, ns, name)[0]

function textOf (el: El | undefined): string {
  if (el === undefined) return ''
  return el.children.map((c) => typeof c === 'string' ? c : textOf(c)).join('')
}
const textOrNull = (el: El | undefined): string | null => textOf(el).trim() || null

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'])
function escapeText (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
function escapeAttr (s: string): string {
  return escapeText(s).replace(/"/g, '&quot;')
}

// Inline markup (Atom xhtml, naked HTML in RSS) written back out as HTML, prefixes dropped.
function serialize (nodes: Array<El | string>): string {
  return nodes.map((n) => {
    if (typeof n === 'string') return escapeText(n)
    const attrs = Object.entries(n.attrs).filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:') && !k.startsWith('xml:')).map(([k, v]) => ` ${k.slice(k.indexOf(':') + 1)}="${escapeAttr(v)}"`).join('')
    return VOID.has(n.name) && n.children.length === 0 ? `<${n.name}${attrs} />` : `<${n.name}${attrs}>${serialize(n.children)}</${n.name}>`
  }).join('')
}

// An RSS element's HTML: escaped HTML as text, or (naked markup) child elements.
function htmlOf (el: El | undefined): string {
  if (el === undefined) return ''
  return el.children.some((c) => typeof c !== 'string') ? serialize(el.children) : textOf(el)
}

function textToHtml (text: string): string {
  return text.trim().split(/\n\s*\n/).filter((p) => p.trim() !== '').map((p) => `<p>${escapeText(p.trim()).replace(/\n/g, '<br />\n')}</p>`).join('\n')
}

function decodeEntities (s: string): string {
  return s.replace(/&(#\d+|#x[\da-f]+|[a-z]+);/gi, (whole, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
    }
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", ...HTML_ENTITIES }
    return named[e.toLowerCase()] ?? whole
  })
}

// `/<[^>]*>/g` without its cost: that pattern rescans to the end from every "<" when no ">"
// follows, which is quadratic on "<<<<…". No ">" after a "<" means no tag after it either.
function stripTags (html: string): string {
  let out = ''
  let pos = 0
  for (let open = html.indexOf('<'); open !== -1; open = html.indexOf('<', pos)) {
    const close = html.indexOf('>', open + 1)
    if (close === -1) break
    out += html.slice(pos, open)
    pos = close + 1
  }
  return out + html.slice(pos)
}

function htmlToText (html: string): string {
  return decodeEntities(stripTags(html)).replace(/\s+/g, ' ').trim()
}

// Attributes that hold URLs; srcset holds several.
function resolveHtmlUrls (html: string, base: string | null): string {
  if (base === null || html === '') return html
  return html.replace(/(\s(?:href|src|poster|cite|data|srcset)\s*=\s*)("|')([^"']*)\2/gi, (whole, lead: string, quote: string, value: string) => {
    const isSrcset = /srcset/i.test(lead)
    const one = (v: string) => {
      if (v === '' || /^(?:[a-z][a-z\d+.-]*:|#)/i.test(v)) return v
      const resolved = resolveUrl(decodeEntities(v), base)
      return resolved === null ? v : resolved.replace(/&/g, '&amp;').replace(/"/g, '%22')
    }
    const next = isSrcset ? value.split(',').map((part) => part.trim().replace(/^\S+/, one)).join(', ') : one(value)
    return `${lead}${quote}${next}${quote}`
  })
}

// UTF-8 read as Latin-1 and written back as character references ("&#226;&#128;&#166;" for
// "…"): a run with a C1 control character in it is never real text, so decode it again.
function repairMojibake (s: string): string {
  if (!/[\u0080-\u009f]/.test(s)) return s
  return s.replace(/[\u00c2-\u00f4][\u0080-\u00bf]{1,3}/g, (run) => {
    if (!/[\u0080-\u009f]/.test(run)) return run
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(run, 'latin1'))
    } catch {
      return run
    }
  })
}

function hashId (...parts: Array<string | null | undefined>): string {
  return createHash('sha256').update(parts.map((p) => p ?? '').join('\u0000')).digest('hex').slice(0, 32)
}

// Content resolves against an xml:base in scope, else the item's own page, else the feed.
function contentBaseOf (el: El | undefined, fallback: string | null, docBase: string | null): string | null {
  return el !== undefined && el.base !== null && el.base !== docBase ? el.base : fallback
}

interface Draft extends Omit<ParsedFeedItem, 'id' | 'publishedAt' | 'updatedAt'> {
  rawId: string | null
  published: string | null
  updated: string | null
}

function selfLink (el: El | undefined, ns: string, base: string | null): string | null {
  const link = kids(el, ns, 'link').find((l) => l.attrs.rel === 'self')
  return link === undefined ? null : resolveUrl(link.attrs.href, link.base ?? base)
}

function finish (format: ParsedFeed['format'], title: string | null, siteUrl: string | null, drafts: Draft[], links: { declared: string | null, self: string | null }): ParsedFeed {
  const warnings: string[] = []
  const seen = new Set<string>()
  const items: ParsedFeedItem[] = []
  for (const d of drafts) {
    const id = d.rawId ?? d.url ?? hashId(d.title, d.published ?? d.updated)
    if (seen.has(id)) {
      warnings.push(`duplicate item id "${id}" skipped`)
      continue
    }
    seen.add(id)
    const date = (raw: string | null, what: string) => {
      const parsed = parseFeedDate(raw)
      if (raw !== null && parsed === null) warnings.push(`item "${id}": unreadable ${what} "${raw.slice(0, 60)}"`)
      return parsed
    }
    const publishedAt = date(d.published, 'publication date')
    const updatedAt = date(d.updated, 'update date')
    const { rawId: _r, published: _p, updated: _u, ...rest } = d
    items.push({ id, ...rest, title: repairMojibake(rest.title), contentHtml: repairMojibake(rest.contentHtml), summary: rest.summary === null ? null : repairMojibake(rest.summary), publishedAt: publishedAt ?? updatedAt, updatedAt })
  }
  return { format, title, siteUrl, declaredSiteUrl: links.declared, selfUrl: links.self, items, warnings }
}

// ---- RSS 0.9x/2.0 and RDF ----

function mapRss (root: El, format: 'rss' | 'rdf', baseUrl: string | null): ParsedFeed {
  const itemNs = format === 'rdf' ? [NS.rss1, NS.rss09, ''] : ['', NS.rss1]
  const channel = kid(root, itemNs, 'channel')
  if (channel === undefined) throw new FeedParseError(`not a feed: the ${format === 'rdf' ? 'RDF' : 'RSS'} document has no <channel>`)
  const declared = resolveUrl(textOrNull(kid(channel, itemNs, 'link')), channel.base ?? baseUrl)
  const siteUrl = declared ?? baseUrl
  const itemEls = format === 'rdf' ? kids(root, itemNs, 'item') : kids(channel, itemNs, 'item')
  const drafts = itemEls.map((el): Draft => {
    const guidEl = kid(el, itemNs, 'guid')
    const guid = textOrNull(guidEl) ?? el.attrs['rdf:about']?.trim() ?? null
    const base = el.base ?? siteUrl
    const linkText = textOrNull(kid(el, itemNs, 'link')) ?? (guid !== null && guidEl?.attrs.isPermaLink !== 'false' && /^https?:\/\//i.test(guid) ? guid : null)
    const url = resolveUrl(linkText, base)
    const encoded = kid(el, NS.content, 'encoded')
    const description = kid(el, itemNs, 'description')
    const contentEl = encoded ?? description
    const contentBase = contentBaseOf(contentEl, url ?? base, baseUrl)
    const author = textOrNull(kid(el, NS.dc, 'creator')) ?? textOrNull(kid(el, itemNs, 'author'))
    return {
      rawId: guid,
      url,
      title: textOf(kid(el, itemNs, 'title')).trim(),
      contentHtml: resolveHtmlUrls(htmlOf(contentEl).trim(), contentBase),
      summary: encoded !== undefined && description !== undefined ? htmlOf(description).trim() || null : null,
      authorName: author === null ? null : (nameInParentheses(author) ?? author),
      published: textOrNull(kid(el, itemNs, 'pubDate')) ?? textOrNull(kid(el, NS.dc, 'date')),
      updated: textOrNull(kid(el, NS.atom, 'updated')) ?? textOrNull(kid(el, 'http://purl.org/dc/terms/', 'modified')),
      categories: [...kids(el, itemNs, 'category'), ...kids(el, NS.dc, 'subject')].map((c) => textOf(c).trim()).filter((c) => c !== ''),
      imageUrl: imageOf(el, base)
    }
  })
  return finish(format, textOrNull(kid(channel, itemNs, 'title')), siteUrl, drafts, { declared, self: selfLink(channel, NS.atom, channel.base ?? baseUrl) })
}

// RSS <author> is "email (Name)"; the name is what we want. The same as /\(([^)]+)\)\s*$/ (the
// first "(" after the last inner ")"), which retried from every "(" when none closed the text.
function nameInParentheses (author: string): string | null {
  const text = author.trimEnd()
  if (!text.endsWith(')')) return null
  const open = text.indexOf('(', text.lastIndexOf(')', text.length - 2) + 1)
  return open === -1 || open >= text.length - 2 ? null : text.slice(open + 1, -1)
}

function imageOf (el: El, base: string | null): string | null {
  const enclosure = [...kids(el, ['', NS.rss1], 'enclosure'), ...kids(el, [NS.atom, NS.atom03], 'link').filter((l) => l.attrs.rel === 'enclosure')]
    .find((e) => /^image\//i.test(e.attrs.type ?? ''))
  const media = [...kids(el, NS.media, 'thumbnail'), ...kids(el, NS.media, 'content').filter((m) => m.attrs.medium === 'image' || /^image\//i.test(m.attrs.type ?? ''))]
  const group = kids(el, NS.media, 'group').flatMap((g) => kids(g, NS.media, 'thumbnail'))
  const url = enclosure?.attrs.url ?? enclosure?.attrs.href ?? media[0]?.attrs.url ?? group[0]?.attrs.url ?? kid(el, NS.itunes, 'image')?.attrs.href ?? null
  return resolveUrl(url, base)
}

// ---- Atom 1.0 (and the 0.3 drafts still seen) ----

function atomText (el: El | undefined, atom03: boolean): string {
  if (el === undefined) return ''
  const type = (el.attrs.type ?? 'text').toLowerCase()
  if (type === 'xhtml') return htmlToText(serialize(kid(el, NS.xhtml, 'div')?.children ?? el.children))
  if (type === 'html' || type === 'text/html' || (atom03 && el.attrs.mode === 'escaped')) return htmlToText(textOf(el))
  return textOf(el).replace(/\s+/g, ' ').trim()
}

function atomHtml (el: El | undefined, atom03: boolean): string {
  if (el === undefined) return ''
  const type = (el.attrs.type ?? 'text').toLowerCase()
  if (type === 'xhtml' || (atom03 && el.attrs.mode === 'xml')) {
    const div = kid(el, NS.xhtml, 'div')
    return serialize(div?.children ?? el.children).trim()
  }
  if (type === 'html' || type === 'text/html' || (atom03 && el.attrs.mode === 'escaped')) return textOf(el).trim()
  if (atom03 && el.attrs.mode === 'base64') return Buffer.from(textOf(el), 'base64').toString('utf8')
  if (el.attrs.src !== undefined) {
    const src = resolveUrl(el.attrs.src, el.base)
    return src === null ? '' : `<p><a href="${escapeAttr(src)}">${escapeText(src)}</a></p>`
  }
  return textToHtml(textOf(el))
}

function alternate (el: El, ns: string, base: string | null): string | null {
  const links = kids(el, ns, 'link')
  const link = links.find((l) => (l.attrs.rel ?? 'alternate') === 'alternate' && /html|^$/.test(l.attrs.type ?? '')) ?? links.find((l) => (l.attrs.rel ?? 'alternate') === 'alternate')
  return link === undefined ? null : resolveUrl(link.attrs.href, link.base ?? base)
}

function mapAtom (root: El, baseUrl: string | null): ParsedFeed {
  const atom03 = root.ns === NS.atom03
  const ns = root.ns
  const declared = alternate(root, ns, root.base ?? baseUrl)
  const siteUrl = declared ?? baseUrl
  const feedAuthor = textOrNull(kid(kid(root, ns, 'author'), ns, 'name'))
  const drafts = kids(root, ns, 'entry').map((el): Draft => {
    const url = alternate(el, ns, el.base ?? siteUrl)
    const content = kid(el, ns, 'content')
    const summary = kid(el, ns, 'summary')
    const body = content ?? summary
    const base = contentBaseOf(body, url ?? siteUrl, baseUrl)
    return {
      rawId: textOrNull(kid(el, ns, 'id')),
      url,
      title: atomText(kid(el, ns, 'title'), atom03),
      contentHtml: resolveHtmlUrls(atomHtml(body, atom03), base),
      summary: content !== undefined && summary !== undefined ? atomText(summary, atom03) || null : null,
      authorName: textOrNull(kid(kid(el, ns, 'author'), ns, 'name')) ?? feedAuthor,
      published: textOrNull(kid(el, ns, atom03 ? 'issued' : 'published')) ?? (atom03 ? textOrNull(kid(el, ns, 'created')) : null),
      updated: textOrNull(kid(el, ns, atom03 ? 'modified' : 'updated')),
      categories: kids(el, ns, 'category').map((c) => (c.attrs.label ?? c.attrs.term ?? textOf(c)).trim()).filter((c) => c !== ''),
      imageUrl: imageOf(el, el.base ?? siteUrl)
    }
  })
  return finish('atom', atomText(kid(root, ns, 'title'), atom03) || null, siteUrl, drafts, { declared, self: selfLink(root, ns, root.base ?? baseUrl) })
}

// ---- JSON Feed ----

function str (v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null
}

function parseJsonFeed (text: string, baseUrl: string | null): ParsedFeed {
  let doc: unknown
  try {
    // What an XML feed cannot carry (NUL and the other C0 controls, lone surrogates) is dropped
    // from a JSON Feed's strings too: every format imports the same text, and PostgreSQL text
    // cannot store U+0000.
    doc = JSON.parse(text, (_key, value: unknown) => typeof value === 'string' ? stripInvalidXmlChars(value) : value)
  } catch (err) {
    throw new FeedParseError(`not valid JSON: ${(err as Error).message}`)
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new FeedParseError('not a JSON Feed: the document is not an object')
  const feed = doc as Record<string, unknown>
  if (typeof feed.version !== 'string' || !/^https?:\/\/jsonfeed\.org\/version\/1(?:\.1)?\/?$/.test(feed.version)) {
    throw new FeedParseError('not a JSON Feed: "version" must be https://jsonfeed.org/version/1 or 1.1')
  }
  const declared = resolveUrl(str(feed.home_page_url), baseUrl)
  const siteUrl = declared ?? baseUrl
  const base = siteUrl ?? resolveUrl(str(feed.feed_url), baseUrl)
  const nameOf = (v: unknown): string | null => typeof v === 'object' && v !== null ? str((v as Record<string, unknown>).name) : null
  const feedAuthor = (Array.isArray(feed.authors) ? feed.authors.map(nameOf).find((n) => n !== null) : null) ?? nameOf(feed.author)
  const rawItems = Array.isArray(feed.items) ? feed.items : []
  const drafts = rawItems.filter((raw): raw is Record<string, unknown> => typeof raw === 'object' && raw !== null && !Array.isArray(raw)).map((raw): Draft => {
    const url = resolveUrl(str(raw.url) ?? str(raw.external_url), base)
    const html = str(raw.content_html) ?? (str(raw.content_text) !== null ? textToHtml(raw.content_text as string) : '')
    const id = raw.id === undefined || raw.id === null || String(raw.id).trim() === '' ? null : String(raw.id)
    return {
      rawId: id,
      url,
      title: str(raw.title)?.trim() ?? '',
      contentHtml: resolveHtmlUrls(html, url ?? base),
      summary: str(raw.summary),
      authorName: (Array.isArray(raw.authors) ? raw.authors.map(nameOf).find((n) => n !== null) : null) ?? nameOf(raw.author) ?? feedAuthor ?? null,
      published: str(raw.date_published),
      updated: str(raw.date_modified),
      categories: Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === 'string' && t.trim() !== '') : [],
      imageUrl: resolveUrl(str(raw.image) ?? str(raw.banner_image), url ?? base)
    }
  })
  return finish('json', str(feed.title), siteUrl, drafts, { declared, self: resolveUrl(str(feed.feed_url), baseUrl) })
}

// An HTML page: `<html`, or `<!doctype html` after any comments. Each comment ends at the
// first "-->" found with indexOf: the pattern this replaces, /^(?:<!--[\s\S]*?-->\s*)*<!doctype/,
// could end each comment at any later "-->" and took 10 s for 28 comments (4× per two more).
function isHtmlPage (text: string): boolean {
  if (/^<html[\s>]/i.test(text)) return true
  let at = 0
  while (text.startsWith('<!--', at)) {
    const end = text.indexOf('-->', at + 4)
    if (end === -1) return false
    at = end + 3
    while (at < text.length && /\s/.test(text[at])) at++
  }
  return /^<!doctype\s+html/i.test(text.slice(at, at + 64))
}

/** Parses feed bytes of any supported format; throws FeedParseError when they are not a feed. */
export function parseFeed (bytes: Buffer, opts: { contentType?: string | null, baseUrl?: string | null } = {}): ParsedFeed {
  if (bytes.length === 0) throw new FeedParseError('the feed is empty')
  const text = decodeFeedBytes(bytes, opts.contentType).replace(/^\uFEFF/, '')
  const start = text.trimStart()
  if (start === '') throw new FeedParseError('the feed is empty')
  const baseUrl = resolveUrl(opts.baseUrl, undefined)
  if (start.startsWith('{') || start.startsWith('[')) return parseJsonFeed(start, baseUrl)
  if (!start.startsWith('<')) throw new FeedParseError('not a feed: neither XML nor JSON')
  if (isHtmlPage(start)) throw new FeedParseError('not a feed: the document is an HTML page')
  // A leading XML declaration must be the very first thing; tolerate whitespace before it.
  const doc = parseXml(start, baseUrl)
  const root = doc.children.find((c): c is El => typeof c !== 'string')
  if (root === undefined) throw new FeedParseError('not a feed: no root element')
  if (root.name === 'rss' && root.ns === '') return mapRss(root, 'rss', baseUrl)
  if (root.name === 'RDF' && root.ns === NS.rdf) return mapRss(root, 'rdf', baseUrl)
  if (root.name === 'feed' && (root.ns === NS.atom || root.ns === NS.atom03)) return mapAtom(root, baseUrl)
  throw new FeedParseError(`not a feed: the root element is <${root.name}>${root.ns ? ` in ${root.ns}` : ''}, not <rss>, <rdf:RDF> or an Atom <feed>`)
}
