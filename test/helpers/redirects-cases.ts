import type { Test } from 'tap'
import type { RedirectsRepository } from '../../src/modules/redirects/redirects-repository.js'

// The redirects repository's tests, run on SQLite (test/modules/redirects/) and on PostgreSQL
// (test/db/pg-redirects.test.ts) over the same rows: the first module ported to both engines.

export const NOW = Date.UTC(2026, 5, 1)
const stamp = { createdAt: NOW, updatedAt: NOW }
const HOUR = 3_600_000

/** The rows both engines are seeded with, parents first. */
export const REDIRECT_ROWS = {
  authors: [{ id: 1, slug: 'a', name: 'A', ...stamp }],
  posts: [
    { id: 1, slug: 'geneva-talks', title: 'Geneva', status: 'published' as const, publishedAt: NOW - HOUR, authorId: 1, ...stamp },
    { id: 2, slug: 'plain-permalink', title: 'Plain', status: 'published' as const, publishedAt: NOW - HOUR, authorId: 1, ...stamp },
    { id: 3, slug: 'a-draft', title: 'Draft', status: 'draft' as const, publishedAt: null, authorId: 1, ...stamp },
    { id: 4, slug: 'later', title: 'Later', status: 'published' as const, publishedAt: NOW + HOUR, authorId: 1, ...stamp },
    { id: 5, slug: 'no-old-address', title: 'New', status: 'published' as const, publishedAt: NOW - HOUR, authorId: 1, ...stamp },
    { id: 6, slug: 'geneva-talks-2', title: 'Geneva again', status: 'published' as const, publishedAt: NOW - HOUR, authorId: 1, ...stamp }
  ],
  legacyUrls: [
    { postId: 1, url: 'https://old.example.com/2019/05/geneva-talks/', path: '/2019/05/geneva-talks' },
    { postId: 2, url: 'https://old.example.com/?p=202', path: '/?p=202' },
    { postId: 3, url: 'https://old.example.com/?p=203', path: '/?p=203' },
    { postId: 4, url: 'https://old.example.com/2019/06/later/', path: '/2019/06/later' },
    { postId: 6, url: 'http://old.example.com/2019/05/geneva-talks', path: '/2019/05/geneva-talks' }
  ]
}

const geneva = { postId: 1, url: 'https://old.example.com/2019/05/geneva-talks/', path: '/2019/05/geneva-talks', slug: 'geneva-talks' }
const plain = { postId: 2, url: 'https://old.example.com/?p=202', path: '/?p=202', slug: 'plain-permalink' }
const geneva2 = { postId: 6, url: 'http://old.example.com/2019/05/geneva-talks', path: '/2019/05/geneva-talks', slug: 'geneva-talks-2' }

/** Every case, against a repository over REDIRECT_ROWS. */
export async function redirectsRepositoryCases (t: Test, repo: RedirectsRepository): Promise<void> {
  t.test('the whole map: live posts only, oldest post first, with the total', async (t) => {
    const answer = repo.list(null, NOW, 10, 0)
    t.ok(answer instanceof Promise, 'answers a Promise')
    t.strictSame(await answer, { rows: [geneva, plain, geneva2], total: 3 }, 'no draft, no post still scheduled')
  })

  t.test('pages of the map', async (t) => {
    t.strictSame(await repo.list(null, NOW, 1, 1), { rows: [plain], total: 3 })
    t.strictSame(await repo.list(null, NOW, 10, 3), { rows: [], total: 3 }, 'past the end: empty, the total still said')
  })

  t.test('the entries for one path', async (t) => {
    t.strictSame(await repo.list('/2019/05/geneva-talks', NOW, 10, 0), { rows: [geneva, geneva2], total: 2 })
    t.strictSame(await repo.list('/2019/05/geneva-talks', NOW, 1, 1), { rows: [geneva2], total: 2 })
    t.strictSame(await repo.list('/?p=202', NOW, 10, 0), { rows: [plain], total: 1 })
    t.strictSame(await repo.list('/nothing-here', NOW, 10, 0), { rows: [], total: 0 })
  })

  t.test('a draft is never a target; a scheduled post becomes one at its time', async (t) => {
    t.strictSame(await repo.list('/?p=203', NOW, 10, 0), { rows: [], total: 0 })
    t.strictSame(await repo.list('/2019/06/later', NOW, 10, 0), { rows: [], total: 0 })
    t.strictSame((await repo.list('/2019/06/later', NOW + 2 * 3_600_000, 10, 0)).rows.map((r) => r.slug), ['later'])
  })

  t.test('hostile paths are plain values', async (t) => {
    for (const path of ["' or 1=1 --", '%', '_', '\u0000x', 'é'.repeat(1000)]) {
      t.strictSame(await repo.list(path, NOW, 10, 0), { rows: [], total: 0 }, JSON.stringify(path.slice(0, 20)))
    }
  })
}
