import type { PostRow, TermRow, AuthorRefRow } from './posts-repository.js'
import type { Post, PostField } from './posts-schemas.js'
import { snippetHtml } from '../../lib/fts-query.js'

export interface PostRelations {
  categories: Map<number, Array<{ id: number, slug: string, name: string }>>
  tags: Map<number, Array<{ id: number, slug: string, name: string }>>
  authors: Map<number, AuthorRefRow>
}

/** Groups term rows by post id, keeping their order. */
export function groupTerms (rows: TermRow[]): Map<number, Array<{ id: number, slug: string, name: string }>> {
  const out = new Map<number, Array<{ id: number, slug: string, name: string }>>()
  for (const r of rows) {
    let list = out.get(r.post_id)
    if (list === undefined) {
      list = []
      out.set(r.post_id, list)
    }
    list.push({ id: r.id, slug: r.slug, name: r.name })
  }
  return out
}

export function iso (ms: number): string {
  return new Date(ms).toISOString()
}

/** The public URL of a post on the frontend: SITE_URL/{primary category}/{slug}. */
export function postUrl (siteUrl: string, slug: string, primaryCategorySlug: string | undefined): string {
  return primaryCategorySlug ? `${siteUrl}/${primaryCategorySlug}/${slug}` : `${siteUrl}/${slug}`
}

/** The API status: a published post whose time has not come yet reads as scheduled. */
export function apiStatus (row: Pick<PostRow, 'status' | 'published_at'>, now: number): Post['status'] {
  if (row.status === 'published' && row.published_at !== null && row.published_at > now) return 'scheduled'
  return row.status
}

/** Row → API post. `fields` limits the top-level fields (sparse fieldsets). */
export function toPost (row: PostRow, rel: PostRelations, siteUrl: string, now: number, fields?: Set<PostField>): Partial<Post> & { snippet?: string } {
  const categories = rel.categories.get(row.id) ?? []
  const author = rel.authors.get(row.author_id)
  const url = postUrl(siteUrl, row.slug, categories[0]?.slug)
  const full: Post & { snippet?: string } = {
    id: row.id,
    slug: row.slug,
    title: row.title,
    excerpt: row.excerpt,
    content_html: row.content_html ?? '',
    status: apiStatus(row, now),
    published_at: row.published_at === null ? null : iso(row.published_at),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    url,
    author: author ?? { id: row.author_id, slug: '', name: '', avatar_url: null },
    categories,
    tags: rel.tags.get(row.id) ?? [],
    featured_image: row.featured_image_url ? { url: row.featured_image_url, alt: row.featured_image_alt ?? '' } : null,
    source: row.source_url ? { url: row.source_url, name: row.source_name ?? '' } : null,
    canonical_url: row.canonical_url ?? url,
    word_count: row.word_count,
    reading_time_minutes: row.reading_time_minutes,
    comment_status: row.comment_status,
    comment_count: row.comment_count
  }
  if (row.snippet !== undefined) full.snippet = snippetHtml(row.snippet)
  if (fields === undefined) {
    if (row.content_html === undefined) delete (full as Partial<Post>).content_html
    return full
  }
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    if (f in full) out[f] = full[f as keyof typeof full]
  }
  return out as Partial<Post>
}
