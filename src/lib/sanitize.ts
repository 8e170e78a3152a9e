import type sanitizeHtmlType from 'sanitize-html'
import { sanitizeHtml } from './lazy.js'
import { keepPageMarkers } from './page-markers.js'

export interface SanitizeOptions {
  /** Host names whose https iframes are kept (video embeds); none by default. */
  iframeHosts?: string[]
}

const TAGS = ['p', 'br', 'hr', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'b', 'i', 'u', 's', 'sub', 'sup', 'mark', 'small',
  'abbr', 'q', 'cite', 'code', 'pre', 'kbd', 'blockquote', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'a', 'img', 'figure', 'figcaption',
  'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'span', 'div', 'details', 'summary']

/**
 * The classes a body keeps, on any kept element: WordPress's alignment, caption, image-size and
 * block classes, so a migrated post's layout survives with the theme's CSS. Only names: a
 * class runs nothing. Code blocks also keep `language-*` (syntax highlighters). The README lists
 * the same names.
 */
export const ALLOWED_CLASSES = [
  'alignleft', 'aligncenter', 'alignright', 'alignnone', 'alignwide', 'alignfull',
  'wp-caption', 'wp-caption-text', 'size-*', 'wp-image-*', 'wp-block-*',
  'has-text-align-left', 'has-text-align-center', 'has-text-align-right', 'is-style-*',
  'gallery', 'gallery-item', 'gallery-icon', 'gallery-caption', 'more-link'
]
const CODE_CLASSES = ['language-*']

/** Elements that keep an `id`, so in-page links (`#what-next`) and tables of contents work. */
export const ID_TAGS = ['h2', 'h3', 'h4', 'h5', 'h6', 'a']
// A plain name: anything else could be meant to clash with the page's own ids or scripts' names.
const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_:.-]{0,99}$/

// Old browsers read a backquote as a quote, and some URL parsers skip odd leading characters,
// so a URL must start with a letter, digit or one of / # . ? to be considered at all.
function dropOddUrls (tagName: string, attribs: sanitizeHtmlType.Attributes): sanitizeHtmlType.Tag {
  for (const name of ['href', 'src', 'cite']) {
    const value = attribs[name]
    if (value !== undefined && !/^\s*[\p{L}\p{N}/#.?]/u.test(value)) delete attribs[name]
  }
  if (attribs.id !== undefined && !ID_PATTERN.test(attribs.id)) delete attribs.id
  if (tagName === 'a' && attribs.target !== undefined) {
    if (attribs.target.trim().toLowerCase() === '_blank') {
      // A new tab must not get window.opener (reverse tabnabbing) nor the referring page.
      const rel = new Set((attribs.rel ?? '').toLowerCase().split(/\s+/).filter(Boolean))
      rel.add('noopener')
      rel.add('noreferrer')
      attribs.target = '_blank'
      attribs.rel = [...rel].join(' ')
    } else {
      delete attribs.target
    }
  }
  return { tagName, attribs }
}

function options (opts: SanitizeOptions, onOpenTag?: (name: string, attribs: Record<string, string>) => void): sanitizeHtmlType.IOptions {
  const iframeHosts = (opts.iframeHosts ?? []).map((h) => h.toLowerCase())
  return {
    allowedTags: iframeHosts.length > 0 ? [...TAGS, 'iframe'] : TAGS,
    allowedAttributes: {
      // Filtered by allowedClasses below to the names of ALLOWED_CLASSES.
      '*': ['class'],
      a: ['href', 'title', 'rel', 'hreflang', 'id', 'target'],
      h2: ['id'],
      h3: ['id'],
      h4: ['id'],
      h5: ['id'],
      h6: ['id'],
      img: ['src', 'alt', 'title', 'width', 'height', 'loading', 'srcset', 'sizes'],
      abbr: ['title'],
      q: ['cite'],
      blockquote: ['cite'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan', 'scope'],
      ol: ['start', 'reversed'],
      iframe: ['src', 'width', 'height', 'title', 'allowfullscreen']
    },
    allowedClasses: { '*': ALLOWED_CLASSES, code: [...ALLOWED_CLASSES, ...CODE_CLASSES], pre: [...ALLOWED_CLASSES, ...CODE_CLASSES] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'], iframe: ['https'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'srcset'],
    allowProtocolRelative: false,
    allowedIframeHostnames: iframeHosts,
    transformTags: { h1: 'h2', '*': dropOddUrls },
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'noembed', 'noframes', 'title', 'svg', 'math', 'template',
      'iframe', 'object', 'embed', 'form', 'button', 'select']
      .filter((t) => t !== 'iframe' || iframeHosts.length === 0),
    // An iframe whose src was refused (other host, http, relative) is an empty box: drop it.
    exclusiveFilter: (frame) => frame.tag === 'iframe' && !frame.attribs.src,
    disallowedTagsMode: 'discard',
    ...(onOpenTag === undefined ? {} : { onOpenTag })
  }
}

/**
 * Post bodies reduced to a safe allowlist: no scripts, styles, event handlers, forms, objects,
 * SVG or MathML; links only http(s)/mailto, images only http(s); iframes only from the
 * configured hosts over https. h1 becomes h2 (the page title is the h1). Headings and links
 * keep a plain `id`; any element keeps the classes of ALLOWED_CLASSES; a link keeps
 * `target="_blank"`, with `rel="noopener noreferrer"` added.
 */
export function sanitizePostHtml (html: string, opts: SanitizeOptions = {}): string {
  // WordPress's `<!--more-->` and `<!--nextpage-->` markers are kept (page-markers.ts); other comments go.
  return keepPageMarkers(html, (text) => sanitizeHtml(text, options(opts)))
}

/** One kind of markup a write lost to the sanitizer, counted. */
export interface Removal {
  /** What was removed: `<script>`, `onclick on <a>`, `class="lead" on <p>`. */
  removed: string
  count: number
  /** The same in words: `removed 2 <script> elements`, `removed onclick from 1 <a>`. */
  message: string
}

/** Elements, attributes and classes of a document, counted (h1 counted as the h2 it becomes). */
class Inventory {
  /** By key: `<tag>`, `attr on <tag>` or `class="name" on <tag>`; with the tag and how to say it. */
  readonly counts = new Map<string, { tag: string, count: number, words: (n: number) => string }>()
  add (key: string, tag: string, words: (n: number) => string): void {
    const entry = this.counts.get(key)
    if (entry === undefined) this.counts.set(key, { tag, count: 1, words })
    else entry.count++
  }

  count (key: string): number {
    return this.counts.get(key)?.count ?? 0
  }

  record = (name: string, attribs: Record<string, string>): void => {
    const tag = name === 'h1' ? 'h2' : name.toLowerCase()
    this.add(`<${tag}>`, tag, (n) => `removed ${n} <${tag}> element${n === 1 ? '' : 's'}`)
    for (const [attr, value] of Object.entries(attribs)) {
      if (attr === 'class') {
        for (const cls of new Set(value.split(/\s+/).filter(Boolean))) {
          this.add(`class="${cls}" on <${tag}>`, tag, (n) => `removed class "${cls}" from ${n} <${tag}> (not in the class allowlist)`)
        }
      } else {
        const name = attr.toLowerCase()
        this.add(`${name} on <${tag}>`, tag, (n) => `removed ${name} from ${n} <${tag}>`)
      }
    }
  }
}

/**
 * sanitizePostHtml, and what it removed: every element, attribute and class of the input that
 * the output has fewer of (an unwrapped element keeps its text, but the element is counted as
 * removed). The output is read again for this, so the report is what the sanitizer did, never
 * a second guess of its rules; for writes, where an editor must learn what was lost.
 */
export function sanitizePostHtmlReport (html: string, opts: SanitizeOptions = {}): { html: string, removed: Removal[] } {
  const before = new Inventory()
  const out = keepPageMarkers(html, (text) => sanitizeHtml(text, options(opts, before.record)))
  const after = new Inventory()
  // Only read: everything allowed, the output thrown away.
  sanitizeHtml(out, { allowedTags: false, allowedAttributes: false, allowVulnerableTags: true, onOpenTag: after.record })
  const removed: Removal[] = []
  for (const [key, { tag, count, words }] of before.counts) {
    let lost = count - after.count(key)
    // An element removed takes its attributes with it: those are not news of their own.
    if (key !== `<${tag}>`) lost -= before.count(`<${tag}>`) - after.count(`<${tag}>`)
    if (lost > 0) removed.push({ removed: key, count: lost, message: words(lost) })
  }
  return { html: out, removed }
}
