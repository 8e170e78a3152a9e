import { isValidSlug, slugify } from '../../lib/slugify.js'
import { sanitizeHtml } from '../../lib/lazy.js'
import { wpautop } from '../../lib/wpautop.js'
import { sanitizePostHtml } from '../../lib/sanitize.js'
import { htmlToText } from '../../lib/text.js'
import { CreatePostBody } from '../posts/posts-schemas.js'
import { CreateCommentBody } from '../comments/comments-schemas.js'

// How WordPress and feed values become Broadsheet values: slugs, statuses, comment HTML,
// URLs, addresses and the limits of the write API. Pure functions, no database.

/**
 * The Broadsheet slug of a WordPress term or login: kept when it already is a valid slug,
 * else made from its percent-decoded form (WordPress stores non-ASCII slugs as %ce%b5…) or
 * the name. The same raw value always gives the same slug, so declared terms and the terms
 * items name meet.
 */
export function importSlug (raw: string | undefined, name: string, fallback: string): string {
  let s = (raw ?? '').trim()
  try {
    s = decodeURIComponent(s)
  } catch {
    // A stray % is kept as text and slugified below.
  }
  if (isValidSlug(s)) return s
  return slugify(s !== '' ? s : name, fallback)
}

export type WpPostStatus = 'publish' | 'draft' | 'pending' | 'future' | 'private' | 'trash' | 'auto-draft' | 'inherit' | string

/**
 * A WordPress post status as a Broadsheet write status, or why the post is not imported.
 * future → scheduled only while its date is ahead (an export taken late may hold a past
 * future post, which WordPress would have published); private and pending → draft, since
 * Broadsheet has no private readers and no review queue.
 */
export function mapPostStatus (status: WpPostStatus, publishedAt: number | null, now: number): { status: 'draft' | 'scheduled' | 'published' } | { skip: string } {
  switch (status) {
    case 'publish':
      return { status: 'published' }
    case 'future':
      return { status: publishedAt !== null && publishedAt > now ? 'scheduled' : 'published' }
    case 'draft':
    case 'pending':
    case 'private':
      return { status: 'draft' }
    case 'trash':
      return { skip: 'a post in the trash' }
    case 'auto-draft':
      return { skip: 'an auto-draft (never saved by its author)' }
    case 'inherit':
      return { skip: 'a revision (status inherit)' }
    default:
      return { skip: `unknown post status "${status}"` }
  }
}

/** wp:comment_approved as a comment status ('1', '0', 'spam', 'trash', 'post-trashed'). */
export function mapCommentStatus (approved: string): 'approved' | 'pending' | 'spam' | 'trash' | undefined {
  switch (approved.trim().toLowerCase()) {
    case '1':
    case 'approve':
    case 'approved':
      return 'approved'
    case '0':
    case 'hold':
    case 'pending':
      return 'pending'
    case 'spam':
      return 'spam'
    case 'trash':
    case 'post-trashed':
      return 'trash'
    default:
      return undefined
  }
}

/** wp:comment_type as a stored type, or undefined for types that are not reader comments (order notes, …). */
export function mapCommentType (type: string): 'comment' | 'pingback' | 'trackback' | undefined {
  const t = type.trim().toLowerCase()
  if (t === '' || t === 'comment') return 'comment'
  if (t === 'pingback' || t === 'trackback') return t
  return undefined
}

/**
 * A WordPress comment's stored text as safe HTML. WordPress keeps comments as lightly
 * filtered HTML (kses allows links, emphasis, quotes, code) and adds paragraphs on display,
 * so escaping them as plain text would show readers literal tags: instead the paragraphs are
 * added the same way (unless `formatted`: our own export's comments are HTML already) and the
 * result goes through the allowlist of post bodies (src/lib/sanitize.ts), with every link made
 * `rel="nofollow ugc"` like a native comment's. Returns the HTML before sanitizing too, so
 * what the allowlist dropped can be told.
 */
export function commentHtml (raw: string, opts: { iframeHosts: string[], formatted?: boolean }): { html: string, before: string } {
  const before = opts.formatted === true ? raw : wpautop(raw)
  const safe = sanitizePostHtml(before, { iframeHosts: opts.iframeHosts })
  // Only rel changes: the HTML is already sanitized, so every tag and attribute may stay.
  if (!safe.includes('<a')) return { html: safe.trim(), before }
  const html = sanitizeHtml(safe, {
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true,
    transformTags: { a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow ugc' } }) }
  })
  return { html: html.trim(), before }
}

/** An http(s) URL as given, or null for anything else (javascript:, relative, junk). */
export function httpUrl (value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null
  const text = value.trim()
  if (text === '' || text.length > 2000) return null
  try {
    const url = new URL(text)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null
  } catch {
    return null
  }
}

/** The write API's limit on a post body (`content_html` of POST /v1/posts): imported bodies are cut to it. */
export const POST_BODY_MAX = (CreatePostBody.properties.content_html as unknown as { maxLength: number }).maxLength
/** The most authors a post may have (author_ids). */
export const BYLINE_MAX = (CreatePostBody.properties.author_ids as unknown as { maxItems: number }).maxItems
/** The write API's limit on a comment (`content` of a submitted comment): imported comments are cut to it. */
export const COMMENT_MAX = (CreateCommentBody.properties.content as unknown as { maxLength: number }).maxLength

/** Text cut to the limits the write API enforces on its own inputs, never inside a surrogate pair. */
export function clip (text: string, max: number): string {
  if (text.length <= max) return text
  const cut = text.slice(0, max)
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut
}

/** An e-mail address as stored (trimmed, lowercase), or null when it is not one. */
export function emailOrNull (value: string | null | undefined): string | null {
  const text = (value ?? '').trim().toLowerCase()
  return text.length <= 320 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) ? text : null
}

// Names, titles and descriptions are cut before their markup is parsed too, so a 10 MB
// title costs no more than a long one; markup rarely takes twenty times its text.
const RAW_FACTOR = 20

/** The visible text of a short HTML value (a name, a title), at most `max` characters. */
export function plain (html: string, max: number): string {
  return clip(htmlToText(clip(html, max * RAW_FACTOR)), max)
}
