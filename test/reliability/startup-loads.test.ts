import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../../src/scripts/free-port.js'
import { CHILD_ADMIN_TOKEN, ROOT, TSX } from '../helpers/server-process.js'

// What the server loads before it listens (issue 15, start-up time): the real entry started on
// SQLite, every module it resolved (ES imports, through a resolve hook) or required (CommonJS,
// the require cache at exit) listed. Packages only some requests need are loaded by the first
// such request (src/lib/lazy.ts, the PostgreSQL writer, Swagger UI), never at start.
const NOT_AT_START = [
  // PostgreSQL: the driver and drizzle's node-postgres (src/db/engine-write.ts imports the writer on first use).
  'pg', 'pg-pool', 'pg-protocol', 'drizzle-orm/node-postgres',
  // Swagger UI, built by the first /docs request (src/plugins/swagger.ts).
  '@fastify/swagger-ui', '@fastify/static',
  // Media uploads, feed and WXR parsing, writes and renders (src/lib/lazy.ts).
  'file-type', 'iconv-lite', 'saxes', 'sharp', 'sanitize-html', 'transliteration', 'xmlbuilder2', 'stopword', 'wink-porter2-stemmer', 'htmlparser2'
]

const HOOKS = `import { writeSync } from 'node:fs'
export async function resolve (specifier, context, next) {
  const found = await next(specifier, context)
  writeSync(2, 'LOADED ' + found.url + '\\n')
  return found
}`
const PRELOAD = `import { createRequire, register } from 'node:module'
import { writeSync } from 'node:fs'
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}))
const cache = createRequire(process.cwd() + '/').cache
process.on('exit', () => { for (const path of Object.keys(cache)) writeSync(2, 'LOADED ' + path + '\\n') })`

t.test('a server on SQLite starts without loading what only some requests need', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-loads-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', TSX, '--import', `data:text/javascript,${encodeURIComponent(PRELOAD)}`, join(ROOT, 'src/server.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_PATH: join(dir, 'loads.db'), LOG_LEVEL: 'warn', ADMIN_TOKEN: CHILD_ADMIN_TOKEN, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  t.teardown(() => { child.kill('SIGKILL') })
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited before listening:\n${stderr}`)
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((res) => res.ok, () => false)
    if (ok) break
    if (Date.now() > deadline) throw new Error(`the server did not start within 60 s:\n${stderr}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  child.kill('SIGTERM')
  await exited
  const loaded = stderr.split('\n').filter((line) => line.startsWith('LOADED ')).map((line) => line.slice('LOADED '.length))
  t.ok(loaded.some((path) => path.includes('/node_modules/fastify/')), 'the list is of what was loaded')
  t.ok(loaded.some((path) => path.includes('/node_modules/better-sqlite3/')), 'CommonJS packages are in it')
  for (const name of NOT_AT_START) {
    t.same(loaded.filter((path) => path.includes(`/node_modules/${name}/`)), [], `${name} is not loaded at start`)
  }
})
