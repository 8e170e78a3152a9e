import type { Test } from 'tap'
import type { SitemapsRepository } from '../../src/modules/sitemaps/sitemaps-repository.js'

// The sitemaps repository's tests, run on SQLite (test/modules/sitemaps/) and on PostgreSQL
// (test/db/pg-sitemaps.test.ts) over the same rows: the answers must be the same values.

export const NOW = Date.UTC(2026, 5, 1)
const HOUR = 3_600_000
const stamp = { createdAt: NOW - 100 * HOUR, updatedAt: NOW - 100 * HOUR }
const post = (id: number, slug: string, publishedAt: number | null, status: 'published' | 'draft' | 'archived' = 'published') =>
  ({ id, slug, title: `Title ${id} & <${slug}>`, status, publishedAt, authorId: 1, createdAt: NOW - 100 * HOUR, updatedAt: NOW - id * HOUR })

/** The rows both engines are seeded with, parents first. */
export const SITEMAP_ROWS = {
  authors: [{ id: 1, slug: 'a', name: 'A', ...stamp }],
  categories: [
    { id: 1, slug: 'politics', name: 'Politics', ...stamp },
    { id: 2, slug: 'world', name: 'World', ...stamp }
  ],
  posts: [
    post(1, 'oldest', NOW - 90 * HOUR),
    post(2, 'in-two-categories', NOW - 3 * HOUR),
    post(3, 'a-draft', null, 'draft'),
    post(4, 'scheduled', NOW + HOUR),
    post(5, 'hidden', NOW - 2 * HOUR),
    post(6, 'said-indexable', NOW - 2 * HOUR),
    post(7, 'same-time', NOW - 2 * HOUR),
    post(8, 'archived', NOW - 2 * HOUR, 'archived'),
    post(9, 'secondary-only', NOW - 50 * HOUR)
  ],
  postSeo: [
    { postId: 5, noindex: true },
    { postId: 6, noindex: false, metaTitle: 'Indexable' }
  ],
  postCategories: [
    { postId: 2, categoryId: 2, position: 0 },
    { postId: 2, categoryId: 1, position: 1 },
    { postId: 6, categoryId: 1, position: 0 },
    { postId: 9, categoryId: 2, position: 1 }
  ]
}

const entry = (id: number, slug: string, category: string | null) => ({ id, slug, updatedAt: NOW - id * HOUR, category })

/** Every case, against a repository over SITEMAP_ROWS. */
export async function sitemapsRepositoryCases (t: Test, repo: SitemapsRepository): Promise<void> {
  t.test('counts the live, indexable posts', async (t) => {
    const answer = repo.countPosts(NOW)
    t.ok(answer instanceof Promise, 'answers a Promise')
    t.equal(await answer, 5, 'no draft, no archived or scheduled post, no noindex')
    t.equal(await repo.countPosts(NOW + 2 * HOUR), 6, 'a scheduled post counts from its time')
    t.equal(await repo.countPosts(NOW - 1000 * HOUR), 0)
  })

  t.test('pages of the posts sitemap, by id, with the primary category', async (t) => {
    t.strictSame(await repo.posts(NOW, 0, 10), [
      entry(1, 'oldest', null),
      entry(2, 'in-two-categories', 'world'),
      entry(6, 'said-indexable', 'politics'),
      entry(7, 'same-time', null),
      entry(9, 'secondary-only', null)
    ], 'noindex left out; a post whose only category is not its first has none')
    t.strictSame(await repo.posts(NOW, 2, 2), [entry(6, 'said-indexable', 'politics'), entry(7, 'same-time', null)])
    t.strictSame(await repo.posts(NOW, 5, 10), [], 'past the end')
    t.strictSame((await repo.posts(NOW + 2 * HOUR, 0, 10)).map((r) => r.id), [1, 2, 4, 6, 7, 9])
  })

  t.test('news: published after `since`, newest first, ties by the higher id', async (t) => {
    const news = (id: number, slug: string, publishedAt: number, category: string | null) =>
      ({ id, slug, title: `Title ${id} & <${slug}>`, publishedAt, updatedAt: NOW - id * HOUR, category })
    t.strictSame(await repo.news(NOW, NOW - 48 * HOUR, 1000), [
      news(7, 'same-time', NOW - 2 * HOUR, null),
      news(6, 'said-indexable', NOW - 2 * HOUR, 'politics'),
      news(2, 'in-two-categories', NOW - 3 * HOUR, 'world')
    ])
    t.strictSame((await repo.news(NOW, NOW - 48 * HOUR, 2)).map((r) => r.id), [7, 6], 'at most `limit`')
    t.strictSame((await repo.news(NOW, NOW - 2 * HOUR, 10)).map((r) => r.id), [], '`since` itself is left out')
    t.strictSame((await repo.news(NOW + 2 * HOUR, NOW - 100 * HOUR, 10)).map((r) => r.id), [4, 7, 6, 2, 9, 1])
  })
}
