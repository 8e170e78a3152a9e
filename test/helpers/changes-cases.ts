import type { Test } from 'tap'
import type { ChangeLogReads } from '../../src/modules/changes/changes-repository.js'

// The change log's reads, run on SQLite (test/modules/changes/) and on PostgreSQL
// (test/db/pg-changes.test.ts) over the same rows: the same pages, positions and hidden terms.

export const NOW = Date.UTC(2026, 5, 1)
const HOUR = 3_600_000
const stamp = { createdAt: NOW - 100 * HOUR, updatedAt: NOW - 100 * HOUR }
const post = (id: number, status: 'published' | 'draft', publishedAt: number | null) =>
  ({ id, slug: `post-${id}`, title: `Post ${id}`, status, publishedAt, authorId: id === 1 ? 1 : 2, ...stamp })
const change = (id: number, resource: 'post' | 'category' | 'tag' | 'author' | 'site' | 'comment', resourceId: number, action: 'upsert' | 'delete', changedAt: number, postId: number | null = null) =>
  ({ id, resource, resourceId, slug: resource === 'site' || resource === 'comment' ? null : `${resource}-${resourceId}`, action, postId, changedAt })

const T = NOW - 10 * HOUR

/** The rows both engines are seeded with, parents first. */
export const CHANGE_ROWS = {
  authors: [{ id: 1, slug: 'live-author', name: 'Live', ...stamp }, { id: 2, slug: 'draft-author', name: 'Draft', ...stamp }],
  categories: [
    { id: 1, slug: 'top', name: 'Top', ...stamp },
    { id: 2, slug: 'child', name: 'Child', parentId: 1, ...stamp },
    { id: 3, slug: 'empty', name: 'Empty', ...stamp }
  ],
  tags: [{ id: 1, slug: 'public-tag', name: 'Public', ...stamp }, { id: 2, slug: 'embargoed', name: 'Embargoed', ...stamp }],
  posts: [post(1, 'published', NOW - 50 * HOUR), post(2, 'draft', null), post(3, 'published', NOW + 5 * HOUR)],
  postCategories: [{ postId: 1, categoryId: 2, position: 0 }, { postId: 2, categoryId: 3, position: 0 }],
  postTags: [{ postId: 1, tagId: 1, position: 0 }, { postId: 2, tagId: 2, position: 0 }, { postId: 3, tagId: 2, position: 0 }],
  postAuthors: [{ postId: 1, authorId: 1, position: 0 }, { postId: 2, authorId: 2, position: 0 }, { postId: 3, authorId: 2, position: 0 }],
  changes: [
    change(1, 'post', 1, 'upsert', T),
    change(2, 'tag', 1, 'upsert', T),
    change(3, 'category', 1, 'upsert', T),
    change(4, 'category', 3, 'upsert', T + 1),
    change(5, 'tag', 2, 'upsert', T + 1),
    change(6, 'author', 2, 'upsert', T + 1),
    change(7, 'author', 1, 'upsert', T + 2),
    change(8, 'tag', 2, 'delete', T + 3),
    change(9, 'comment', 4, 'upsert', T + 3, 1),
    change(10, 'site', 1, 'upsert', T + 3),
    // Written out of id order: the position is (time, id).
    change(12, 'post', 1, 'upsert', T + 4),
    change(11, 'post', 2, 'delete', T + 5),
    // A scheduled go-live and the term it will make public.
    change(13, 'post', 3, 'upsert', NOW + 5 * HOUR),
    change(14, 'tag', 2, 'upsert', NOW + 5 * HOUR)
  ]
}

const ids = (page: { rows: Array<{ id: number }> }) => page.rows.map((r) => r.id)

/** Every case, against the reads over CHANGE_ROWS. */
export async function changeLogCases (t: Test, repo: ChangeLogReads): Promise<void> {
  t.test('the whole log: by time then id, hidden terms skipped, nothing from the future', async (t) => {
    const answer = repo.after({ at: 0, id: 0 }, 100, NOW)
    t.ok(answer instanceof Promise, 'answers a Promise')
    const page = await answer
    t.strictSame(ids(page), [1, 2, 3, 7, 8, 9, 10, 12, 11], 'a category public through its child; no empty category, embargoed tag or author of drafts only')
    t.strictSame(page.next, { at: T + 5, id: 11 })
    t.equal(page.hasMore, false)
    t.strictSame(page.rows[5], { id: 9, resource: 'comment', resourceId: 4, slug: null, action: 'upsert', postId: 1, changedAt: T + 3 }, 'every column')
  })

  t.test('pages: limits, positions, and skipped entries that end a page', async (t) => {
    const first = await repo.after({ at: 0, id: 0 }, 3, NOW)
    t.strictSame([ids(first), first.next, first.hasMore], [[1, 2, 3], { at: T, id: 3 }, true])
    const second = await repo.after(first.next, 3, NOW)
    t.strictSame([ids(second), second.next, second.hasMore], [[7, 8, 9], { at: T + 3, id: 9 }, true], 'three hidden entries read past')
    const third = await repo.after(second.next, 3, NOW)
    t.strictSame([ids(third), third.next, third.hasMore], [[10, 12, 11], { at: T + 5, id: 11 }, false], 'a full page and nothing visible after it')
    const last = await repo.after(third.next, 3, NOW)
    t.strictSame([ids(last), last.next, last.hasMore], [[], { at: T + 5, id: 11 }, false])
    t.strictSame(ids(await repo.after({ at: T + 1, id: 5 }, 10, NOW)), [7, 8, 9, 10, 12, 11], 'from inside a tie')
  })

  t.test('once the scheduled post is live, its go-live and its term appear', async (t) => {
    const later = NOW + 6 * HOUR
    const page = await repo.after({ at: T + 5, id: 11 }, 10, later)
    t.strictSame(ids(page), [13, 14])
    t.strictSame(ids(await repo.after({ at: 0, id: 0 }, 100, later)), [1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 11, 13, 14], 'the tag and the author are public now: their older upserts too')
  })

  t.test('the time of the last visible change', async (t) => {
    t.equal(await repo.lastChangedAt(NOW), T + 5)
    t.equal(await repo.lastChangedAt(NOW + 6 * HOUR), NOW + 5 * HOUR)
    t.equal(await repo.lastChangedAt(T - 1), null, 'before any change')
  })
}
