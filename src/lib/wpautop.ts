// WordPress stores classic-editor bodies without paragraph tags and formats them on display
// with wpautop() (wp-includes/formatting.php); block-editor bodies are HTML already, wrapped in
// <!-- wp:… --> comments, and WordPress skips wpautop() for them. These ports turn an exported
// body into the HTML WordPress would have shown, before it is sanitized elsewhere.

const ALL_BLOCKS = '(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)'
const OPEN_BLOCK = new RegExp(`(<${ALL_BLOCKS}[\\s/>])`, 'g')
const CLOSE_BLOCK = new RegExp(`(</${ALL_BLOCKS}>)`, 'g')
const P_AROUND_BLOCK = new RegExp(`<p>\\s*(</?${ALL_BLOCKS}[^>]*>)\\s*</p>`, 'g')
const P_BEFORE_BLOCK = new RegExp(`<p>\\s*(</?${ALL_BLOCKS}[^>]*>)`, 'g')
const P_AFTER_BLOCK = new RegExp(`(</?${ALL_BLOCKS}[^>]*>)\\s*</p>`, 'g')
const BR_AFTER_BLOCK = new RegExp(`(</?${ALL_BLOCKS}[^>]*>)\\s*<br />`, 'g')
const BLOCK_COMMENT = /<!--\s+\/?wp:[a-z][\s\S]*?-->\n?/g
const NL = '\u0000wpnl\u0000'

/** True when the body was written in the block editor (Gutenberg). */
export function hasBlocks (text: string): boolean {
  return /<!--\s+wp:[a-z]/.test(text)
}

/**
 * Paragraphs and line breaks for WordPress-style text, as WordPress's wpautop() makes them:
 * blank lines become <p>, single line breaks <br />, block-level elements are not wrapped and
 * <pre> is kept as written. Block-editor bodies only lose their <!-- wp:… --> comments.
 */
export function wpautop (input: string): string {
  if (hasBlocks(input)) return input.replace(BLOCK_COMMENT, '').trim()
  if (input.trim() === '') return ''
  let text = `${input}\n`
  const pres: string[] = []
  if (text.includes('<pre')) {
    const parts = text.split('</pre>')
    const last = parts.pop() as string
    text = ''
    for (const part of parts) {
      const start = part.indexOf('<pre')
      if (start === -1) {
        text += part
        continue
      }
      text += `${part.slice(0, start)}<pre wp-pre-tag-${pres.length}></pre>`
      pres.push(`${part.slice(start)}</pre>`)
    }
    text += last
  }
  text = text.replace(/<br\s*\/?>\s*<br\s*\/?>/g, '\n\n')
  text = text.replace(OPEN_BLOCK, '\n\n$1')
  text = text.replace(CLOSE_BLOCK, '$1\n\n')
  text = text.replace(/(<hr\s*?\/?>)/g, '$1\n\n')
  text = text.replace(/\r\n?/g, '\n')
  // Newlines inside a tag (between attributes) must not become paragraphs or <br />.
  text = text.replace(/<[^<>]*>/g, (tag) => tag.replace(/\n/g, NL))
  if (text.includes('<option')) {
    text = text.replace(/\s*<option/g, '<option').replace(/<\/option>\s*/g, '</option>')
  }
  if (text.includes('</object>')) {
    text = text.replace(/(<object[^>]*>)\s*/g, '$1').replace(/\s*<\/object>/g, '</object>').replace(/\s*(<\/?(?:param|embed)[^>]*>)\s*/g, '$1')
  }
  if (text.includes('<source') || text.includes('<track')) {
    text = text.replace(/([<[](?:audio|video)[^>\]]*[>\]])\s*/g, '$1').replace(/\s*([<[]\/(?:audio|video)[>\]])/g, '$1').replace(/\s*(<(?:source|track)[^>]*>)\s*/g, '$1')
  }
  if (text.includes('<figcaption')) {
    text = text.replace(/\s*(<figcaption[^>]*>)/g, '$1').replace(/<\/figcaption>\s*/g, '</figcaption>')
  }
  text = text.replace(/\n\n+/g, '\n\n')
  text = text.split(/\n\s*\n/).filter((p) => p !== '').map((p) => `<p>${p.replace(/^\n+|\n+$/g, '')}</p>\n`).join('')
  text = text.replace(/<p>\s*<\/p>/g, '')
  text = text.replace(/<p>([^<]+)<\/(div|address|form)>/g, '<p>$1</p></$2>')
  text = text.replace(P_AROUND_BLOCK, '$1')
  text = text.replace(/<p>(<li.+?)<\/p>/g, '$1')
  text = text.replace(/<p><blockquote([^>]*)>/gi, '<blockquote$1><p>')
  text = text.replace(/<\/blockquote><\/p>/g, '</p></blockquote>')
  text = text.replace(P_BEFORE_BLOCK, '$1')
  text = text.replace(P_AFTER_BLOCK, '$1')
  // Code-like elements keep their line breaks as they are.
  text = text.replace(/<(script|style|svg|math)[\s\S]*?<\/\1>/g, (m) => m.replace(/\n/g, '<WPPreserveNewline />'))
  text = text.replace(/<br>|<br\/>/g, '<br />')
  text = text.replace(/(?<!<br \/>)\s*\n/g, '<br />\n')
  text = text.replace(/<WPPreserveNewline \/>/g, '\n')
  text = text.replace(BR_AFTER_BLOCK, '$1')
  text = text.replace(/<br \/>(\s*<\/?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)/g, '$1')
  text = text.replace(/\n<\/p>$/g, '</p>')
  text = text.replace(/<pre wp-pre-tag-(\d+)><\/pre>/g, (_m, i: string) => pres[Number(i)])
  return text.split(NL).join('\n').trim()
}

const ATTR = /([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'\]]+))/g

function attrs (text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of text.matchAll(ATTR)) out[m[1].toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? ''
  return out
}

function escapeHtml (s: string): string {
  return s.replace(/&(?!(?:#\d+|#x[\da-f]+|[a-z][a-z\d]*);)/gi, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function link (url: string | undefined): string {
  const u = url?.trim().replace(/&amp;/g, '&') ?? ''
  if (!/^https?:\/\/[^\s<>"]+$/i.test(u)) return ''
  return `<p><a href="${escapeHtml(u)}">${escapeHtml(u)}</a></p>`
}

// Shortcodes that stand for an embedded player: rendered as a plain link to the media.
const MEDIA = 'youtube|vimeo|video|audio|videopress|wpvideo|soundcloud|dailymotion|ted|tweet|twitter|instagram|spotify'

/**
 * WordPress shortcodes, after wpautop() as in WordPress: [caption] becomes a <figure> with a
 * <figcaption>, [embed] and media shortcodes ([youtube url], [video src=…]) a link, [gallery]
 * and other unknown self-closing shortcodes disappear, unknown enclosing shortcodes keep
 * their content, and [[foo]] is the escaped literal "[foo]". Code in <pre> and <code> is left alone.
 */
export function renderShortcodes (html: string): string {
  const kept: string[] = []
  const keep = (s: string) => {
    kept.push(s)
    return `\u0000${kept.length - 1}\u0000`
  }
  let text = html.replace(/<(pre|code)\b[\s\S]*?<\/\1>/gi, keep)
  text = text.replace(/\[\[([a-z][\w-]*)([^\]]*)\]([\s\S]*?)\[\/\1\]\]/gi, (m) => keep(m.slice(1, -1)))
  text = text.replace(/\[\[([^[\]]*)\]\]/g, (_m, inner: string) => keep(`[${inner}]`))
  // Like shortcode_unautop(): a shortcode alone in a paragraph is not wrapped by it.
  text = text.replace(/<p>\s*(\[(caption|embed|gallery|playlist|audio|video)\b[^\]]*\](?:[\s\S]*?\[\/\2\])?)\s*<\/p>/gi, '$1')
  text = text.replace(/\[(caption|wp_caption)\b([^\]]*)\]([\s\S]*?)\[\/\1\]/gi, (_m, _n: string, a: string, inner: string) => {
    const media = /<a\b[^>]*>\s*<img\b[^>]*>\s*<\/a>|<img\b[^>]*>/i.exec(inner)?.[0] ?? ''
    const caption = inner.replace(media, '').replace(/^\s*(?:<br \/>\s*)+|(?:\s*<br \/>)+\s*$/g, '').trim() || escapeHtml(attrs(a).caption ?? '')
    return `<figure>${media}${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`
  })
  text = text.replace(/\[embed\b[^\]]*\]([\s\S]*?)\[\/embed\]/gi, (_m, url: string) => link(url))
  text = text.replace(new RegExp(`\\[(${MEDIA})(?:=|\\s+)?([^\\]]*)\\](?:([^[]*)\\[\\/\\1\\])?`, 'gi'), (_m, _n: string, rest: string, enclosed: string | undefined) => {
    const a = attrs(rest)
    const url = a.src ?? a.url ?? a.mp4 ?? a.mp3 ?? a.webm ?? a.ogg ?? a.m4a ?? /https?:\/\/[^\s"'\]]+/.exec(rest)?.[0] ?? /https?:\/\/[^\s"'<]+/.exec(enclosed ?? '')?.[0]
    return link(url)
  })
  // Unknown enclosing shortcodes keep their content (innermost first, so nesting unwinds).
  for (let i = 0; i < 10; i++) {
    const next = text.replace(/\[([a-z][\w-]*)(\s[^\]]*)?\]((?:(?!\[\1[\s\]])[\s\S])*?)\[\/\1\]/gi, '$3')
    if (next === text) break
    text = next
  }
  text = text.replace(/\[\/?[a-z][\w-]*(?:\s[^\]]*)?\/?\]/gi, '')
  // What removed shortcodes leave behind: empty paragraphs and the blank lines around them.
  text = text.replace(/<p>\s*<\/p>\n?/g, '').replace(/^\n+/, '').replace(/\n{3,}/g, '\n\n')
  return text.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => kept[Number(i)])
}
