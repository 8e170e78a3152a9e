import type { Test } from 'tap'
import type { ContentChange } from '../../src/db/change-bus.js'
import type { EngineDb } from '../../src/db/engine-port.js'
import type { EngineWrite } from '../../src/db/engine-write.js'
import { hashKey } from '../../src/lib/key-hash.js'
import { createCommentsRepository } from '../../src/modules/comments/comments-repository.js'
import { createPreviewsRepository } from '../../src/modules/previews/previews-repository.js'
import { createPreviewsService, PREVIEW_TOKEN_PATTERN, type PreviewsServiceDeps } from '../../src/modules/previews/previews-service.js'

// Preview links (src/modules/previews) on either engine, run on SQLite by
// test/modules/previews/previews-engine.test.ts and on PostgreSQL by test/db/pg-previews.test.ts:
// making a link (only the token's SHA-256 stored, nothing announced or logged), opening it,
// expiry at explicit times, revoking, a deleted post's links, unknown, malformed and NUL tokens
// (the same 404), ids past PostgreSQL's integer range. The post a link shows is read through the
// posts code, still synchronous SQLite (posts are not ported): here each engine's test gives a
// plain lookup of the row instead, and the thread is the engine-neutral comments repository's.

/** A post as the cases' lookup answers it. */
export interface CasePost { id: number, slug: string, status: string }

/** What each engine's test gives: an empty migrated database (with its site row), its writer, and raw seeding. */
export interface PreviewsHarness {
  edb: EngineDb
  write: EngineWrite
  /** The changes of each committed write, in order. */
  committed: ContentChange[][]
  /** The change log (resource:id:action), oldest first. */
  changeLog: () => Promise<string[]>
  /** Inserts a post (a draft unless `published`); answers it. */
  post: (published?: boolean) => Promise<CasePost>
  /** Any post by id or slug (what the posts repository's findByRef answers with 'any'). */
  findPost: (ref: { id?: number, slug?: string }) => Promise<CasePost | undefined>
  /** Deletes a post's row (its links go with it: ON DELETE CASCADE). */
  deletePost: (id: number) => Promise<void>
  /** Every stored link, oldest first. */
  rows: () => Promise<Array<{ postId: number, tokenHash: string, createdAt: number, expiresAt: number }>>
}

/** The HTTP status a call is refused with (undefined when it succeeds). */
async function statusOf (call: Promise<unknown>): Promise<number | undefined> {
  return await call.then(() => undefined, (err: { statusCode?: number }) => err.statusCode ?? 500)
}

export async function previewsCases (t: Test, h: PreviewsHarness): Promise<void> {
  const repo = createPreviewsRepository(h.edb)
  const comments = createCommentsRepository(h.edb)
  const related: number[] = []
  const deps: PreviewsServiceDeps = {
    repo,
    write: h.write,
    // The posts code's reads are synchronous SQLite: these stand in for them, on either engine.
    postsRepo: { findByRef: async (ref) => await h.findPost(ref) as never },
    posts: { get: async (ref) => ({ ...(await h.findPost({ id: Number(ref) })) }) as never },
    related: { pageFor: (row) => { related.push(row.id); return { data: [], timedOut: false } } },
    comments,
    urlTemplate: 'https://www.example.com/preview?token={token}'
  }
  const service = createPreviewsService(deps)
  const draft = await h.post()
  const other = await h.post(true)
  const HOUR = 3_600_000

  t.test('a link: the token once, its expiry and URL; only its SHA-256 stored; nothing announced or logged', async (t) => {
    const logged = (await h.changeLog()).length
    const seen = h.committed.length
    const now = Date.now()
    const link = await service.create(draft.slug, 600, now)
    t.match(link.token, PREVIEW_TOKEN_PATTERN)
    t.equal(link.expires_at, new Date(now + 600_000).toISOString())
    t.equal(link.preview_url, `https://www.example.com/preview?token=${link.token}`)
    const rows = await h.rows()
    t.same(rows, [{ postId: draft.id, tokenHash: hashKey(link.token), createdAt: now, expiresAt: now + 600_000 }], 'the SHA-256, never the token')
    t.notMatch(JSON.stringify(rows), link.token.slice(3))
    const byDefault = await service.create(String(draft.id), undefined, now)
    t.equal(Date.parse(byDefault.expires_at), now + HOUR, 'an hour unless asked')
    t.not(byDefault.token, link.token, 'every link is new')
    t.same(h.committed.slice(seen).flat(), [], 'no change announced: no invalidation, webhook or purge')
    t.equal((await h.changeLog()).length, logged, 'nothing in the change log')
    const answer = repo.findLive(hashKey(link.token), now)
    t.ok(answer instanceof Promise, 'the repository answers Promises')
    t.same(await answer, { postId: draft.id, expiresAt: now + 600_000 })
  })

  t.test('opening a link: the post (any status) marked as a preview, its related posts and thread', async (t) => {
    const now = Date.now()
    const { token } = await service.create(String(draft.id), 600, now)
    t.same(await service.post(token, now), { ...draft, preview: true })
    related.length = 0
    t.same(await service.related(token, 5, now), { data: [], timedOut: false })
    t.same(related, [draft.id], 'related read for the previewed post')
    // Through the engine-neutral comments repository: approved comments only, in thread order.
    const at = Date.now()
    const comment = (status: 'approved' | 'pending', name: string) => ({
      postId: draft.id, parentId: null, authorName: name, authorEmail: `${name}@example.com`, authorUrl: null, content: `By ${name}`, contentHtml: `<p>By ${name}</p>`, contentHash: `h-${name}`, status, createdAt: at
    })
    await h.write(async (tx) => {
      await comments.insert(tx, comment('approved', 'early'))
      await comments.insert(tx, comment('pending', 'waiting'))
    })
    t.same((await service.comments(token, now)).map((c) => c.author_name), ['early'])
    const published = await service.create(String(other.id), 600, now)
    t.same(await service.comments(published.token, now), [])
    t.equal((await service.post(published.token, now)).status, 'published', 'a published post previews too')
  })

  t.test('expiry at explicit times: open until expires_at, the same 404 from then on', async (t) => {
    const now = Date.parse('2030-01-01T00:00:00Z')
    const { token } = await service.create(String(draft.id), 60, now)
    t.equal((await service.post(token, now + 59_999)).id, draft.id)
    for (const at of [now + 60_000, now + 600_000]) {
      t.equal(await statusOf(service.post(token, at)), 404)
      t.equal(await statusOf(service.related(token, 3, at)), 404)
      t.equal(await statusOf(service.comments(token, at)), 404)
      await t.rejects(service.post(token, at), { code: 'PREVIEW_NOT_FOUND' })
    }
    t.equal(await repo.findLive(hashKey(token), now + 60_000), undefined)
    t.ok((await h.rows()).some((row) => row.tokenHash === hashKey(token)), 'still stored until a later link is made')
    // The next link made after the expiry drops every expired row (of any post).
    const later = await service.create(String(other.id), 60, now + 60_000)
    const left = await h.rows()
    t.notOk(left.some((row) => row.expiresAt <= now + 60_000), 'expired rows purged')
    t.ok(left.some((row) => row.tokenHash === hashKey(later.token)))
  })

  t.test('revoking: every link of the post, answered with how many; other posts keep theirs', async (t) => {
    const now = Date.now()
    const post = await h.post()
    const a = await service.create(String(post.id), 600, now)
    const b = await service.create(post.slug, 600, now)
    const kept = await service.create(String(other.id), 600, now)
    t.equal(await service.revokeAll(post.slug, now), 2)
    for (const token of [a.token, b.token]) t.equal(await statusOf(service.post(token, now)), 404, 'revoked')
    t.equal((await service.post(kept.token, now)).id, other.id)
    t.equal(await service.revokeAll(String(post.id), now), 0, 'none left is not an error')
    t.equal(await statusOf(service.revokeAll('no-such-post', now)), 404)
  })

  t.test('a deleted post: its links go with it, and no link is made for it', async (t) => {
    const now = Date.now()
    const post = await h.post()
    const { token } = await service.create(String(post.id), 600, now)
    await h.deletePost(post.id)
    t.equal(await statusOf(service.post(token, now)), 404)
    t.notOk((await h.rows()).some((row) => row.postId === post.id), 'ON DELETE CASCADE')
    t.equal(await statusOf(service.create(String(post.id), 600, now)), 404)
    // Deleted after the lookup, before the write: nothing stored, the same 404.
    const racing = createPreviewsService({ ...deps, postsRepo: { findByRef: async () => post as never } })
    await t.rejects(racing.create(String(post.id), 600, now), { code: 'NOT_FOUND' })
    t.equal(await h.write(async (tx) => await repo.create(tx, post.id, hashKey('x'), now + 1000, now)), undefined)
    t.notOk((await h.rows()).some((row) => row.postId === post.id))
  })

  t.test('unknown, malformed and NUL tokens: the same 404, never a 500', async (t) => {
    const now = Date.now()
    const { token } = await service.create(String(draft.id), 600, now)
    const wrong = ['pv_' + 'A'.repeat(43), token.slice(0, -1), token + 'A', token.slice(3), token + '\u0000', '\u0000', '', 'x', 'pv_' + 'A'.repeat(400), '../../etc/passwd', '9007199254740993']
    for (const bad of wrong) {
      const calls: Array<() => Promise<unknown>> = [async () => await service.post(bad, now), async () => await service.related(bad, 3, now), async () => await service.comments(bad, now)]
      for (const call of calls) await t.rejects(call(), { statusCode: 404, code: 'PREVIEW_NOT_FOUND' }, JSON.stringify(bad.slice(0, 20)))
    }
    t.equal(await repo.findLive(hashKey('\u0000'), now), undefined)
    // A ref holding NUL names no post (a 404 from the posts lookup, never a query that fails).
    t.equal(await statusOf(service.create(`${draft.slug}\u0000`, 600, now)), 404)
    t.equal(await statusOf(service.revokeAll(`${draft.slug}\u0000`, now)), 404)
  })

  t.test('ids past the integer range name no post: a 404, nothing stored, nothing revoked', async (t) => {
    const now = Date.now()
    const before = await h.rows()
    for (const id of [2_147_483_648, 9_007_199_254_740_991]) {
      t.equal(await statusOf(service.create(String(id), 600, now)), 404, `create ${id}`)
      t.equal(await statusOf(service.revokeAll(String(id), now)), 404, `revoke ${id}`)
      t.equal(await h.write(async (tx) => await repo.create(tx, id, hashKey(`t${id}`), now + 1000, now)), undefined, `repository create ${id}`)
      t.equal(await h.write(async (tx) => await repo.revokeAll(tx, id)), 0, `repository revoke ${id}`)
    }
    t.same(await h.rows(), before)
  })
}
