import t from 'tap'
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { childAuth, startServer, type ServerProcess } from '../helpers/server-process.js'

// Crash safety: concurrent writers against the real server on a file database, SIGKILL in
// the middle of the stream, restart. Every write that was acknowledged with a 2xx must be
// there afterwards and the file must pass integrity_check. Two rounds, so the second
// restart also recovers a WAL that already went through one crash.

const WRITERS = 6
const ROUNDS = 2
const WRITE_MS = 1500
const MAX_WRITE_MS = 15_000

interface Acked { posts: Map<number, string>, comments: Map<number, string> }

async function json (res: Response): Promise<{ data: { id: number } }> {
  return await res.json() as { data: { id: number } }
}

async function runWriters (server: ServerProcess, postId: number, round: number, acked: Acked, stopAt: number): Promise<{ attempted: number, failed: number }> {
  let attempted = 0
  let failed = 0
  const headers = { ...childAuth, 'content-type': 'application/json' }
  async function writer (n: number) {
    for (let i = 0; Date.now() < stopAt + 5_000; i++) {
      const marker = `r${round}-w${n}-i${i}`
      attempted++
      try {
        if (n === WRITERS - 1) {
          // Edits of the live post: its stored documents (the read model) must follow its row.
          const res = await fetch(`${server.base}/v1/posts/${postId}`, { method: 'PATCH', headers, body: JSON.stringify({ title: `Edited ${marker}` }) })
          await res.arrayBuffer()
        } else if (n % 2 === 0) {
          const res = await fetch(`${server.base}/v1/posts`, { method: 'POST', headers, body: JSON.stringify({ title: `Crash ${marker}`, author_id: 1, status: 'published', content_html: `<p>Body ${marker}</p>` }) })
          if (res.status === 201) acked.posts.set((await json(res)).data.id, `Crash ${marker}`)
          else await res.arrayBuffer()
        } else {
          const res = await fetch(`${server.base}/v1/posts/${postId}/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ author_name: `Writer ${n}`, author_email: `w${n}@example.com`, content: `Comment ${marker}` }) })
          if (res.status === 201) acked.comments.set((await json(res)).data.id, `Comment ${marker}`)
          else await res.arrayBuffer()
        }
      } catch {
        // The connection died with the process: not acknowledged, nothing to expect.
        failed++
        return
      }
    }
  }
  await Promise.all(Array.from({ length: WRITERS }, (_, n) => writer(n)))
  return { attempted, failed }
}

t.test('SIGKILL during concurrent writes loses no acknowledged write and leaves an intact database', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-crash-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const dbPath = join(dir, 'crash.db')
  const env = { DATABASE_PATH: dbPath, COMMENT_RATE_LIMIT: '10000' }
  const acked: Acked = { posts: new Map(), comments: new Map() }

  let server = await startServer(env)
  t.teardown(() => { server.child.kill('SIGKILL') })
  const headers = { ...childAuth, 'content-type': 'application/json' }
  const author = await fetch(`${server.base}/v1/authors`, { method: 'POST', headers, body: JSON.stringify({ name: 'Crash Author' }) })
  t.equal(author.status, 201)
  const post = await fetch(`${server.base}/v1/posts`, { method: 'POST', headers, body: JSON.stringify({ title: 'Open thread', author_id: (await json(author)).data.id, status: 'published' }) })
  t.equal(post.status, 201)
  const postId = (await json(post)).data.id

  for (let round = 1; round <= ROUNDS; round++) {
    const start = Date.now()
    const before = acked.posts.size + acked.comments.size
    // Writers go on until the kill (at most MAX_WRITE_MS, plus their own 5 s bound).
    const writing = runWriters(server, postId, round, acked, start + MAX_WRITE_MS)
    // Killed after WRITE_MS once more than 20 writes were acknowledged in this round: on a
    // loaded machine the server may need longer to acknowledge that many, which says nothing
    // about durability (the assertions below).
    while (Date.now() - start < WRITE_MS || (acked.posts.size + acked.comments.size - before <= 20 && Date.now() - start < MAX_WRITE_MS)) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    server.child.kill('SIGKILL')
    t.equal(await server.exited, 'SIGKILL', `round ${round}: the server was killed`)
    const { attempted, failed } = await writing
    const now = acked.posts.size + acked.comments.size
    t.ok(failed > 0, `round ${round}: writes were in flight when it died (${failed} cut off)`)
    t.ok(now - before > 20, `round ${round}: ${now - before} writes acknowledged of ${attempted} attempted`)

    // The file as the crash left it: SQLite recovers the WAL on open.
    const db = new Database(dbPath)
    t.equal(db.pragma('integrity_check', { simple: true }), 'ok', `round ${round}: integrity_check is ok`)
    t.same(db.pragma('foreign_key_check'), [], `round ${round}: no dangling references`)
    const postTitle = db.prepare('SELECT title FROM posts WHERE id = ?').pluck()
    const commentText = db.prepare('SELECT content FROM comments WHERE id = ?').pluck()
    const lostPosts = [...acked.posts].filter(([id, title]) => postTitle.get(id) !== title)
    const lostComments = [...acked.comments].filter(([id, text]) => commentText.get(id) !== text)
    t.same(lostPosts, [], `round ${round}: all ${acked.posts.size} acknowledged posts are there`)
    t.same(lostComments, [], `round ${round}: all ${acked.comments.size} acknowledged comments are there`)
    // The read model was written in the same transactions as the rows: no stored document is
    // older than its post.
    const stale = db.prepare(`SELECT p.id FROM post_documents d JOIN posts p ON p.id = d.post_id LEFT JOIN post_cards c ON c.post_id = d.post_id
      WHERE json_extract(d.full, '$.title') IS NOT p.title OR json_extract(d.full, '$.comment_count') IS NOT p.comment_count
         OR json_extract(CAST(c.card AS TEXT), '$.title') IS NOT p.title OR d.updated_at IS NOT p.updated_at`).pluck().all()
    t.same(stale, [], `round ${round}: every stored document matches its post`)
    const documents = db.prepare('SELECT count(*) FROM post_documents').pluck().get() as number
    t.ok(documents > 0, `round ${round}: ${documents} stored documents checked`)
    db.close()

    server = await startServer(env)
    t.comment(`round ${round}: ${attempted} writes attempted, ${now - before} acknowledged, ${failed} cut off by SIGKILL, 0 acknowledged lost`)
  }

  // The restarted server serves what was acknowledged before the crashes.
  const sample = [...acked.posts.keys()].filter((_, i) => i % 7 === 0)
  for (const id of sample) {
    const res = await fetch(`${server.base}/v1/posts/${id}`, { headers: childAuth })
    if (res.status !== 200) t.fail(`post ${id} answers ${res.status} after restart`)
    await res.arrayBuffer()
  }
  // And the public reads (from the read model) show the last acknowledged state.
  const edited = await fetch(`${server.base}/v1/posts/${postId}`)
  const title = (await edited.json() as { data: { title: string } }).data.title
  const check = new Database(dbPath, { readonly: true })
  t.equal(title, check.prepare('SELECT title FROM posts WHERE id = ?').pluck().get(postId), 'the public post shows its row\'s last title')
  check.close()
  const list = await fetch(`${server.base}/v1/posts?per_page=100`)
  const listed = (await list.json() as { data: Array<{ id: number, title: string }> }).data
  const wrong = listed.filter((p) => acked.posts.has(p.id) && acked.posts.get(p.id) !== p.title)
  t.same(wrong, [], `the public list (${listed.length} posts) shows acknowledged titles`)
  const comments = await fetch(`${server.base}/v1/comments?status=pending&per_page=1`, { headers: childAuth })
  const total = Number(comments.headers.get('x-total-count'))
  t.ok(total >= acked.comments.size, `the restarted server lists ${total} pending comments (≥ ${acked.comments.size} acknowledged)`)
  t.comment(`crash: ${acked.posts.size + acked.comments.size} writes acknowledged over ${ROUNDS} SIGKILLs (${acked.posts.size} posts, ${acked.comments.size} comments), 0 lost`)
  server.child.kill('SIGTERM')
  await server.exited
})
