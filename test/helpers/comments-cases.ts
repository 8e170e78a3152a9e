import type { Test } from 'tap'
import type { ContentChange } from '../../src/db/change-bus.js'
import type { EngineDb } from '../../src/db/engine-port.js'
import type { EngineWrite } from '../../src/db/engine-write.js'
import { createCommentDocumentsRepository } from '../../src/modules/comments/comments-documents-repository.js'
import { COMMENT_DOCUMENT_VERSION } from '../../src/modules/comments/comments-documents.js'
import { visibleThread } from '../../src/modules/comments/comments-mapper.js'
import { createCommentsRepository, pathSegment, type CommentRow, type NewComment } from '../../src/modules/comments/comments-repository.js'
import { contentHash, createCommentsService, type Submission } from '../../src/modules/comments/comments-service.js'
import { createSiteRepository, type SiteRow } from '../../src/modules/site/site-repository.js'

// Comments (src/modules/comments) on either engine, run on SQLite by
// test/modules/comments/comments-engine.test.ts and on PostgreSQL by test/db/pg-comments.test.ts:
// submission under each moderation setting and the spam defences stored in the database
// (honeypot, links, duplicates), threads (parents, depth, thread order), moderation
// transitions and deletes with posts.comment_count following, the moderation queue's order
// with ties and its pages, NUL and ids past PostgreSQL's integer range, and the change log
// entries each write leaves (the same lists on both engines).

/** What each engine's test gives: an empty migrated database (with its site row), its writer, and raw seeding. */
export interface CommentsHarness {
  edb: EngineDb
  write: EngineWrite
  /** The changes of each committed write, in order. */
  committed: ContentChange[][]
  /** Inserts a post (live: published a day ago; else a draft); returns its id. */
  post: (live: boolean) => Promise<number>
  /** posts.comment_count of the post. */
  commentCount: (postId: number) => Promise<number>
  /** The change log (resource:id:action), oldest first: the engine's listener is wired. */
  changeLog: () => Promise<string[]>
}

/** The HTTP status a call is refused with (undefined when it succeeds). */
async function statusOf (call: Promise<unknown>): Promise<number | undefined> {
  return await call.then(() => undefined, (err: { statusCode?: number }) => err.statusCode ?? 500)
}

export async function commentsCases (t: Test, h: CommentsHarness): Promise<void> {
  const repo = createCommentsRepository(h.edb)
  const service = createCommentsService({ repo, write: h.write, hashKey: 'cases-key' })
  const site = await createSiteRepository(h.edb).read()
  const moderated: SiteRow = { ...site, commentModeration: 'all' }
  const open: SiteRow = { ...site, commentModeration: 'none' }
  const firstTime: SiteRow = { ...site, commentModeration: 'first_time' }
  const live = await h.post(true)
  const other = await h.post(true)
  const draft = await h.post(false)
  const on = (id: number) => ({ id, open: true })
  let n = 0
  const input = (over: Partial<Submission> = {}): Submission => {
    n++
    return { author_name: 'Ann Reader', author_email: 'ann@example.com', content: `Comment number ${n}`, clientAddress: `192.0.2.${n}`, userAgent: 'cases/1.0', ...over }
  }
  /** The change-log entries and committed changes a call adds. */
  async function effects (call: () => Promise<unknown>): Promise<{ log: string[], changes: string[] }> {
    const logged = (await h.changeLog()).length
    const seen = h.committed.length
    await call()
    return {
      log: (await h.changeLog()).slice(logged),
      changes: h.committed.slice(seen).flat().map((c) => `${c.kind}:${'id' in c ? c.id : ''}`)
    }
  }

  t.test('submit: pending under moderation, approved when none is asked; stored rows, counts and log entries', async (t) => {
    let pending: CommentRow | undefined
    const quiet = await effects(async () => { pending = await service.submit(on(live), moderated, input({ author_name: '  Ann Reader ', author_url: 'https://ann.example/<x>' })) })
    t.match(pending, { postId: live, parentId: null, depth: 0, path: pathSegment(pending!.id), authorName: 'Ann Reader', authorEmail: 'ann@example.com', status: 'pending', type: 'comment', deletedAt: null, userAgent: 'cases/1.0' })
    t.equal(pending!.authorUrl, 'https://ann.example/%3Cx%3E', 'the URL in normal form')
    t.match(pending!.contentHtml, /^<p>Comment number \d+<\/p>$/)
    t.equal(pending!.createdAt, pending!.updatedAt)
    t.notOk('clientHash' in pending!, 'the client hash never read back')
    t.same(quiet, { log: [], changes: [`comment:${pending!.id}`] }, 'a pending comment: announced, not logged, the post not re-announced')
    t.equal(await h.commentCount(live), 0)
    const answer = repo.findById(pending!.id)
    t.ok(answer instanceof Promise, 'answers a Promise')
    t.same(await answer, pending, 'the stored row, with the same value types')

    let approved: CommentRow | undefined
    const loud = await effects(async () => { approved = await service.submit(on(live), open, input()) })
    t.equal(approved!.status, 'approved')
    t.same(loud, { log: [`comment:${approved!.id}:upsert`, `post:${live}:upsert`], changes: [`comment:${approved!.id}`, `post:${live}`] })
    t.equal(await h.commentCount(live), 1, 'comment_count follows in the same write')

    const spam = await service.submit(on(live), open, input({ website: 'https://spam.example' }))
    t.equal(spam.status, 'spam', 'the honeypot: stored as spam')
    t.equal(await h.commentCount(live), 1)
  })

  t.test('first_time trusts the exact name and e-mail of an approved comment, never with links', async (t) => {
    const stranger = await service.submit(on(live), firstTime, input({ author_name: 'New Person', author_email: 'new@example.com' }))
    t.equal(stranger.status, 'pending')
    const known = await service.submit(on(live), firstTime, input())
    t.equal(known.status, 'approved', 'Ann has an approved comment')
    const otherCase = await service.submit(on(live), firstTime, input({ author_email: 'ANN@example.com' }))
    t.equal(otherCase.status, 'pending', 'the e-mail compared exactly')
    const linked = await service.submit(on(live), firstTime, input({ content: `See https://example.com/a ${n}` }))
    t.equal(linked.status, 'pending', 'a comment with a link waits')
  })

  t.test('refusals: closed (403), links over the limit (422), duplicates by e-mail (ASCII case ignored) or network (409)', async (t) => {
    t.equal(await statusOf(service.submit({ id: live, open: false }, open, input())), 403)
    t.equal(await statusOf(service.submit(on(live), { ...open, commentsEnabled: false }, input())), 403)
    t.equal(await statusOf(service.submit(on(live), { ...open, commentMaxLinks: 1 }, input({ content: 'https://a.example and https://b.example' }))), 422)
    const first = await service.submit(on(live), moderated, input({ content: 'Same words here', author_email: 'dup@example.com', clientAddress: '198.51.100.7' }))
    t.equal(await statusOf(service.submit(on(live), moderated, input({ content: 'same   WORDS here ', author_email: 'DUP@Example.COM', clientAddress: '10.1.0.1' }))), 409, 'the same e-mail in other ASCII case')
    t.equal(await statusOf(service.submit(on(live), moderated, input({ content: 'Same words here', author_email: 'else@example.com', clientAddress: '198.51.100.7' }))), 409, 'the same network')
    await service.submit(on(live), moderated, input({ content: 'Other words', author_email: 'ÄDA@example.com', clientAddress: '10.3.0.1' }))
    t.equal(await statusOf(service.submit(on(live), moderated, input({ content: 'Other words', author_email: 'äDA@EXAMPLE.com', clientAddress: '10.4.0.1' }))), undefined, 'only ASCII letters are folded (as SQLite\'s NOCASE)')
    t.equal(await statusOf(service.submit(on(live), moderated, input({ content: 'Other words', author_email: 'Äda@example.COM', clientAddress: '10.5.0.1' }))), 409)
    t.ok((await service.submit(on(other), moderated, input({ content: 'Same words here', author_email: 'dup@example.com', clientAddress: '198.51.100.7' }))).id > first.id, 'on another post it is no duplicate')
    t.equal(await statusOf(service.submit(on(live), moderated, input({ content: 'Comment on nothing', parent_id: 999_999 }))), 422)
  })

  t.test('threads: replies under approved parents, depth limit, thread order by path', async (t) => {
    const post = await h.post(true)
    const a = await service.submit(on(post), open, input())
    const b = await service.submit(on(post), open, input())
    const a1 = await service.submit(on(post), open, input({ parent_id: a.id }))
    const a11 = await service.submit(on(post), open, input({ parent_id: a1.id }))
    t.match(a1, { parentId: a.id, depth: 1, path: `${pathSegment(a.id)}/${pathSegment(a1.id)}` })
    t.match(a11, { parentId: a1.id, depth: 2, path: `${a1.path}/${pathSegment(a11.id)}` })
    t.equal(await statusOf(service.submit(on(post), { ...open, commentMaxDepth: 3 }, input({ parent_id: a11.id }))), 422, 'too deep')
    t.equal(await statusOf(service.submit(on(other), open, input({ parent_id: a.id }))), 422, 'a parent on another post')
    const held = await service.submit(on(post), moderated, input())
    t.equal(await statusOf(service.submit(on(post), open, input({ parent_id: held.id }))), 422, 'a pending parent')
    const thread = await repo.publicThread(post)
    t.same(thread.map((r) => r.id), [a.id, a1.id, a11.id, b.id], 'each reply right after its parent; pending comments left out')
    t.notOk('userAgent' in thread[0], 'no user agent in a public thread')
    t.equal(await h.commentCount(post), 4)
    t.equal(await createCommentDocumentsRepository(h.edb).thread(post, COMMENT_DOCUMENT_VERSION), null, 'no stored thread built here: read from the rows')
  })

  t.test('moderation: transitions keep comment_count and log entries; edits; deleted comments refuse edits', async (t) => {
    const post = await h.post(true)
    const c = await service.submit(on(post), moderated, input())
    const approve = await effects(async () => { t.equal((await service.update(c.id, { status: 'approved' })).status, 'approved') })
    t.same(approve, { log: [`comment:${c.id}:upsert`, `post:${post}:upsert`], changes: [`comment:${c.id}`, `post:${post}`] })
    t.equal(await h.commentCount(post), 1)
    const edit = await effects(async () => {
      const row = await service.update(c.id, { content: 'Edited words, https://x.example' })
      t.equal(row.content, 'Edited words, https://x.example')
      t.match(row.contentHtml, /rel="nofollow ugc"/)
      t.ok(row.updatedAt >= c.updatedAt)
    })
    t.same(edit.log, [`comment:${c.id}:upsert`, `post:${post}:upsert`], 'an approved comment edited: logged again')
    const toSpam = await effects(async () => { await service.update(c.id, { status: 'spam' }) })
    t.same(toSpam.log, [`comment:${c.id}:delete`, `post:${post}:upsert`], 'approved → spam: a delete entry')
    t.equal(await h.commentCount(post), 0)
    const quiet = await effects(async () => { await service.update(c.id, { status: 'trash' }) })
    t.same(quiet, { log: [], changes: [`comment:${c.id}`] }, 'spam → trash: nothing public changed')
    await service.update(c.id, { status: 'pending' })
    t.equal((await repo.findById(c.id))?.status, 'pending')
    t.equal(await statusOf(service.update(999_999, { status: 'approved' })), 404)
  })

  t.test('delete: a comment with replies stays as a tombstone; without, it is gone', async (t) => {
    const post = await h.post(true)
    const parent = await service.submit(on(post), open, input())
    const reply = await service.submit(on(post), open, input({ parent_id: parent.id }))
    const lone = await service.submit(on(post), open, input())
    t.equal(await h.commentCount(post), 3)
    const kept = await effects(async () => { t.same(await service.remove(parent.id), { tombstone: true }) })
    t.same(kept.log, [`comment:${parent.id}:delete`, `post:${post}:upsert`])
    t.match(await repo.findById(parent.id), { authorName: '', authorEmail: null, authorUrl: null, content: '', contentHtml: '', userAgent: null, status: 'approved' })
    t.type((await repo.findById(parent.id))?.deletedAt, 'number')
    const thread = await repo.publicThread(post)
    t.same(visibleThread(thread).map((r) => r.id), [parent.id, reply.id, lone.id], 'the tombstone keeps its reply in place')
    t.equal(await h.commentCount(post), 2, 'a tombstone is not counted')
    t.equal(await statusOf(service.update(parent.id, { status: 'approved' })), 422, 'a deleted comment cannot be edited')
    t.same(await service.remove(lone.id), { tombstone: false })
    t.equal(await repo.findById(lone.id), undefined)
    t.equal(await h.commentCount(post), 1)
    t.equal(await statusOf(service.remove(lone.id)), 404)
  })

  t.test('the moderation queue: newest first, ties by id, pages by offset, filters and counts', async (t) => {
    const post = await h.post(true)
    const tied = 4_102_444_800_000
    const ids: number[] = []
    for (let i = 0; i < 5; i++) {
      const c: NewComment = { postId: post, parentId: null, authorName: 'Tie', authorEmail: 'tie@example.com', authorUrl: null, content: `tie ${i}`, contentHtml: `<p>tie ${i}</p>`, contentHash: contentHash(`tie ${i}`), status: i % 2 === 0 ? 'pending' : 'spam', createdAt: tied - (i === 4 ? 1 : 0) }
      ids.push(await h.write(async (tx, emit) => {
        const id = await repo.insert(tx, c)
        emit({ kind: 'comment', id, postId: post, before: null, after: c.status })
        return id
      }))
    }
    const expected = [ids[3], ids[2], ids[1], ids[0], ids[4]]
    t.same((await repo.list({ postId: post }, 10, 0)).map((r) => r.id), expected, 'the same time: the higher id first')
    const paged: number[] = []
    for (let offset = 0; offset < 6; offset += 2) paged.push(...(await repo.list({ postId: post }, 2, offset)).map((r) => r.id))
    t.same(paged, expected, 'pages of two follow the same order')
    t.equal(await repo.count({ postId: post }), 5)
    t.same((await repo.list({ postId: post, status: 'pending' }, 10, 0)).map((r) => r.id), [ids[2], ids[0], ids[4]])
    t.equal(await repo.count({ postId: post, status: 'spam' }), 2)
    const pendingAll = await repo.list({ status: 'pending' }, 100, 0)
    t.same(pendingAll.slice(0, 3).map((r) => r.id), [ids[2], ids[0], ids[4]], 'the future-dated ones first in the whole queue')
    t.equal(await repo.count({ status: 'pending' }), pendingAll.length)
    t.ok(await repo.count({}) >= 5)
  })

  t.test('a post that is not live: its comments are stored and moderated like any (the live check is the route\'s, over posts)', async (t) => {
    const c = await service.submit(on(draft), open, input())
    t.equal(c.status, 'approved')
    t.equal(await h.commentCount(draft), 1)
    const removed = await effects(async () => { await service.remove(c.id) })
    t.same(removed.log, [`comment:${c.id}:delete`], 'the draft is re-announced but not logged (nothing public)')
    t.same(removed.changes, [`comment:${c.id}`, `post:${draft}`])
  })

  t.test('NUL: refused as a 400 on writes, nothing found on reads, never a 500; ids past the integer range find nothing', async (t) => {
    const before = await repo.count({})
    for (const over of [{ content: 'a\u0000b' }, { author_name: '\u0000' }, { author_email: 'x\u0000@example.com' }, { author_url: 'https://x.example/\u0000' }, { website: '\u0000' }]) {
      t.equal(await statusOf(service.submit(on(live), open, input(over))), 400, Object.keys(over)[0])
    }
    const ua = await service.submit(on(live), moderated, input({ userAgent: 'agent\u0000/1' }))
    t.equal(ua.userAgent, 'agent/1', 'a NUL in the user agent is dropped, not refused')
    t.equal(await repo.count({}), before + 1, 'nothing else stored')
    t.equal(await statusOf(service.update(ua.id, { content: 'x\u0000y' })), 400)
    t.equal((await repo.findById(ua.id))?.content, ua.content, 'unchanged')
    const huge = 2 ** 40
    t.equal(await repo.findById(huge), undefined)
    t.same(await repo.publicThread(huge), [])
    t.same(await repo.list({ postId: huge }, 10, 0), [])
    t.equal(await repo.count({ postId: huge }), 0)
    t.equal(await statusOf(service.update(huge, { status: 'approved' })), 404)
    t.equal(await statusOf(service.remove(huge)), 404)
    t.equal(await createCommentDocumentsRepository(h.edb).thread(huge, COMMENT_DOCUMENT_VERSION), null)
    t.equal(await createCommentDocumentsRepository(h.edb).thread(live, 'x\u0000'), null)
  })
}
