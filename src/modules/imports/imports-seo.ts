import { SEO_LIMITS, SEO_TEXT_FIELDS, type SeoFields } from '../../lib/seo.js'
import { clip, httpUrl, plain } from './imports-values.js'

// Yoast SEO and Rank Math post meta as Broadsheet's SEO fields (lib/seo.ts). Pure functions.
//
// Both plugins store titles and descriptions as templates: `%%title%% %%sep%% %%sitename%%`
// (Yoast) or `%title% %sep% %sitename%` (Rank Math). A frontend builds its own <title> from
// the SEO title and the site's name, so:
//   - a value that is only the title, site name, page number and separators (the plugins'
//     defaults, which say nothing the fallback does not) is dropped: the field stays null and
//     its fallback applies;
//   - otherwise the known variables are replaced with the item's values (title, site name and
//     description, excerpt, first category, separator "-", year); page numbers become nothing;
//   - unknown variables (custom fields, plugins' own) are removed, with a warning naming them.
// Values longer than the API's limits are cut to them, with a warning.

export type ImportSeo = Partial<SeoFields> & { canonical_url?: string }

/** What the variables of a template are replaced with. */
export interface SeoContext {
  title: string
  excerpt: string
  siteName: string
  siteDescription: string
  category: string
}

// What the plugins write as separators, and what %%sep%% becomes.
const SEPARATORS = /^[\s\-–—|·•:»«~*/>]*$/
const SEP = '-'
// What a template made of nothing else says: the title and the site, which the fallback and the frontend give anyway.
const PLAIN_TITLE = new Set(['title', 'sep', 'sitename', 'sitedesc', 'page', 'pagenumber', 'pagetotal'])

function metaOf (meta: Array<{ key: string, value: string }>, key: string): string | undefined {
  const value = meta.find((m) => m.key === key)?.value?.trim()
  return value === undefined || value === '' ? undefined : value
}

/**
 * A title or description template with its variables replaced, or null when nothing of it is
 * the editor's own (only variables and separators). `unknown` collects variables it removed.
 */
export function expandTemplate (template: string, ctx: SeoContext, unknown: Set<string>): string | null {
  // Yoast: %%name%%; Rank Math: %name% or %name(arg)%.
  const variable = /%%([a-z0-9_-]+)%%|%([a-z][a-z0-9_]*)(?:\([^)%]*\))?%/gi
  const literal = template.replace(variable, ' ')
  const names = [...template.matchAll(variable)].map((m) => (m[1] ?? m[2]).toLowerCase())
  if (SEPARATORS.test(literal) && names.every((n) => PLAIN_TITLE.has(n))) return null
  const value = template.replace(variable, (_all, yoast: string | undefined, rank: string | undefined) => {
    const name = (yoast ?? rank ?? '').toLowerCase()
    switch (name) {
      case 'title': return ctx.title
      case 'sitename': return ctx.siteName
      case 'sitedesc': return ctx.siteDescription
      case 'sep': return SEP
      case 'excerpt':
      case 'excerpt_only': return ctx.excerpt
      case 'category':
      case 'primary_category': return ctx.category
      case 'currentyear': return String(new Date().getUTCFullYear())
      case 'page':
      case 'pagenumber':
      case 'pagetotal': return ''
      default:
        unknown.add(yoast !== undefined ? `%%${name}%%` : `%${name}%`)
        return ''
    }
  })
  const tidy = value.replace(/\s+/g, ' ').trim()
    // A separator left at an end by a variable that became nothing.
    .replace(/^(?:[-–—|·•:]\s*)+|(?:\s*[-–—|·•:])+$/g, '').trim()
  return tidy === '' ? null : tidy
}

/**
 * The SEO fields an item's post meta gives (Yoast first, then Rank Math), cut to the API's
 * limits; `warn` is told of every value cut or variable removed. Empty when the item has none.
 * `templates: false` (our own export, whose values are the editor's text) takes every value as
 * it is: a `%` in it is not a variable.
 */
export function seoFromMeta (meta: Array<{ key: string, value: string }>, ctx: SeoContext, warn: (message: string) => void, opts: { templates?: boolean } = {}): ImportSeo {
  const out: ImportSeo = {}
  const unknown = new Set<string>()
  const pick = (...keys: string[]): string | undefined => {
    for (const k of keys) {
      const v = metaOf(meta, k)
      if (v !== undefined) return v
    }
    return undefined
  }
  const texts: Record<typeof SEO_TEXT_FIELDS[number], string[]> = {
    meta_title: ['_yoast_wpseo_title', 'rank_math_title'],
    meta_description: ['_yoast_wpseo_metadesc', 'rank_math_description'],
    og_title: ['_yoast_wpseo_opengraph-title', 'rank_math_facebook_title'],
    og_description: ['_yoast_wpseo_opengraph-description', 'rank_math_facebook_description'],
    twitter_title: ['_yoast_wpseo_twitter-title', 'rank_math_twitter_title'],
    twitter_description: ['_yoast_wpseo_twitter-description', 'rank_math_twitter_description']
  }
  for (const field of SEO_TEXT_FIELDS) {
    const raw = pick(...texts[field])
    if (raw === undefined) continue
    // The plugins keep these as text with entities and the odd tag.
    const text = plain(raw, SEO_LIMITS[field] * 4)
    const expanded = opts.templates === false ? text || null : expandTemplate(text, ctx, unknown)
    if (expanded === null) continue
    const points = [...expanded]
    if (points.length > SEO_LIMITS[field]) {
      warn(`${field} has ${points.length} characters; cut to ${SEO_LIMITS[field]}, the most the API takes`)
      out[field] = points.slice(0, SEO_LIMITS[field]).join('').trim()
    } else {
      out[field] = expanded
    }
  }
  const images: Array<['og_image' | 'twitter_image', string[]]> = [
    ['og_image', ['_yoast_wpseo_opengraph-image', 'rank_math_facebook_image']],
    ['twitter_image', ['_yoast_wpseo_twitter-image', 'rank_math_twitter_image']]
  ]
  for (const [field, keys] of images) {
    const raw = pick(...keys)
    if (raw === undefined) continue
    const url = httpUrl(raw)
    if (url === null) warn(`${field} "${clip(raw, 100)}" is not an http(s) URL: left out`)
    else out[field] = url
  }
  const canonical = pick('_yoast_wpseo_canonical', 'rank_math_canonical_url')
  if (canonical !== undefined) {
    const url = httpUrl(canonical)
    if (url === null) warn(`canonical URL "${clip(canonical, 100)}" is not an http(s) URL: left out`)
    else out.canonical_url = url
  }
  // Yoast: "1" noindex, "2" index (explicitly), absent or "0" the post type's default.
  const yoastNoindex = metaOf(meta, '_yoast_wpseo_meta-robots-noindex')
  // Rank Math: a serialized PHP array of directives, e.g. a:1:{i:0;s:7:"noindex";}.
  const rankRobots = metaOf(meta, 'rank_math_robots')
  if (yoastNoindex !== undefined) out.noindex = yoastNoindex === '1'
  else if (rankRobots !== undefined) out.noindex = /"noindex"|\bnoindex\b/.test(rankRobots)
  if (unknown.size > 0) warn(`SEO template variables without a value were removed: ${[...unknown].join(', ')}`)
  return out
}

/** How many SEO fields a mapping sets (for the summary). */
export function seoCount (seo: ImportSeo): number {
  return Object.values(seo).filter((v) => v !== undefined).length
}
