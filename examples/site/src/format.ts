import type { Site } from '@broadsheet/client'

/**
 * A post's path on this site: /{primary category}/{slug}, or /{slug} without a category —
 * the rule the API builds `url` with (SITE_URL + this path), so its links and ours agree.
 */
export function postPath (post: { slug?: string, categories?: Array<{ slug: string }> }): string {
  const slug = encodeURIComponent(post.slug ?? '')
  const primary = post.categories?.[0]?.slug
  return primary === undefined ? `/${slug}` : `/${encodeURIComponent(primary)}/${slug}`
}

/** A category's page: /{slug}, the address the API gives it (SITE_URL/{slug}) in feeds, menus and sitemaps. */
export const categoryPath = (slug: string): string => `/${encodeURIComponent(slug)}`
export const tagPath = (slug: string): string => `/tag/${encodeURIComponent(slug)}/`

/** A link in a breadcrumb. */
export interface Crumb { slug: string, name: string }

/**
 * The category and its parents, outermost first (Politics › Elections): the API gives every
 * category reference its `path` from the top of the tree, so no other request is needed.
 */
export function breadcrumb (category: { slug: string, name: string, path: Crumb[] } | undefined): Crumb[] {
  if (category === undefined) return []
  return [...category.path.map(({ slug, name }) => ({ slug, name })), { slug: category.slug, name: category.name }]
}

/** A date in the site's language and time zone ("21 January 2022"). */
export function formatDate (iso: string | null | undefined, site: Pick<Site, 'language' | 'timezone'>): string {
  if (!iso) return ''
  const date = new Date(iso)
  try {
    return new Intl.DateTimeFormat(site.language, { dateStyle: 'long', timeZone: site.timezone }).format(date)
  } catch {
    return new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' }).format(date)
  }
}

/**
 * A search snippet as HTML. The API escapes the passage and wraps matches in <mark>; any
 * other tag is escaped here anyway, so a snippet can never carry markup of its own.
 */
export function snippetHtml (snippet: string | undefined): string {
  if (!snippet) return ''
  return snippet.replace(/<(?!\/?mark>)/g, '&lt;')
}

/** An http(s) URL as given, anything else (javascript:, data:) as '#': links and images from content. */
export function safeUrl (url: string | null | undefined): string {
  if (!url) return '#'
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? url : '#'
  } catch {
    return '#'
  }
}
