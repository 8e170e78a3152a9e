import { sanitizeHtml } from './lazy.js'

// Elements whose edges separate words: kept (bare) through sanitizing and then turned into
// spaces, so adjacent paragraphs, cells or list items never run together.
const BLOCKS = ['p', 'div', 'br', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'blockquote', 'pre',
  'table', 'caption', 'tr', 'td', 'th', 'figure', 'figcaption', 'hr', 'section', 'article', 'aside', 'header', 'footer',
  'nav', 'main', 'details', 'summary', 'address']
const ESCAPED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' }

/** Visible text of HTML: tags dropped, entities decoded, blocks separated, whitespace collapsed. */
export function htmlToText (html: string): string {
  // sanitize-html decodes every entity and re-escapes only & < > (and "), and its output holds
  // only attribute-less block tags, so a plain tag regex and a four-entity decoder are exact.
  const blocks = sanitizeHtml(html, {
    allowedTags: BLOCKS,
    allowedAttributes: {},
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'template', 'svg', 'math', 'iframe', 'object']
  })
  const text = blocks.replace(/<[^>]*>/g, ' ').replace(/&(amp|lt|gt|quot);/g, (_, name: string) => ESCAPED[name] as string)
  return stripInvalidXmlChars(text).replace(/\s+/g, ' ').trim()
}

/** Words in a text: runs of letters or digits; each CJK character counts as a word. */
export function countWords (text: string): number {
  const cjk = text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu)?.length ?? 0
  const rest = text.replace(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu, ' ')
  const words = rest.match(/[\p{L}\p{N}]+(?:['’\-.][\p{L}\p{N}]+)*/gu)?.length ?? 0
  return cjk + words
}

/** Minutes to read at 230 words a minute, at least 1. */
export function readingTimeMinutes (words: number): number {
  return Math.max(1, Math.ceil(words / 230))
}

/** A plain-text excerpt from the start of the body, cut at a word boundary with '…'. */
export function makeExcerpt (html: string, maxChars = 240): string {
  return excerptOfText(htmlToText(html), maxChars)
}

/** makeExcerpt of an HTML body whose htmlToText is already known (a write has just made it). */
export function excerptOfText (text: string, maxChars = 240): string {
  if (text.length <= maxChars) return text
  // Leave room for the ellipsis; a space just past the limit still ends a whole word.
  const limit = Math.max(1, maxChars - 1)
  const head = text.slice(0, limit + 1)
  const at = head.lastIndexOf(' ')
  let cut = at > limit * 0.6 ? head.slice(0, at) : text.slice(0, limit)
  // A lone surrogate half is invalid XML and would break the feeds.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  return `${cut.replace(/[\s,;:.–—-]+$/, '')}…`
}

/** Removes characters XML 1.0 forbids (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates). */
export function stripInvalidXmlChars (s: string): string {
  // eslint-disable-next-line no-control-regex -- these control characters are what it removes
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml (s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c] as string))
}
