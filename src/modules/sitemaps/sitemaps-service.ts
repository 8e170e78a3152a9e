import { NEWS_SITEMAP_MAX_AGE_MS, NEWS_SITEMAP_MAX_URLS, renderNewsSitemap, renderSitemapIndex, renderUrlSet, SITEMAP_MAX_URLS, type SitemapEntry } from '../../lib/sitemap.js'
import { postUrl } from '../posts/posts-mapper.js'
import type { PagesSyncService } from '../pages/pages-service.js'
import type { SitemapsRepository } from './sitemaps-repository.js'

/** The public terms a sitemap lists: slugs and last changes, as the terms repositories give them. */
interface TermSource { list: (opts: { limit: number, offset: number, scope: 'public' }) => Array<{ slug: string, updatedAt: number }> }

/**
 * The sitemaps: an index, the posts (paged at 50,000 URLs), pages, categories and tags. Only
 * what the public may read and search engines may index: live posts and pages without
 * noindex, categories and tags with a live post. Absolute URLs from SITE_URL (the frontend's
 * pages), the sitemaps themselves on PUBLIC_API_URL.
 */
export function createSitemapsService (deps: {
  repo: SitemapsRepository
  pages: Pick<PagesSyncService, 'tree' | 'find'>
  categories: TermSource
  tags: TermSource
  /** The site's title and language: the Google News sitemap's publication. */
  site: { get: () => { title: string, language: string } }
  siteUrl: string
  apiUrl: string
  /** URLs per posts sitemap; the protocol's 50,000 unless a test asks for fewer. */
  perSitemap?: number
}) {
  const { repo, siteUrl, apiUrl } = deps
  const per = deps.perSitemap ?? SITEMAP_MAX_URLS

  const postSitemaps = async (now: number) => Math.max(1, Math.ceil(await repo.countPosts(now) / per))

  return {
    async index (now: number): Promise<string> {
      const maps: SitemapEntry[] = []
      const count = await postSitemaps(now)
      for (let n = 1; n <= count; n++) maps.push({ loc: `${apiUrl}/sitemaps/posts-${n}.xml` })
      for (const name of ['pages', 'categories', 'tags', 'news']) maps.push({ loc: `${apiUrl}/sitemaps/${name}.xml` })
      return renderSitemapIndex(maps)
    },

    /** The n-th posts sitemap (from 1), or undefined past the last. */
    async posts (n: number, now: number): Promise<string | undefined> {
      if (n > await postSitemaps(now)) return undefined
      const rows = await repo.posts(now, (n - 1) * per, per)
      return renderUrlSet(rows.map((r) => ({ loc: postUrl(siteUrl, r.slug, r.category ?? undefined), lastmod: r.updatedAt })))
    },

    /**
     * The Google News sitemap: live, indexable posts published in the last 48 hours, newest
     * first, at most 1,000; `expiresAt` is when its oldest article leaves it (no write marks
     * that moment, so a cached copy must not outlive it).
     */
    async news (now: number): Promise<{ body: string, expiresAt: number | undefined }> {
      const rows = await repo.news(now, now - NEWS_SITEMAP_MAX_AGE_MS, NEWS_SITEMAP_MAX_URLS)
      const site = deps.site.get()
      const body = renderNewsSitemap(rows.map((r) => ({
        loc: postUrl(siteUrl, r.slug, r.category ?? undefined),
        title: r.title,
        publishedAt: r.publishedAt as number,
        lastmod: r.updatedAt
      })), { name: site.title, language: site.language })
      const oldest = rows.at(-1)?.publishedAt
      return { body, expiresAt: oldest == null ? undefined : oldest + NEWS_SITEMAP_MAX_AGE_MS }
    },

    pages (now: number): string {
      const tree = deps.pages.tree(now)
      const entries: SitemapEntry[] = []
      for (const id of tree.order) {
        const node = tree.byId.get(id)!
        if (!tree.live.has(id) || node.noindex) continue
        entries.push({ loc: `${siteUrl}/${tree.path.get(id)!}`, lastmod: node.updatedAt })
      }
      return renderUrlSet(entries.slice(0, SITEMAP_MAX_URLS))
    },

    terms (kind: 'categories' | 'tags'): string {
      const rows = deps[kind].list({ limit: SITEMAP_MAX_URLS, offset: 0, scope: 'public' })
      return renderUrlSet(rows.map((r) => ({ loc: kind === 'categories' ? `${siteUrl}/${r.slug}` : `${siteUrl}/tag/${r.slug}`, lastmod: r.updatedAt })))
    }
  }
}
export type SitemapsService = ReturnType<typeof createSitemapsService>
