import type { PostRow, TermRow, AuthorRefRow, PostsRepository, CategoryRow, AncestorRow } from './posts-repository.js'
import type { Post, PostField } from './posts-schemas.js'
import { snippetHtml } from '../../lib/fts-query.js'
import { pathOf } from '../../lib/tree-path.js'
import { externalFeaturedImage } from '../media/media-embed.js'
import type { FeaturedImage } from '../media/media-schemas.js'

/** A tag, or a category above another, as embedded in a post (TermRef). */
export interface TermRef { id: number, slug: string, name: string }
/** A category as embedded in a post (CategoryRef): its parent and its ancestors from the root, itself excluded. */
export interface CategoryRef extends TermRef { parent_id: number | null, path: TermRef[] }

export interface PostRelations {
  categories: Map<number, CategoryRef[]>
  tags: Map<number, TermRef[]>
  authors: Map<number, AuthorRefRow>
  /** Every author id of each post, primary first (post_authors); a post missing here shows its author_id alone. */
  authorIds?: Map<number, number[]>
  /** Featured images from the media library, by post id (others use their external URL). */
  featured?: Map<number, FeaturedImage>
  /** Adds size and srcset to library images in bodies (media-embed.ts). */
  body?: (html: string) => string
}

/** The author as embedded in a post (AuthorRef). */
export function toAuthorRef (row: AuthorRefRow): Post['author'] {
  return { id: row.id, slug: row.slug, name: row.name, avatar_url: row.avatarUrl }
}

/** Groups term rows by post id, keeping their order. */
export function groupTerms (rows: TermRow[]): Map<number, TermRef[]> {
  const out = new Map<number, TermRef[]>()
  for (const r of rows) {
    let list = out.get(r.postId)
    if (list === undefined) {
      list = []
      out.set(r.postId, list)
    }
    list.push({ id: r.id, slug: r.slug, name: r.name })
  }
  return out
}

/** Groups category rows by post id, keeping their order, each with its parent and path. */
export function groupCategories (rows: CategoryRow[], ancestors: ReadonlyMap<number, AncestorRow>): Map<number, CategoryRef[]> {
  const out = new Map<number, CategoryRef[]>()
  for (const r of rows) {
    let list = out.get(r.postId)
    if (list === undefined) {
      list = []
      out.set(r.postId, list)
    }
    list.push({ id: r.id, slug: r.slug, name: r.name, parent_id: r.parentId, path: pathOf(r.parentId, ancestors) })
  }
  return out
}

/** The categories of the given posts with their paths: two queries, the second only when one has a parent. */
export function categoriesWithPaths (repo: Pick<PostsRepository, 'categoriesOf' | 'categoryAncestors'>, postIds: number[]): Map<number, CategoryRef[]> {
  const rows = repo.categoriesOf(postIds)
  const parents = [...new Set(rows.flatMap((r) => r.parentId === null ? [] : [r.parentId]))]
  const ancestors = new Map(repo.categoryAncestors(parents).map((a) => [a.id, a]))
  return groupCategories(rows, ancestors)
}

/** Featured images and body images from the media library (media-embed.ts). */
export interface FeaturedImages {
  imagesFor (postIds: number[]): Map<number, FeaturedImage>
  bodies (html: Array<string | undefined>): (html: string) => string
}

/** The categories (with their paths), tags and authors of the given rows, in four or five queries; library images with `featured`. */
export function relationsOf (repo: Pick<PostsRepository, 'categoriesOf' | 'categoryAncestors' | 'tagsOf' | 'authorsOf' | 'authorLinksOf'>, rows: readonly PostRow[], featured?: FeaturedImages): PostRelations {
  const ids = rows.map((r) => r.id)
  const links = new Map<number, number[]>()
  for (const l of repo.authorLinksOf(ids)) {
    const list = links.get(l.postId)
    if (list === undefined) links.set(l.postId, [l.authorId])
    else list.push(l.authorId)
  }
  const authorIds = new Set(rows.map((r) => r.authorId))
  for (const list of links.values()) for (const id of list) authorIds.add(id)
  return {
    categories: categoriesWithPaths(repo, ids),
    tags: groupTerms(repo.tagsOf(ids)),
    authors: new Map(repo.authorsOf([...authorIds]).map((a) => [a.id, a])),
    authorIds: links,
    featured: featured?.imagesFor(ids),
    body: featured?.bodies(rows.map((r) => r.contentHtml))
  }
}

export function iso (ms: number): string {
  return new Date(ms).toISOString()
}

/** The public URL of a post on the frontend: SITE_URL/{primary category}/{slug}. */
export function postUrl (siteUrl: string, slug: string, primaryCategorySlug: string | undefined): string {
  return primaryCategorySlug ? `${siteUrl}/${primaryCategorySlug}/${slug}` : `${siteUrl}/${slug}`
}

/** The API status: a published post whose time has not come yet reads as scheduled. */
export function apiStatus (row: Pick<PostRow, 'status' | 'publishedAt'>, now: number): Post['status'] {
  if (row.status === 'published' && row.publishedAt !== null && row.publishedAt > now) return 'scheduled'
  return row.status
}

/** Row → API post. `fields` limits the top-level fields (sparse fieldsets). */
export function toPost (row: PostRow, rel: PostRelations, siteUrl: string, now: number, fields?: Set<PostField>): Partial<Post> & { snippet?: string } {
  const categories = rel.categories.get(row.id) ?? []
  const refOf = (id: number) => {
    const a = rel.authors.get(id)
    return a === undefined ? { id, slug: '', name: '', avatar_url: null } : toAuthorRef(a)
  }
  const linked = rel.authorIds?.get(row.id)
  // The primary author is posts.author_id; post_authors agrees (its triggers keep position 0).
  const authorIds = linked === undefined || linked[0] !== row.authorId ? [row.authorId, ...(linked ?? []).filter((id) => id !== row.authorId)] : linked
  const url = postUrl(siteUrl, row.slug, categories[0]?.slug)
  const full: Post & { snippet?: string } = {
    id: row.id,
    slug: row.slug,
    title: row.title,
    excerpt: row.excerpt,
    content_html: rel.body === undefined || row.contentHtml === undefined ? (row.contentHtml ?? '') : rel.body(row.contentHtml),
    status: apiStatus(row, now),
    published_at: row.publishedAt === null ? null : iso(row.publishedAt),
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
    url,
    author: refOf(row.authorId),
    authors: authorIds.map(refOf),
    featured: row.featured,
    categories,
    primary_category: categories[0] ?? null,
    tags: rel.tags.get(row.id) ?? [],
    featured_image: rel.featured?.get(row.id) ?? externalFeaturedImage(row.featuredImageUrl, row.featuredImageAlt),
    source: row.sourceUrl ? { url: row.sourceUrl, name: row.sourceName ?? '' } : null,
    // A syndicated post points search engines at the original unless told otherwise.
    canonical_url: row.canonicalUrl ?? row.sourceUrl ?? url,
    word_count: row.wordCount,
    reading_time_minutes: row.readingTimeMinutes,
    comment_status: row.commentStatus,
    comment_count: row.commentCount
  }
  if (row.snippet !== undefined) full.snippet = snippetHtml(row.snippet)
  if (fields === undefined) {
    if (row.contentHtml === undefined) delete (full as Partial<Post>).content_html
    return full
  }
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    if (f in full) out[f] = full[f as keyof typeof full]
  }
  return out as Partial<Post>
}
