import type { Test } from 'tap'
import type { FeedsRepository } from '../../src/modules/feeds/feeds-repository.js'

// The feeds repository's tests, run on SQLite (test/modules/feeds/) and on PostgreSQL
// (test/db/pg-feeds.test.ts) over the same rows: the same sizes, bodies, keys and id base.

export const NOW = Date.UTC(2026, 5, 1)
const stamp = { createdAt: NOW, updatedAt: NOW }
const post = (id: number, contentHtml: string, importKey: string | null = null) =>
  ({ id, slug: `post-${id}`, title: `Post ${id}`, status: 'published' as const, publishedAt: NOW, authorId: 1, contentHtml, importKey, ...stamp })

/** The rows both engines are seeded with, parents first. */
export const FEED_ROWS = {
  authors: [{ id: 1, slug: 'a', name: 'A', ...stamp }],
  posts: [
    post(1, '<p>plain</p>', 'wxr:https://old.example.com/?p=1'),
    post(2, '<p>é — 🗞️</p>', 'rss:https://wire.example.com/2'),
    post(3, '', 'wxr:tag:old.example.com,2019:3#2'),
    post(4, `<p>${'x'.repeat(300_000)}</p>`),
    post(5, '<p>five</p>', 'wxr:guid-5')
  ]
}

/** Every case, against a repository over FEED_ROWS (the last one mints the id base). */
export async function feedsRepositoryCases (t: Test, repo: FeedsRepository): Promise<void> {
  t.test('body sizes in UTF-8 bytes', async (t) => {
    const answer = repo.bodySizes([1, 2, 3, 4])
    t.ok(answer instanceof Promise, 'answers a Promise')
    const sizes = await answer
    t.strictSame([...sizes].sort((a, b) => a[0] - b[0]), [[1, 12], [2, Buffer.byteLength('<p>é — 🗞️</p>')], [3, 0], [4, 300_007]])
    t.strictSame([...(await repo.bodySizes([2, 2, 99]))], [[2, Buffer.byteLength('<p>é — 🗞️</p>')]], 'duplicates once, unknown ids left out')
    t.strictSame(await repo.bodySizes([]), new Map())
  })

  t.test('bodies of the chosen posts', async (t) => {
    const bodies = await repo.bodies([2, 1, 1, 99])
    t.equal(bodies.size, 2)
    t.equal(bodies.get(1), '<p>plain</p>')
    t.equal(bodies.get(2), '<p>é — 🗞️</p>')
    t.equal((await repo.bodies([4])).get(4)?.length, 300_007)
    t.strictSame(await repo.bodies([]), new Map())
  })

  t.test('WordPress import keys only', async (t) => {
    const keys = await repo.wxrImportKeys([1, 2, 3, 4, 5, 99])
    t.strictSame([...keys].sort((a, b) => a[0] - b[0]), [[1, 'wxr:https://old.example.com/?p=1'], [3, 'wxr:tag:old.example.com,2019:3#2'], [5, 'wxr:guid-5']])
    t.strictSame(await repo.wxrImportKeys([]), new Map())
  })

  t.test('the id base: minted once, then always the stored one', async (t) => {
    t.equal(await repo.idBase('tag:news.example.com,2026:'), 'tag:news.example.com,2026:')
    t.equal(await repo.idBase('tag:other.example.com,2026:'), 'tag:news.example.com,2026:', 'a later SITE_URL changes nothing')
  })
}
