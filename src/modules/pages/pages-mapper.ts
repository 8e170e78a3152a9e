import { computeSeo, seoFieldsOf } from '../../lib/seo.js'
import type { PageNode, PageRow, PageSummaryRow } from './pages-repository.js'
import type { Page, PageSummary } from './pages-schemas.js'

const iso = (ms: number) => new Date(ms).toISOString()

/** The API status: a published page whose time has not come yet reads as scheduled. */
export function pageStatus (row: Pick<PageNode, 'status' | 'publishedAt'>, now: number): 'draft' | 'scheduled' | 'published' {
  if (row.status === 'published' && row.publishedAt !== null && row.publishedAt > now) return 'scheduled'
  return row.status
}

/** The public URL of a page on the frontend: SITE_URL/{path}. */
export function pageUrl (siteUrl: string, path: string): string {
  return `${siteUrl}/${path}`
}

/** Row → API page summary (no body); `path` comes from the tree. */
export function toPageSummary (row: PageSummaryRow, path: string, siteUrl: string, now: number): PageSummary {
  const url = pageUrl(siteUrl, path)
  const featured = row.featuredImageUrl ? { url: row.featuredImageUrl, alt: row.featuredImageAlt ?? '' } : null
  const seo = seoFieldsOf(row)
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    parent_id: row.parentId,
    path,
    url,
    menu_order: row.menuOrder,
    excerpt: row.excerpt,
    status: pageStatus(row, now),
    published_at: row.publishedAt === null ? null : iso(row.publishedAt),
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
    featured_image: featured,
    canonical_url: row.canonicalUrl,
    ...seo,
    seo: computeSeo(seo, { title: row.title, excerpt: row.excerpt, url, canonicalUrl: row.canonicalUrl, featuredImage: featured?.url ?? null, type: 'website' })
  }
}

/** Row → API page, with its body. */
export function toPage (row: PageRow, path: string, siteUrl: string, now: number): Page {
  const { seo, ...summary } = toPageSummary(row, path, siteUrl, now)
  // content_html where the schema shows it: after the excerpt.
  return { ...summary, content_html: row.contentHtml, seo } as Page
}
