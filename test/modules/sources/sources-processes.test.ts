import t from 'tap'
import http from 'node:http'
import Database from 'better-sqlite3'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { childAuth, startServer, type ServerProcess } from '../../helpers/server-process.js'

const RSS = readFileSync(join(import.meta.dirname, '../../fixtures/feeds/rss2.xml'), 'utf8')

async function waitFor (what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

t.test('two server processes on one database poll the same sources without a duplicate post', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-sources-procs-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  let feed = RSS
  let fetches = 0
  const server = http.createServer((_req, res) => {
    fetches++
    // Slow enough that both processes are asking at once.
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed), 100)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.xml`

  const env = { DATABASE_PATH: join(dir, 'db.sqlite'), ALLOW_PRIVATE_TARGETS: 'true', SITE_URL: 'https://news.example.com' }
  const a: ServerProcess = await startServer(env)
  t.teardown(() => { a.child.kill() })
  const b: ServerProcess = await startServer(env)
  t.teardown(() => { b.child.kill() })
  const db = new Database(env.DATABASE_PATH, { readonly: true })
  t.teardown(() => db.close())
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n

  const ids: number[] = []
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${a.base}/v1/sources`, { method: 'POST', headers: { ...childAuth, 'content-type': 'application/json' }, body: JSON.stringify({ feed_url: `${feedUrl}?n=${i}`, name: `Feed ${i}` }) })
    t.equal(res.status, 201)
    ids.push(((await res.json()) as { data: { id: number } }).data.id)
  }
  const pollAll = async () => {
    await Promise.all(ids.flatMap((id) => [a, b].map(async (p) => {
      const res = await fetch(`${p.base}/v1/sources/${id}/poll`, { method: 'POST', headers: childAuth })
      await res.arrayBuffer()
    })))
  }
  await waitFor('the first polls', () => count('SELECT count(DISTINCT source_id) AS n FROM source_runs') === 6)
  t.equal(count("SELECT count(*) AS n FROM posts WHERE import_key LIKE 'source:%'"), 18)

  // The feed grows; both processes are told to poll every source at once, twice.
  feed = RSS.replace('<item>', '<item><title>Late story</title><link>https://partner.example.com/late</link><guid>late-1</guid><description>New.</description></item>\n  <item>')
  await pollAll()
  await pollAll()
  await waitFor('the new item everywhere', () => count("SELECT count(*) AS n FROM posts WHERE import_key LIKE 'source:%:late-1'") === 6)
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(count("SELECT count(*) AS n FROM posts WHERE import_key LIKE 'source:%'"), 24, 'every item once per source')
  t.equal(count('SELECT count(*) AS n FROM (SELECT title, count(*) AS c FROM posts GROUP BY title, import_key HAVING c > 1)'), 0, 'no duplicate')
  t.ok(fetches >= 12, `both rounds fetched (${fetches} fetches)`)
  t.notMatch(a.output() + b.output(), /"level":50/, 'no errors logged')
})
