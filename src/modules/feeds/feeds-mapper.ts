import { feedUrlsOf, renderFeedItem, type FeedChannel, type FeedItem } from '../../lib/feeds.js'
import type { FeedData, FeedPost } from './feeds-service.js'

/** The feed-level metadata: the site's title (plus what the feed is narrowed to), language and times. */
export function toFeedChannel (data: FeedData, apiUrl: string, selfUrl: string): FeedChannel {
  return {
    title: data.scope === null ? data.site.title : `${data.site.title}: ${data.scope}`,
    description: data.site.description,
    siteUrl: data.pageUrl,
    language: data.site.language,
    selfUrl,
    feedUrls: feedUrlsOf(apiUrl),
    updatedAt: new Date(data.lastModified),
    idBase: data.idBase
  }
}

/** A public post (as GET /v1/posts shows it, with content_html or null) → a feed item. */
export function toFeedItem (post: FeedPost): FeedItem {
  const term = (t: { slug: string, name: string }) => ({ name: t.name, slug: t.slug, url: null })
  return {
    id: post.id,
    guid: post.guid ?? null,
    url: post.url,
    title: post.title,
    summary: post.excerpt,
    contentHtml: post.content_html,
    publishedAt: new Date(post.published_at),
    updatedAt: new Date(post.updated_at),
    author: { name: post.author.name, url: null, avatarUrl: post.author.avatar_url },
    authors: (post.authors ?? [post.author]).map((a) => ({ name: a.name, url: null, avatarUrl: a.avatar_url })),
    categories: post.categories.map(term),
    tags: post.tags.map(term),
    image: post.featured_image,
    source: post.source,
    canonicalUrl: post.canonical_url
  }
}

/**
 * A post's item in each feed format, with its full body, as it appears in any feed document
 * of the site (the read model stores these: posts-documents.ts). `post` is the post as
 * GET /v1/posts/{ref} shows it; `idBase` the database's (feeds-repository.ts idBase); `guid`
 * the id it was imported with, if any (lib/feeds.ts importedGuid).
 */
export function feedItemTexts (post: FeedPost, idBase: string, guid: string | null): { rss: string, atom: string, json: string } {
  const item = toFeedItem({ ...post, guid })
  return { rss: renderFeedItem('rss', idBase, item), atom: renderFeedItem('atom', idBase, item), json: renderFeedItem('json', idBase, item) }
}
