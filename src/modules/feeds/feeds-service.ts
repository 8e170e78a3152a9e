import type { PostsService } from '../posts/posts-service.js'
import type { SiteRepository } from '../site/site-repository.js'
import type { ChangesRepository } from '../changes/changes-repository.js'
import type { Repositories } from '../../plugins/repositories.js'
import { parseRef } from '../../lib/refs.js'

export interface FeedQuery {
  category?: string
  tag?: string
  author?: string
  limit?: number
}

interface Term { id: number, slug: string, name: string }

/** A live post as GET /v1/posts shows it, with the fields a feed uses. */
export interface FeedPost {
  id: number
  slug: string
  title: string
  excerpt: string
  content_html: string
  published_at: string
  updated_at: string
  url: string
  author: { id: number, slug: string, name: string, avatar_url: string | null }
  categories: Term[]
  tags: Term[]
  featured_image: { url: string, alt: string } | null
  source: { url: string, name: string } | null
  canonical_url: string | null
}

export interface FeedData {
  site: { title: string, description: string, language: string }
  /** What the feed is narrowed to, for its title: "Politics", "Tag: NATO", … */
  scope: string | null
  /** The frontend page the feed mirrors (the category page, or the home page). */
  pageUrl: string
  posts: FeedPost[]
  /** When anything the feed shows may last have changed (Last-Modified). */
  lastModified: number
}

const FEED_FIELDS = 'id,slug,title,excerpt,content_html,published_at,updated_at,url,author,categories,tags,featured_image,source,canonical_url'

/**
 * Gathers what a feed shows through the same post service as GET /v1/posts (so filters,
 * sub-categories and 404s behave the same), plus the site settings and the time of the last
 * public change. The change log is part of Last-Modified because removing a post changes a
 * feed without making any remaining item newer.
 */
export function createFeedsService (deps: { posts: PostsService, repos: Repositories, site: SiteRepository, changes: ChangesRepository, siteUrl: string }) {
  function scopeOf (query: FeedQuery, now: number): { scope: string | null, pageUrl: string } {
    const parts: string[] = []
    let pageUrl = deps.siteUrl
    if (query.category !== undefined) {
      const ref = parseRef(query.category)
      const cat = ref && deps.repos.categories.findByRef(ref, 'public')
      if (cat) {
        parts.push(cat.name)
        pageUrl = `${deps.siteUrl}/${cat.slug}`
      }
    }
    if (query.tag !== undefined) {
      const names = query.tag.split(',').map((s) => s.trim()).filter(Boolean)
        .map((text) => { const ref = parseRef(text); return (ref && deps.repos.tags.findByRef(ref, 'public'))?.name ?? text })
      parts.push(`Tagged ${names.join(', ')}`)
    }
    if (query.author !== undefined) {
      const ref = parseRef(query.author)
      const author = ref && deps.repos.authors.findByRef(ref, 'public')
      if (author) parts.push(`By ${author.name}`)
    }
    return { scope: parts.length > 0 ? parts.join(' · ') : null, pageUrl }
  }

  return {
    /** The newest live posts matching the query; unknown category, tag or author is a NotFound. */
    load (query: FeedQuery, now = Date.now()): FeedData {
      const list = deps.posts.list({
        category: query.category,
        tag: query.tag,
        author: query.author,
        per_page: query.limit ?? 20,
        sort: '-published_at',
        fields: FEED_FIELDS
      }, 'public', now)
      const posts = list.data as unknown as FeedPost[]
      const site = deps.site.get()
      let lastModified = Math.max(site.updatedAt, deps.changes.lastChangedAt(now) ?? 0)
      for (const p of posts) {
        lastModified = Math.max(lastModified, Date.parse(p.updated_at), Date.parse(p.published_at))
      }
      return {
        site: { title: site.title, description: site.description, language: site.language },
        ...scopeOf(query, now),
        posts,
        lastModified
      }
    }
  }
}
export type FeedsService = ReturnType<typeof createFeedsService>
