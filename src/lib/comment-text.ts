import { escapeHtml, stripInvalidXmlChars } from './text.js'

// Comments are plain text: everything is escaped, blank lines make paragraphs, single line
// breaks <br>, and http(s) URLs (and www. hosts) become links with rel="nofollow ugc".
// The look-behind keeps 'xhttp://…', 'me@www.…' and 'a.www.…' from being linked mid-word.
const URL_RE = /(?<![\p{L}\p{N}_@./:+-])(?:https?:\/\/|www\.)[^\s<>"'`\p{Cc}\p{Cf}]+/giu
const VALID_URL = /^(?:https?:\/\/[\p{L}\p{N}[]|www\.[\p{L}\p{N}-]+\.[\p{L}\p{N}])/iu
const TRAILING = new Set(['.', ',', ';', ':', '!', '?', '*', '_', '~', '’', '”'])
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' }
// C1 controls and DEL, and the bidi embeddings, overrides and isolates that can reorder the
// text around a comment; marks (LRM/RLM) and joiners stay, since real scripts need them.
const UNWANTED = /[\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]/g

// Punctuation that ends a sentence is not part of the URL before it, and neither is a closing
// bracket without its opening one, but the ')' of 'wiki/Foo_(bar)' is.
function trimTrailing (url: string): string {
  const counts = new Map<string, number>()
  const n = (c: string): number => counts.get(c) ?? 0
  for (const c of url) counts.set(c, n(c) + 1)
  let end = url.length
  while (end > 0) {
    const c = url[end - 1] as string
    const opener = CLOSERS[c]
    const unbalanced = opener !== undefined && n(opener) < n(c)
    if (!unbalanced && !TRAILING.has(c)) break
    counts.set(c, n(c) - 1)
    end--
  }
  return url.slice(0, end)
}

function linkify (line: string): { html: string, links: number } {
  let html = ''
  let links = 0
  let last = 0
  for (const match of line.matchAll(URL_RE)) {
    const url = trimTrailing(match[0])
    if (!VALID_URL.test(url)) continue
    const href = /^www\./i.test(url) ? `https://${url}` : url
    if (!URL.canParse(href)) continue
    html += escapeHtml(line.slice(last, match.index))
    html += `<a href="${escapeHtml(href)}" rel="nofollow ugc">${escapeHtml(url)}</a>`
    links++
    last = match.index + url.length
  }
  html += escapeHtml(line.slice(last))
  return { html, links }
}

/** Plain comment text → safe HTML (p, br, a only) and the number of links found. */
export function formatCommentText (text: string): { html: string, links: number } {
  const clean = stripInvalidXmlChars(text).replace(UNWANTED, '').replace(/\r\n?/g, '\n').trim()
  let links = 0
  const paragraphs = clean.split(/\n[ \t]*\n+/).map((p) => p.trim()).filter(Boolean).map((p) => {
    const lines = p.split('\n').map((line) => {
      const out = linkify(line)
      links += out.links
      return out.html
    })
    return `<p>${lines.join('<br>')}</p>`
  })
  return { html: paragraphs.join('\n'), links }
}

/** Number of links a plain text would get. */
export function countLinks (text: string): number {
  return formatCommentText(text).links
}
