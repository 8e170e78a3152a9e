import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, realpathSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ROOT, TSX, startServer } from '../helpers/server-process.js'
import { DEMO_KEY_RECIPE } from '../../src/lib/demo-env.js'

const run = promisify(execFile)

// The README's recipe after `npm run demo`, as a new user types it: the demo server, then a key
// made by `npm run cli -- --demo keys create …`, then a write with that key. Both processes
// run from a scratch folder (their ./data/demo.db is there), never the repository's own demo.
t.test('npm run demo, then npm run cli -- --demo keys create: the key writes to the demo', { timeout: 120_000 }, async (t) => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'broadsheet-demo-')))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const { DATABASE_PATH: _ignored, ...env } = process.env
  const server = await startServer({ ADMIN_TOKEN: '', DATABASE_PATH: '' }, { args: ['--demo'], cwd: dir })
  t.teardown(() => { server.child.kill('SIGTERM') })
  t.match(server.output(), DEMO_KEY_RECIPE, 'the demo says how to make a key for its database')
  t.match(server.output(), join(dir, 'data', 'demo.db'))

  const args = DEMO_KEY_RECIPE.replace('npm run cli -- ', '').split(' ')
  t.same(args.slice(0, 3), ['--demo', 'keys', 'create'])
  const cli = await run(process.execPath, ['--import', TSX, join(ROOT, 'src/cli.ts'), ...args], { cwd: dir, env: { ...env, LOG_LEVEL: 'warn' } })
  t.match(cli.stderr, `database: ${join(dir, 'data', 'demo.db')}`, 'the command line names the file it opened: the demo\'s')
  const key = cli.stdout.split('\n').find((line) => line.startsWith('bs_'))
  t.match(key, /^bs_[A-Za-z0-9_-]{43}$/, 'the key is printed alone on its line')

  const res = await fetch(`${server.base}/v1/categories`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key!}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Recipe' })
  })
  t.equal(res.status, 201, 'the printed key works against the demo server at once')
  const posts = await (await fetch(`${server.base}/v1/posts?per_page=1`)).json() as { meta: { total: number } }
  t.ok(posts.meta.total > 0, 'and the demo server is the one with the demo content')
})
