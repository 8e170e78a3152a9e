import { stripInvalidXmlChars } from './text.js'

// Sitemaps (sitemaps.org protocol 0.9): a sitemap index and URL sets, as text.

/** At most this many URLs in one sitemap (the protocol's limit). */
export const SITEMAP_MAX_URLS = 50_000

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)

export interface SitemapEntry { loc: string, lastmod?: number }

const lastmod = (ms: number | undefined) => ms === undefined ? '' : `<lastmod>${new Date(ms).toISOString()}</lastmod>`

/** A `<urlset>` of page URLs with their last change. */
export function renderUrlSet (entries: SitemapEntry[]): string {
  const urls = entries.map((e) => `<url><loc>${escapeXml(e.loc)}</loc>${lastmod(e.lastmod)}</url>`)
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`
}

/** A `<sitemapindex>` of sitemap URLs. */
export function renderSitemapIndex (entries: SitemapEntry[]): string {
  const maps = entries.map((e) => `<sitemap><loc>${escapeXml(e.loc)}</loc>${lastmod(e.lastmod)}</sitemap>`)
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${maps.join('\n')}\n</sitemapindex>\n`
}

// Google News sitemaps (https://www.google.com/schemas/sitemap-news/0.9): a urlset whose url
// elements carry news:news, for articles of the last two days.

/** How far back a Google News sitemap reaches: Google reads articles of the last two days. */
export const NEWS_SITEMAP_MAX_AGE_MS = 48 * 3_600_000
/** At most this many articles in a Google News sitemap (Google's limit). */
export const NEWS_SITEMAP_MAX_URLS = 1000

export interface NewsEntry { loc: string, title: string, publishedAt: number, lastmod?: number }

/**
 * The publication language as Google News wants it: an ISO 639 code of 2 or 3 letters, or
 * zh-cn / zh-tw for Chinese, from a BCP 47 tag (`en-GB` → `en`, `zh-Hant-TW` → `zh-tw`).
 */
export function newsLanguage (tag: string): string {
  const parts = tag.toLowerCase().split(/[-_]/)
  const primary = parts[0]
  if (primary === 'zh') return parts.some((p) => p === 'tw' || p === 'hk' || p === 'mo' || p === 'hant') ? 'zh-tw' : 'zh-cn'
  return /^[a-z]{2,3}$/.test(primary) ? primary : 'en'
}

/** Text of a sitemap element: escaped, without the characters XML 1.0 cannot carry. */
const text = (s: string) => escapeXml(stripInvalidXmlChars(s))

/** A Google News `<urlset>`: each article with its publication's name and language, date and title. */
export function renderNewsSitemap (entries: NewsEntry[], publication: { name: string, language: string }): string {
  const pub = `<news:publication><news:name>${text(publication.name)}</news:name><news:language>${newsLanguage(publication.language)}</news:language></news:publication>`
  const urls = entries.map((e) => `<url><loc>${escapeXml(e.loc)}</loc>${lastmod(e.lastmod)}<news:news>${pub}` +
    `<news:publication_date>${new Date(e.publishedAt).toISOString()}</news:publication_date><news:title>${text(e.title)}</news:title></news:news></url>`)
  return '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" ' +
    `xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n${urls.join('\n')}\n</urlset>\n`
}
