import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

t.test('WORKERS=2 serves from two processes on one database and stops on SIGTERM', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-cluster-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise((resolve) => probe.close(resolve))
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/server.ts')], {
    env: { ...process.env, WORKERS: '2', PORT: String(port), DATABASE_PATH: join(dir, 'c.db'), LOG_LEVEL: 'info', ADMIN_TOKEN: 'cluster-test-admin-token-0123456789abcdef' },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  // A failed check must not leave the cluster running (the file would wait for tap's timeout).
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let log = ''
  child.stdout!.on('data', (chunk: Buffer) => { log += chunk.toString() })
  const base = `http://127.0.0.1:${port}`
  // Three processes load the TypeScript sources through tsx: generous for a loaded machine.
  for (const deadline = Date.now() + 90_000; ;) {
    if ((log.match(/Server listening/g) ?? []).length >= 2) break
    if (Date.now() > deadline) throw new Error(`workers did not start within 90 s:\n${log}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const pids = new Set([...log.matchAll(/"pid":(\d+)[^\n]*Server listening/g)].map((m) => m[1]))
  t.equal(pids.size, 2, 'two worker processes listen')
  const headers = { authorization: 'Bearer cluster-test-admin-token-0123456789abcdef', 'content-type': 'application/json' }
  const created = await fetch(`${base}/v1/authors`, { method: 'POST', headers, body: JSON.stringify({ name: 'Shared' }) })
  t.equal(created.status, 201)
  const author = (await created.json() as { data: { id: number } }).data
  // An author is public once a post of theirs is live.
  const story = await fetch(`${base}/v1/posts`, { method: 'POST', headers, body: JSON.stringify({ title: 'Shared story', author_id: author.id, status: 'published' }) })
  t.equal(story.status, 201)
  for (let i = 0; i < 10; i++) {
    const res = await fetch(`${base}/v1/authors/shared`, { headers: { connection: 'close' } })
    t.equal(res.status, 200, 'every worker sees the write')
  }
  // Each worker caches the post and the list; an edit through one of them is seen by the next
  // read of either (round robin over new connections), never a cached copy from before it.
  const read = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { connection: 'close' } })
    return { cache: res.headers.get('x-cache'), body: await res.json() as { data: unknown } }
  }
  const storyData = (await story.json() as { data: { id: number, slug: string } }).data
  for (let i = 0; i < 4; i++) await read('/v1/posts')
  t.ok((await Promise.all([read('/v1/posts'), read('/v1/posts')])).every((r) => r.cache === 'HIT'), 'both workers cached the list')
  const edited = await fetch(`${base}/v1/posts/${storyData.id}`, { method: 'PATCH', headers: { ...headers, connection: 'close' }, body: JSON.stringify({ title: 'Shared story, updated' }) })
  t.equal(edited.status, 200)
  for (let i = 0; i < 6; i++) {
    const r = await read('/v1/posts')
    t.equal((r.body.data as Array<{ title: string }>)[0].title, 'Shared story, updated', `read ${i + 1} after the edit is fresh (${r.cache ?? 'no cache header'})`)
  }
  // The workers hash commenters' addresses with one key, the file the primary created: the
  // same words from this client are a duplicate whichever worker answers.
  const slug = storyData.slug
  const comment = (email: string) => fetch(`${base}/v1/posts/${slug}/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ author_name: 'Sam', author_email: email, content: 'Said once' })
  })
  t.equal((await comment('first@example.com')).status, 201)
  for (let i = 0; i < 4; i++) t.equal((await comment(`other${i}@example.com`)).status, 409, 'every worker knows this client')
  t.equal(statSync(join(dir, 'c.db.key')).mode & 0o777, 0o600, 'the key file')
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'the primary exits cleanly after its workers')
})
