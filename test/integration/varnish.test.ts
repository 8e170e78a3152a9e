import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../src/scripts/free-port.js'

// Varnish (installed by .ci/run) on loopback in front of two API processes sharing one
// database: a read is cached, a publish purges exactly the affected surrogate keys, and the
// next read of an affected URL is fresh while unaffected ones stay cached.

const VARNISHD = ['/usr/sbin/varnishd', '/usr/bin/varnishd'].find((p) => existsSync(p))
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TOKEN = 'varnish-test-admin-token-0123456789abcdef'

async function waitFor (url: string, child: ChildProcess, label: string): Promise<void> {
  const start = Date.now()
  for (;;) {
    const ok = await fetch(url).then((r) => r.status < 500, () => false)
    if (ok) return
    if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode}`)
    if (Date.now() - start > 90_000) throw new Error(`${label} did not start within 90 s`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function stop (child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

t.test('Varnish in front of two API processes: cached reads, purge by surrogate key', { skip: VARNISHD ? false : 'varnishd is not installed (.ci/run installs Debian\'s varnish)', timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-varnish-'))
  // varnishd drops root for its own user, which must reach the VCL and its work folder.
  chmodSync(dir, 0o755)
  const children: ChildProcess[] = []
  t.teardown(async () => {
    await Promise.all(children.map(stop))
    rmSync(dir, { recursive: true, force: true })
  })
  const [api1, api2, varnish] = [await freePort(), await freePort(), await freePort()]
  const env = { ...process.env, DATABASE_PATH: join(dir, 'api.db'), ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn', PURGE_URL: `http://127.0.0.1:${varnish}/`, HOST: '127.0.0.1' }
  // Prepare the database once, so the two processes do not race to migrate it.
  const migrate = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'migrate'], { env, stdio: 'ignore' })
  await new Promise((resolve) => migrate.once('exit', resolve))
  for (const port of [api1, api2]) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/server.ts')], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] })
    children.push(child)
    await waitFor(`http://127.0.0.1:${port}/ready`, child, `API on ${port}`)
  }
  const vcl = readFileSync(join(ROOT, 'deploy/varnish.vcl'), 'utf8').replaceAll('BACKEND_1_PORT', String(api1)).replaceAll('BACKEND_2_PORT', String(api2))
  writeFileSync(join(dir, 'test.vcl'), vcl)
  const vd = spawn(VARNISHD!, ['-F', '-a', `127.0.0.1:${varnish}`, '-f', join(dir, 'test.vcl'), '-n', join(dir, 'varnish'), '-s', 'malloc,32m', '-p', 'ban_lurker_sleep=0.01'], { stdio: ['ignore', 'ignore', 'inherit'] })
  children.push(vd)
  const base = `http://127.0.0.1:${varnish}`
  await waitFor(`${base}/health`, vd, 'varnishd')

  const admin = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
  const author = await (await fetch(`${base}/v1/authors`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Desk' }) })).json() as { data: { id: number } }
  const make = async (title: string, status: string) => (await (await fetch(`${base}/v1/posts`, { method: 'POST', headers: admin, body: JSON.stringify({ title, author_id: author.data.id, status }) })).json() as { data: { id: number, slug: string } }).data
  const stable = await make('Stable story', 'published')
  const draft = await make('Breaking story', 'draft')
  await new Promise((resolve) => setTimeout(resolve, 300))

  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`)
    return { cache: res.headers.get('x-varnish-cache'), keys: res.headers.get('surrogate-key'), body: await res.json() as { data: unknown } }
  }
  t.equal((await get('/v1/posts')).cache, 'MISS')
  const listed = await get('/v1/posts')
  t.equal(listed.cache, 'HIT', 'the second read comes from Varnish')
  t.equal(listed.keys, `posts post-${stable.id}`, 'the lists and every post they show')
  await get(`/v1/posts/${stable.slug}`)
  const single = await get(`/v1/posts/${stable.slug}`)
  t.equal(single.cache, 'HIT')
  t.equal(single.keys, `post-${stable.id}`)

  const published = await fetch(`${base}/v1/posts/${draft.id}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ status: 'published' }) })
  t.equal(published.status, 200)
  let fresh = await get('/v1/posts')
  for (let i = 0; i < 20 && fresh.cache === 'HIT'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    fresh = await get('/v1/posts')
  }
  t.equal(fresh.cache, 'MISS', 'the publish purged the post lists')
  t.ok((fresh.body.data as Array<{ slug: string }>).some((p) => p.slug === draft.slug), 'the next read shows the published post')
  t.equal((await get(`/v1/posts/${stable.slug}`)).cache, 'HIT', 'an unaffected post stays cached')
  // A comment approved on the newly published post purges its key only: the other post stays.
  await get(`/v1/posts/${draft.slug}`)
  t.equal((await get(`/v1/posts/${draft.slug}`)).cache, 'HIT')
  await get('/v1/authors')
  const comment = await (await fetch(`${base}/v1/posts/${draft.slug}/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ author_name: 'Sam', author_email: 'sam@example.com', content: 'Breaking indeed' }) })).json() as { data: { id: number } }
  t.equal((await fetch(`${base}/v1/comments/${comment.data.id}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ status: 'approved' }) })).status, 200)
  let commented = await get(`/v1/posts/${draft.slug}`)
  for (let i = 0; i < 20 && commented.cache === 'HIT'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    commented = await get(`/v1/posts/${draft.slug}`)
  }
  t.equal(commented.cache, 'MISS', 'the approval purged its post')
  t.equal((commented.body.data as { comment_count: number }).comment_count, 1)
  t.equal((await get(`/v1/posts/${stable.slug}`)).cache, 'HIT', 'another post stays cached')
  t.equal((await get('/v1/authors')).cache, 'HIT', 'and so do the taxonomy lists')
  const refused = await fetch(`${base}/`, { method: 'PURGE' })
  t.equal(refused.status, 400, 'a purge without keys is refused')
})
