import { sanitizeHtml } from './lazy.js'

const BLOCKS = ['p', 'div', 'br', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'blockquote', 'pre', 'tr', 'td', 'th', 'figcaption', 'dt', 'dd', 'hr', 'section', 'article', 'header', 'footer']

/** Visible text of HTML: tags dropped, entities decoded, blocks separated, whitespace collapsed. */
export function htmlToText (html: string): string {
  // Mark block boundaries so words of adjacent paragraphs do not run together.
  const spaced = html.replace(new RegExp(`</?(${BLOCKS.join('|')})(\\s[^>]*)?/?>`, 'gi'), ' $& ')
  const text = sanitizeHtml(spaced, { allowedTags: [], allowedAttributes: {}, nonTextTags: ['script', 'style', 'textarea', 'noscript', 'title'] })
  return decodeEntities(text).replace(/\s+/g, ' ').trim()
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', copy: '©', reg: '®', trade: '™', euro: '€', pound: '£' }

function decodeEntities (s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
    }
    return NAMED[name.toLowerCase()] ?? whole
  })
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
  const text = htmlToText(html)
  if (text.length <= maxChars) return text
  const cut = text.slice(0, maxChars)
  const at = cut.lastIndexOf(' ')
  return `${(at > maxChars * 0.6 ? cut.slice(0, at) : cut).replace(/[\s,;:.–—-]+$/, '')}…`
}

/** Removes characters XML 1.0 forbids (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates). */
export function stripInvalidXmlChars (s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml (s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c] as string))
}
