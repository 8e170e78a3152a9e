// Turning any user text into a safe FTS5 query. Every word becomes a quoted string, so FTS5
// syntax in the input (AND, OR, NOT, NEAR(, column:, *, ^, quotes) is just text to match;
// the words are ANDed, and the last one matches as a prefix so results follow typing.

const MAX_TERMS = 16
const MAX_TERM_LENGTH = 64

/** The words of a search text, Unicode-aware; punctuation and emoji are separators. */
export function searchTerms (text: string): string[] {
  const words = text.normalize('NFKC').match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu) ?? []
  return words.slice(0, MAX_TERMS).map((w) => w.slice(0, MAX_TERM_LENGTH).replace(/['’]/g, ''))
}

/** An FTS5 MATCH expression for the text, or null when it has no searchable word. */
export function toFtsQuery (text: string): string | null {
  const terms = searchTerms(text)
  if (terms.length === 0) return null
  return terms.map((term, i) => {
    const quoted = `"${term.replace(/"/g, '""')}"`
    return i === terms.length - 1 && term.length >= 2 ? `${quoted}*` : quoted
  }).join(' ')
}

const OPEN = '\u0002'
const CLOSE = '\u0003'
export const SNIPPET_MARKERS = { open: OPEN, close: CLOSE }

/** Escapes a snippet made with SNIPPET_MARKERS and turns the markers into <mark>. */
export function snippetHtml (raw: string): string {
  return raw
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c] as string))
    .replaceAll(OPEN, '<mark>')
    .replaceAll(CLOSE, '</mark>')
}
