import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

// client/src/schema.d.ts is generated from the committed openapi/openapi.json by
// openapi-typescript (`npm run openapi` does both); this fails when the two have drifted,
// and when the generator warns about the spec (journey 6: a typed client without a warning).

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CLI = join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js')
const COMMITTED = join(ROOT, 'client', 'src', 'schema.d.ts')

t.test('client/src/schema.d.ts is what openapi-typescript makes of openapi/openapi.json', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-schema-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const out = join(dir, 'schema.d.ts')
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, 'openapi/openapi.json', '-o', out], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } })
  t.ok(readFileSync(out, 'utf8') === readFileSync(COMMITTED, 'utf8'), 'client/src/schema.d.ts is stale: run `npm run openapi` and commit the result')
  t.same(`${stdout}\n${stderr}`.split('\n').filter((line) => /warn|error|⚠|✘/i.test(line)), [], 'openapi-typescript reports no warning')
})
