import { SaxesParser, type SaxesTagNS } from 'saxes'

// A streaming reader for WordPress exports (WXR 1.0, 1.1 and 1.2, http or https namespaces).
// Chunks go into saxes as they arrive and each author, term and item is yielded when its
// element closes, so memory stays flat whatever the file's size. Entity declarations are
// refused outright (no billion laughs); malformed XML ends the stream with a warning after
// the items already read, and an item in progress is never yielded half-read.

export interface WxrAuthor { login: string, email: string | null, displayName: string, firstName?: string | null, lastName?: string | null }
export interface WxrTerm { slug: string, name: string, parentSlug: string | null, description: string | null }
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
}
export interface WxrItem {
  wpId: number
  guid: string | null
  postType: string
  title: string
  link: string | null
  slug: string | null
  creator: string | null
  contentRaw: string
  excerptRaw: string
  status: 'published' | 'draft' | 'scheduled' | 'trash'
  wpStatus: string
  sticky: boolean
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
}
export type WxrEvent =
  | { kind: 'site', title: string, link: string | null, description: string | null, language: string | null, wxrVersion: string | null }
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

// Element names are normalised to a prefix we choose, whatever prefix the file declares.
function prefixOf (uri: string): string {
  if (/^https?:\/\/wordpress\.org\/export\/1\.\d\/excerpt\/?$/.test(uri)) return 'excerpt:'
  if (/^https?:\/\/wordpress\.org\/export\/1\.\d\/?$/.test(uri)) return 'wp:'
  if (uri === 'http://purl.org/rss/1.0/modules/content/') return 'content:'
  if (uri === 'http://purl.org/dc/elements/1.1/') return 'dc:'
  return uri === '' ? '' : '?:'
}

/** 'YYYY-MM-DD HH:MM:SS' as UTC; WordPress's zero date is null. */
export function parseWpDate (text: string | undefined): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec((text ?? '').trim())
  if (m === null || m[1] === '0000') return null
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])))
  return Number.isNaN(d.getTime()) ? null : d
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
  if (approved === '1' || approved === 'approve') return 'approved'
  if (approved === 'spam') return 'spam'
  if (approved === 'trash' || approved === 'post-trashed') return 'trash'
  return 'pending'
}

type Fields = Record<string, string>

/**
 * Reads a WXR stream and yields its site, authors, terms and items in file order.
 * Throws WxrError when the input is not a WordPress export.
 */
export async function * readWxr (input: AsyncIterable<Buffer | string> | Iterable<Buffer | string> | NodeJS.ReadableStream, opts: { maxItemBytes?: number } = {}): AsyncGenerator<WxrEvent> {
  const maxItemBytes = opts.maxItemBytes ?? 10 * 1024 * 1024
  const parser = new SaxesParser({ xmlns: true, position: false })
  const queue: WxrEvent[] = []
  const stack: string[] = []
  let fatal: WxrError | null = null
  let sawRoot = false
  let sawChannel = false
  let siteSent = false
  const site: Fields = {}
  // The element being collected (author, term or item) and its fields.
  let record: { kind: string, fields: Fields, categories: Array<{ domain: string, slug: string, name: string }>, meta: Array<{ key: string, value: string }>, comments: Fields[], bytes: number, oversize: boolean } | null = null
  let comment: Fields | null = null
  let metaKey: string | null = null
  let categoryAttrs: { domain: string, slug: string } | null = null
  let text = ''

  const sendSite = () => {
    if (siteSent) return
    siteSent = true
    const version = site['wp:wxr_version']?.trim() ?? null
    if (version !== null && !SUPPORTED.has(version)) {
      fatal = new WxrError(`WXR version ${version} is not supported (1.0, 1.1 and 1.2 are)`)
      return
    }
    queue.push({ kind: 'site', title: site.title?.trim() ?? '', link: site.link?.trim() || null, description: site.description?.trim() || null, language: site.language?.trim() || null, wxrVersion: version })
  }

  parser.on('doctype', (doctype) => {
    if (/<!ENTITY/i.test(doctype)) fatal ??= new WxrError('the file declares XML entities, which are refused (entity expansion attacks)')
  })
  parser.on('opentag', (tag: SaxesTagNS) => {
    const name = prefixOf(tag.uri) + tag.local
    const depth = stack.length
    stack.push(name)
    text = ''
    if (depth === 0) {
      sawRoot = true
      if (name !== 'rss') fatal ??= new WxrError(`not a WordPress export: the root element is <${tag.name}>, not <rss>`)
      return
    }
    if (depth === 1 && name === 'channel') { sawChannel = true; return }
    if (depth === 2 && (name === 'wp:author' || name === 'wp:category' || name === 'wp:tag' || name === 'wp:term' || name === 'item')) {
      sendSite()
      record = { kind: name, fields: {}, categories: [], meta: [], comments: [], bytes: 0, oversize: false }
      return
    }
    if (record !== null && record.kind === 'item') {
      if (name === 'wp:comment' && depth === 3) comment = {}
      if (name === 'category' && depth === 3) {
        categoryAttrs = { domain: String(tag.attributes.domain?.value ?? ''), slug: String(tag.attributes.nicename?.value ?? '') }
      }
      if (name === 'wp:postmeta') metaKey = null
    }
  })
  parser.on('text', (t) => {
    text += t
    if (record !== null) {
      record.bytes += t.length
      if (record.bytes > maxItemBytes) record.oversize = true
    }
  })
  parser.on('cdata', (t) => {
    text += t
    if (record !== null) {
      record.bytes += t.length
      if (record.bytes > maxItemBytes) record.oversize = true
    }
  })
  parser.on('closetag', () => {
    const name = stack.pop() as string
    const depth = stack.length
    const value = text
    text = ''
    if (depth === 2 && sawChannel && record === null) {
      site[name] = value
      return
    }
    if (record === null) {
      if (depth === 1 && name === 'channel') sendSite()
      return
    }
    if (depth === 2) {
      const done = record
      record = null
      if (done.oversize) {
        queue.push({ kind: 'warning', message: `skipped an ${done.kind.replace('wp:', '')} larger than ${maxItemBytes} bytes` })
        return
      }
      const event = toEvent(done)
      if (event !== null) queue.push(event)
      return
    }
    if (comment !== null) {
      if (depth === 3 && name === 'wp:comment') {
        record.comments.push(comment)
        comment = null
      } else if (depth === 4) {
        comment[name] = value
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

  const decoder = new TextDecoder('utf-8')
  const iterable = input as AsyncIterable<Buffer | string>
  try {
    for await (const chunk of iterable) {
      parser.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
      if (fatal !== null) throw fatal
      while (queue.length > 0) yield queue.shift() as WxrEvent
    }
    parser.write(decoder.decode())
    parser.close()
  } catch (err) {
    if (err instanceof WxrError) throw err
    if (fatal !== null) throw fatal
    if (!sawRoot) throw new WxrError(`not an XML document: ${(err as Error).message.split('\n')[0]}`)
    while (queue.length > 0) yield queue.shift() as WxrEvent
    yield { kind: 'warning', message: `the XML is malformed or truncated; stopped after the items read so far (${(err as Error).message.split('\n')[0]})` }
    return
  }
  if (fatal !== null) throw fatal
  if (!sawChannel) throw new WxrError('not a WordPress export: no <channel> element')
  sendSite()
  if (fatal !== null) throw fatal
  while (queue.length > 0) yield queue.shift() as WxrEvent
}

function toEvent (r: { kind: string, fields: Fields, categories: Array<{ domain: string, slug: string, name: string }>, meta: Array<{ key: string, value: string }>, comments: Fields[] }): WxrEvent | null {
  const f = (k: string) => r.fields[k]?.trim() ?? ''
  if (r.kind === 'wp:author') {
    const login = f('wp:author_login')
    if (login === '') return { kind: 'warning', message: 'skipped an author without a login' }
    return { kind: 'author', author: { login, email: f('wp:author_email') || null, displayName: f('wp:author_display_name') || login, firstName: f('wp:author_first_name') || null, lastName: f('wp:author_last_name') || null } }
  }
  if (r.kind === 'wp:category') {
    const slug = f('wp:category_nicename')
    if (slug === '') return { kind: 'warning', message: 'skipped a category without a slug' }
    return { kind: 'category', term: { slug, name: f('wp:cat_name') || slug, parentSlug: f('wp:category_parent') || null, description: f('wp:category_description') || null } }
  }
  if (r.kind === 'wp:tag') {
    const slug = f('wp:tag_slug')
    if (slug === '') return { kind: 'warning', message: 'skipped a tag without a slug' }
    return { kind: 'tag', term: { slug, name: f('wp:tag_name') || slug, parentSlug: null, description: f('wp:tag_description') || null } }
  }
  if (r.kind === 'wp:term') {
    const taxonomy = f('wp:term_taxonomy')
    const slug = f('wp:term_slug')
    if (slug === '' || (taxonomy !== 'category' && taxonomy !== 'post_tag')) return null
    const term = { slug, name: f('wp:term_name') || slug, parentSlug: f('wp:term_parent') || null, description: f('wp:term_description') || null }
    return taxonomy === 'category' ? { kind: 'category', term } : { kind: 'tag', term: { ...term, parentSlug: null } }
  }
  const wpId = Number(f('wp:post_id'))
  if (!Number.isSafeInteger(wpId) || wpId <= 0) return { kind: 'warning', message: `skipped an item without a valid wp:post_id ("${f('title').slice(0, 60)}")` }
  const wpStatus = f('wp:status')
  const thumb = Number(r.meta.find((m) => m.key === '_thumbnail_id')?.value)
  const comments: WxrComment[] = []
  for (const c of r.comments) {
    const id = Number(c['wp:comment_id']?.trim())
    if (!Number.isSafeInteger(id) || id <= 0) continue
    const parent = Number(c['wp:comment_parent']?.trim() ?? '0')
    const type = (c['wp:comment_type']?.trim() ?? '')
    comments.push({
      wpId: id,
      parentWpId: Number.isSafeInteger(parent) && parent > 0 ? parent : null,
      authorName: c['wp:comment_author']?.trim() || 'Anonymous',
      authorEmail: c['wp:comment_author_email']?.trim() || null,
      authorUrl: c['wp:comment_author_url']?.trim() || null,
      authorIp: c['wp:comment_author_IP']?.trim() || null,
      date: parseWpDate(c['wp:comment_date_gmt']) ?? parseWpDate(c['wp:comment_date']) ?? new Date(0),
      content: c['wp:comment_content'] ?? '',
      status: mapCommentStatus(c['wp:comment_approved']?.trim() ?? '0'),
      type: type === 'pingback' || type === 'trackback' ? type : 'comment'
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
      contentRaw: r.fields['content:encoded'] ?? '',
      excerptRaw: r.fields['excerpt:encoded'] ?? '',
      status: mapStatus(wpStatus),
      wpStatus,
      sticky: f('wp:is_sticky') === '1',
      postDate: parseWpDate(f('wp:post_date_gmt')) ?? parseWpDate(f('wp:post_date')),
      modifiedDate: parseWpDate(f('wp:post_modified_gmt')) ?? parseWpDate(f('wp:post_modified')),
      categories: r.categories.filter((c) => c.domain === 'category' && c.slug !== '').map((c) => ({ slug: c.slug, name: c.name || c.slug })),
      tags: r.categories.filter((c) => c.domain === 'post_tag' && c.slug !== '').map((c) => ({ slug: c.slug, name: c.name || c.slug })),
      thumbnailId: Number.isSafeInteger(thumb) && thumb > 0 ? thumb : null,
      attachmentUrl: f('wp:attachment_url') || null,
      commentStatus: f('wp:comment_status') === 'closed' ? 'closed' : 'open',
      comments,
      meta: r.meta
    }
  }
}
