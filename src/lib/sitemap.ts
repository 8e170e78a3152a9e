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
