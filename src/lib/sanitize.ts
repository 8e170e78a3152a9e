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

// Old browsers read a backquote as a quote, and some URL parsers skip odd leading characters,
// so a URL must start with a letter, digit or one of / # . ? to be considered at all.
function dropOddUrls (tagName: string, attribs: sanitizeHtmlType.Attributes): sanitizeHtmlType.Tag {
  for (const name of ['href', 'src', 'cite']) {
    const value = attribs[name]
    if (value !== undefined && !/^\s*[\p{L}\p{N}/#.?]/u.test(value)) delete attribs[name]
  }
  return { tagName, attribs }
}

/**
 * Post bodies reduced to a safe allowlist: no scripts, styles, event handlers, forms, objects,
 * SVG or MathML; links only http(s)/mailto, images only http(s); iframes only from the
 * configured hosts over https. h1 becomes h2 (the page title is the h1). WordPress's
 * `<!--more-->` and `<!--nextpage-->` markers are kept (page-markers.ts); other comments go.
 */
export function sanitizePostHtml (html: string, opts: SanitizeOptions = {}): string {
  const iframeHosts = (opts.iframeHosts ?? []).map((h) => h.toLowerCase())
  return keepPageMarkers(html, (text) => sanitizeHtml(text, {
    allowedTags: iframeHosts.length > 0 ? [...TAGS, 'iframe'] : TAGS,
    allowedAttributes: {
      a: ['href', 'title', 'rel', 'hreflang'],
      img: ['src', 'alt', 'title', 'width', 'height', 'loading', 'srcset', 'sizes'],
      abbr: ['title'],
      q: ['cite'],
      blockquote: ['cite'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan', 'scope'],
      ol: ['start', 'reversed'],
      code: ['class'],
      pre: ['class'],
      iframe: ['src', 'width', 'height', 'title', 'allowfullscreen']
    },
    allowedClasses: { code: ['language-*'], pre: ['language-*'] },
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
    disallowedTagsMode: 'discard'
  }))
}
