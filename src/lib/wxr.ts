import type { SaxesTagNS } from 'saxes'
import { iconvLite, saxesParser } from './lazy.js'

// A streaming reader for WordPress exports (WXR 1.0, 1.1 and 1.2, http or https namespaces).
// Chunks go into saxes as they arrive and each author, term and item is yielded when its
// element closes, so memory stays flat whatever the file's size. Entity declarations are
// refused outright (no billion laughs); malformed XML ends the stream with a warning after
// the items already read, and an item in progress is never yielded half-read.

export interface WxrAuthor { login: string, email: string | null, displayName: string, firstName?: string | null, lastName?: string | null }
export interface WxrTerm {
  slug: string
  name: string
  parentSlug: string | null
  description: string | null
  /** wp:term_id: what nav menu items name a category or tag by; null when the file leaves it out. */
  termId: number | null
}
export interface WxrComment {
  wpId: number
  parentWpId: number | null
  authorName: string
  authorEmail: string | null
  authorUrl: string | null
  authorIp: string | null
  date: Date
  content: string
  status: 'approved' | 'pending' | 'spam' | 'trash'
  type: 'comment' | 'pingback' | 'trackback'
  /** Every wp:commentmeta pair, in file order. */
  meta: Array<{ key: string, value: string }>
}
export interface WxrItem {
  /** wp:post_id; negative (derived from guid or link) when the export leaves it out. */
  wpId: number
  guid: string | null
  postType: string
  title: string
  link: string | null
  slug: string | null
  creator: string | null
  /**
   * The byline by Co-Authors Plus (its "author" taxonomy: one term per author, named by login,
   * slug cap-<login>), in file order; empty when the plugin was not used.
   */
  coauthors: string[]
  contentRaw: string
  excerptRaw: string
  status: 'published' | 'draft' | 'scheduled' | 'trash'
  wpStatus: string
  sticky: boolean
  /** WordPress's post password: such a post must not become public as it is. */
  password: string | null
  /** From wp:post_date_gmt, falling back to wp:post_date read as UTC. */
  postDate: Date | null
  modifiedDate: Date | null
  categories: Array<{ slug: string, name: string }>
  tags: Array<{ slug: string, name: string }>
  thumbnailId: number | null
  attachmentUrl: string | null
  commentStatus: 'open' | 'closed'
  comments: WxrComment[]
  /** Every wp:postmeta pair, in file order (e.g. _wp_attachment_image_alt). */
  meta: Array<{ key: string, value: string }>
  /** wp:post_parent: a page's parent page (0 and junk: none). */
  parentWpId: number | null
  /** wp:menu_order: order among siblings (pages) or within a menu (nav menu items). */
  menuOrder: number
  /** The nav menu a nav_menu_item belongs to (its category domain="nav_menu"). */
  navMenu: { slug: string, name: string } | null
}
export type WxrEvent =
  | { kind: 'site', title: string, link: string | null, description: string | null, language: string | null, wxrVersion: string | null, generator: string | null, baseBlogUrl: string | null }
  | { kind: 'author', author: WxrAuthor }
  | { kind: 'category', term: WxrTerm }
  | { kind: 'tag', term: WxrTerm }
  | { kind: 'item', item: WxrItem }
  | { kind: 'warning', message: string }

/** A file that cannot be read as a WordPress export at all. */
export class WxrError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'WxrError'
  }
}

const SUPPORTED = new Set(['1.0', '1.1', '1.2'])
const WP_NS = /^https?:\/\/wordpress\.org\/export\/1\.[0-2]\/?$/
const EXCERPT_NS = /^https?:\/\/wordpress\.org\/export\/1\.[0-2]\/excerpt\/?$/
// Slices small enough that a value saxes is still buffering is noticed before it gets large.
const SLICE = 64 * 1024
const MAX_DEPTH = 256

// Element names are normalised to a prefix we choose, whatever prefix the file declares.
function prefixOf (uri: string): string {
  if (EXCERPT_NS.test(uri)) return 'excerpt:'
  if (WP_NS.test(uri)) return 'wp:'
  if (uri === 'http://purl.org/rss/1.0/modules/content/') return 'content:'
  if (uri === 'http://purl.org/dc/elements/1.1/') return 'dc:'
  return uri === '' ? '' : '?:'
}

/** 'YYYY-MM-DD HH:MM:SS' as UTC; WordPress's zero date is null. */
export function parseWpDate (text: string | undefined): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec((text ?? '').trim())
  if (m === null || m[1] === '0000') return null
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0))
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s))
  // Date.UTC rolls 2024-02-31 over into March; such a date is not one WordPress wrote.
  return Number.isNaN(date.getTime()) || date.getUTCDate() !== d ? null : date
}

function mapStatus (wp: string): WxrItem['status'] {
  switch (wp) {
    case 'publish': return 'published'
    case 'future': return 'scheduled'
    case 'trash': return 'trash'
    default: return 'draft'
  }
}

function mapCommentStatus (approved: string): WxrComment['status'] {
  if (approved === '1' || approved === 'approve' || approved === 'approved') return 'approved'
  if (approved === 'spam') return 'spam'
  if (approved === 'trash' || approved === 'post-trashed') return 'trash'
  return 'pending'
}

type Fields = Record<string, string>
interface Record_ {
  kind: string
  fields: Fields
  categories: Array<{ domain: string, slug: string, name: string }>
  meta: Array<{ key: string, value: string }>
  comments: Fields[]
  /** The wp:commentmeta pairs of each comment, by its index in `comments`. */
  commentMeta: Array<Array<{ key: string, value: string }>>
  bytes: number
  oversize: boolean
}

// WXR is UTF-8 in practice, but an old blog_charset or a BOM can say otherwise.
function sniffEncoding (head: Buffer): string {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8'
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le'
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be'
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head.subarray(0, 300).toString('latin1'))?.[1]?.toLowerCase()
  if (declared === undefined || declared === 'utf8') return 'utf-8'
  if (declared === 'iso-8859-1' || declared === 'latin1' || declared === 'us-ascii') return 'windows-1252'
  return iconvLite().encodingExists(declared) ? declared : 'utf-8'
}

async function * decodeChunks (input: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  let decoder: { write: (b: Buffer) => string, end: () => string | undefined } | null = null
  let head: Buffer[] = []
  let headBytes = 0
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      yield chunk
      continue
    }
    if (decoder === null) {
      head.push(chunk)
      headBytes += chunk.length
      if (headBytes < 300) continue
      const all = Buffer.concat(head)
      head = []
      decoder = iconvLite().getDecoder(sniffEncoding(all))
      yield decoder.write(all)
      continue
    }
    yield decoder.write(chunk)
  }
  if (decoder === null && head.length > 0) {
    const all = Buffer.concat(head)
    decoder = iconvLite().getDecoder(sniffEncoding(all))
    yield decoder.write(all)
  }
  const rest = decoder?.end()
  if (rest) yield rest
}

/**
 * Reads a WXR stream and yields its site, authors, terms and items in file order, one at a
 * time. Throws WxrError when the input is not a WordPress export (or declares entities);
 * a file that breaks part-way ends with a warning after everything read before the break.
 */
export async function * readWxr (input: AsyncIterable<Buffer | string> | Iterable<Buffer | string> | NodeJS.ReadableStream, opts: { maxItemBytes?: number } = {}): AsyncGenerator<WxrEvent> {
  const maxItemBytes = opts.maxItemBytes ?? 10 * 1024 * 1024
  const parser = saxesParser({ xmlns: true, position: false })
  const queue: WxrEvent[] = []
  const stack: string[] = []
  let fatal: WxrError | null = null
  let sawRoot = false
  let sawChannel = false
  let sawWpNamespace = false
  let siteSent = false
  const site: Fields = {}
  let record: Record_ | null = null
  let comment: Fields | null = null
  let commentMeta: Array<{ key: string, value: string }> = []
  let metaKey: string | null = null
  let categoryAttrs: { domain: string, slug: string } | null = null
  let text = ''
  // Characters written to saxes, and how many had been written at its last event: a gap
  // wider than maxItemBytes is one value (text, CDATA, attribute, comment) saxes is holding.
  let written = 0
  let lastEvent = 0
  const mark = () => { lastEvent = written }

  const sendSite = () => {
    if (siteSent) return
    siteSent = true
    const version = site['wp:wxr_version']?.trim() || null
    if (version !== null && !SUPPORTED.has(version)) {
      fatal ??= new WxrError(`WXR version ${version} is not supported (1.0, 1.1 and 1.2 are)`)
      return
    }
    if (!sawWpNamespace) {
      fatal ??= new WxrError('not a WordPress export: the WordPress export namespace (wordpress.org/export/1.x/) is not used')
      return
    }
    queue.push({
      kind: 'site',
      title: site.title?.trim() ?? '',
      link: site.link?.trim() || null,
      description: site.description?.trim() || null,
      language: site.language?.trim() || null,
      wxrVersion: version,
      generator: site.generator?.trim() || null,
      baseBlogUrl: site['wp:base_blog_url']?.trim() || null
    })
  }

  const grow = (n: number) => {
    if (record === null) return
    record.bytes += n
    if (record.bytes > maxItemBytes) record.oversize = true
  }

  parser.on('doctype', (doctype) => {
    mark()
    // saxes never expands entities it was not given, but a declaration means a hostile or
    // hand-made file: refuse it rather than half-read it.
    if (/<!ENTITY/i.test(doctype)) fatal ??= new WxrError('the file declares XML entities, which are refused (entity expansion attacks)')
  })
  parser.on('comment', mark)
  parser.on('processinginstruction', mark)
  parser.on('opentag', (tag: SaxesTagNS) => {
    mark()
    if (!sawWpNamespace && (WP_NS.test(tag.uri) || Object.values(tag.ns ?? {}).some((uri) => WP_NS.test(uri)))) sawWpNamespace = true
    const name = prefixOf(tag.uri) + tag.local
    const depth = stack.length
    // WXR is six levels deep; thousands of levels are an attack on the tag stacks.
    if (depth >= MAX_DEPTH) throw new Error(`elements nested more than ${MAX_DEPTH} deep`)
    stack.push(name)
    text = ''
    if (depth === 0) {
      sawRoot = true
      if (name !== 'rss') fatal ??= new WxrError(`not a WordPress export: the root element is <${tag.name}>, not <rss>`)
      return
    }
    if (depth === 1 && name === 'channel') {
      sawChannel = true
      return
    }
    if (depth === 2 && sawChannel && (name === 'wp:author' || name === 'wp:category' || name === 'wp:tag' || name === 'wp:term' || name === 'item')) {
      sendSite()
      record = { kind: name, fields: {}, categories: [], meta: [], comments: [], commentMeta: [], bytes: 0, oversize: false }
      return
    }
    if (record === null) return
    for (const a of Object.values(tag.attributes)) grow(a.value.length)
    if (record.kind !== 'item') return
    if (name === 'wp:comment' && depth === 3) {
      comment = {}
      commentMeta = []
    } else if (name === 'wp:commentmeta' && depth === 4) metaKey = null
    else if (name === 'category' && depth === 3) categoryAttrs = { domain: String(tag.attributes.domain?.value ?? ''), slug: String(tag.attributes.nicename?.value ?? '') }
    else if (name === 'wp:postmeta') metaKey = null
  })
  const onText = (t: string) => {
    mark()
    if (record === null) {
      // Only the channel's own fields are kept outside records; a huge value there is no field.
      if (stack.length === 3 && text.length < 100_000) text += t
      return
    }
    grow(t.length)
    // Past the cap only short values are kept, enough to name the skipped item.
    if (!record.oversize || text.length < 1024) text += t
  }
  parser.on('text', onText)
  parser.on('cdata', onText)
  parser.on('closetag', () => {
    mark()
    const name = stack.pop() as string
    const depth = stack.length
    const value = text
    text = ''
    if (record === null) {
      if (depth === 2 && sawChannel) site[name] = value
      else if (depth === 1 && name === 'channel') sendSite()
      return
    }
    if (depth === 2) {
      const done = record
      record = null
      comment = null
      if (done.oversize) {
        queue.push({ kind: 'warning', message: `skipped ${describe(done)}: larger than ${maxItemBytes} bytes` })
        return
      }
      const event = toEvent(done)
      if (event !== null) queue.push(event)
      return
    }
    if (record.oversize) {
      if (depth === 3 && value.length < 1024) record.fields[name] = value
      return
    }
    if (comment !== null) {
      if (depth === 3 && name === 'wp:comment') {
        record.comments.push(comment)
        record.commentMeta.push(commentMeta)
        comment = null
      } else if (depth === 4) {
        comment[name] = value
      } else if (depth === 5 && name === 'wp:meta_key') {
        metaKey = value.trim()
      } else if (depth === 5 && name === 'wp:meta_value' && metaKey !== null) {
        commentMeta.push({ key: metaKey, value })
      }
      return
    }
    if (name === 'wp:meta_key') metaKey = value.trim()
    else if (name === 'wp:meta_value' && metaKey !== null) record.meta.push({ key: metaKey, value: value.trim() })
    else if (name === 'category' && depth === 3 && categoryAttrs !== null) {
      record.categories.push({ ...categoryAttrs, name: value.trim() })
      categoryAttrs = null
    } else if (depth === 3) record.fields[name] = value
  })
  parser.on('error', (err) => {
    throw err
  })

  const feed = (s: string) => {
    for (let i = 0; i < s.length; i += SLICE) {
      const slice = s.slice(i, i + SLICE)
      written += slice.length
      parser.write(slice)
      if (fatal !== null) throw fatal
      if (written - lastEvent > maxItemBytes) throw new Error(`a single value is larger than ${maxItemBytes} bytes`)
    }
  }

  try {
    let first = true
    for await (let chunk of decodeChunks(input as AsyncIterable<Buffer | string>)) {
      if (first && chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1)
      first = false
      feed(chunk)
      while (queue.length > 0) yield queue.shift() as WxrEvent
    }
    parser.close()
  } catch (err) {
    if (err instanceof WxrError) throw err
    if (fatal !== null) throw fatal
    const reason = (err as Error).message.split('\n')[0]
    if (!sawRoot) throw new WxrError(`not an XML document: ${reason}`)
    if (!siteSent && !sawChannel) throw new WxrError(`not a WordPress export: the XML broke before any <channel> (${reason})`)
    sendSite()
    if (fatal !== null) throw fatal
    while (queue.length > 0) yield queue.shift() as WxrEvent
    const lost = record === null ? '' : `; ${describe(record)} in progress was dropped`
    yield { kind: 'warning', message: `the XML is malformed or truncated: stopped after what was read so far (${reason})${lost}` }
    return
  }
  if (!sawChannel) throw new WxrError('not a WordPress export: no <channel> element')
  sendSite()
  if (fatal !== null) throw fatal
  while (queue.length > 0) yield queue.shift() as WxrEvent
}

function describe (r: Record_): string {
  const id = r.fields['wp:post_id']?.trim()
  return r.kind === 'item' ? `the item${id ? ` wp:post_id ${id}` : ''}` : `a ${r.kind.replace('wp:', '')}`
}

function toEvent (r: Record_): WxrEvent | null {
  const f = (k: string) => r.fields[k]?.trim() ?? ''
  if (r.kind === 'wp:author') {
    const login = f('wp:author_login')
    if (login === '') return { kind: 'warning', message: 'skipped an author without a login' }
    return { kind: 'author', author: { login, email: f('wp:author_email') || null, displayName: f('wp:author_display_name') || login, firstName: f('wp:author_first_name') || null, lastName: f('wp:author_last_name') || null } }
  }
  if (r.kind === 'wp:category') {
    const slug = f('wp:category_nicename')
    if (slug === '') return { kind: 'warning', message: 'skipped a category without a slug' }
    return { kind: 'category', term: { slug, name: f('wp:cat_name') || slug, parentSlug: f('wp:category_parent') || null, description: f('wp:category_description') || null, termId: termIdOf(f('wp:term_id')) } }
  }
  if (r.kind === 'wp:tag') {
    const slug = f('wp:tag_slug')
    if (slug === '') return { kind: 'warning', message: 'skipped a tag without a slug' }
    return { kind: 'tag', term: { slug, name: f('wp:tag_name') || slug, parentSlug: null, description: f('wp:tag_description') || null, termId: termIdOf(f('wp:term_id')) } }
  }
  if (r.kind === 'wp:term') {
    // WXR 1.1+ repeats categories and tags as generic terms; other taxonomies (nav_menu…) are not ours.
    const taxonomy = f('wp:term_taxonomy')
    const slug = f('wp:term_slug')
    if (slug === '' || (taxonomy !== 'category' && taxonomy !== 'post_tag')) return null
    const term = { slug, name: f('wp:term_name') || slug, parentSlug: f('wp:term_parent') || null, description: f('wp:term_description') || null, termId: termIdOf(f('wp:term_id')) }
    return taxonomy === 'category' ? { kind: 'category', term } : { kind: 'tag', term: { ...term, parentSlug: null } }
  }
  let wpId = Number(f('wp:post_id'))
  if (f('wp:post_id') === '' || !Number.isSafeInteger(wpId) || wpId <= 0) {
    // Hand-made exports (WordPress.org's theme previewer's, for one) leave the id out; WordPress
    // imports them anyway. A stable negative id from guid or link keeps re-imports idempotent.
    const identity = f('guid') || f('link')
    if (identity === '') return { kind: 'warning', message: `skipped an item with neither a wp:post_id nor a guid or link ("${f('title').slice(0, 60)}")` }
    wpId = -syntheticId(identity)
  }
  const wpStatus = f('wp:status')
  const thumb = Number(r.meta.find((m) => m.key === '_thumbnail_id')?.value)
  const comments: WxrComment[] = []
  for (const [i, c] of r.comments.entries()) {
    const id = Number(c['wp:comment_id']?.trim())
    if (!Number.isSafeInteger(id) || id <= 0) continue
    const parent = Number(c['wp:comment_parent']?.trim() || '0')
    const type = c['wp:comment_type']?.trim() ?? ''
    comments.push({
      wpId: id,
      parentWpId: Number.isSafeInteger(parent) && parent > 0 && parent !== id ? parent : null,
      authorName: c['wp:comment_author']?.trim() || 'Anonymous',
      authorEmail: c['wp:comment_author_email']?.trim() || null,
      authorUrl: c['wp:comment_author_url']?.trim() || null,
      authorIp: c['wp:comment_author_IP']?.trim() || null,
      date: parseWpDate(c['wp:comment_date_gmt']) ?? parseWpDate(c['wp:comment_date']) ?? new Date(0),
      content: c['wp:comment_content'] ?? '',
      status: mapCommentStatus(c['wp:comment_approved']?.trim() ?? '0'),
      type: type === 'pingback' || type === 'trackback' ? type : 'comment',
      meta: r.commentMeta[i] ?? []
    })
  }
  return {
    kind: 'item',
    item: {
      wpId,
      guid: f('guid') || null,
      postType: f('wp:post_type') || 'post',
      title: f('title'),
      link: f('link') || null,
      slug: f('wp:post_name') || null,
      creator: f('dc:creator') || null,
      coauthors: coauthorsOf(r.categories),
      contentRaw: r.fields['content:encoded'] ?? '',
      excerptRaw: r.fields['excerpt:encoded'] ?? '',
      status: mapStatus(wpStatus),
      wpStatus,
      sticky: f('wp:is_sticky') === '1',
      postDate: parseWpDate(f('wp:post_date_gmt')) ?? parseWpDate(f('wp:post_date')),
      modifiedDate: parseWpDate(f('wp:post_modified_gmt')) ?? parseWpDate(f('wp:post_modified')),
      categories: terms(r.categories, ['category']),
      // WXR 1.0 wrote tags with domain="tag".
      tags: terms(r.categories, ['post_tag', 'tag']),
      thumbnailId: Number.isSafeInteger(thumb) && thumb > 0 ? thumb : null,
      attachmentUrl: f('wp:attachment_url') || null,
      password: f('wp:post_password') || null,
      commentStatus: f('wp:comment_status') === 'closed' ? 'closed' : 'open',
      comments,
      meta: r.meta,
      parentWpId: termIdOf(f('wp:post_parent')),
      menuOrder: Number.isSafeInteger(Number(f('wp:menu_order'))) ? Number(f('wp:menu_order')) : 0,
      navMenu: r.categories.filter((c) => c.domain === 'nav_menu' && c.slug !== '').map((c) => ({ slug: c.slug, name: c.name || c.slug }))[0] ?? null
    }
  }
}

/** A positive integer id as WordPress writes it, or null (0, empty, junk). */
function termIdOf (text: string): number | null {
  const n = Number(text.trim())
  return text.trim() !== '' && Number.isSafeInteger(n) && n > 0 ? n : null
}

// FNV-1a, 31 bits: small, stable across runs, never zero.
function syntheticId (text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return ((h >>> 0) & 0x7fffffff) || 1
}

/** Co-Authors Plus's byline: each term's name (the login), else its slug without cap-; each once. */
function coauthorsOf (all: Array<{ domain: string, slug: string, name: string }>): string[] {
  const logins: string[] = []
  for (const c of all) {
    if (c.domain !== 'author') continue
    const login = c.name.trim() || c.slug.replace(/^cap-/, '')
    if (login !== '' && !logins.includes(login)) logins.push(login)
  }
  return logins
}

// Old exports repeat an item's terms (with and without nicename); keep each slug once.
function terms (all: Array<{ domain: string, slug: string, name: string }>, domains: string[]): Array<{ slug: string, name: string }> {
  const seen = new Set<string>()
  const out: Array<{ slug: string, name: string }> = []
  for (const c of all) {
    if (!domains.includes(c.domain) || c.slug === '' || seen.has(c.slug)) continue
    seen.add(c.slug)
    out.push({ slug: c.slug, name: c.name || c.slug })
  }
  return out
}
