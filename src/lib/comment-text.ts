import { escapeHtml, stripInvalidXmlChars } from './text.js'

// Comments are plain text: everything is escaped, blank lines make paragraphs, single line
// breaks <br>, and http(s) URLs (and www. hosts) become links with rel="nofollow ugc".
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi
const TRAILING = /[.,;:!?)\]}'"’”]+$/

function linkify (line: string): { html: string, links: number } {
  let html = ''
  let links = 0
  let last = 0
  for (const match of line.matchAll(URL_RE)) {
    let url = match[0]
    const trail = TRAILING.exec(url)?.[0] ?? ''
    // Keep a closing parenthesis that belongs to the URL, as in Wikipedia links.
    if (trail) url = url.slice(0, -trail.length)
    const start = match.index
    html += escapeHtml(line.slice(last, start))
    const href = /^www\./i.test(url) ? `https://${url}` : url
    html += `<a href="${escapeHtml(href)}" rel="nofollow ugc">${escapeHtml(url)}</a>`
    links++
    last = start + url.length
  }
  html += escapeHtml(line.slice(last))
  return { html, links }
}

/** Plain comment text → safe HTML (p, br, a only) and the number of links found. */
export function formatCommentText (text: string): { html: string, links: number } {
  const clean = stripInvalidXmlChars(text).replace(/\r\n?/g, '\n').trim()
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
