import { randomBytes } from 'node:crypto'

// WordPress's two markers inside a post body: `<!--more-->` (where the teaser ends; WordPress
// shows the part before it in lists, with an optional link text: `<!--more Read on-->`) and
// `<!--nextpage-->` (a page break of a multi-page post). They are HTML comments, which a
// sanitizer drops with every other comment; these two are kept, exactly in these forms, so a
// body imported from WordPress (or exported back to it) keeps its teaser and its pages, and a
// frontend can split on them. Nothing else of a comment survives: a marker is rebuilt from its
// name and a checked link text, never copied.

const MARKER = /<!--(more|nextpage|noteaser)(\s[^<>]*?)?\s*-->/gi
// A link text WordPress would show: letters, digits, spaces and common punctuation.
const LINK_TEXT = /^[\p{L}\p{N}\p{Zs}.,:;!?'’"…()&/]{1,200}$/u

/** The canonical form of a marker: its name, and for more a link text WordPress would show. */
function canonical (name: string, text: string | undefined): string {
  const n = name.toLowerCase()
  const t = (text ?? '').trim()
  return n === 'more' && t !== '' && LINK_TEXT.test(t) && !t.includes('--') ? `<!--more ${t}-->` : `<!--${n}-->`
}

/** Where a body's more marker (the teaser split) starts, or -1. */
export function moreMarkerAt (html: string): number {
  return html.search(/<!--more(?:\s[^<>]*?)?\s*-->/i)
}

/**
 * Runs `transform` (a sanitizer) over `html` with the markers kept: each is replaced by a
 * placeholder no input can contain (a random nonce per call), then put back in its canonical
 * form where it stands in text; a placeholder that ended up inside a tag (an attribute value)
 * is removed.
 */
export function keepPageMarkers (html: string, transform: (html: string) => string): string {
  if (!html.includes('<!--')) return transform(html)
  const nonce = randomBytes(6).toString('hex')
  const kept: string[] = []
  const protectedHtml = html.replace(MARKER, (_m, name: string, text: string | undefined) => {
    kept.push(canonical(name, text))
    return `\uE000${nonce}:${kept.length - 1}\uE000`
  })
  if (kept.length === 0) return transform(html)
  const placeholder = new RegExp(`\uE000${nonce}:(\\d+)\uE000`, 'g')
  // Sanitized output escapes ">" in attribute values, so a tag is "<" to the next ">".
  return transform(protectedHtml).split(/(<[^>]*>)/).map((part) => part.startsWith('<')
    ? part.replace(placeholder, '')
    : part.replace(placeholder, (_m, i: string) => kept[Number(i)])).join('')
    .replace(MARKER_PARAGRAPH, '$1')
}

// A marker alone in a paragraph is a marker between paragraphs.
const MARKER_PARAGRAPH = /<p>\s*(<!--(?:more|nextpage|noteaser)[^<>]*-->)\s*<\/p>/g

/** `html` with the paragraphs that hold only a marker unwrapped, as sanitizing leaves them. */
export function unwrapMarkers (html: string): string {
  return html.includes('<!--') ? html.replace(MARKER_PARAGRAPH, '$1') : html
}
