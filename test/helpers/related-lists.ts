import type { buildTestApp } from '../helper.js'
import { makeAuthor, makeCategory, makeTag } from './factories.js'
import { buildRelatedCorpus } from '../fixtures/related-corpus.js'

// Shared by the related-lists tests (test/modules/related/related-lists*.test.ts).

export type App = Awaited<ReturnType<typeof buildTestApp>>
export interface Related { id: number, score: number, [key: string]: unknown }

/** The labelled corpus, written through the write services; returns the post ids. */
export function seed (app: App): number[] {
  const corpus = buildRelatedCorpus()
  const author = makeAuthor(app.db, { slug: 'desk', name: 'News Desk' })
  for (const id of new Set(corpus.flatMap((p) => p.categoryIds))) makeCategory(app.db, { id, slug: `category-${id}`, name: `Category ${id}` })
  for (const id of new Set(corpus.flatMap((p) => p.tagIds))) makeTag(app.db, { id, slug: `tag-${id}`, name: `Tag ${id}` })
  return [...corpus].sort((a, b) => a.id - b.id).map((p) => app.core.writes.posts.create({
    title: p.title,
    content_html: `<p>${p.body}</p>`,
    status: 'published',
    published_at: new Date(p.publishedAt).toISOString(),
    author_id: author.id,
    category_ids: p.categoryIds,
    tag_ids: p.tagIds
  }))
}

export async function served (app: App, id: number, limit = 20): Promise<Related[]> {
  const res = await app.inject(`/v1/posts/${id}/related?limit=${limit}`)
  if (res.statusCode !== 200) throw new Error(`related ${id}: ${res.statusCode} ${res.body}`)
  return res.json().data
}

/** The computed answer as the API serializes it (a draft's related list, as a preview reads it, is computed too). */
export function computed (app: App, id: number, limit = 20): Related[] {
  return JSON.parse(JSON.stringify(app.core.services.related.find(String(id), limit)))
}

export const liveIds = (app: App): Set<number> => new Set((app.core.db.$client.prepare("SELECT id FROM posts WHERE status = 'published' AND published_at <= ?").all(Date.now()) as Array<{ id: number }>).map((r) => r.id))
