/* eslint-disable no-control-regex -- U+0000 to U+0002 are this file's placeholders and marks: HTML cannot contain them */
// WordPress stores classic-editor bodies without paragraph tags and formats them on display
// with wpautop() (wp-includes/formatting.php); block-editor bodies are HTML already, wrapped in
// <!-- wp:… --> comments, and WordPress skips wpautop() for them. These ports turn an exported
// body into the HTML WordPress would have shown, before it is sanitized elsewhere.
//
// Exports are untrusted, so every step runs in time linear in the text. WordPress's patterns
// (and PHP's PCRE) retry from every position: `\s*<option` scans the rest of a run of spaces
// from each space in it, and `<object[^>]*>` the rest of the text from each "<object" when no
// ">" follows (80,000 spaces took 10 s). Each such pattern here is either anchored to the
// start of its run with a lookbehind, applied only where a match is still possible, or
// written out with indexOf; each gives exactly what the pattern it replaces gives.

const ALL_BLOCKS = '(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)'
const OPEN_BLOCK = new RegExp(`(<${ALL_BLOCKS}[\\s/>])`, 'g')
const CLOSE_BLOCK = new RegExp(`(</${ALL_BLOCKS}>)`, 'g')
// Each scan of `[^>]*` in these stops at the ">" of the next "<p>" or "<br />" it could start
// from, so no text is scanned twice.
const P_AROUND_BLOCK = new RegExp(`<p>\\s*(</?${ALL_BLOCKS}[^>]*>)\\s*</p>`, 'g')
const P_BEFORE_BLOCK = new RegExp(`<p>\\s*(</?${ALL_BLOCKS}[^>]*>)`, 'g')
const BLOCK_TAG_START = new RegExp(`</?${ALL_BLOCKS}`, 'g')
const NL = '\u0000wpnl\u0000'
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/g

/** True when the body was written in the block editor (Gutenberg). */
export function hasBlocks (text: string): boolean {
  return /<!--\s+wp:[a-z]/.test(text)
}

function isSpace (ch: string | undefined): boolean {
  return ch !== undefined && /\s/.test(ch)
}

/**
 * Applies `replace` to the text up to its last `stops` character and the whitespace after it.
 * For the patterns it is used with (a tag up to its ">" and optional spaces), a match needs a
 * stop character after its start, so none is lost; inside the head every start that matches
 * the opening matches in full, so `[^>]*` never rescans text.
 */
function upToLast (text: string, stops: string, replace: (head: string) => string): string {
  let end = -1
  for (const c of stops) end = Math.max(end, text.lastIndexOf(c))
  if (end === -1) return text
  end++
  while (isSpace(text[end])) end++
  return replace(text.slice(0, end)) + text.slice(end)
}

/**
 * `/(</?BLOCK[^>]*>)SUFFIX/g` → '$1'. Every start before the same ">" ends its tag there and
 * meets the same suffix, so after one fails the search goes on past that ">".
 */
function dropAfterBlockTag (text: string, suffix: RegExp): string {
  let out = ''
  let copied = 0
  let from = 0
  for (;;) {
    BLOCK_TAG_START.lastIndex = from
    const start = BLOCK_TAG_START.exec(text)
    if (start === null) break
    const close = text.indexOf('>', start.index + 1)
    if (close === -1) break
    suffix.lastIndex = close + 1
    if (suffix.exec(text) !== null) {
      out += text.slice(copied, close + 1)
      copied = from = suffix.lastIndex
    } else {
      from = close + 1
    }
  }
  return out + text.slice(copied)
}

/**
 * `/<p>(<li.+?)<\/p>/g` → '$1'. The lazy `.+?` stops at a line break, so when it fails
 * every later start on the same line fails too; the next "</p>" and line break are
 * remembered instead of searched for again from each start.
 */
function unwrapListItems (text: string): string {
  let out = ''
  let copied = 0
  let from = 0
  let close = -2
  let lineEnd = -2
  for (;;) {
    const start = text.indexOf('<p><li', from)
    if (start === -1) break
    const body = start + 6
    if (close < body + 1) close = text.indexOf('</p>', body + 1)
    if (close === -1) break
    if (lineEnd !== Infinity && lineEnd < body) {
      LINE_TERMINATOR.lastIndex = body
      lineEnd = LINE_TERMINATOR.exec(text)?.index ?? Infinity
    }
    if (lineEnd < close) {
      from = lineEnd + 1
      continue
    }
    out += text.slice(copied, start) + text.slice(start + 3, close)
    copied = from = close + 4
  }
  return out + text.slice(copied)
}

/**
 * `/<(script|style|svg|math)[\s\S]*?<\/\1>/g` with `fn` applied to each match. The closing tag
 * of each name is looked for once, not again from every later opening.
 */
function replaceCodeElements (text: string, fn: (element: string) => string): string {
  return replaceElements(text, text, /<(script|style|svg|math)/g, fn)
}

/**
 * Each element that `starts` finds (its first group the tag name), through its closing tag,
 * replaced by `fn` of it. Tags are looked for in `search`, the text itself or a copy of the same
 * length (lower-cased, for a match that ignores case); the closing tag of each name is looked
 * for once, not again from every later opening.
 */
function replaceElements (text: string, search: string, starts: RegExp, fn: (element: string) => string): string {
  const closes = new Map<string, number>()
  let out = ''
  let copied = 0
  for (let m = starts.exec(search); m !== null; m = starts.exec(search)) {
    const name = m[1]
    const after = m.index + m[0].length
    let close = closes.get(name) ?? -2
    if (close !== -1 && close < after) {
      close = search.indexOf(`</${name}>`, after)
      closes.set(name, close)
    }
    if (close === -1) continue
    const end = close + name.length + 3
    out += text.slice(copied, m.index) + fn(text.slice(m.index, end))
    copied = end
    starts.lastIndex = end
  }
  return out + text.slice(copied)
}

/** `/<!--\s+\/?wp:[a-z][\s\S]*?-->\n?/g` removed; with no "-->" left, nothing later can match. */
function stripBlockComments (text: string): string {
  const head = /<!--\s+\/?wp:[a-z]/g
  let out = ''
  let copied = 0
  let close = -2
  for (let m = head.exec(text); m !== null; m = head.exec(text)) {
    const after = m.index + m[0].length
    if (close < after) close = text.indexOf('-->', after)
    if (close === -1) break
    let end = close + 3
    if (text[end] === '\n') end++
    out += text.slice(copied, m.index)
    copied = end
    head.lastIndex = end
  }
  return out + text.slice(copied)
}

/**
 * Paragraphs and line breaks for WordPress-style text, as WordPress's wpautop() makes them:
 * blank lines become <p>, single line breaks <br />, block-level elements are not wrapped and
 * <pre> is kept as written. Block-editor bodies only lose their <!-- wp:… --> comments.
 */
export function wpautop (input: string): string {
  if (hasBlocks(input)) return stripBlockComments(input).trim()
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
  // `(?!(?<=\s)\s)\s*X`: a run of spaces is tried from its first space only (and X where it stands);
  // the other spaces of the run could only reach the same X, and WordPress's `\s*X` tried each.
  if (text.includes('<option')) {
    text = text.replace(/(?!(?<=\s)\s)\s*<option/g, '<option').replace(/<\/option>\s*/g, '</option>')
  }
  if (text.includes('</object>')) {
    text = upToLast(text, '>', (head) => head.replace(/(<object[^>]*>)\s*/g, '$1'))
    text = text.replace(/(?!(?<=\s)\s)\s*<\/object>/g, '</object>')
    text = upToLast(text, '>', (head) => head.replace(/(?!(?<=\s)\s)\s*(<\/?(?:param|embed)[^>]*>)\s*/g, '$1'))
  }
  if (text.includes('<source') || text.includes('<track')) {
    text = upToLast(text, '>]', (head) => head.replace(/([<[](?:audio|video)[^>\]]*[>\]])\s*/g, '$1'))
    text = text.replace(/(?!(?<=\s)\s)\s*([<[]\/(?:audio|video)[>\]])/g, '$1')
    text = upToLast(text, '>', (head) => head.replace(/(?!(?<=\s)\s)\s*(<(?:source|track)[^>]*>)\s*/g, '$1'))
  }
  if (text.includes('<figcaption')) {
    text = upToLast(text, '>', (head) => head.replace(/(?!(?<=\s)\s)\s*(<figcaption[^>]*>)/g, '$1'))
    text = text.replace(/<\/figcaption>\s*/g, '</figcaption>')
  }
  text = text.replace(/\n\n+/g, '\n\n')
  text = text.split(/\n\s*\n/).filter((p) => p !== '').map((p) => `<p>${p.replace(/^\n+|\n+$/g, '')}</p>\n`).join('')
  text = text.replace(/<p>\s*<\/p>/g, '')
  text = text.replace(/<p>([^<]+)<\/(div|address|form)>/g, '<p>$1</p></$2>')
  text = text.replace(P_AROUND_BLOCK, '$1')
  text = unwrapListItems(text)
  text = text.replace(/<p><blockquote([^>]*)>/gi, '<blockquote$1><p>')
  text = text.replace(/<\/blockquote><\/p>/g, '</p></blockquote>')
  text = text.replace(P_BEFORE_BLOCK, '$1')
  text = dropAfterBlockTag(text, /\s*<\/p>/y)
  // Code-like elements keep their line breaks as they are.
  text = replaceCodeElements(text, (m) => m.replace(/\n/g, '<WPPreserveNewline />'))
  text = text.replace(/<br>|<br\/>/g, '<br />')
  // WordPress's `(?<!<br />)\s*\n`: it starts a run at its first space, or at the second when
  // the first follows "<br />"; later starts in the run could not match once those failed.
  text = text.replace(/(?:(?<!<br \/>)(?<!\s)|(?<=<br \/>\s))\s*\n/g, '<br />\n')
  text = text.replace(/<WPPreserveNewline \/>/g, '\n')
  text = dropAfterBlockTag(text, /\s*<br \/>/y)
  text = text.replace(/<br \/>(\s*<\/?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)/g, '$1')
  text = text.replace(/\n<\/p>$/g, '</p>')
  text = text.replace(/<pre wp-pre-tag-(\d+)><\/pre>/g, (_m, i: string) => pres[Number(i)])
  return text.split(NL).join('\n').trim()
}

// Attribute names start after a character that cannot be part of one: a word is tried once,
// not again from each of its letters.
const ATTR = /(?<![\w-])([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'\]]+))/g

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
const MEDIA = new Set(['youtube', 'vimeo', 'video', 'audio', 'videopress', 'wpvideo', 'soundcloud', 'dailymotion', 'ted', 'tweet', 'twitter', 'instagram', 'spotify'])
// Like shortcode_unautop(): these, alone in a paragraph, are not wrapped by it.
const BLOCK_SHORTCODES = new Set(['caption', 'embed', 'gallery', 'playlist', 'audio', 'video', 'youtube', 'vimeo'])
// Marks around the output of a block shortcode, so a paragraph holding only it can be found.
const MARK_OPEN = '\u0001'
const MARK_CLOSE = '\u0002'

/** Letters A–Z lowered, every other character kept: same length, so indexes carry over. */
function asciiLower (s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase())
}

interface ShortcodeTag {
  /** Lowercase name. */
  name: string
  closing: boolean
  /** What follows the name, up to the "]" (a leading "=" or spaces included). */
  attrs: string
  selfClosing: boolean
  raw: string
}
type Token = string | ShortcodeTag

/**
 * Shortcodes and the escaped forms `[[foo]]` and `[[foo]…[/foo]]` (kept literally) in order.
 * A tag is `[name]`, `[name/]`, `[name attrs]` (spaces after the name; `=` too for media
 * shortcodes) or `[/name…]`; anything else is text. The next "]" and each escaped closing
 * tag are looked up once and remembered, so no part of the text is scanned twice.
 */
function tokenize (text: string, keep: (s: string) => string): Token[] {
  const lower = asciiLower(text)
  const tokens: Token[] = []
  const name = /[a-z][\w-]*/y
  const escapedEnds = new Map<string, number>()
  let copied = 0
  let bracket = -2
  const nextBracket = (from: number): number => {
    if (bracket !== -1 && bracket < from) bracket = text.indexOf(']', from)
    return bracket
  }
  // Adjacent text (an escaped literal beside plain text) is one token, as it is one run of text.
  const push = (token: Token) => {
    const last = tokens.length - 1
    if (typeof token === 'string' && typeof tokens[last] === 'string') tokens[last] = (tokens[last] as string) + token
    else tokens.push(token)
  }
  const emit = (end: number, token: Token | null) => {
    if (end > copied) push(text.slice(copied, end))
    if (token !== null) push(token)
  }
  let i = text.indexOf('[')
  while (i !== -1) {
    if (text[i + 1] === '[') {
      // [[name attrs]content[/name]] is the literal "[name attrs]content[/name]".
      name.lastIndex = i + 2
      const n = name.exec(lower)?.[0]
      const closeBracket = nextBracket(i + 2)
      if (closeBracket === -1) break
      if (n !== undefined) {
        let end = escapedEnds.get(n) ?? -2
        if (end !== -1 && end < closeBracket + 1) {
          end = lower.indexOf(`[/${n}]]`, closeBracket + 1)
          escapedEnds.set(n, end)
        }
        if (end !== -1) {
          const stop = end + n.length + 4
          emit(i, keep(text.slice(i + 1, stop - 1)))
          copied = stop
          i = text.indexOf('[', stop)
          continue
        }
      }
      // [[anything]] is the literal "[anything]".
      let j = i + 2
      while (j < text.length && text[j] !== '[' && text[j] !== ']') j++
      if (text[j] === ']' && text[j + 1] === ']') {
        emit(i, keep(text.slice(i + 1, j + 1)))
        copied = j + 2
        i = text.indexOf('[', copied)
        continue
      }
      i = text.indexOf('[', i + 1)
      continue
    }
    const closing = text[i + 1] === '/'
    name.lastIndex = i + (closing ? 2 : 1)
    const n = name.exec(lower)?.[0]
    if (n === undefined) {
      i = text.indexOf('[', i + 1)
      continue
    }
    const at = name.lastIndex
    let end = -1
    let attrText = ''
    let selfClosing = false
    if (text[at] === ']') {
      end = at + 1
    } else if (text[at] === '/' && text[at + 1] === ']') {
      end = at + 2
      selfClosing = true
    } else if (isSpace(text[at]) || (text[at] === '=' && !closing && MEDIA.has(n))) {
      const close = nextBracket(at)
      if (close === -1) break
      attrText = text.slice(at, close)
      selfClosing = attrText.trimEnd().endsWith('/')
      end = close + 1
    }
    if (end === -1) {
      i = text.indexOf('[', i + 1)
      continue
    }
    emit(i, { name: n, closing, attrs: attrText, selfClosing, raw: text.slice(i, end) })
    copied = end
    i = text.indexOf('[', end)
  }
  emit(text.length, null)
  return tokens
}

function figure (attrText: string, inner: string): string {
  const media = /<a\b[^<>]*>\s*<img\b[^<>]*>\s*<\/a>|<img\b[^<>]*>/i.exec(inner)?.[0] ?? ''
  const caption = trimBreaks(inner.replace(media, '')) || escapeHtml(attrs(attrText).caption ?? '')
  return `<figure>${media}${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`
}

/** Leading and trailing spaces and <br />s removed, as a caption's text has them from wpautop(). */
function trimBreaks (s: string): string {
  let a = 0
  let b = s.length
  for (;;) {
    while (a < b && isSpace(s[a])) a++
    if (b - a >= 6 && s.startsWith('<br />', a)) a += 6
    else break
  }
  for (;;) {
    while (b > a && isSpace(s[b - 1])) b--
    if (b - a >= 6 && s.startsWith('<br />', b - 6)) b -= 6
    else break
  }
  return s.slice(a, b)
}

/** What renderShortcodes may be told: how to embed a media URL, and what to do about removed shortcodes. */
export interface ShortcodeOptions {
  /** The HTML for a media URL ([embed], [youtube …], [video src=…]), or null for a plain link. */
  embed?: (url: string) => string | null
  /** Called with the name of each shortcode removed (its content, if any, is kept). */
  onDrop?: (name: string) => void
}

function mediaUrl (tag: ShortcodeTag, enclosed: string | undefined): string | undefined {
  const rest = tag.attrs
  const a = attrs(rest)
  const url = a.src ?? a.url ?? a.mp4 ?? a.mp3 ?? a.webm ?? a.ogg ?? a.m4a ?? /https?:\/\/[^\s"'\]]+/.exec(rest)?.[0] ?? /https?:\/\/[^\s"'<]+/.exec(enclosed ?? '')?.[0]
  if (url !== undefined) return url
  // Jetpack's short forms name only the video: [youtube dQw4w9WgXcQ], [vimeo 76979871].
  const id = (rest.trim().replace(/^=/, '').split(/\s/)[0] || enclosed?.trim()) ?? ''
  if (tag.name === 'youtube' && /^[A-Za-z0-9_-]{11}$/.test(id)) return `https://www.youtube.com/watch?v=${id}`
  if (tag.name === 'vimeo' && /^\d{1,12}$/.test(id)) return `https://vimeo.com/${id}`
  return undefined
}

function embedOrLink (url: string | undefined, opts: ShortcodeOptions): string {
  const u = url?.trim().replace(/&amp;/g, '&')
  if (u !== undefined && opts.embed !== undefined && /^https?:\/\/[^\s<>"]+$/i.test(u)) {
    const html = opts.embed(u)
    if (html !== null) return html
  }
  return link(url)
}

/**
 * The tokens as HTML: captions become figures, embeds and media links, every other tag goes
 * and its content stays. Enclosing tags take the first closing tag of their name after them
 * (the closers of each name are visited in order once); a media tag encloses only text
 * without a "[" before its closing tag.
 */
function renderTokens (tokens: Token[], opts: ShortcodeOptions): string {
  const closers = new Map<string, number[]>()
  tokens.forEach((t, i) => {
    if (typeof t !== 'string' && t.closing && t.raw.length === t.name.length + 3) {
      const list = closers.get(t.name) ?? []
      list.push(i)
      closers.set(t.name, list)
    }
  })
  const seen = new Map<string, number>()
  const closerOf = (name: string, from: number, to: number): number => {
    const list = closers.get(name)
    if (list === undefined) return -1
    let k = seen.get(name) ?? 0
    while (k < list.length && list[k] < from) k++
    seen.set(name, k)
    return k < list.length && list[k] < to ? list[k] : -1
  }
  const mark = (name: string, html: string) => BLOCK_SHORTCODES.has(name) ? `${MARK_OPEN}${html}${MARK_CLOSE}` : html
  const unmark = (html: string) => html.replace(/[\u0001\u0002]/g, '')
  const raw = (from: number, to: number) => tokens.slice(from, to).map((t) => typeof t === 'string' ? t : t.raw).join('')

  // Captions cannot nest (the inner one would take the outer one's closer), so this recursion
  // is at most a caption holding an embed: bounded depth, each token rendered once.
  const render = (from: number, to: number): string => {
    let out = ''
    for (let i = from; i < to; i++) {
      const t = tokens[i]
      if (typeof t === 'string') {
        out += t
        continue
      }
      if (t.closing) continue
      if ((t.name === 'caption' || t.name === 'wp_caption' || t.name === 'embed') && !t.selfClosing) {
        const end = closerOf(t.name, i + 1, to)
        if (end !== -1) {
          out += mark(t.name, t.name === 'embed' ? embedOrLink(raw(i + 1, end), opts) : figure(t.attrs, unmark(render(i + 1, end))))
          i = end
          continue
        }
      }
      if (MEDIA.has(t.name)) {
        let enclosed: string | undefined
        const next = tokens[i + 1]
        const isCloser = (x: Token | undefined) => x !== undefined && typeof x !== 'string' && x.closing && x.name === t.name && x.raw.length === t.name.length + 3
        if (!t.selfClosing && isCloser(next)) {
          enclosed = ''
          i += 1
        } else if (!t.selfClosing && typeof next === 'string' && !next.includes('[') && isCloser(tokens[i + 2])) {
          enclosed = next
          i += 2
        }
        const html = embedOrLink(mediaUrl(t, enclosed), opts)
        // A player whose media cannot be told leaves nothing: say so.
        if (html === '') opts.onDrop?.(t.name)
        out += mark(t.name, html)
        continue
      }
      opts.onDrop?.(t.name)
      out += mark(t.name, '')
    }
    return out
  }
  return render(0, tokens.length)
}

/**
 * WordPress shortcodes, after wpautop() as in WordPress: [caption] becomes a <figure> with a
 * <figcaption>, [embed] and media shortcodes ([youtube url], [video src=…]) a link, [gallery]
 * and other unknown self-closing shortcodes disappear, unknown enclosing shortcodes keep
 * their content, and [[foo]] is the escaped literal "[foo]". Code in <pre> and <code> is left
 * alone. Runs in time linear in the text: the body is read once into text and tags.
 */
export function renderShortcodes (html: string, opts: ShortcodeOptions = {}): string {
  const kept: string[] = []
  const keep = (s: string) => {
    kept.push(s)
    return `\u0000${kept.length - 1}\u0000`
  }
  // The placeholder and mark characters are not allowed in HTML anyway.
  const text = keepCodeElements(html.replace(/[\u0000-\u0002]/g, ''), keep)
  let out = renderTokens(tokenize(text, keep), opts)
  out = out.replace(/<p>\s*\u0001([^\u0001\u0002]*)\u0002\s*<\/p>/g, '$1').replace(/[\u0001\u0002]/g, '')
  // What removed shortcodes leave behind: empty paragraphs and the blank lines around them.
  out = out.replace(/<p>\s*<\/p>\n?/g, '').replace(/^\n+/, '').replace(/\n{3,}/g, '\n\n')
  return out.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => kept[Number(i)])
}

/** `/<(pre|code)\b[\s\S]*?<\/\1>/gi` replaced by `keep`, each closing tag looked up once. */
function keepCodeElements (text: string, keep: (s: string) => string): string {
  return replaceElements(text, asciiLower(text), /<(pre|code)\b/g, keep)
}

// ---- Embeds ----

/** A video on a host that offers a privacy-friendly player, as that player's https URL. */
export interface VideoEmbed {
  /** The iframe's src. */
  src: string
  /** Its host, which IFRAME_HOSTS must name for the iframe to survive sanitizing. */
  host: string
  /** A link to the video page, for when the iframe may not be used. */
  pageUrl: string
  provider: 'YouTube' | 'Vimeo'
}

const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/

/** `t=90`, `t=1m30s`, `start=90` as seconds, or null. */
function startSeconds (value: string | null): number | null {
  if (value === null) return null
  const m = /^(?:(\d{1,2})h)?(?:(\d{1,4})m)?(?:(\d{1,6})s?)?$/.exec(value)
  if (m === null || value === '') return null
  const s = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)
  return s > 0 ? s : null
}

/**
 * The embed of a YouTube or Vimeo URL (watch pages, short links, shorts, embeds, channel and
 * player URLs), or null for anything else. YouTube plays from youtube-nocookie.com (no cookies
 * until the reader plays), Vimeo from player.vimeo.com (`dnt=1`).
 */
export function videoEmbed (raw: string): VideoEmbed | null {
  let url: URL
  try {
    url = new URL(raw.trim().replace(/&amp;/g, '&'))
  } catch {
    return null
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null
  const host = url.hostname.toLowerCase().replace(/^(?:www\.|m\.)/, '')
  const parts = url.pathname.split('/').filter(Boolean)
  let youtube: string | undefined
  if (host === 'youtu.be') youtube = parts[0]
  else if (host === 'youtube.com' || host === 'youtube-nocookie.com') {
    youtube = parts.length === 0 || parts[0] === 'watch' ? url.searchParams.get('v') ?? undefined : ['embed', 'shorts', 'live', 'v'].includes(parts[0]) ? parts[1] : undefined
  }
  if (youtube !== undefined) {
    if (!YOUTUBE_ID.test(youtube)) return null
    const start = startSeconds(url.searchParams.get('t') ?? url.searchParams.get('start'))
    return {
      src: `https://www.youtube-nocookie.com/embed/${youtube}${start === null ? '' : `?start=${start}`}`,
      host: 'www.youtube-nocookie.com',
      pageUrl: `https://www.youtube.com/watch?v=${youtube}${start === null ? '' : `&t=${start}`}`,
      provider: 'YouTube'
    }
  }
  if (host === 'vimeo.com' || host === 'player.vimeo.com') {
    const id = [...parts].reverse().find((p) => /^\d{1,12}$/.test(p))
    if (id === undefined || (host === 'player.vimeo.com' && parts[0] !== 'video')) return null
    return { src: `https://player.vimeo.com/video/${id}?dnt=1`, host: 'player.vimeo.com', pageUrl: `https://vimeo.com/${id}`, provider: 'Vimeo' }
  }
  return null
}

/** An embed as HTML: the player when its host may be framed, else a link to the video. */
export function embedHtml (video: VideoEmbed, iframeAllowed: boolean): string {
  if (!iframeAllowed) return link(video.pageUrl)
  return `<figure><iframe src="${escapeHtml(video.src)}" width="560" height="315" title="${video.provider} video" allowfullscreen></iframe></figure>`
}

const BARE_URL_LINE = /^[ \t]*(https?:\/\/[^\s<>"]+)[ \t]*$/
const BARE_URL_PARAGRAPH = /^[ \t]*<p>[ \t]*(https?:\/\/[^\s<>"]+)[ \t]*<\/p>[ \t]*$/

/**
 * WordPress's auto-embeds: a URL alone on its line (or alone in a paragraph, as the block
 * editor writes it) becomes what `embed` makes of it; a URL `embed` declines stays as it is.
 * Outside <pre>, line by line: linear in the text.
 */
export function autoEmbed (text: string, embed: (url: string) => string | null): string {
  if (!text.includes('http')) return text
  let inPre = false
  return text.split('\n').map((line) => {
    const opens = line.lastIndexOf('<pre')
    const closes = line.lastIndexOf('</pre>')
    const wasInPre = inPre
    if (opens !== -1 || closes !== -1) inPre = opens > closes
    if (wasInPre || opens !== -1) return line
    const url = BARE_URL_LINE.exec(line)?.[1] ?? BARE_URL_PARAGRAPH.exec(line)?.[1]
    if (url === undefined) return line
    return embed(url) ?? line
  }).join('\n')
}
