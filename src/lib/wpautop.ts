// WordPress stores post bodies without paragraph tags and formats them on display with
// wpautop(). These ports of its essentials turn an exported body into real HTML before it is
// sanitized: blank lines become paragraphs, single line breaks <br />, block elements are
// left unwrapped, <pre> is kept as written; Gutenberg block comments are dropped (the HTML
// inside them stays); shortcodes are rendered or removed.

const BLOCKS = '(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|iframe|video|audio|object|embed)'

/** Paragraphs and line breaks for WordPress-style text, like WordPress's wpautop(). */
export function wpautop (input: string): string {
  let text = input.replace(/<!--\s*\/?wp:[\s\S]*?-->/g, '').replace(/\r\n?/g, '\n')
  if (text.trim() === '') return ''
  const pres: string[] = []
  text = text.replace(/<pre[\s>][\s\S]*?<\/pre>/gi, (block) => {
    pres.push(block)
    return `<pre wp-pre-tag-${pres.length - 1}></pre>`
  })
  text = `${text}\n`
  text = text.replace(/<br\s*\/?>\s*<br\s*\/?>/gi, '\n\n')
  text = text.replace(new RegExp(`(<${BLOCKS}[\\s/>])`, 'gi'), '\n\n$1')
  text = text.replace(new RegExp(`(</${BLOCKS}>)`, 'gi'), '$1\n\n')
  text = text.replace(/\n\n+/g, '\n\n')
  const paragraphs = text.split(/\n\s*\n/).filter((p) => p.trim() !== '')
  text = paragraphs.map((p) => `<p>${p.replace(/^\n+|\n+$/g, '')}</p>\n`).join('')
  text = text.replace(/<p>\s*<\/p>/g, '')
  text = text.replace(/<p>([^<]+)<\/(div|address|form)>/gi, '<p>$1</p></$2>')
  text = text.replace(new RegExp(`<p>\\s*(</?${BLOCKS}[^>]*>)\\s*</p>`, 'gi'), '$1')
  text = text.replace(/<p>(<li[\s\S]+?)<\/p>/gi, '$1')
  text = text.replace(/<p><blockquote([^>]*)>/gi, '<blockquote$1><p>')
  text = text.replace(/<\/blockquote><\/p>/gi, '</p></blockquote>')
  text = text.replace(new RegExp(`<p>\\s*(</?${BLOCKS}[^>]*>)`, 'gi'), '$1')
  text = text.replace(new RegExp(`(</?${BLOCKS}[^>]*>)\\s*</p>`, 'gi'), '$1')
  // Single line breaks inside paragraphs, but not right after a block tag.
  text = text.replace(/<p>([\s\S]*?)<\/p>/g, (_whole, inner: string) => `<p>${inner.replace(/(?<!<br \/>)\s*\n/g, '<br />\n')}</p>`)
  text = text.replace(new RegExp(`(</?${BLOCKS}[^>]*>)\\s*<br />`, 'gi'), '$1')
  text = text.replace(/<br \/>(\s*<\/?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)/gi, '$1')
  text = text.replace(/\n<\/p>$/g, '</p>')
  text = text.replace(/<pre wp-pre-tag-(\d+)><\/pre>/g, (_whole, i: string) => pres[Number(i)])
  return text.trim()
}

const ATTR = /(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))/g

function attrs (text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of text.matchAll(ATTR)) out[m[1].toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? ''
  return out
}

function escape (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/**
 * WordPress shortcodes: [caption] becomes a <figure>, [embed] and [youtube]/[video] links,
 * [gallery], [audio] and other unknown self-closing shortcodes disappear, and unknown
 * enclosing shortcodes keep their content. [[foo]] is an escaped literal "[foo]".
 */
export function renderShortcodes (html: string): string {
  const escaped: string[] = []
  let text = html.replace(/\[\[([^[\]]+)\]\]/g, (_whole, inner: string) => {
    escaped.push(`[${inner}]`)
    return `\u0000${escaped.length - 1}\u0000`
  })
  text = text.replace(/\[caption([^\]]*)\]([\s\S]*?)\[\/caption\]/gi, (_whole, a: string, inner: string) => {
    const media = /<a\b[^>]*>\s*<img\b[^>]*>\s*<\/a>|<img\b[^>]*>/i.exec(inner)?.[0] ?? ''
    const caption = (inner.replace(media, '').trim() || attrs(a).caption) ?? ''
    return `<figure>${media}${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`
  })
  text = text.replace(/\[embed[^\]]*\]([\s\S]*?)\[\/embed\]/gi, (_whole, url: string) => {
    const u = url.trim()
    return /^https?:\/\//i.test(u) ? `<p><a href="${escape(u)}">${escape(u)}</a></p>` : ''
  })
  text = text.replace(/\[(youtube|vimeo|video)\s+([^\]]*)\]/gi, (_whole, _name: string, rest: string) => {
    const a = attrs(rest)
    const url = a.src ?? a.url ?? a.mp4 ?? /https?:\/\/\S+/.exec(rest)?.[0]?.replace(/["']$/, '')
    return url ? `<p><a href="${escape(url)}">${escape(url)}</a></p>` : ''
  })
  // Unknown enclosing shortcodes keep their content; then self-closing ones go.
  for (let i = 0; i < 5; i++) {
    const next = text.replace(/\[([a-z][\w-]*)(\s[^\]]*)?\]([\s\S]*?)\[\/\1\]/gi, '$3')
    if (next === text) break
    text = next
  }
  text = text.replace(/\[\/?[a-z][\w-]*(\s[^\]]*)?\/?\]/gi, '')
  return text.replace(/\u0000(\d+)\u0000/g, (_whole, i: string) => escaped[Number(i)])
}
